#pragma once
// The statistics cache: for one space/dataset/seed, the 13 proxy scores and the per-layer raw statistics of a
// set of architectures, as gathered by `zcgp gather`. The file format is described in docs/statistics-cache.md:
// an 8-byte magic, the format version, a JSON header, then raw little-endian float64/uint64 arrays.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "zcgp/proxy_cache/Measurement.hpp"

namespace zcgp::proxy_cache {

// Unreadable, malformed or inconsistent cache files and conflicting merges; the message names the file.
class CacheError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// How the measurements were gathered. Everything here is part of the file's identity: shards merge only when
// it agrees (except the shard fields and, see merge(), the device), and `--resume` continues only when it agrees.
struct GatherOptions {
    std::string space;                 // "nb201"
    std::string dataset;               // "cifar10" | "cifar100" | "ImageNet16-120"
    std::uint64_t seed = 0;
    std::int64_t batchSize = 64;
    std::string proxies = "all";       // the proxies that were computed ("all" or "a,b,c"); the others are NaN
    std::string device;                // the device that ran the scorer, e.g. "cpu" or "cuda:0 (NVIDIA H100)"
    std::string zcgpVersion;           // zcgp version that wrote the measurements
    // The architecture selection before sharding: its spec as given ("all", "100", "all15625", "file:x.txt"),
    // its size and a hash of its keys in order (FNV-1a 64 over "key\n"...), so shards of one selection can be
    // recognised and interleaved back into the selection order.
    std::string selection;
    std::uint64_t selectionSize = 0;
    std::string selectionHash;
    std::uint64_t shardIndex = 0;      // this file holds selection[shardIndex], selection[shardIndex + shardCount], ...
    std::uint64_t shardCount = 1;

    [[nodiscard]] bool operator==(GatherOptions const&) const = default;
};

// The first field in which a and b differ, as "seed: 0 vs 1" (field names as in the file header); nullopt if
// they agree. ignoreShard skips shardIndex/shardCount, ignoreDevice skips device.
[[nodiscard]] std::optional<std::string> optionsDifference(GatherOptions const& a, GatherOptions const& b,
                                                           bool ignoreShard = false, bool ignoreDevice = false);

// FNV-1a 64 of the keys, each followed by '\n', as 16 lower-case hex digits prefixed by "fnv1a64:".
[[nodiscard]] std::string selectionHash(std::span<std::string const> keys);

// One statistic over all architectures, ragged: architecture i owns values[offsets[i] .. offsets[i+1]).
struct RaggedStatistic {
    std::string name;
    std::vector<double> values;
    std::vector<std::uint64_t> offsets;  // size() + 1 entries, offsets.front() == 0, offsets.back() == values.size()

    [[nodiscard]] std::span<double const> row(std::size_t arch) const {
        return std::span<double const>(values).subspan(offsets[arch], offsets[arch + 1] - offsets[arch]);
    }
};

// Counts of the values that are not finite: NaN means "not computed" for a proxy; infinities are kept as measured.
struct NonFiniteCounts {
    std::uint64_t nan = 0;
    std::uint64_t infinite = 0;
    [[nodiscard]] bool operator==(NonFiniteCounts const&) const = default;
};

class StatisticsCache {
public:
    static constexpr std::uint64_t FormatVersion = 1;
    static constexpr std::string_view Magic = "ZCGPSTAT";  // 8 bytes

    // Reads and validates a cache file (magic, version, header, array sizes, offsets). Throws CacheError naming
    // the file and what is wrong (truncated, bad magic, unknown version, inconsistent offsets, ...).
    [[nodiscard]] static StatisticsCache read(std::filesystem::path const& path);
    // Writes atomically: a temporary file in the same directory, fsync, rename, fsync of the directory.
    // The bytes are a pure function of the content (no timestamps), so equal caches give identical files.
    void write(std::filesystem::path const& path) const;

    // Combines caches of the same space/dataset/seed/batch/version/proxies/statistics with disjoint architectures.
    // When the inputs are exactly the shards 0..n-1 of one selection (same selection hash and size), the result
    // interleaves them back into the selection order and equals (byte for byte) an unsharded gather; otherwise
    // the architectures are concatenated in input order. Differing devices are joined ("cpu; cuda:0 (...)",
    // sorted). Throws CacheError naming the two files on a conflict (different option, duplicate architecture,
    // missing shard).
    [[nodiscard]] static StatisticsCache merge(std::vector<StatisticsCache> const& inputs);

    [[nodiscard]] GatherOptions const& options() const { return options_; }
    [[nodiscard]] std::filesystem::path const& source() const { return source_; }  // empty unless read()
    [[nodiscard]] std::size_t size() const { return archs_.size(); }

    [[nodiscard]] std::vector<std::string> const& architectures() const { return archs_; }
    [[nodiscard]] std::optional<std::size_t> findArchitecture(std::string_view key) const;

    [[nodiscard]] std::vector<std::string> const& proxyNames() const { return proxyNames_; }
    [[nodiscard]] std::optional<std::size_t> proxyIndex(std::string_view name) const;
    // Column of a proxy over the architectures (NaN where not computed). Throws CacheError listing the proxies.
    [[nodiscard]] std::span<double const> proxyColumn(std::string_view name) const;
    [[nodiscard]] std::span<double const> proxyColumn(std::size_t column) const;
    [[nodiscard]] NonFiniteCounts proxyNonFinite(std::size_t column) const;

    [[nodiscard]] std::vector<RaggedStatistic> const& statistics() const { return statistics_; }
    [[nodiscard]] std::vector<std::string> statisticNames() const;
    [[nodiscard]] std::optional<std::size_t> statisticIndex(std::string_view name) const;
    // Throws CacheError listing the statistics if absent.
    [[nodiscard]] RaggedStatistic const& statistic(std::string_view name) const;
    [[nodiscard]] NonFiniteCounts statisticNonFinite(std::size_t index) const;

    // The measurement of one architecture, rebuilt (proxies that are NaN are left out; seconds = 0).
    [[nodiscard]] ArchitectureMeasurement measurement(std::size_t arch) const;

    // Content equality (the source path is ignored); NaNs compare by bit pattern.
    [[nodiscard]] bool sameContent(StatisticsCache const& other) const;

private:
    friend class StatisticsCacheBuilder;
    void buildIndex();

    std::filesystem::path source_;
    GatherOptions options_;
    std::vector<std::string> archs_;
    std::vector<std::string> proxyNames_;
    std::vector<double> proxyScores_;  // column-major: proxy c of arch i at [c * size() + i]
    std::vector<RaggedStatistic> statistics_;
    std::unordered_map<std::string, std::size_t> archIndex_;
};

// Appends measurements in order and produces a StatisticsCache.
class StatisticsCacheBuilder {
public:
    // proxyNames: the proxy columns, in order (zcgp gather passes the 13 suite proxies).
    StatisticsCacheBuilder(GatherOptions options, std::vector<std::string> proxyNames);

    // Throws CacheError for a duplicate architecture, a proxy name not among the columns, or statistics whose
    // names (or order) differ from the first measurement's. Proxies absent from the measurement are stored as NaN.
    void append(ArchitectureMeasurement const& measurement);

    [[nodiscard]] std::size_t size() const { return cache_.archs_.size(); }
    [[nodiscard]] std::vector<std::string> const& proxyNames() const { return cache_.proxyNames_; }
    [[nodiscard]] GatherOptions const& options() const { return cache_.options_; }
    // Consumes the builder.
    [[nodiscard]] StatisticsCache build();

private:
    StatisticsCache cache_;
    std::vector<std::vector<double>> columns_;  // per proxy, row-appended; transposed into the cache on build()
    bool statisticsFixed_ = false;
};

}  // namespace zcgp::proxy_cache
