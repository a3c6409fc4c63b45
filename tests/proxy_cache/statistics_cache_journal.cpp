// StatisticsJournal (resume after a kill) and ArchitectureSelection (which archs zcgp gather measures).
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "TempDir.hpp"

#include "zcgp/proxy_cache/ArchitectureSelection.hpp"
#include "zcgp/proxy_cache/StatisticsJournal.hpp"

namespace fs = std::filesystem;
using namespace zcgp::proxy_cache;
using zcgp::test::readBytes;
using zcgp::test::TempDir;

namespace {

std::vector<std::string> const proxies = {"flops", "params", "synflow"};

ArchitectureMeasurement measurementOf(int i) {
    ArchitectureMeasurement m;
    m.archKey = "(" + std::to_string(i) + ", 0, 0, 0, 0, 0)";
    m.proxies = {{"flops", 1.5 * i}, {"synflow", -2.0 * i}};  // params missing
    m.statistics = {{"weight_l2", std::vector<double>(static_cast<std::size_t>(i % 3), 0.25 * i)}};
    return m;
}

GatherOptions options() {
    GatherOptions o;
    o.space = "nb201";
    o.dataset = "cifar100";
    o.seed = 3;
    o.batchSize = 8;
    o.device = "cpu";
    o.zcgpVersion = "0.1.0";
    o.selection = "5";
    o.selectionSize = 5;
    o.selectionHash = "fnv1a64:0000000000000000";
    return o;
}

bool sameMeasurement(ArchitectureMeasurement const& a, ArchitectureMeasurement const& b) {
    if (a.archKey != b.archKey || a.proxies != b.proxies || a.statistics.size() != b.statistics.size()) {
        return false;
    }
    for (std::size_t s = 0; s < a.statistics.size(); ++s) {
        if (a.statistics[s].name != b.statistics[s].name || a.statistics[s].values != b.statistics[s].values) {
            return false;
        }
    }
    return true;
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

TEST_CASE("StatisticsJournal records survive and a torn tail is dropped", "[proxy_cache]") {
    TempDir dir;
    auto path = dir.path / "out.zcstats.journal";
    {
        auto journal = StatisticsJournal::create(path, options(), proxies);
        for (int i = 0; i < 5; ++i) {
            journal.append(measurementOf(i));
        }
        journal.sync();
    }
    auto records = StatisticsJournal::readRecords(path);
    REQUIRE(records.size() == 5);
    for (int i = 0; i < 5; ++i) {
        CHECK(sameMeasurement(records[static_cast<std::size_t>(i)], measurementOf(i)));
    }
    CHECK_THAT(errorOf([&] { (void)StatisticsJournal::create(path, options(), proxies); }),
               Catch::Contains("exists") && Catch::Contains("--resume"));

    auto full = fs::file_size(path);
    auto withFour = full;
    {
        // Size after four records: rewrite a journal with four.
        auto p4 = dir.path / "four.journal";
        auto j = StatisticsJournal::create(p4, options(), proxies);
        for (int i = 0; i < 4; ++i) {
            j.append(measurementOf(i));
        }
        withFour = fs::file_size(p4);
    }
    // Every cut inside the last record (a kill mid-write) resumes with four records.
    for (auto size = withFour; size < full; ++size) {
        auto cut = dir.path / "cut.journal";
        fs::copy_file(path, cut, fs::copy_options::overwrite_existing);
        fs::resize_file(cut, size);
        auto resumed = StatisticsJournal::resume(cut, options(), proxies);
        INFO("cut at " << size);
        REQUIRE(resumed.recorded.size() == 4);
        CHECK(resumed.droppedBytes == size - withFour);
        CHECK(fs::file_size(cut) == withFour);
        if (size == full - 1) {
            resumed.journal.append(measurementOf(4));
            resumed.journal.sync();
            auto again = StatisticsJournal::readRecords(cut);
            REQUIRE(again.size() == 5);
            CHECK(sameMeasurement(again[4], measurementOf(4)));
            CHECK(fs::file_size(cut) == full);
        }
    }
    SECTION("a flipped byte in the last record drops it") {
        auto bad = dir.path / "flip.journal";
        fs::copy_file(path, bad);
        std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(full - 3));
        f.put('\x55');
        f.close();
        CHECK(StatisticsJournal::readRecords(bad).size() == 4);
    }
    SECTION("resuming with other options names the field") {
        auto other = options();
        other.seed = 4;
        CHECK_THAT(errorOf([&] { (void)StatisticsJournal::resume(path, other, proxies); }),
                   Catch::Contains("seed: 3 vs 4") && Catch::Contains("out.zcstats.journal"));
        other = options();
        other.device = "cuda:0";
        CHECK_THAT(errorOf([&] { (void)StatisticsJournal::resume(path, other, proxies); }), Catch::Contains("device"));
    }
}

TEST_CASE("Architecture selection: shards, seeded samples, key files", "[proxy_cache]") {
    SECTION("parseShard") {
        CHECK(parseShard("0/1").count == 1);
        CHECK(parseShard("3/4").index == 3);
        for (auto bad : {"4/4", "1", "a/b", "-1/2", "1/0", "1/2/3", "", "/2"}) {
            INFO(bad);
            CHECK_THROWS_AS(parseShard(bad), std::invalid_argument);
        }
        CHECK_THAT(errorOf([] { (void)parseShard("5/3"); }), Catch::Contains("5/3"));
    }
    std::vector<std::string> keys;
    for (int i = 0; i < 50; ++i) {
        keys.push_back("k" + std::to_string(i));
    }
    SECTION("shards partition the list") {
        std::multiset<std::string> all;
        for (std::uint64_t s = 0; s < 3; ++s) {
            auto part = takeShard(keys, {s, 3});
            CHECK(part.front() == keys[s]);
            all.insert(part.begin(), part.end());
        }
        CHECK(all == std::multiset<std::string>(keys.begin(), keys.end()));
    }
    SECTION("seededSample is deterministic and prefix-stable") {
        auto a = seededSample(keys, 10, 42);
        CHECK(a == seededSample(keys, 10, 42));
        CHECK(a != seededSample(keys, 10, 43));
        auto b = seededSample(keys, 20, 42);
        CHECK(std::equal(a.begin(), a.end(), b.begin()));
        CHECK(std::set<std::string>(b.begin(), b.end()).size() == 20);
        // Pinned: the selection must not change between versions or platforms.
        CHECK(seededSample(keys, 3, 0) == seededSample(keys, 3, 0));
        CHECK_THROWS_AS(seededSample(keys, 51, 0), std::invalid_argument);
    }
    SECTION("key files name the file and line of a bad key") {
        TempDir dir;
        auto canonical = [](std::string const& k) {
            if (k.rfind("k", 0) != 0) {
                throw std::invalid_argument("expected k<number>");
            }
            return k;
        };
        auto file = dir.path / "archs.txt";
        std::ofstream(file) << "# comment\nk1\n  k2  \n\nk3\n";
        CHECK(readArchitectureList(file, canonical) == std::vector<std::string>{"k1", "k2", "k3"});
        std::ofstream(file) << "k1\nk2\nbogus\n";
        CHECK_THAT(errorOf([&] { (void)readArchitectureList(file, canonical); }),
                   Catch::Contains("archs.txt:3") && Catch::Contains("bogus"));
        std::ofstream(file) << "k1\nk2\nk1\n";
        CHECK_THAT(errorOf([&] { (void)readArchitectureList(file, canonical); }),
                   Catch::Contains("archs.txt:3") && Catch::Contains("line 1"));
    }
}
