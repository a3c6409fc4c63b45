// Reduced runs of the LibTorch experiments: raw_statistics (on a small real gather) and zero_shot_search,
// plus zcgp search itself.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;
using zcgp::test::experimentConfig;
using zcgp::test::scratchDir;
namespace fs = std::filesystem;

namespace {

std::size_t lineCount(fs::path const& p) {
    std::ifstream in(p);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
    return n;
}
}  // namespace

TEST_CASE("zcgp search: regularized evolution scores exactly the budget, reproducibly", "[experiments][torch]") {
    auto const cmd = zcgpCli("search --objective synflow --algorithm evolution --archs 6 --population 3 --sample 2 "
                             "--batch 8 --seed 4 --json");
    auto const a = runCommand(cmd);
    INFO(a.err);
    REQUIRE(a.exitCode == 0);
    auto const j = nlohmann::json::parse(a.out);
    CHECK(j["archs_scored"] == 6);
    CHECK(j["trajectory"].size() == 6);
    double const acc = j["best"]["test_accuracy"]["cifar10"];
    CHECK(acc > 10.0);
    CHECK(acc < 95.0);
    auto const b = nlohmann::json::parse(runCommand(cmd).out);
    CHECK(b["best"]["arch"] == j["best"]["arch"]);
    auto const bad = runCommand(zcgpCli("search --objective synflw --archs 2"));
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("synflw"));
}

TEST_CASE("reproduce raw_statistics (reduced) on a real statistics cache", "[experiments][torch]") {
    auto const dir = scratchDir("raw");
    auto const stats = dir / "nb201_cifar10.zcstats";
    auto const g = runCommand(zcgpCli("gather --task nb201/cifar10 --archs 14 --batch 8 --out " + stats.string()));
    INFO(g.err);
    REQUIRE(g.exitCode == 0);
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("raw_statistics") + " --set stats=" + stats.string() +
                                      " --set seeds=1 --set generations=2 --set population=10 --set train_archs=7"
                                      " --results " + dir.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const out = dir / "raw_statistics";
    CHECK(lineCount(out / "runs.csv") == 4);     // header + raw, cached, both
    CHECK(lineCount(out / "summary.csv") == 5);  // header + 3 sets + hand-crafted
    CHECK_THAT(r.out, Catch::Contains("raw LayerVector statistics only") && Catch::Contains("best hand-crafted"));
    auto const raw = nlohmann::json::parse(std::ifstream(out / "runs" / "raw" / "seed0" / "result.json"));
    CHECK(raw["data"][0]["archs"] == 14);
    CHECK(raw["finite_on_all_archs"] == true);
    CHECK(raw["best_handcrafted"].is_null());  // no scalar terminals in the raw set
    // the cached set uses the cache only to pick the architectures: no LayerVector terminal may appear
    auto const cached = runCommand(zcgpCli("evolve --task nb201/cifar10 --stats " + stats.string() +
                                           " --terminals cached --train-archs 7 --generations 2 --population 10 --out " +
                                           (dir / "cached_run").string()));
    INFO(cached.err);
    REQUIRE(cached.exitCode == 0);
    CHECK_THAT(cached.err, Catch::Contains("0 LayerVector terminals"));
    auto const both = runCommand(zcgpCli("evolve --task nb201/cifar10 --stats " + stats.string() +
                                         " --terminals both --train-archs 7 --generations 2 --population 10 --out " +
                                         (dir / "both_run").string()));
    REQUIRE(both.exitCode == 0);
    CHECK_THAT(both.err, Catch::Contains("15 LayerVector terminals"));
}

TEST_CASE("reproduce zero_shot_search (reduced): every objective and algorithm, with the optimum row", "[experiments][torch]") {
    auto const dir = scratchDir("zero");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("zero_shot_search") +
                                      " --set archs=3 --set seeds=1 --set batch=8 --set population=2 --set sample=2"
                                      " --set objectives=evolved,synflow,random --set 'evolve_args=[\"--generations\", \"2\", \"--population\", \"10\", \"--proxies\", \"synflow,params\", \"--normalize\", \"logz+robust\"]'"
                                      " --results " + dir.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const out = dir / "zero_shot_search";
    CHECK(lineCount(out / "searches.csv") == 6);  // header + evolved x2, synflow x2, random x1
    CHECK(lineCount(out / "summary.csv") == 7);   // header + 5 + optimum
    CHECK_THAT(r.out, Catch::Contains("optimum (NAS-Bench-201) | 94.37 | 73.51 | 47.31"));
    CHECK(fs::exists(out / "evolved" / "result.json"));
    // the evolved objective was fitted on both terminal views: its NAME_r columns read the raw proxies computed
    // for each candidate (synflow, params); the searches above ran with it
    auto const terminals = nlohmann::json::parse(std::ifstream(out / "evolved" / "result.json"))["terminals"];
    CHECK(terminals.size() == 4);
    CHECK(terminals[2]["source"] == terminals[0]["name"]);
}
