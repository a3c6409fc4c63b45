// zcgp parzc train / evaluate through the real binary on a small real cache (48 NB201 cells), and the reduced
// parzc experiment: ParZC's held-out tau must beat the same model trained on shuffled labels.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ParzcCache.hpp"
#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;
namespace fs = std::filesystem;

namespace {

std::string trainArgs(fs::path const& cache, fs::path const& out) {
    return "parzc train --task nb201/cifar10 --stats " + cache.string() + " --train-archs 24 --seed 1 --epochs 2 "
           "--samples 3 --device cpu --quiet --out " + out.string();
}

}  // namespace

TEST_CASE("zcgp parzc train writes a run that evaluate reproduces exactly", "[experiments][torch][parzc]") {
    auto const cache = zcgp::test::parzcTestCache();
    auto const tmp = zcgp::test::scratchDir("parzc_run");
    auto const run = tmp / "pz";
    auto r = runCommand(zcgp::test::parzcCli(trainArgs(cache, run) + " --json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    for (auto const* f : {"model.pt", "result.json", "log.jsonl", "options.json", "train_keys.txt", "predictions.csv"}) {
        CHECK(fs::exists(run / f));
    }
    CHECK_FALSE(fs::exists(tmp / "pz.partial"));
    auto const result = nlohmann::json::parse(std::ifstream(run / "result.json"));
    CHECK(nlohmann::json::parse(r.out) == result);
    CHECK(result["train_archs"] == 24);
    CHECK(result["per_task"][0]["test_archs"] == 24);
    CHECK(result["per_task"][0]["train_keys"].size() == 24);
    CHECK(result["tasks"][0] == "nb201/cifar10");
    std::ifstream log(run / "log.jsonl");
    std::size_t epochs = 0;
    for (std::string line; std::getline(log, line); ++epochs) CHECK(nlohmann::json::parse(line)["epoch"] == epochs + 1);
    CHECK(epochs == 2);
    // evaluate reloads model.pt and scores the run's held-out architectures: the same numbers, bit for bit
    r = runCommand(zcgp::test::parzcCli("parzc evaluate --run " + run.string() + " --json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const e = nlohmann::json::parse(r.out);
    CHECK(e["test_archs"] == 24);
    CHECK(e["test_tau"] == result["test_tau"]);
    CHECK(e["test_spearman"] == result["test_spearman"]);
    // the same seed trains the same model: a second run's predictions are identical
    r = runCommand(zcgp::test::parzcCli(trainArgs(cache, tmp / "pz2")));
    REQUIRE(r.exitCode == 0);
    CHECK(zcgp::test::readBytes(tmp / "pz2" / "predictions.csv") == zcgp::test::readBytes(run / "predictions.csv"));
}

TEST_CASE("zcgp parzc: bad input is one clear error with exit code 2, and an earlier run survives",
          "[experiments][torch][parzc]") {
    auto const cache = zcgp::test::parzcTestCache();
    auto const tmp = zcgp::test::scratchDir("parzc_errors");
    auto const run = tmp / "pz";
    REQUIRE(runCommand(zcgp::test::parzcCli(trainArgs(cache, run))).exitCode == 0);
    auto const before = zcgp::test::readBytes(run / "result.json");
    struct Case {
        std::string args, message;
    };
    std::vector<Case> const cases{
        {trainArgs(cache, run), "already holds files; pass --force"},
        {trainArgs(cache, tmp / "b") + " --kinds grad_l2,no_such_stat", "no statistic 'no_such_stat'"},
        {trainArgs(cache, tmp / "c").replace(trainArgs(cache, tmp / "c").find("--train-archs 24"), 16, "--train-archs 47"),
         "--train-archs 47: the cache has 48 architectures"},
        {trainArgs(cache, tmp / "d").replace(trainArgs(cache, tmp / "d").find("nb201/cifar10"), 13, "nb201/cifar100"),
         "gathered for nb201/cifar10, but --task is nb201/cifar100"},
        {trainArgs(cache, tmp / "e") + " --loss hinge", "unknown loss 'hinge'"},
        {trainArgs(cache, tmp / "f") + " --train-keys " + (tmp / "none.txt").string(), "exactly one of --train-archs"},
        {"parzc evaluate --run " + tmp.string(), "not a finished zcgp parzc train run"},
        {"parzc fit", "unknown subcommand 'fit'"},
    };
    for (auto const& c : cases) {
        auto const r = runCommand(zcgp::test::parzcCli(c.args));
        INFO(c.args);
        INFO(r.err);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains(c.message));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    CHECK(zcgp::test::readBytes(run / "result.json") == before);
    // a train key outside the cache names the file and the key
    zcgp::test::writeFile(tmp, "keys.txt", "(4, 4, 4, 4, 4, 4)\n(0, 0, 0, 0, 0, 0)\n");
    auto cmd = trainArgs(cache, tmp / "g");
    cmd.replace(cmd.find("--train-archs 24"), 16, "--train-keys " + (tmp / "keys.txt").string());
    auto const r = runCommand(zcgp::test::parzcCli(cmd));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("keys.txt") && Catch::Contains("is not in the cache"));
}

TEST_CASE("reproduce parzc (reduced): ParZC's held-out tau beats a model trained on shuffled labels",
          "[experiments][torch][parzc]") {
    auto const cache = zcgp::test::parzcTestCache();
    auto const dir = zcgp::test::scratchDir("parzc_reproduce");
    auto const r = runCommand(zcgp::test::parzcCli("reproduce " + zcgp::test::experimentConfig("parzc") + " --set stats=" +
                                      cache.string() + " --set 'train_sizes=[\"24\"]' --set seeds=1 --set epochs=30"
                                      " --set samples=4 --set population=10 --set generations=2 --results " +
                                      dir.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::ifstream csv(dir / "parzc" / "runs.csv");
    std::map<std::string, double> tau;
    std::string line;
    std::getline(csv, line);
    REQUIRE(line == "size,seed,method,test_tau,seconds,detail");
    while (std::getline(csv, line)) {
        std::stringstream in(line);
        std::string size, seed, method, value;
        std::getline(in, size, ','), std::getline(in, seed, ','), std::getline(in, method, ','), std::getline(in, value, ',');
        tau[method] = std::stod(value);
    }
    for (auto const* m : {"ParZC diffkendall", "ParZC mse", "ParZC both", "ParZC diffkendall (shuffled labels)",
                          "evolve raw statistics", "evolve cached proxies", "random forest on flattened statistics"}) {
        INFO(m);
        CHECK(tau.count(m) == 1);
    }
    CHECK(tau["ParZC diffkendall"] > tau["ParZC diffkendall (shuffled labels)"] + 0.1);
    CHECK_THAT(r.out, Catch::Contains("ParZC diffkendall") && Catch::Contains("24 train"));
}
