#include "zcgp/proxy_cache/StatisticsCache.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "BinaryIo.hpp"
#include "OptionsJson.hpp"

namespace zcgp::proxy_cache {

namespace {

using Json = nlohmann::ordered_json;
constexpr std::size_t PreambleSize = 24;  // magic, version, header length
constexpr std::string_view FormatName = "zcgp-statistics-cache";

std::string joined(std::vector<std::string> const& names) {
    std::string out;
    for (auto const& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out.empty() ? "(none)" : out;
}

NonFiniteCounts countNonFinite(std::span<double const> values) {
    NonFiniteCounts c;
    for (double v : values) {
        if (std::isnan(v)) {
            ++c.nan;
        } else if (std::isinf(v)) {
            ++c.infinite;
        }
    }
    return c;
}

// The arrays of a cache, in file order: what the header's "arrays" list must say.
struct ArrayLayout {
    std::string name;
    std::string dtype;
    std::uint64_t count;
    std::uint64_t offset;
};

std::vector<ArrayLayout> layoutOf(std::size_t archs, std::size_t proxies, std::vector<std::uint64_t> const& valueCounts,
                                  std::vector<std::string> const& statNames) {
    std::vector<ArrayLayout> layout;
    std::uint64_t offset = 0;
    auto add = [&](std::string name, std::string dtype, std::uint64_t count) {
        layout.push_back({std::move(name), std::move(dtype), count, offset});
        offset += 8 * count;
    };
    add("proxies", "<f8", std::uint64_t{archs} * proxies);
    for (std::size_t s = 0; s < statNames.size(); ++s) {
        add("statistics/" + statNames[s] + "/offsets", "<u8", archs + 1);
        add("statistics/" + statNames[s] + "/values", "<f8", valueCounts[s]);
    }
    return layout;
}

}  // namespace

Json detail::optionsToJson(GatherOptions const& o) {
    Json j;
    j["space"] = o.space;
    j["dataset"] = o.dataset;
    j["seed"] = o.seed;
    j["batch_size"] = o.batchSize;
    j["proxies"] = o.proxies;
    j["device"] = o.device;
    j["zcgp_version"] = o.zcgpVersion;
    j["selection"] = o.selection;
    j["selection_size"] = o.selectionSize;
    j["selection_hash"] = o.selectionHash;
    j["shard_index"] = o.shardIndex;
    j["shard_count"] = o.shardCount;
    return j;
}

GatherOptions detail::optionsFromJson(Json const& o) {
    // integers are checked for their JSON type first: get<std::uint64_t>() on a float such as 4.4e127 converts it
    // unchecked (undefined behaviour, found by the statistics_cache fuzz target)
    auto const unsignedField = [&](char const* key) {
        auto const& v = o.at(key);
        if (!v.is_number_unsigned()) throw Json::type_error::create(302, std::string("'") + key + "' must be a non-negative integer", &v);
        return v.get<std::uint64_t>();
    };
    auto const integerField = [&](char const* key) {
        auto const& v = o.at(key);
        if (!v.is_number_integer()) throw Json::type_error::create(302, std::string("'") + key + "' must be an integer", &v);
        return v.get<std::int64_t>();
    };
    GatherOptions opt;
    opt.space = o.at("space").get<std::string>();
    opt.dataset = o.at("dataset").get<std::string>();
    opt.seed = unsignedField("seed");
    opt.batchSize = integerField("batch_size");
    opt.proxies = o.at("proxies").get<std::string>();
    opt.device = o.at("device").get<std::string>();
    opt.zcgpVersion = o.at("zcgp_version").get<std::string>();
    opt.selection = o.at("selection").get<std::string>();
    opt.selectionSize = unsignedField("selection_size");
    opt.selectionHash = o.at("selection_hash").get<std::string>();
    opt.shardIndex = unsignedField("shard_index");
    opt.shardCount = unsignedField("shard_count");
    return opt;
}

std::optional<std::string> optionsDifference(GatherOptions const& a, GatherOptions const& b, bool ignoreShard,
                                             bool ignoreDevice) {
    auto ja = detail::optionsToJson(a);
    auto jb = detail::optionsToJson(b);
    for (auto const& [key, value] : ja.items()) {
        if ((ignoreShard && (key == "shard_index" || key == "shard_count")) || (ignoreDevice && key == "device")) {
            continue;
        }
        if (value != jb[key]) {
            return fmt::format("{}: {} vs {}", key, value.dump(), jb[key].dump());
        }
    }
    return std::nullopt;
}

std::string selectionHash(std::span<std::string const> keys) {
    std::uint64_t h = detail::fnv1a("");
    for (auto const& k : keys) {
        h = detail::fnv1a(k, h);
        h = detail::fnv1a("\n", h);
    }
    return fmt::format("fnv1a64:{:016x}", h);
}

// ---------------------------------------------------------------------------------------------------------------
// Accessors

void StatisticsCache::buildIndex() {
    archIndex_.clear();
    archIndex_.reserve(archs_.size());
    for (std::size_t i = 0; i < archs_.size(); ++i) {
        archIndex_.emplace(archs_[i], i);
    }
}

std::optional<std::size_t> StatisticsCache::findArchitecture(std::string_view key) const {
    auto it = archIndex_.find(std::string(key));
    if (it == archIndex_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::size_t> StatisticsCache::proxyIndex(std::string_view name) const {
    auto it = std::find(proxyNames_.begin(), proxyNames_.end(), name);
    if (it == proxyNames_.end()) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - proxyNames_.begin());
}

std::span<double const> StatisticsCache::proxyColumn(std::size_t column) const {
    return std::span<double const>(proxyScores_).subspan(column * size(), size());
}

std::span<double const> StatisticsCache::proxyColumn(std::string_view name) const {
    auto c = proxyIndex(name);
    if (!c) {
        throw CacheError(fmt::format("statistics cache '{}' has no proxy '{}' (proxies: {})", source_.string(), name,
                                     joined(proxyNames_)));
    }
    return proxyColumn(*c);
}

NonFiniteCounts StatisticsCache::proxyNonFinite(std::size_t column) const {
    return countNonFinite(proxyColumn(column));
}

std::vector<std::string> StatisticsCache::statisticNames() const {
    std::vector<std::string> names;
    names.reserve(statistics_.size());
    for (auto const& s : statistics_) {
        names.push_back(s.name);
    }
    return names;
}

std::optional<std::size_t> StatisticsCache::statisticIndex(std::string_view name) const {
    for (std::size_t i = 0; i < statistics_.size(); ++i) {
        if (statistics_[i].name == name) {
            return i;
        }
    }
    return std::nullopt;
}

RaggedStatistic const& StatisticsCache::statistic(std::string_view name) const {
    auto i = statisticIndex(name);
    if (!i) {
        throw CacheError(fmt::format("statistics cache '{}' has no statistic '{}' (statistics: {})", source_.string(),
                                     name, joined(statisticNames())));
    }
    return statistics_[*i];
}

NonFiniteCounts StatisticsCache::statisticNonFinite(std::size_t index) const {
    return countNonFinite(statistics_.at(index).values);
}

ArchitectureMeasurement StatisticsCache::measurement(std::size_t arch) const {
    ArchitectureMeasurement m;
    m.archKey = archs_.at(arch);
    for (std::size_t c = 0; c < proxyNames_.size(); ++c) {
        double v = proxyScores_[c * size() + arch];
        if (!std::isnan(v)) {
            m.proxies.emplace(proxyNames_[c], v);
        }
    }
    for (auto const& s : statistics_) {
        auto row = s.row(arch);
        m.statistics.push_back({s.name, std::vector<double>(row.begin(), row.end())});
    }
    return m;
}

bool StatisticsCache::sameContent(StatisticsCache const& other) const {
    auto bitsEqual = [](std::span<double const> a, std::span<double const> b) {
        return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
    };
    if (!(options_ == other.options_) || archs_ != other.archs_ || proxyNames_ != other.proxyNames_ ||
        !bitsEqual(proxyScores_, other.proxyScores_) || statistics_.size() != other.statistics_.size()) {
        return false;
    }
    for (std::size_t s = 0; s < statistics_.size(); ++s) {
        auto const& a = statistics_[s];
        auto const& b = other.statistics_[s];
        if (a.name != b.name || a.offsets != b.offsets || !bitsEqual(a.values, b.values)) {
            return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Builder

StatisticsCacheBuilder::StatisticsCacheBuilder(GatherOptions options, std::vector<std::string> proxyNames) {
    std::set<std::string> unique(proxyNames.begin(), proxyNames.end());
    if (unique.size() != proxyNames.size()) {
        throw CacheError(fmt::format("statistics cache: duplicate proxy name in {}", joined(proxyNames)));
    }
    cache_.options_ = std::move(options);
    cache_.proxyNames_ = std::move(proxyNames);
    columns_.resize(cache_.proxyNames_.size());
}

void StatisticsCacheBuilder::append(ArchitectureMeasurement const& m) {
    if (cache_.archIndex_.contains(m.archKey)) {
        throw CacheError(fmt::format("statistics cache: architecture {} measured twice", m.archKey));
    }
    for (auto const& [name, value] : m.proxies) {
        if (!cache_.proxyIndex(name)) {
            throw CacheError(fmt::format("statistics cache: architecture {} has proxy '{}', not among the columns ({})",
                                         m.archKey, name, joined(cache_.proxyNames_)));
        }
    }
    if (!statisticsFixed_) {
        std::set<std::string> seen;
        for (auto const& s : m.statistics) {
            if (!seen.insert(s.name).second) {
                throw CacheError(
                    fmt::format("statistics cache: architecture {} has statistic '{}' twice", m.archKey, s.name));
            }
            cache_.statistics_.push_back({s.name, {}, {0}});
        }
        statisticsFixed_ = true;
    } else {
        bool same = m.statistics.size() == cache_.statistics_.size();
        for (std::size_t s = 0; same && s < m.statistics.size(); ++s) {
            same = m.statistics[s].name == cache_.statistics_[s].name;
        }
        if (!same) {
            std::vector<std::string> got;
            for (auto const& s : m.statistics) {
                got.push_back(s.name);
            }
            throw CacheError(fmt::format(
                "statistics cache: architecture {} has statistics ({}), but the first architecture {} has ({})",
                m.archKey, joined(got), cache_.archs_.front(), joined(cache_.statisticNames())));
        }
    }
    for (std::size_t c = 0; c < cache_.proxyNames_.size(); ++c) {
        auto it = m.proxies.find(cache_.proxyNames_[c]);
        columns_[c].push_back(it == m.proxies.end() ? std::numeric_limits<double>::quiet_NaN() : it->second);
    }
    for (std::size_t s = 0; s < m.statistics.size(); ++s) {
        auto& dst = cache_.statistics_[s];
        dst.values.insert(dst.values.end(), m.statistics[s].values.begin(), m.statistics[s].values.end());
        dst.offsets.push_back(dst.values.size());
    }
    cache_.archIndex_.emplace(m.archKey, cache_.archs_.size());
    cache_.archs_.push_back(m.archKey);
}

StatisticsCache StatisticsCacheBuilder::build() {
    auto& scores = cache_.proxyScores_;
    scores.clear();
    scores.reserve(columns_.size() * cache_.archs_.size());
    for (auto& column : columns_) {
        scores.insert(scores.end(), column.begin(), column.end());
        column.clear();
    }
    return std::move(cache_);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

void StatisticsCache::write(std::filesystem::path const& path) const {
    std::vector<std::uint64_t> valueCounts;
    std::vector<std::string> statNames = statisticNames();
    for (auto const& s : statistics_) {
        valueCounts.push_back(s.values.size());
    }
    auto layout = layoutOf(size(), proxyNames_.size(), valueCounts, statNames);

    Json header;
    header["format"] = FormatName;
    header["version"] = FormatVersion;
    header["byte_order"] = "little";
    header["options"] = detail::optionsToJson(options_);
    header["architecture_count"] = size();
    header["architectures"] = archs_;
    Json proxies = Json::array();
    for (std::size_t c = 0; c < proxyNames_.size(); ++c) {
        auto nf = proxyNonFinite(c);
        proxies.push_back({{"name", proxyNames_[c]}, {"nan", nf.nan}, {"infinite", nf.infinite}});
    }
    header["proxies"] = proxies;
    Json stats = Json::array();
    for (std::size_t s = 0; s < statistics_.size(); ++s) {
        auto nf = statisticNonFinite(s);
        stats.push_back({{"name", statistics_[s].name},
                         {"value_count", valueCounts[s]},
                         {"nan", nf.nan},
                         {"infinite", nf.infinite}});
    }
    header["statistics"] = stats;
    Json arrays = Json::array();
    for (auto const& a : layout) {
        arrays.push_back({{"name", a.name}, {"dtype", a.dtype}, {"count", a.count}, {"offset", a.offset}});
    }
    header["arrays"] = arrays;

    std::string text = header.dump(1);
    text += '\n';
    while ((PreambleSize + text.size()) % 8 != 0) {
        text += ' ';
    }

    try {
        detail::atomicWrite(path, [&](detail::FdWriter& out) {
            std::string preamble(Magic);
            detail::appendU64(preamble, FormatVersion);
            detail::appendU64(preamble, text.size());
            out.put(preamble);
            out.put(text);
            out.putF64s(proxyScores_);
            for (auto const& s : statistics_) {
                out.putU64s(s.offsets);
                out.putF64s(s.values);
            }
        });
    } catch (std::runtime_error const& e) {
        throw CacheError(fmt::format("cannot write statistics cache: {}", e.what()));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

StatisticsCache StatisticsCache::read(std::filesystem::path const& path) {
    auto fail = [&](std::string const& what) -> CacheError {
        return CacheError(fmt::format("statistics cache '{}': {}", path.string(), what));
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw fail(std::filesystem::exists(path) ? "cannot open" : "no such file");
    }
    std::error_code ec;
    auto fileSize = std::filesystem::file_size(path, ec);
    if (ec) {
        throw fail("cannot stat: " + ec.message());
    }
    if (fileSize < PreambleSize) {
        throw fail(fmt::format("truncated: {} bytes, shorter than the {}-byte preamble", fileSize, PreambleSize));
    }
    char preamble[PreambleSize];
    in.read(preamble, PreambleSize);
    if (std::string_view(preamble, 8) != Magic) {
        throw fail("bad magic: not a zcgp statistics cache (expected the file to start with \"ZCGPSTAT\")");
    }
    auto version = detail::loadU64(preamble + 8);
    if (version != FormatVersion) {
        throw fail(fmt::format("unknown format version {} (this zcgp reads version {})", version, FormatVersion));
    }
    auto headerSize = detail::loadU64(preamble + 16);
    if (headerSize > fileSize - PreambleSize) {
        throw fail(fmt::format("truncated: the header claims {} bytes, the file has {} after the preamble", headerSize,
                               fileSize - PreambleSize));
    }
    std::string text(headerSize, '\0');
    in.read(text.data(), static_cast<std::streamsize>(headerSize));
    if (!in) {
        throw fail("cannot read the header");
    }

    StatisticsCache cache;
    cache.source_ = path;
    std::vector<std::uint64_t> valueCounts;
    std::vector<std::string> statNames;
    try {
        auto header = Json::parse(text);
        if (header.at("format").get<std::string>() != FormatName) {
            throw fail(fmt::format("header format is '{}', expected '{}'", header.at("format").get<std::string>(),
                                   FormatName));
        }
        if (header.at("version").get<std::uint64_t>() != version) {
            throw fail("header version disagrees with the preamble");
        }
        if (header.at("byte_order").get<std::string>() != "little") {
            throw fail("unsupported byte order " + header.at("byte_order").dump());
        }
        cache.options_ = detail::optionsFromJson(header.at("options"));
        if (cache.options_.shardIndex >= cache.options_.shardCount) {
            throw fail(fmt::format("options: shard_index {} is not below shard_count {}", cache.options_.shardIndex,
                                   cache.options_.shardCount));
        }
        cache.archs_ = header.at("architectures").get<std::vector<std::string>>();
        if (header.at("architecture_count").get<std::uint64_t>() != cache.archs_.size()) {
            throw fail("architecture_count disagrees with the architecture list");
        }
        for (auto const& p : header.at("proxies")) {
            cache.proxyNames_.push_back(p.at("name").get<std::string>());
        }
        for (auto const& s : header.at("statistics")) {
            statNames.push_back(s.at("name").get<std::string>());
            valueCounts.push_back(s.at("value_count").get<std::uint64_t>());
        }
        // Every array must fit in the bytes after the header before any offset is summed: counts straight from
        // the header can be near 2^64, where 8 * count and the running offset would wrap.
        std::uint64_t room = (fileSize - PreambleSize - headerSize) / 8;  // 8-byte values the file can still hold
        auto claim = [&](std::uint64_t count, std::string const& what) {
            if (count > room) {
                throw fail(fmt::format("truncated: {} claims {} values, the file has room for {} more", what, count,
                                       room));
            }
            room -= count;
        };
        std::uint64_t proxyValues = 0;
        if (__builtin_mul_overflow(std::uint64_t{cache.archs_.size()}, std::uint64_t{cache.proxyNames_.size()},
                                   &proxyValues)) {
            throw fail("the proxy array's size overflows");
        }
        claim(proxyValues, "the proxy array");
        for (std::size_t st = 0; st < statNames.size(); ++st) {
            claim(std::uint64_t{cache.archs_.size()} + 1, fmt::format("statistic '{}' offsets", statNames[st]));
            claim(valueCounts[st], fmt::format("statistic '{}' (value_count)", statNames[st]));
        }
        auto expected = layoutOf(cache.archs_.size(), cache.proxyNames_.size(), valueCounts, statNames);
        auto const& arrays = header.at("arrays");
        if (arrays.size() != expected.size()) {
            throw fail(fmt::format("header lists {} arrays, expected {}", arrays.size(), expected.size()));
        }
        for (std::size_t i = 0; i < expected.size(); ++i) {
            auto const& a = arrays[i];
            auto const& e = expected[i];
            if (a.at("name").get<std::string>() != e.name || a.at("dtype").get<std::string>() != e.dtype ||
                a.at("count").get<std::uint64_t>() != e.count || a.at("offset").get<std::uint64_t>() != e.offset) {
                throw fail(fmt::format("array {} is {}, expected name {} dtype {} count {} offset {}", i, a.dump(),
                                       e.name, e.dtype, e.count, e.offset));
            }
        }
        std::uint64_t dataSize = expected.empty() ? 0 : expected.back().offset + 8 * expected.back().count;
        std::uint64_t wanted = PreambleSize + headerSize + dataSize;
        if ((PreambleSize + headerSize) % 8 != 0) {
            throw fail("the header is not padded to a multiple of 8 bytes");
        }
        if (fileSize < wanted) {
            throw fail(fmt::format("truncated: {} bytes, the header describes {}", fileSize, wanted));
        }
        if (fileSize > wanted) {
            throw fail(fmt::format("{} trailing bytes after the arrays the header describes", fileSize - wanted));
        }
    } catch (nlohmann::json::exception const& e) {
        throw fail(fmt::format("malformed header: {}", e.what()));
    }

    auto readF64 = [&](std::vector<double>& out, std::uint64_t count) {
        out.resize(count);
        in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(8 * count));
        if constexpr (std::endian::native != std::endian::little) {
            for (auto& d : out) {
                d = std::bit_cast<double>(detail::toLittle(std::bit_cast<std::uint64_t>(d)));
            }
        }
    };
    auto readU64 = [&](std::vector<std::uint64_t>& out, std::uint64_t count) {
        out.resize(count);
        in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(8 * count));
        if constexpr (std::endian::native != std::endian::little) {
            for (auto& v : out) {
                v = detail::toLittle(v);
            }
        }
    };
    readF64(cache.proxyScores_, std::uint64_t{cache.archs_.size()} * cache.proxyNames_.size());
    for (std::size_t s = 0; s < statNames.size(); ++s) {
        RaggedStatistic stat;
        stat.name = statNames[s];
        readU64(stat.offsets, cache.archs_.size() + 1);
        readF64(stat.values, valueCounts[s]);
        if (stat.offsets.front() != 0 || stat.offsets.back() != stat.values.size() ||
            !std::is_sorted(stat.offsets.begin(), stat.offsets.end())) {
            throw fail(fmt::format("statistic '{}': offsets are not a non-decreasing run from 0 to {}", stat.name,
                                   stat.values.size()));
        }
        cache.statistics_.push_back(std::move(stat));
    }
    if (!in) {
        throw fail("cannot read the arrays (truncated while reading?)");
    }
    std::set<std::string> names(cache.proxyNames_.begin(), cache.proxyNames_.end());
    if (names.size() != cache.proxyNames_.size()) {
        throw fail("duplicate proxy name");
    }
    names = std::set<std::string>(statNames.begin(), statNames.end());
    if (names.size() != statNames.size()) {
        throw fail("duplicate statistic name");
    }
    cache.buildIndex();
    if (cache.archIndex_.size() != cache.archs_.size()) {
        for (std::size_t i = 0; i < cache.archs_.size(); ++i) {
            if (cache.archIndex_.at(cache.archs_[i]) != i) {
                throw fail(fmt::format("architecture {} is listed twice", cache.archs_[i]));
            }
        }
    }
    return cache;
}

// ---------------------------------------------------------------------------------------------------------------
// Merging

StatisticsCache StatisticsCache::merge(std::vector<StatisticsCache> const& inputs) {
    if (inputs.empty()) {
        throw CacheError("statistics cache merge: no input files");
    }
    auto name = [](StatisticsCache const& c) {
        return c.source_.empty() ? std::string("(in memory)") : "'" + c.source_.string() + "'";
    };
    auto const& first = inputs.front();
    std::set<std::string> devices;
    for (auto const& in : inputs) {
        devices.insert(in.options_.device);
        if (auto diff = optionsDifference(first.options_, in.options_, /*ignoreShard=*/true, /*ignoreDevice=*/true)) {
            throw CacheError(fmt::format("statistics cache merge: {} and {} differ in {}", name(first), name(in), *diff));
        }
        if (in.proxyNames_ != first.proxyNames_) {
            throw CacheError(fmt::format("statistics cache merge: {} and {} have different proxies ({} vs {})",
                                         name(first), name(in), joined(first.proxyNames_), joined(in.proxyNames_)));
        }
        if (in.statisticNames() != first.statisticNames()) {
            throw CacheError(fmt::format("statistics cache merge: {} and {} have different statistics ({} vs {})",
                                         name(first), name(in), joined(first.statisticNames()),
                                         joined(in.statisticNames())));
        }
    }
    // Duplicates across inputs.
    std::unordered_map<std::string, std::size_t> owner;
    for (std::size_t f = 0; f < inputs.size(); ++f) {
        for (auto const& key : inputs[f].archs_) {
            auto [it, inserted] = owner.emplace(key, f);
            if (!inserted) {
                throw CacheError(fmt::format("statistics cache merge: architecture {} is in both {} and {}", key,
                                             name(inputs[it->second]), name(inputs[f])));
            }
        }
    }

    GatherOptions options = first.options_;
    std::string device;
    for (auto const& d : devices) {
        device += (device.empty() ? "" : "; ") + d;
    }
    options.device = device;

    // Shards of one selection: interleave back into the selection order.
    // shardCount comes from a file header: size nothing by it before it matches the number of inputs
    std::uint64_t n = first.options_.shardCount;
    bool shards = n > 1 && inputs.size() == n;
    std::vector<StatisticsCache const*> byShard(shards ? n : 0, nullptr);
    for (auto const& in : inputs) {
        if (!shards) {
            break;
        }
        if (in.options_.shardCount != n || in.options_.shardIndex >= n || byShard[in.options_.shardIndex] != nullptr) {
            shards = false;
            break;
        }
        byShard[in.options_.shardIndex] = &in;
    }
    std::vector<std::pair<StatisticsCache const*, std::size_t>> order;  // (input, arch) in output order
    if (shards) {
        std::uint64_t total = 0;
        for (std::uint64_t i = 0; i < n; ++i) {
            auto const* shard = byShard[i];
            std::uint64_t expected = first.options_.selectionSize > i ? (first.options_.selectionSize - i + n - 1) / n : 0;
            if (shard->size() != expected) {
                throw CacheError(fmt::format("statistics cache merge: shard {}/{} {} has {} architectures, expected {} "
                                             "(an incomplete shard?)",
                                             i, n, name(*shard), shard->size(), expected));
            }
            total += shard->size();
        }
        order.reserve(total);
        for (std::uint64_t pos = 0; pos < total; ++pos) {
            order.emplace_back(byShard[pos % n], pos / n);
        }
        options.shardIndex = 0;
        options.shardCount = 1;
    } else {
        // Not a complete set of shards: shards of one selection must not be silently combined with gaps.
        if (n > 1) {
            std::set<std::uint64_t> present;
            bool sameSelection = true;
            for (auto const& in : inputs) {
                present.insert(in.options_.shardIndex);
                sameSelection = sameSelection && in.options_.shardCount == n;
            }
            if (sameSelection) {
                // name the first few missing shards (n may be huge); at most present.size() + 5 indices are looked at
                std::string missing;
                std::uint64_t listed = 0;
                for (std::uint64_t i = 0; i < n && listed < 5; ++i) {
                    if (!present.contains(i)) {
                        missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", i, n);
                        ++listed;
                    }
                }
                if (listed == 5 && n - present.size() > 5) {
                    missing += fmt::format(" and {} more", n - present.size() - 5);
                }
                throw CacheError(fmt::format("statistics cache merge: {} are shards of one selection ({}), but shard {} "
                                             "is missing",
                                             inputs.size() == 1 ? name(first) : "the inputs",
                                             first.options_.selectionHash, missing.empty() ? "(duplicate)" : missing));
            }
        }
        for (auto const& in : inputs) {
            for (std::size_t i = 0; i < in.size(); ++i) {
                order.emplace_back(&in, i);
            }
        }
        std::vector<std::string> keys;
        keys.reserve(order.size());
        for (auto const& [in, i] : order) {
            keys.push_back(in->archs_[i]);
        }
        options.selection = "merge";
        options.selectionSize = keys.size();
        options.selectionHash = selectionHash(keys);
        options.shardIndex = 0;
        options.shardCount = 1;
    }

    StatisticsCacheBuilder builder(options, first.proxyNames_);
    for (auto const& [in, i] : order) {
        builder.append(in->measurement(i));
    }
    // measurement() drops NaN proxies and the builder restores them as the canonical quiet NaN: copy the exact
    // bits of the inputs back so merged files keep NaN payloads byte for byte.
    auto merged = builder.build();
    for (std::size_t c = 0; c < merged.proxyNames_.size(); ++c) {
        for (std::size_t pos = 0; pos < order.size(); ++pos) {
            auto const& [in, i] = order[pos];
            merged.proxyScores_[c * merged.size() + pos] = in->proxyScores_[c * in->size() + i];
        }
    }
    return merged;
}

}  // namespace zcgp::proxy_cache
