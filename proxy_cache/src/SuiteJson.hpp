#pragma once
// Internal: what the suite's JSON readers share (zc_*.json, NASLib benchmark lists, BERT_benchmark.json).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::proxy_cache::detail {

// NASLib's "not computed" marker: epe_nas on non-classification tasks, and jacov/zen on degenerate cells.
inline constexpr double kMissingSentinel = -100000000.0;

[[nodiscard]] std::string readFile(std::filesystem::path const& file);

// Parses with NaN/Infinity tokens (Python's json writes them) in RapidJSON's iterative mode, so nesting depth
// costs heap, not stack. Throws DataError with file:line:column.
[[nodiscard]] rapidjson::Document parseJson(std::filesystem::path const& file, std::string const& text);

// Keys of a record that are not proxies.
[[nodiscard]] bool isMetadataKey(std::string_view key);

// A score is a bare number, {"score": x, ...} or null. Missing, sentinel and non-finite become NaN.
// The "time" of a {"score", "time"} record, if it is a finite number >= 0 (seconds to compute the proxy).
[[nodiscard]] std::optional<double> readTime(rapidjson::Value const& v);
// Median of each proxy's recorded times (proxies without any are left out).
[[nodiscard]] std::map<std::string, double> medianTimes(std::map<std::string, std::vector<double>>& times);
[[nodiscard]] double readScore(rapidjson::Value const& v, std::filesystem::path const& file, std::string const& task,
                               std::string const& key, std::string const& proxy);

// The op indices of a cell key (validated for NB201 and TNB101 micro); empty for keys that are no flat tuple.
[[nodiscard]] std::vector<int> parseCellOps(std::filesystem::path const& file, std::string const& task,
                                            std::string const& key, SearchSpace space);

}  // namespace zcgp::proxy_cache::detail
