#pragma once
// The public benchmark tables of a data directory, as tasks: the NAS-Bench-Suite-Zero files (zc_*.json), NASLib
// benchmark-list folders (nb360/, zen_transbench101_micro/, nb201_zen_full/), the full NB201 tables (nb201_full/)
// and FlexiBERT (lm/). Discovery reads file names only; a file is parsed when a task that needs it is asked for.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::proxy_cache {

// Thrown for malformed or inconsistent benchmark files; the message names the file (and position or arch key).
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Maps a file name such as "zc_nasbench201.json" to its search space; nullopt if it is not a suite file.
[[nodiscard]] std::optional<SearchSpace> spaceOfFile(std::string_view fileName);

// Reads one zc_<space>.json (both record formats; NB101's extra nesting). Tasks in file order.
[[nodiscard]] std::vector<ProxyTable> loadSuiteFile(std::filesystem::path const& file, SearchSpace space);

// ---- NASLib benchmark lists: benchmark--<space>--<dataset>--<offset>.json, each a JSON list of
//      {"idx", "arch", "<proxy>": {"score", "time"}, "val_accuracy"} ----
struct BenchmarkListFile {
    std::filesystem::path file;
    SearchSpace space{SearchSpace::NB201};
    std::string dataset;
};
// NASLib's space names: nasbench101, nasbench201, nasbench301, transbench101_micro, transbench101_macro.
[[nodiscard]] std::optional<SearchSpace> spaceOfNaslibName(std::string_view name);
// The benchmark-list files in `dir` and in its immediate sub-folders (one per proxy, as nb360/ and a NASLib run
// lay them out), sorted by path. Reads names only. A benchmark--*.json name with an unknown space is a DataError.
[[nodiscard]] std::vector<BenchmarkListFile> findBenchmarkLists(std::filesystem::path const& dir);
// One table per (space, dataset): records matched by canonical arch key across files, every key other than the
// metadata a proxy column, rows in order of first appearance. Tasks are "space/dataset"; keys are read as
// KeyEncoding::Naslib (NASLib's op indices).
[[nodiscard]] std::vector<ProxyTable> loadBenchmarkLists(std::vector<BenchmarkListFile> const& files);

// Adds every proxy column of `extra` to the table of `tables` with the same space and task, by canonical arch key;
// architectures that `extra` lacks get NaN (missing).
void mergeProxyColumns(std::vector<ProxyTable> const& extra, std::vector<ProxyTable>& tables);
// Merges zen from a benchmark-list folder (zen_transbench101_micro/, nb201_zen_full/) into the matching tables.
void mergeZenScores(std::filesystem::path const& zenDir, std::vector<ProxyTable>& tables);
// The same for one table: reads only the folder's files of that table's space and dataset (the names tell them).
void mergeZenScores(std::filesystem::path const& zenDir, ProxyTable& table);

// nb201_full/nb201_<dataset>_zc_proxies.csv joined with nb201_<dataset>_val_accs.csv by `net`: task
// "nb201_full/<dataset>". Every proxy row needs an accuracy.
[[nodiscard]] ProxyTable loadNb201Full(std::filesystem::path const& proxiesCsv, std::filesystem::path const& accuracyCsv,
                                       std::string const& dataset);

// lm/: task "flexibert/glue", the CSV's proxies with `GLUE Score` as ground truth, each architecture's layer
// configuration parsed from BERT_benchmark.json by the CSV's ID.
[[nodiscard]] ProxyTable loadFlexiBert(std::filesystem::path const& resultsCsv, std::filesystem::path const& benchmarkJson);
// The layer configuration of every architecture of BERT_benchmark.json, by id.
[[nodiscard]] std::vector<std::pair<std::string, FlexiBertConfig>> readFlexiBertConfigs(std::filesystem::path const& file);

// One group of files that gives tasks: a suite file (with the zen folder merged into it), one NAS-Bench-360 task, one
// full NB201 table, FlexiBERT.
struct TaskSource {
    std::string name;                   // the file or folder, as listed and in errors
    SearchSpace space{SearchSpace::NB201};
    std::string prefix;                 // the first part of its task ids: "nb201", "nb201_full", "flexibert"
    std::vector<std::string> ids;       // its task ids when the file names tell them; empty: known once parsed
    std::function<std::vector<ProxyTable>()> load;
    // Optional: finishes one table of `load` when that task is first used (a suite file's zen columns, read from
    // the zen files of that dataset only: a single NB201 task then parses 63 zen files instead of 189).
    std::function<void(ProxyTable&)> complete;
};

// What `zcgp tasks` shows for a source: its tasks, or why it could not be read.
struct SourceStatus {
    TaskSource const* source{nullptr};
    std::vector<ProxyTable const*> tables;
    std::string error;  // empty when it loaded
};

class Benchmark {
public:
    // Discovers the sources under dataDir (and dataDir/nbsz, dataDir/lm, where setup.sh links them). Parses nothing.
    [[nodiscard]] static Benchmark load(std::filesystem::path const& dataDir);

    // Every task of every source (parses them all; throws the first source's DataError).
    [[nodiscard]] std::vector<ProxyTable const*> tasks() const;
    // "space/task"; parses only the sources that can hold it. Throws DataError listing the valid tasks if unknown,
    // or the error of a source it needs.
    [[nodiscard]] ProxyTable const& task(std::string_view id) const;
    // "space/task" or "space" (all tasks of that space or collection) or "all".
    [[nodiscard]] std::vector<ProxyTable const*> select(std::string_view pattern) const;
    // Task ids of the sources that load (broken ones are skipped: see survey()).
    [[nodiscard]] std::vector<std::string> taskIds() const;
    // Every source, loaded, with its tables or its error: nothing thrown for a broken file.
    [[nodiscard]] std::vector<SourceStatus> survey() const;
    [[nodiscard]] std::vector<TaskSource> const& sources() const { return sources_; }
    [[nodiscard]] std::filesystem::path const& root() const { return root_; }

private:
    struct Slot {
        bool tried{false};
        std::vector<ProxyTable> tables;
        std::string error;
        std::vector<char> completed;          // per table: TaskSource::complete has run
        std::vector<std::string> tableErrors;  // per table: the error of complete, empty if none
    };
    Slot const& slot(std::size_t source) const;  // loads on first use
    // Completes table k of a loaded source on first use; its error, empty when it completed.
    std::string const& complete(std::size_t source, std::size_t k) const;
    // Completes every table of a source; the source's error or its first table's, empty when all loaded.
    std::string completeAll(std::size_t source) const;
    [[nodiscard]] std::vector<std::size_t> sourcesWithPrefix(std::string_view prefix) const;

    std::filesystem::path root_;
    std::vector<TaskSource> sources_;
    // Loaded lazily by const methods; behind a pointer so that moving a Benchmark keeps the tables in place.
    std::unique_ptr<std::vector<Slot>> slots_;
};

}  // namespace zcgp::proxy_cache
