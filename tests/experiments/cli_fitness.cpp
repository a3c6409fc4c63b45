// zcgp evolve --fitness kendall|weighted-tau on the real binary and data: what the GP maximises, and what the run
// records.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;

namespace {
// `zcgp export --values-csv` of a run: the formula's value for every architecture of the task, by key.
std::map<std::string, double> exportedValues(std::filesystem::path const& run) {
    auto const csv = run / "values.csv";
    auto const r = runCommand(zcgpCli("export --run " + run.string() + " --values-csv " + csv.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);
    std::map<std::string, double> values;
    while (std::getline(in, line)) {
        // key is quoted and holds commas: "(0, 2, 3, 2, 3, 1)",...,value
        auto const close = line.find('"', 1);
        values[line.substr(1, close - 1)] = std::stod(line.substr(line.rfind(',') + 1));
    }
    return values;
}
}  // namespace

TEST_CASE("evolve --fitness weighted-tau maximises the weighted tau of the train architectures", "[experiments]") {
    auto const dir = zcgp::test::scratchDir("fitness_weighted");
    auto const run = dir / "run";
    auto const r = runCommand(zcgpCli("evolve --task nb201/cifar10 --quiet --json --population 30 --generations 6 "
                                      "--seed 4 --fitness weighted-tau --out " + run.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const result = nlohmann::json::parse(r.out);
    CHECK(result.at("fitness") == "weighted-tau");
    CHECK(result.at("finite_on_all_archs") == true);
    // penalised fitness = weighted tau of the reported formula on the train architectures - parsimony x size
    auto const values = exportedValues(run);
    auto const benchmark = zcgp::proxy_cache::Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    auto const& task = benchmark.task("nb201/cifar10");
    std::map<std::string, double> accuracy;
    for (std::size_t i = 0; i < task.archs.size(); ++i) accuracy[task.archs[i].key] = task.accuracy[static_cast<Eigen::Index>(i)];
    std::vector<double> scores, truth;
    for (auto const& key : result.at("per_task").at(0).at("train_keys")) {
        scores.push_back(values.at(key.get<std::string>()));
        truth.push_back(accuracy.at(key.get<std::string>()));
    }
    REQUIRE(scores.size() == 100);
    double const weighted = zcgp::fitness::WeightedTau(truth)(scores);
    double const parsimony = 0.0025;  // zcgp evolve's default
    CHECK(result.at("penalised_fitness").get<double>() ==
          Approx(weighted - parsimony * result.at("size").get<double>()).margin(1e-9));
    // the reported train tau stays Kendall's, and differs from the weighted one
    CHECK(result.at("train_tau").get<double>() == Approx(zcgp::fitness::kendallTau(scores, truth)).margin(1e-12));
    CHECK(std::abs(weighted - result.at("train_tau").get<double>()) > 1e-6);

    // the default is Kendall, and says so; an old result.json without the field reads as kendall (RunReport)
    auto const plain = runCommand(zcgpCli("evolve --task nb201/cifar10 --quiet --json --population 30 --generations 3 "
                                          "--seed 4 --out " + (dir / "plain").string()));
    REQUIRE(plain.exitCode == 0);
    CHECK(nlohmann::json::parse(plain.out).at("fitness") == "kendall");

    // an unknown metric is a usage error naming the flag and the valid values
    auto const bad = runCommand(zcgpCli("evolve --task nb201/cifar10 --quiet --fitness spearman --out " +
                                        (dir / "bad").string()));
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("--fitness") && Catch::Contains("weighted-tau"));
    CHECK_FALSE(std::filesystem::exists(dir / "bad" / "result.json"));
}
