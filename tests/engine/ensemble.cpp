// engine/Ensemble.hpp: the members' seeds, their combination into one formula, the union of their size fronts.
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "Synthetic.hpp"
#include "zcgp/engine/Ensemble.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"

using namespace zcgp;
using namespace zcgp::engine;

TEST_CASE("ensemble members: member 0 keeps the master seed, the others get distinct seeds", "[engine]") {
    CHECK(ensembleMemberSeed(7, 0) == 7);
    std::set<std::uint64_t> seen{7};
    for (std::size_t k = 1; k <= 200; ++k) seen.insert(ensembleMemberSeed(7, k));
    CHECK(seen.size() == 201);
    CHECK(ensembleMemberSeed(7, 3) != ensembleMemberSeed(8, 3));
}

TEST_CASE("ensemble members' creators: auto alternates the run's creator with rhh, a list cycles", "[engine]") {
    using V = std::vector<std::string>;
    CHECK(ensembleMemberCreators("auto", "additive:5:0.5", 1) == V{"additive:5:0.5"});  // an ensemble of one: the run
    CHECK(ensembleMemberCreators("auto", "additive:5:0.5", 4) ==
          V{"additive:5:0.5", "rhh:2:5", "additive:5:0.5", "rhh:2:5"});
    CHECK(ensembleMemberCreators("auto", "rhh:2:5", 3) == V{"rhh:2:5", "rhh:2:5", "rhh:2:5"});
    CHECK(ensembleMemberCreators("ptc2:10,rhh:1:4,additive:3:1", "rhh:2:5", 5) ==
          V{"ptc2:10", "rhh:1:4", "additive:3:1", "ptc2:10", "rhh:1:4"});
    CHECK(ensembleMemberCreators("ptc2:10", "rhh:2:5", 2) == V{"ptc2:10", "ptc2:10"});
    for (auto const* bad : {"", ",", "ptc2:10,", ",ptc2:10", "ptc2:10,,rhh:2:5"}) {
        INFO(bad);
        CHECK_THROWS_AS(ensembleMemberCreators(bad, "rhh:2:5", 2), std::invalid_argument);
    }
}

TEST_CASE("combineEnsemble is the sum of each member's squashed train-standardised values", "[engine]") {
    auto const data = test::syntheticDataset(60, 9);
    EvolutionConfig cfg;
    cfg.trainArchs = 25;
    cfg.populationSize = 10;
    cfg.seed = 5;
    cfg.threads = 1;
    Evolution evo({{"synthetic/0", data}}, cfg);
    auto const vocab = Vocabulary::of(data);
    std::vector<Tree> members{parse("alpha", vocab), parse("log(beta) * gamma", vocab), parse("max(alpha, 10)", vocab)};
    auto const combined = combineEnsemble(members, evo);
    Interpreter interp(data);
    auto const got = interp.evaluate(combined);
    // the reference, written out: median and MAD (x 1.4826) over the train rows; upper median for an even count
    std::vector<double> expected(data.rows(), 0.0);
    for (auto const& m : members) {
        auto const v = interp.evaluate(m);
        std::vector<double> train;
        for (auto r : evo.train(0)) train.push_back(v[r]);
        auto upperMedian = [](std::vector<double> x) {
            std::sort(x.begin(), x.end());
            return x[x.size() / 2];
        };
        double const med = upperMedian(train);
        std::vector<double> dev;
        for (double x : train) dev.push_back(std::abs(x - med));
        double scale = 1.4826 * upperMedian(dev);
        if (scale == 0.0) scale = 1.0;  // max(alpha, 10) is 10 everywhere: MAD and std are 0
        for (std::size_t i = 0; i < v.size(); ++i) expected[i] += std::tanh((v[i] - med) / (3.0 * scale));
    }
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("architecture " << i);
        CHECK(got[i] == Approx(expected[i]).margin(1e-12));
    }
    // each member is bounded by tanh: the combination of three lies in (-3, 3)
    for (double x : got) CHECK(std::abs(x) < 3.0);
}

TEST_CASE("sizeFront keeps, by ascending size, each pair strictly better than every smaller one", "[engine]") {
    auto const data = test::syntheticDataset(20, 3);
    auto const vocab = Vocabulary::of(data);
    std::vector<std::pair<Tree, double>> all{{parse("alpha + beta", vocab), 0.5},  // size 3
                                             {parse("alpha", vocab), 0.4},         // size 1
                                             {parse("beta", vocab), 0.45},         // size 1, better
                                             {parse("log(alpha + beta)", vocab), 0.45},  // size 4, no better
                                             {parse("log(alpha) + beta", vocab), 0.6}};  // size 4
    auto const front = sizeFront(all);
    REQUIRE(front.size() == 3);
    CHECK(front[0].second == 0.45);
    CHECK(front[0].first.size() == 1);
    CHECK(front[1].second == 0.5);
    CHECK(front[2].second == 0.6);
}
