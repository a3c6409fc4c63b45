// Held-out architectures are sacred: no label of a held-out architecture reaches anything fitted with labels, any
// selection or the final pick. The test runs zcgp evolve on a real task written as a researcher's table, then again
// on the same table with every held-out architecture's accuracy reversed and scrambled, and checks that everything
// chosen on train (the formula, its train tau, the terminal transforms, the Pareto front's formulas and train taus,
// the hand-crafted pick, the ensemble's combination) is bit-identical, while the held-out tau does change (the
// poison did reach the held-out evaluation). The transforms are fitted without labels on every architecture's proxy
// values (docs/engine.md), so held-out proxies may move them by design; held-out labels may not.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;

namespace {
// nb201/cifar10 as a CSV table (key, accuracy, every proxy); `poison` maps a key to its replacement accuracy.
void writeTable(std::filesystem::path const& file, std::function<double(std::string const&, double)> const& accuracy) {
    auto const benchmark = zcgp::proxy_cache::Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    auto const& t = benchmark.task("nb201/cifar10");
    std::ofstream out(file);
    out.precision(17);
    out << "arch,acc";
    for (auto const& p : t.proxies) out << ',' << p;
    out << '\n';
    for (std::size_t r = 0; r < t.size(); ++r) {
        out << '"' << t.archs[r].key << "\"," << accuracy(t.archs[r].key, t.accuracy[static_cast<Eigen::Index>(r)]);
        for (std::size_t p = 0; p < t.proxies.size(); ++p) {
            double const v = t.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(p));
            out << ',';
            if (std::isfinite(v)) out << v;
        }
        out << '\n';
    }
}

nlohmann::json evolve(std::filesystem::path const& table, std::string const& extra) {
    auto const r = runCommand(zcgpCli("evolve --quiet --json --table " + table.string() +
                                      " --target acc --id arch --table-space nb201 --terminals cached,graph"
                                      " --population 40 --generations 8 --seed 5 " + extra));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return nlohmann::json::parse(r.out);
}

void checkIdentical(nlohmann::json const& clean, nlohmann::json const& poisoned) {
    CHECK(poisoned.at("formula") == clean.at("formula"));
    CHECK(poisoned.at("train_tau") == clean.at("train_tau"));
    CHECK(poisoned.at("penalised_fitness") == clean.at("penalised_fitness"));
    CHECK(poisoned.at("terminals") == clean.at("terminals"));
    CHECK(poisoned.at("per_task").at(0).at("train_keys") == clean.at("per_task").at(0).at("train_keys"));
    CHECK(poisoned.at("best_handcrafted").at("name") == clean.at("best_handcrafted").at("name"));
    CHECK(poisoned.at("best_handcrafted").at("train_tau") == clean.at("best_handcrafted").at("train_tau"));
    REQUIRE(poisoned.at("pareto").size() == clean.at("pareto").size());
    for (std::size_t i = 0; i < clean.at("pareto").size(); ++i) {
        CHECK(poisoned.at("pareto")[i].at("formula") == clean.at("pareto")[i].at("formula"));
        CHECK(poisoned.at("pareto")[i].at("train_tau") == clean.at("pareto")[i].at("train_tau"));
    }
    // the held-out labels did change what is measured on them
    CHECK(poisoned.at("test_tau").get<double>() != clean.at("test_tau").get<double>());
}
}  // namespace

TEST_CASE("no held-out architecture's label reaches the formula, the transforms or the pick", "[experiments][graph]") {
    auto const dir = zcgp::test::scratchDir("held_out_isolation");
    auto const clean = dir / "clean.csv";
    writeTable(clean, [](std::string const&, double acc) { return acc; });
    for (std::string const extra : {"--normalize logz+robust", "--ensemble 3 --max-size 12", "--islands 2"}) {
        INFO(extra);
        auto const reference = evolve(clean, extra);
        std::set<std::string> train;
        for (auto const& k : reference.at("per_task").at(0).at("train_keys")) train.insert(k.get<std::string>());
        REQUIRE(train.size() == 100);
        auto const poisoned = dir / "poisoned.csv";
        std::size_t n = 0;
        writeTable(poisoned, [&](std::string const& key, double acc) {
            return train.contains(key) ? acc : -acc + static_cast<double>((n++ * 7919) % 97);  // reversed and scrambled
        });
        checkIdentical(reference, evolve(poisoned, extra));
    }
}
