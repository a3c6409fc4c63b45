// A run evolved over raw statistics (LayerVector terminals from a statistics cache) can be used afterwards:
// export, evaluate and search rebuild its terminals from the cache the run recorded (issue: they failed with
// "unknown proxy 'grad_l2'" before).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;
namespace fs = std::filesystem;

TEST_CASE("zcgp score --batch out of range is one clear error, not a LibTorch allocation trace", "[experiments][torch]") {
    for (std::string const batch : {"100000", "0", "-5"}) {
        auto const r = runCommand(zcgpCli("score --arch \"(0, 2, 3, 2, 3, 1)\" --batch " + batch));
        INFO(r.err);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains("--batch") && Catch::Contains("from 1 to 1024"));
        CHECK_THAT(r.err, !Catch::Contains("alloc"));
    }
}

TEST_CASE("zcgp score --bn-double-backward takes fused or libtorch, and nothing else", "[experiments][torch]") {
    auto r = runCommand(zcgpCli("score --arch \"(0, 2, 3, 2, 3, 1)\" --bn-double-backward exact"));
    INFO(r.err);
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--bn-double-backward must be fused or libtorch, not 'exact'"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    // both values run, and a first-order proxy is the same either way
    std::string const base = "score --arch \"(0, 2, 3, 2, 3, 1)\" --batch 4 --proxies snip,grasp --json";
    auto const fused = runCommand(zcgpCli(base));
    auto const libtorch = runCommand(zcgpCli(base + " --bn-double-backward libtorch"));
    REQUIRE(fused.exitCode == 0);
    REQUIRE(libtorch.exitCode == 0);
    auto const a = nlohmann::json::parse(fused.out), b = nlohmann::json::parse(libtorch.out);
    CHECK(a["proxies"]["snip"] == b["proxies"]["snip"]);
    CHECK(a["proxies"]["grasp"].get<double>() == Approx(b["proxies"]["grasp"].get<double>()).epsilon(1e-3));
}

TEST_CASE("runs over raw statistics work with export, evaluate and search", "[experiments][torch]") {
    auto const tmp = zcgp::test::scratchDir("raw_runs");
    auto const cache = tmp / "c10.zcstats";
    auto r = runCommand(zcgpCli("gather --task nb201/cifar10 --archs 12 --batch 8 --out " + cache.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const run = tmp / "raw";
    r = runCommand(zcgpCli("evolve --task nb201/cifar10 --stats " + cache.string() +
                           " --terminals raw --train-archs 6 --population 30 --generations 5 --seed 1 --quiet --out " +
                           run.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const result = nlohmann::json::parse(std::ifstream(run / "result.json"));
    CHECK(result["terminal_set"] == "raw");
    CHECK(fs::path(result["stats"].get<std::string>()).is_absolute());
    // export: the header takes the layer vectors; the values CSV holds the engine's value on all 12 architectures
    r = runCommand(zcgpCli("export --run " + run.string() + " --out " + (tmp / "p.hpp").string() + " --values-csv " +
                           (tmp / "v.csv").string()));
    INFO(r.err);
    CHECK(r.exitCode == 0);
    std::ifstream csv(tmp / "v.csv");
    std::size_t rows = 0;
    for (std::string line; std::getline(csv, line);) ++rows;
    CHECK(rows == 13);
    // evaluate on the run's task reads the recorded cache; another task needs its own cache
    r = runCommand(zcgpCli("evaluate --run " + run.string() + " --task nb201/cifar10 --format json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const table = nlohmann::json::parse(r.out);
    CHECK(table.dump().find("12") != std::string::npos);
    r = runCommand(zcgpCli("evaluate --run " + run.string() + " --task nb201/cifar100"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("gathered for nb201/cifar10"));
    // search measures the statistics of each candidate
    r = runCommand(zcgpCli("search --objective evolved --run " + run.string() +
                           " --archs 2 --population 2 --sample 1 --batch 8 --json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const s = nlohmann::json::parse(r.out);
    CHECK(s["failed_cells"] == 0);
    CHECK(std::isfinite(s["best"]["score"].get<double>()));
}
