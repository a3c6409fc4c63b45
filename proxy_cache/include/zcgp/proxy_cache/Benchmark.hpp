#pragma once
// Discovers and loads every NAS-Bench-Suite-Zero file (zc_*.json, zen_transbench101_micro/) in a data directory.
#include <filesystem>
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

// Merges zen scores from zen_transbench101_micro/*.json into the matching TNB101 micro tables, by arch key.
void mergeZenScores(std::filesystem::path const& zenDir, std::vector<ProxyTable>& tables);

class Benchmark {
public:
    // Loads all suite files under dataDir (and dataDir/nbsz, where setup.sh links them).
    [[nodiscard]] static Benchmark load(std::filesystem::path const& dataDir);

    [[nodiscard]] std::vector<ProxyTable> const& tasks() const { return tasks_; }
    // "space/task"; throws DataError listing the valid tasks if unknown.
    [[nodiscard]] ProxyTable const& task(std::string_view id) const;
    // "space/task" or "space" (all tasks of that space) or "all".
    [[nodiscard]] std::vector<ProxyTable const*> select(std::string_view pattern) const;
    [[nodiscard]] std::vector<std::string> taskIds() const;
    [[nodiscard]] std::filesystem::path const& root() const { return root_; }

private:
    std::filesystem::path root_;
    std::vector<ProxyTable> tasks_;
};

}  // namespace zcgp::proxy_cache
