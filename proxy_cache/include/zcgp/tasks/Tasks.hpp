#pragma once
// zcgp::tasks: turns task ids (--task) and a researcher's own tables (--table) into the GP's datasets, with a
// report of what the conversion kept and dropped. Every subcommand loads its tasks through this one API.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "zcgp/primitives/Dataset.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/CsvTable.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace zcgp::tasks {

// A bad request (unknown task, --exclude of a column no task has, no common proxy, a broken table). The message is
// one line naming the file, line, column or task.
class TaskError : public proxy_cache::DataError {
public:
    using proxy_cache::DataError::DataError;
};

// What the ProxyTable -> Dataset conversion kept and dropped, reported to the user.
struct ConversionReport {
    std::string task;
    std::string source;                       // the file or folder it came from
    std::string target;                       // the ground-truth column
    bool targetNegated{false};                // tau is computed against the negated target (--target-order lower)
    std::vector<std::string> droppedProxies;  // missing on more than kMaxMissingFraction, excluded, or not common
    std::size_t droppedArchs{0};              // missing one of the remaining proxies
    std::size_t keptArchs{0};
    bool graphTerminals{false};               // whether the graph features were appended as terminals
    std::string graphSkipped;                 // with TaskRequest::graphIfKnown: why they were not ("" if they were)
};

// A proxy missing on more than this fraction of a task's architectures is dropped as a terminal (e.g. epe_nas
// outside classification, or on 46% of jigsaw); below it, the architectures that miss it are dropped instead
// (e.g. the 20 degenerate TransNAS cells without jacov and zen).
inline constexpr double kMaxMissingFraction = 0.10;

[[nodiscard]] bool usableProxy(proxy_cache::ProxyTable const& table, std::size_t column);

// What a command asks for. Tasks come in the order: ids first, then tables.
struct TaskRequest {
    std::vector<std::string> ids;                   // --task SPACE/TASK (or SPACE, or all, where `patterns`)
    std::vector<proxy_cache::TableSpec> tables;     // --table FILE.csv --target COLUMN ...
    std::vector<std::string> exclude;               // --exclude COLUMN: dropped from every task and table
    std::vector<std::string> proxies;               // --proxies: restrict (and order) the terminals
    primitives::Normalization normalization{primitives::Normalization::None};
    bool patterns{false};                           // ids may be a space or "all" (correlate)
    // Terminal groups (--terminals): the cached proxy scores, and the graph features of each architecture's
    // encoding (proxy_cache/ArchitectureGraph.hpp), named kGraphPrefix + feature. Whatever the groups, a task keeps
    // the same architectures (those with every usable proxy), so a seed draws the same train split for each.
    bool cachedTerminals{true};
    bool graphTerminals{false};
    // "auto" (zcgp evolve's default): the graph features too, but only where every task's search space is known
    // (each built-in task; a table with --table-space) and they share a feature; otherwise cached alone, with the
    // reason in ConversionReport::graphSkipped. An undecodable key of a known space stays an error (TaskError).
    bool graphIfKnown{false};
};

// Graph terminals are named "graph_<feature>" ("graph_paths_conv3"): an identifier, as exported C++ needs.
inline constexpr char const* kGraphPrefix = "graph_";

// The tables a request names, with --exclude applied: for commands that read raw scores (correlate, tasks).
[[nodiscard]] std::vector<proxy_cache::ProxyTable> selectTables(proxy_cache::Benchmark const& benchmark,
                                                                TaskRequest const& request);

struct LoadedTask {
    std::string id;
    primitives::Dataset data;
    ConversionReport report;
    std::map<std::string, double> proxySeconds;  // the table's median compute time per proxy (cost-aware GP)
};

// The tasks as GP terminal data with one common, ordered terminal set (the proxies usable on every task, or
// `request.proxies`; then, with request.graphTerminals, the graph features every task's space has), each normalised
// per task (an unsupervised, monotone transform fitted on its terminal values). Graph terminals on a table whose
// space is not declared (ids only) are a TaskError naming the task.
[[nodiscard]] std::vector<LoadedTask> loadTasks(proxy_cache::Benchmark const& benchmark, TaskRequest const& request);

// Converts a task's cached proxies to GP terminals. Policy: drop proxy columns missing on more than
// kMaxMissingFraction of the architectures, then architectures missing any remaining proxy or the target. `only`, if
// non-empty, restricts (and orders) the kept proxies.
[[nodiscard]] primitives::Dataset datasetFromTable(proxy_cache::ProxyTable const& table,
                                                   std::vector<std::string> const& only, ConversionReport& report);

// The graph features of a dataset's architectures (by key, from `table`), appended as scalar terminals
// kGraphPrefix + name for each of `names` (graphFeatureNames of the table's space, or a subset). With
// keepScalars false the dataset's other scalars are dropped. Throws TaskError naming the task for a table without a
// known space or a malformed key.
[[nodiscard]] primitives::Dataset appendGraphTerminals(primitives::Dataset const& data, proxy_cache::ProxyTable const& table,
                                                       std::vector<std::string> const& names, bool keepScalars);

// Restricts a task to the architectures of a statistics cache (from `zcgp gather`) and appends its per-layer
// statistics as LayerVector terminals. LayerVector operators combine vectors element-wise, so all of them must
// share one layer layout: the statistics with the most common per-architecture lengths are kept, the others
// (e.g. per-cell-node ones) and any statistic that is non-finite on a kept architecture are reported and skipped.
struct StatsReport {
    std::size_t archsWithoutStats{0};
    std::vector<std::string> kept, skippedLayout, skippedNonFinite;
};
[[nodiscard]] primitives::Dataset appendLayerVectorTerminals(primitives::Dataset const& data,
                                                             proxy_cache::StatisticsCache const& cache,
                                                             bool keepScalars, bool addLayers, StatsReport& report);

}  // namespace zcgp::tasks
