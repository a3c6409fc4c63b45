// Statistics caches whose headers lie about their sizes (issue 11, found by fuzzing): counts near 2^64 that wrap
// the size checks, and shard counts that would size a merge. Each must be a CacheError naming the file.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "TempDir.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace fs = std::filesystem;
using namespace zcgp::proxy_cache;
using nlohmann::ordered_json;

namespace {

GatherOptions options(std::uint64_t shardIndex = 0, std::uint64_t shardCount = 1) {
    GatherOptions o;
    o.space = "nb201";
    o.dataset = "cifar10";
    o.device = "cpu";
    o.zcgpVersion = "0.1.0";
    o.selection = "all";
    o.shardIndex = shardIndex;
    o.shardCount = shardCount;
    return o;
}

// Three architectures, two proxies, two ragged statistics, written by the library's own writer.
fs::path writeSmallCache(fs::path const& path, GatherOptions o = options()) {
    StatisticsCacheBuilder builder(std::move(o), {"nwot", "synflow"});
    for (int i = 0; i < 3; ++i) {
        ArchitectureMeasurement m;
        m.archKey = "(" + std::to_string(i) + ", 0, 0, 0, 0, 0)";
        m.proxies = {{"nwot", 1.0 + i}, {"synflow", 2.0 * i}};
        m.statistics.push_back({"weight_l2", std::vector<double>(static_cast<std::size_t>(i + 1), 0.5 * i)});
        m.statistics.push_back({"grad_abs_mean", {static_cast<double>(i)}});
        builder.append(m);
    }
    builder.build().write(path);
    return path;
}

std::uint64_t loadU64(std::string const& bytes, std::size_t at) {
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data() + at, 8);  // little-endian host (the test machines are)
    return v;
}

// Rewrites the JSON header of a cache file with `edit`, re-pads it to 8 bytes and keeps the arrays as they are.
void editHeader(fs::path const& path, std::function<void(ordered_json&)> const& edit) {
    auto bytes = zcgp::test::readBytes(path);
    auto const headerSize = loadU64(bytes, 16);
    auto header = ordered_json::parse(bytes.substr(24, headerSize));
    auto const arrays = bytes.substr(24 + headerSize);
    edit(header);
    std::string text = header.dump(1) + "\n";
    while ((24 + text.size()) % 8 != 0) text += ' ';
    std::string out = bytes.substr(0, 16);
    std::uint64_t size = text.size();
    out.append(reinterpret_cast<char const*>(&size), 8);
    out += text;
    out += arrays;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << out;
}

// Recomputes the header's "arrays" list the way a reader that sums 8 * count modulo 2^64 would, so only the
// claimed counts are lies.
void wrapLayout(ordered_json& header) {
    std::uint64_t offset = 0;
    std::size_t s = 0;
    auto const archs = header["architectures"].size();
    for (auto& a : header["arrays"]) {
        auto const name = a["name"].get<std::string>();
        if (name == "proxies") a["count"] = archs * header["proxies"].size();
        if (name.ends_with("/offsets")) a["count"] = archs + 1;
        if (name.ends_with("/values")) a["count"] = header["statistics"][s++]["value_count"];
        a["offset"] = offset;
        offset += 8 * a["count"].get<std::uint64_t>();
    }
}

std::string errorOf(std::function<void()> const& f) {
    try {
        f();
    } catch (CacheError const& e) {
        return e.what();
    } catch (std::exception const& e) {
        return std::string("not a CacheError: ") + e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("statistics cache: a value_count of 2^61 + n (8 * count wraps to 8n) is a CacheError, not length_error",
          "[proxy_cache]") {
    zcgp::test::TempDir dir;
    auto const path = writeSmallCache(dir.path / "wrap.zcstats");
    REQUIRE_NOTHROW(StatisticsCache::read(path));
    editHeader(path, [](ordered_json& h) {
        h["statistics"][1]["value_count"] = h["statistics"][1]["value_count"].get<std::uint64_t>() + (std::uint64_t{1} << 61);
        wrapLayout(h);
    });
    auto const msg = errorOf([&] { (void)StatisticsCache::read(path); });
    CHECK_THAT(msg, Catch::StartsWith("statistics cache '" + path.string() + "'") &&
                        Catch::Contains("statistic 'grad_abs_mean' (value_count) claims 2305843009213693955 values"));
}

TEST_CASE("statistics cache: counts of 2^59 whose 8-byte sizes wrap to the file's size are refused before allocating",
          "[proxy_cache]") {
    zcgp::test::TempDir dir;
    auto const path = writeSmallCache(dir.path / "huge.zcstats");
    auto const fileSize = fs::file_size(path);
    // 2^59 + 3 * 2^59 more values in total: 8 * 2^61 = 2^64 bytes, so a wrapping sum still matches the file size
    editHeader(path, [](ordered_json& h) {
        auto& s0 = h["statistics"][0]["value_count"];
        auto& s1 = h["statistics"][1]["value_count"];
        s0 = s0.get<std::uint64_t>() + (std::uint64_t{1} << 59);
        s1 = s1.get<std::uint64_t>() + 3 * (std::uint64_t{1} << 59);
        wrapLayout(h);
    });
    CHECK(fs::file_size(path) < fileSize + 128);  // a small file: the header only grew by a few digits
    CHECK(fs::file_size(path) < 2048);
    auto const msg = errorOf([&] { (void)StatisticsCache::read(path); });
    CHECK_THAT(msg, Catch::Contains("huge.zcstats") && Catch::Contains("truncated") &&
                        Catch::Contains("statistic 'weight_l2' (value_count) claims 576460752303423494 values"));
}

TEST_CASE("statistics cache: an architecture list longer than the arrays can hold is refused", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    auto const path = writeSmallCache(dir.path / "archs.zcstats");
    editHeader(path, [](ordered_json& h) {
        for (int i = 3; i < 400; ++i) h["architectures"].push_back("(" + std::to_string(i) + ", 1, 1, 1, 1, 1)");
        h["architecture_count"] = h["architectures"].size();
        wrapLayout(h);
    });
    CHECK_THAT(errorOf([&] { (void)StatisticsCache::read(path); }),
               Catch::Contains("archs.zcstats") && Catch::Contains("the proxy array claims 800 values"));
}

TEST_CASE("statistics cache merge: a header's shard_count sizes nothing", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    std::uint64_t const huge = std::uint64_t{1} << 40;  // byShard(n) was 8 TiB
    auto const a = writeSmallCache(dir.path / "a.zcstats", options(0, huge));
    auto const cache = StatisticsCache::read(a);
    CHECK(cache.options().shardCount == huge);
    auto const msg = errorOf([&] { (void)StatisticsCache::merge({cache}); });
    CHECK_THAT(msg, Catch::Contains("are shards of one selection") && Catch::Contains("1/1099511627776") &&
                        Catch::Contains("and 1099511627770 more is missing"));
    // shard_index outside [0, shard_count) is a damaged header
    auto const b = writeSmallCache(dir.path / "b.zcstats", options(5, 3));
    CHECK_THAT(errorOf([&] { (void)StatisticsCache::read(b); }),
               Catch::Contains("b.zcstats") && Catch::Contains("shard_index 5 is not below shard_count 3"));
}
