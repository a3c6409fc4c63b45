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
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/proxy_cache/torch/ParZC.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;
namespace fs = std::filesystem;

namespace {

std::string trainArgs(fs::path const& cache, fs::path const& out) {
    return "parzc train --task nb201/cifar10 --stats " + cache.string() + " --train-archs 24 --seed 1 --epochs 2 "
           "--samples 3 --device cpu --quiet --out " + out.string();
}

// A parzc command and a text its one-line usage error (exit 2) must contain.
struct UsageCase {
    std::string args, message;
};

void requireUsageErrors(std::vector<UsageCase> const& cases) {
    for (auto const& c : cases) {
        auto const r = runCommand(zcgp::test::parzcCli(c.args));
        INFO(c.args);
        INFO(r.err);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains(c.message));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
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
    requireUsageErrors({
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
    });
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

TEST_CASE("zcgp parzc train --resume continues an interrupted training to the uninterrupted run's model",
          "[experiments][torch][parzc][resume]") {
    auto const cache = zcgp::test::parzcTestCache();
    auto const tmp = zcgp::test::scratchDir("parzc_resume");
    auto const args = [&](fs::path const& out) {
        return "parzc train --task nb201/cifar10 --stats " + cache.string() + " --train-archs 16 --seed 2 --epochs 3 "
               "--batch 8 --samples 3 --device cpu --quiet --out " + out.string();
    };
    REQUIRE(runCommand(zcgp::test::parzcCli(args(tmp / "straight"))).exitCode == 0);
    // the tests' stand-in for a kill: stop once epoch 1 is checkpointed; nothing claims to be a result
    auto r = runCommand(zcgp::test::parzcCli(args(tmp / "cut") + " --stop-after-epoch 1"));
    INFO(r.err);
    REQUIRE(r.exitCode == 3);
    CHECK_FALSE(fs::exists(tmp / "cut" / "result.json"));
    CHECK(fs::exists(tmp / "cut.partial" / "checkpoint.pt"));
    // other options, or no interrupted training: one clear error, the partial run kept
    requireUsageErrors({
        {args(tmp / "cut") + " --resume --loss mse", "--resume: " + (tmp / "cut.partial").string() +
                                                        " was started with loss = \"diffkendall\", this command has \"mse\""},
        {args(tmp / "cut").replace(args(tmp / "cut").find("--epochs 3"), 10, "--epochs 4") + " --resume",
         "epochs = 3, this command has 4"},
        {args(tmp / "cut").replace(args(tmp / "cut").find("--seed 2"), 8, "--seed 3") + " --resume", "seed = 2"},
        {args(tmp / "nothing") + " --resume", "--resume: no interrupted training in"},
    });
    CHECK(fs::exists(tmp / "cut.partial" / "checkpoint.pt"));
    r = runCommand(zcgp::test::parzcCli(args(tmp / "cut") + " --resume"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_FALSE(fs::exists(tmp / "cut.partial"));
    // the same model: the same predictions, bit for bit, and the same per-epoch losses (the log is whole)
    CHECK(zcgp::test::readBytes(tmp / "cut" / "predictions.csv") == zcgp::test::readBytes(tmp / "straight" / "predictions.csv"));
    auto const lossesOf = [](fs::path const& log) {
        std::vector<double> out;
        std::ifstream in(log);
        for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line)["loss"]);
        return out;
    };
    CHECK(lossesOf(tmp / "cut" / "log.jsonl").size() == 3);
    CHECK(lossesOf(tmp / "cut" / "log.jsonl") == lossesOf(tmp / "straight" / "log.jsonl"));
    auto const a = nlohmann::json::parse(std::ifstream(tmp / "cut" / "result.json"));
    auto const b = nlohmann::json::parse(std::ifstream(tmp / "straight" / "result.json"));
    CHECK(a["test_tau"] == b["test_tau"]);
}

TEST_CASE("zcgp search --objective parzc ranks candidates by a trained model, with an uncertainty bonus",
          "[experiments][torch][parzc][search]") {
    auto const cache = zcgp::test::parzcTestCache();
    auto const tmp = zcgp::test::scratchDir("parzc_search");
    auto const run = tmp / "pz";
    REQUIRE(runCommand(zcgp::test::parzcCli(trainArgs(cache, run))).exitCode == 0);
    auto const search = "search --objective parzc --run " + run.string() +
                        " --algorithm evolution --archs 5 --population 3 --sample 2 --seed 1 --device cpu --json";
    auto r = runCommand(zcgp::test::parzcCli(search));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = nlohmann::json::parse(r.out);
    CHECK(j["archs_scored"] == 5);
    CHECK(j["failed_cells"] == 0);
    // the candidates are measured as the model's train cells were (the 48-cell cache: batch 2, seed 0), and only
    // the statistics the model reads
    CHECK(j["parzc"]["batch"] == 2);
    CHECK(j["parzc"]["init_seed"] == 0);
    CHECK(j["parzc"]["samples"] == 3);
    CHECK(j["parzc"]["statistics"] == nlohmann::json({"grad_l2", "snip_layer", "synflow_layer"}));
    CHECK(j["best"]["score"].get<double>() == j["best"]["parzc_mean"].get<double>());
    r = runCommand(zcgp::test::parzcCli(search + " --uncertainty-bonus 2"));
    REQUIRE(r.exitCode == 0);
    auto const k = nlohmann::json::parse(r.out);
    CHECK(k["parzc"]["uncertainty_bonus"] == 2.0);
    CHECK(k["best"]["score"].get<double>() ==
          Approx(k["best"]["parzc_mean"].get<double>() + 2.0 * k["best"]["parzc_std"].get<double>()).epsilon(1e-12));
    CHECK(k["best"]["parzc_std"].get<double>() > 0.0);

    // a run without a model, a model reading a statistic no candidate can be measured for, a negative bonus, a
    // bonus without parzc, a batch other than the cache's: one clear line, exit 2
    fs::create_directories(tmp / "empty");
    fs::create_directories(tmp / "foreign");
    fs::copy_file(run / "options.json", tmp / "foreign" / "options.json");
    {
        auto const c = zcgp::proxy_cache::StatisticsCache::read(cache);
        auto f = zcgp::proxy_cache::parzc::buildFeatures(c, {"grad_l2"});
        f.kinds = {"made_up_stat"};
        auto const y = zcgp::proxy_cache::parzc::nb201Targets(f.keys, "cifar10", zcgp::test::dataDir());
        zcgp::proxy_cache::parzc::TrainOptions o;
        o.epochs = 1;
        o.batchSize = 16;
        o.device = "cpu";
        zcgp::proxy_cache::parzc::Model::train(f, y, o).save(tmp / "foreign" / "model.pt");
    }
    requireUsageErrors({
        {"search --objective parzc --run " + (tmp / "empty").string() + " --archs 2", "no model.pt"},
        {"search --objective parzc --archs 2", "--objective parzc needs --run DIR"},
        {"search --objective parzc --run " + (tmp / "foreign").string() + " --archs 2", "'made_up_stat'"},
        {"search --objective parzc --run " + run.string() + " --archs 2 --uncertainty-bonus -0.5",
         "--uncertainty-bonus -0.5: must be a number >= 0"},
        {"search --objective synflow --archs 2 --uncertainty-bonus 1", "--uncertainty-bonus applies to --objective parzc only"},
        {"search --objective parzc --run " + run.string() + " --archs 2 --batch 64",
         "--batch 64: the ParZC run's statistics were gathered with 2"},
    });
}
