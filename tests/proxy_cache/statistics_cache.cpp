// StatisticsCache: file format round trip, validation errors, builder checks, merging of shards.
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "TempDir.hpp"

#include "zcgp/proxy_cache/ArchitectureSelection.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace fs = std::filesystem;
using namespace zcgp::proxy_cache;
using zcgp::test::readBytes;
using zcgp::test::TempDir;

namespace {

void writeBytes(fs::path const& p, std::string const& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::vector<std::string> const& testProxies() {
    static std::vector<std::string> const names = {"epe_nas", "fisher", "flops", "grad_norm", "grasp",
                                                   "jacov",   "l2_norm", "nwot", "params",    "plain",
                                                   "snip",    "synflow", "zen"};
    return names;
}

std::string keyOf(int i) {
    return "(" + std::to_string(i % 5) + ", " + std::to_string((i / 5) % 5) + ", " + std::to_string((i / 25) % 5) +
           ", 0, 1, 2)";
}

// A deterministic fake measurement: ragged statistics (some rows empty), missing and infinite proxies.
ArchitectureMeasurement fakeMeasurement(int i) {
    ArchitectureMeasurement m;
    m.archKey = keyOf(i);
    for (std::size_t c = 0; c < testProxies().size(); ++c) {
        if ((i + static_cast<int>(c)) % 7 == 0) {
            continue;  // not computed -> NaN
        }
        m.proxies[testProxies()[c]] = 0.5 * i - static_cast<double>(c);
    }
    if (i % 11 == 3) {
        m.proxies["synflow"] = std::numeric_limits<double>::infinity();
    }
    m.statistics.push_back({"weight_l2", std::vector<double>(static_cast<std::size_t>(i % 4), 1.25 * i)});
    m.statistics.push_back({"grad_abs_mean", {static_cast<double>(i), -static_cast<double>(i)}});
    m.seconds = 1.0 + i;  // never stored
    return m;
}

GatherOptions testOptions() {
    GatherOptions o;
    o.space = "nb201";
    o.dataset = "cifar10";
    o.seed = 7;
    o.batchSize = 16;
    o.device = "cpu";
    o.zcgpVersion = "0.1.0";
    o.selection = "all";
    return o;
}

StatisticsCache fakeCache(int n, GatherOptions options = testOptions()) {
    std::vector<std::string> keys;
    for (int i = 0; i < n; ++i) {
        keys.push_back(keyOf(i));
    }
    options.selectionSize = keys.size();
    options.selectionHash = selectionHash(keys);
    StatisticsCacheBuilder builder(options, testProxies());
    for (int i = 0; i < n; ++i) {
        builder.append(fakeMeasurement(i));
    }
    return builder.build();
}

std::string errorOf(auto&& f) {
    try {
        f();
    } catch (std::exception const& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("StatisticsCache round-trips through its file byte for byte", "[proxy_cache]") {
    TempDir dir;
    auto cache = fakeCache(40);
    auto path = dir.path / "stats.zcstats";
    cache.write(path);

    auto bytes = readBytes(path);
    REQUIRE(bytes.substr(0, 8) == "ZCGPSTAT");
    CHECK(bytes.size() % 8 == 0);

    auto back = StatisticsCache::read(path);
    CHECK(back.source() == path);
    CHECK(back.sameContent(cache));
    CHECK(back.size() == 40);
    CHECK(back.proxyNames() == testProxies());
    CHECK(back.options() == cache.options());

    // Writing what was read gives the same bytes: the file is a pure function of the content.
    back.write(dir.path / "again.zcstats");
    CHECK(readBytes(dir.path / "again.zcstats") == bytes);
    // No temporary files are left behind.
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);

    SECTION("accessors") {
        auto idx = back.findArchitecture(keyOf(13));
        REQUIRE(idx.has_value());
        CHECK(*idx == 13);
        CHECK_FALSE(back.findArchitecture("(4, 4, 4, 4, 4, 4)").has_value());

        auto flops = back.proxyColumn("flops");
        REQUIRE(flops.size() == 40);
        for (int i = 0; i < 40; ++i) {
            auto m = fakeMeasurement(i);
            auto it = m.proxies.find("flops");
            if (it == m.proxies.end()) {
                CHECK(std::isnan(flops[static_cast<std::size_t>(i)]));
            } else {
                CHECK(flops[static_cast<std::size_t>(i)] == it->second);
            }
        }
        auto const& w = back.statistic("weight_l2");
        CHECK(w.offsets.size() == 41);
        CHECK(w.row(0).empty());
        REQUIRE(w.row(7).size() == 3);
        CHECK(w.row(7)[2] == 1.25 * 7);
        CHECK(back.statisticNames() == std::vector<std::string>{"weight_l2", "grad_abs_mean"});

        auto synflow = *back.proxyIndex("synflow");
        auto nf = back.proxyNonFinite(synflow);
        CHECK(nf.infinite == 4);  // i = 3, 14, 25, 36
        CHECK(nf.nan > 0);

        auto m = back.measurement(13);
        CHECK(m.archKey == keyOf(13));
        CHECK(m.statistics.size() == 2);
        CHECK(m.proxies.size() == fakeMeasurement(13).proxies.size());
    }
    SECTION("unknown names are errors that list the valid ones") {
        auto msg = errorOf([&] { (void)back.proxyColumn("nope"); });
        CHECK_THAT(msg, Catch::Contains("nope") && Catch::Contains("synflow") && Catch::Contains("stats.zcstats"));
        msg = errorOf([&] { (void)back.statistic("nope"); });
        CHECK_THAT(msg, Catch::Contains("weight_l2"));
    }
}

TEST_CASE("StatisticsCache keeps NaN payloads and handles an empty cache", "[proxy_cache]") {
    TempDir dir;
    auto options = testOptions();
    StatisticsCacheBuilder builder(options, {"a", "b"});
    ArchitectureMeasurement m;
    m.archKey = "(0, 0, 0, 0, 0, 0)";
    double const oddNan = std::bit_cast<double>(std::uint64_t{0xfff8000000000123ULL});
    m.proxies = {{"a", oddNan}};
    builder.append(m);
    auto cache = builder.build();
    cache.write(dir.path / "nan.zcstats");
    auto back = StatisticsCache::read(dir.path / "nan.zcstats");
    CHECK(std::bit_cast<std::uint64_t>(back.proxyColumn("a")[0]) == 0xfff8000000000123ULL);
    CHECK(std::isnan(back.proxyColumn("b")[0]));
    CHECK(back.statistics().empty());

    StatisticsCacheBuilder empty(options, {"a"});
    empty.build().write(dir.path / "empty.zcstats");
    auto e = StatisticsCache::read(dir.path / "empty.zcstats");
    CHECK(e.size() == 0);
    CHECK(e.proxyColumn("a").empty());
}

TEST_CASE("StatisticsCache::read rejects damaged files naming them", "[proxy_cache]") {
    TempDir dir;
    auto path = dir.path / "good.zcstats";
    fakeCache(20).write(path);
    auto bytes = readBytes(path);
    auto bad = dir.path / "bad.zcstats";

    SECTION("missing") {
        CHECK_THAT(errorOf([&] { (void)StatisticsCache::read(dir.path / "none.zcstats"); }),
                   Catch::Contains("none.zcstats") && Catch::Contains("no such file"));
    }
    SECTION("truncated anywhere") {
        for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
            writeBytes(bad, bytes.substr(0, cut));
            auto msg = errorOf([&] { (void)StatisticsCache::read(bad); });
            INFO("cut at " << cut << ": " << msg);
            CHECK_THAT(msg, Catch::Contains("bad.zcstats"));
            CHECK((msg.find("truncated") != std::string::npos || msg.find("malformed header") != std::string::npos));
        }
    }
    SECTION("bad magic") {
        auto b = bytes;
        b[0] = 'X';
        writeBytes(bad, b);
        CHECK_THAT(errorOf([&] { (void)StatisticsCache::read(bad); }),
                   Catch::Contains("bad.zcstats") && Catch::Contains("bad magic"));
    }
    SECTION("unknown version") {
        auto b = bytes;
        b[8] = 9;
        writeBytes(bad, b);
        CHECK_THAT(errorOf([&] { (void)StatisticsCache::read(bad); }),
                   Catch::Contains("unknown format version 9") && Catch::Contains("bad.zcstats"));
    }
    SECTION("trailing bytes") {
        writeBytes(bad, bytes + std::string(8, '\0'));
        CHECK_THAT(errorOf([&] { (void)StatisticsCache::read(bad); }), Catch::Contains("8 trailing bytes"));
    }
    SECTION("corrupt header") {
        auto b = bytes;
        auto brace = b.find('{');
        b[brace] = '[';
        writeBytes(bad, b);
        CHECK_THAT(errorOf([&] { (void)StatisticsCache::read(bad); }),
                   Catch::Contains("malformed header") && Catch::Contains("bad.zcstats"));
    }
}

TEST_CASE("StatisticsCacheBuilder rejects inconsistent measurements", "[proxy_cache]") {
    StatisticsCacheBuilder builder(testOptions(), testProxies());
    builder.append(fakeMeasurement(1));
    CHECK_THAT(errorOf([&] { builder.append(fakeMeasurement(1)); }),
               Catch::Contains(keyOf(1)) && Catch::Contains("twice"));
    auto m = fakeMeasurement(2);
    m.proxies["bogus"] = 1.0;
    CHECK_THAT(errorOf([&] { builder.append(m); }), Catch::Contains("bogus"));
    m = fakeMeasurement(3);
    std::swap(m.statistics[0], m.statistics[1]);
    CHECK_THAT(errorOf([&] { builder.append(m); }), Catch::Contains(keyOf(3)) && Catch::Contains("weight_l2"));
    CHECK(builder.size() == 1);
}

TEST_CASE("StatisticsCache::merge interleaves complete shards back into selection order", "[proxy_cache]") {
    TempDir dir;
    int const n = 23;
    auto whole = fakeCache(n);
    std::vector<std::string> keys = whole.architectures();

    std::uint64_t const count = 4;
    std::vector<StatisticsCache> shards;
    for (std::uint64_t s = 0; s < count; ++s) {
        auto options = whole.options();
        options.shardIndex = s;
        options.shardCount = count;
        StatisticsCacheBuilder b(options, testProxies());
        for (auto const& key : takeShard(keys, Shard{s, count})) {
            b.append(whole.measurement(*whole.findArchitecture(key)));
        }
        auto shard = b.build();
        auto p = dir.path / ("shard" + std::to_string(s) + ".zcstats");
        shard.write(p);
        shards.push_back(StatisticsCache::read(p));
    }
    std::vector<StatisticsCache> reversed(shards.rbegin(), shards.rend());
    for (auto const* inputs : {&shards, &reversed}) {
        auto merged = StatisticsCache::merge(*inputs);
        CHECK(merged.sameContent(whole));
        merged.write(dir.path / "merged.zcstats");
        whole.write(dir.path / "whole.zcstats");
        CHECK(readBytes(dir.path / "merged.zcstats") == readBytes(dir.path / "whole.zcstats"));
    }

    SECTION("a missing shard is named") {
        std::vector<StatisticsCache> some = {shards[0], shards[1], shards[3]};
        CHECK_THAT(errorOf([&] { (void)StatisticsCache::merge(some); }), Catch::Contains("2/4"));
    }
    SECTION("a conflicting option names both files and the field") {
        auto other = shards;
        auto options = other[2].options();
        options.batchSize = 32;
        StatisticsCacheBuilder b(options, testProxies());
        b.append(fakeMeasurement(100));
        auto odd = b.build();
        odd.write(dir.path / "odd.zcstats");
        other[2] = StatisticsCache::read(dir.path / "odd.zcstats");
        CHECK_THAT(errorOf([&] { (void)StatisticsCache::merge(other); }),
                   Catch::Contains("batch_size") && Catch::Contains("odd.zcstats") && Catch::Contains("shard0"));
    }
    SECTION("devices may differ and are recorded") {
        auto other = shards;
        auto options = other[1].options();
        options.device = "cuda:0 (NVIDIA H100)";
        StatisticsCacheBuilder b(options, testProxies());
        for (std::size_t i = 0; i < other[1].size(); ++i) {
            b.append(other[1].measurement(i));
        }
        other[1] = b.build();
        auto merged = StatisticsCache::merge(other);
        CHECK(merged.options().device == "cpu; cuda:0 (NVIDIA H100)");
    }
}

TEST_CASE("StatisticsCache::merge concatenates unrelated files and rejects overlaps", "[proxy_cache]") {
    auto a = fakeCache(5);
    auto options = testOptions();
    options.selection = "file:b.txt";
    StatisticsCacheBuilder bb(options, testProxies());
    for (int i = 10; i < 13; ++i) {
        bb.append(fakeMeasurement(i));
    }
    auto b = bb.build();
    CHECK_THAT(errorOf([&] { (void)StatisticsCache::merge({a, b}); }), Catch::Contains("selection"));

    options = a.options();
    StatisticsCacheBuilder cb(options, testProxies());
    for (int i = 10; i < 13; ++i) {
        cb.append(fakeMeasurement(i));
    }
    auto c = cb.build();
    auto merged = StatisticsCache::merge({a, c});
    REQUIRE(merged.size() == 8);
    CHECK(merged.architectures()[5] == keyOf(10));
    CHECK(merged.options().selection == "merge");
    CHECK(merged.statistic("weight_l2").row(5).size() == 10 % 4);

    CHECK_THAT(errorOf([&] { (void)StatisticsCache::merge({a, a}); }),
               Catch::Contains(keyOf(0)) && Catch::Contains("both"));
}
