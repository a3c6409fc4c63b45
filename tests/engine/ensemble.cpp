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

namespace {
// max |a_i - b_i - offset| with offset the mean difference: 0 when a and b differ only by a constant
double spreadOfDifference(std::vector<double> const& a, std::vector<double> const& b) {
    double mean = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) mean += (a[i] - b[i]) / static_cast<double>(a.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i] - mean));
    return worst;
}
}  // namespace

TEST_CASE("linearCombination expands the members' sums, merges shared terms and drops constants", "[engine]") {
    auto const data = test::syntheticDataset(60, 9);
    auto const vocab = Vocabulary::of(data);
    Interpreter interp(data);
    std::vector<Tree> members{parse("alpha + 0.5 * beta", vocab), parse("2 * beta - gamma + 3", vocab)};
    std::vector<double> const weights{1.0, 0.25};
    auto const combined = linearCombination(members, weights);
    // alpha: 1; beta: 0.5 + 0.25 x 2 = 1; gamma: -0.25; the constant 0.75 orders nothing
    CHECK(format(combined, vocab) == format(parse("alpha + beta - 0.25 * gamma", vocab), vocab));
    CHECK(combined.size() == 7);
    auto const got = interp.evaluate(combined);
    auto const a = interp.evaluate(members[0]);
    auto const b = interp.evaluate(members[1]);
    std::vector<double> want(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) want[i] = a[i] + 0.25 * b[i];
    CHECK(spreadOfDifference(got, want) < 1e-12);

    // the first term written has a positive weight; a negative one is subtracted
    std::vector<Tree> const negated{parse("neg(alpha)", vocab), parse("beta", vocab)};
    CHECK(format(linearCombination(negated, std::vector<double>{1.0, 1.0}), vocab) ==
          format(parse("beta - alpha", vocab), vocab));
    // every weight negative: the first keeps its sign as a constant (5 nodes, as many as the members side by side)
    CHECK(format(linearCombination(std::vector<Tree>{parse("neg(alpha)", vocab), parse("neg(beta)", vocab)},
                                   std::vector<double>{2.0, 2.0}),
                 vocab) == format(parse("-1 * alpha - beta", vocab), vocab));
    // one member alone is itself when that is smaller than its expansion
    CHECK(format(linearCombination(std::vector<Tree>{parse("neg(alpha) - beta", vocab)}, std::vector<double>{2.0}),
                 vocab) == format(parse("neg(alpha) - beta", vocab), vocab));
    // where distributing a constant over a chain writes more nodes than the members side by side, those
    CHECK(format(linearCombination(std::vector<Tree>{parse("0.3 * (alpha + beta + gamma)", vocab), parse("log(alpha)", vocab)},
                                   std::vector<double>{1.0, 1.0}),
                 vocab) == format(parse("0.3 * (alpha + beta + gamma) + log(alpha)", vocab), vocab));
    // weights are rounded to 4 significant digits after dividing by the largest
    CHECK(format(linearCombination(std::vector<Tree>{parse("alpha", vocab), parse("beta", vocab)},
                                   std::vector<double>{3.0, 1.0}), vocab) ==
          format(parse("alpha + 0.3333 * beta", vocab), vocab));
    CHECK_THROWS_AS(linearCombination(members, std::vector<double>{1.0}), std::invalid_argument);
    CHECK_THROWS_AS(linearCombination(members, std::vector<double>{1.0, std::nan("")}), std::invalid_argument);
    CHECK_THROWS_AS(linearCombination(members, std::vector<double>{1.0, 0.0}), std::invalid_argument);
}

TEST_CASE("islandConfigs split the population and give each island a seed and creator, on the run's split", "[engine]") {
    EvolutionConfig run;
    run.populationSize = 101;
    run.seed = 11;
    run.timeLimitSeconds = 30.0;
    std::vector<std::string> const creators{"additive:5:0.5", "rhh:2:5", "ptc2:10"};
    auto const islands = islandConfigs(run, 3, creators);
    REQUIRE(islands.size() == 3);
    std::size_t total = 0;
    for (std::size_t j = 0; j < 3; ++j) {
        INFO(j);
        CHECK(islands[j].populationSize == (j < 2 ? 34U : 33U));
        CHECK(islands[j].seed == ensembleMemberSeed(11, j));
        CHECK(islands[j].splitSeed == std::optional<std::uint64_t>(11));
        CHECK(islands[j].creator == creators[j]);
        CHECK(islands[j].timeLimitSeconds == Approx(10.0));
        CHECK(islands[j].generations == run.generations);
        total += islands[j].populationSize;
    }
    CHECK(total == 101);
    CHECK(islands[0].seed == 11);  // island 0 keeps the run's seed
    run.threads = 2;  // side by side: the threads shared out (at least 1 each), each with the whole time limit
    for (auto const& c : islandConfigs(run, 3, creators, true)) {
        CHECK(c.threads == 1U);
        CHECK(c.timeLimitSeconds == Approx(30.0));
    }
    run.threads = 4;
    CHECK(islandConfigs(run, 2, std::span(creators).first(2), true)[1].threads == 2U);
    CHECK(islandConfigs(run, 2, std::span(creators).first(2))[1].threads == 4U);
    run.splitSeed = 4;             // an ensemble member's islands keep the member's split
    CHECK(islandConfigs(run, 2, std::span(creators).first(2))[1].splitSeed == std::optional<std::uint64_t>(4));
    run.populationSize = 5;
    run.elites = 1;
    CHECK_THROWS_WITH(islandConfigs(run, 3, creators), Catch::Contains("an island needs at least 2"));
    run.populationSize = 6;
    run.elites = 2;
    CHECK_THROWS_AS(islandConfigs(run, 3, creators), std::invalid_argument);  // 2 each, not more than 2 elites
    CHECK_THROWS_AS(islandConfigs(run, 2, creators), std::invalid_argument);  // one creator per island
}

TEST_CASE("islandCombination weighs each island's best by its robust spread on the train architectures only",
          "[engine]") {
    auto const data = test::syntheticDataset(80, 3);
    EvolutionConfig cfg;
    cfg.trainArchs = 30;
    cfg.populationSize = 10;
    cfg.seed = 2;
    cfg.threads = 1;
    Evolution evo({{"synthetic/0", data}}, cfg);
    auto const vocab = Vocabulary::of(data);
    Interpreter interp(data);
    std::vector<Tree> const bests{parse("alpha + 0.2 * gamma", vocab), parse("100 * beta", vocab)};
    auto const combined = islandCombination(bests, evo);
    // the reference: 1.4826 x the median absolute deviation from the median over the train rows (upper median)
    auto const robustScale = [&](std::vector<double> const& v) {
        std::vector<double> train;
        for (auto r : evo.train(0)) train.push_back(v[r]);
        auto const upperMedian = [](std::vector<double> x) {
            std::sort(x.begin(), x.end());
            return x[x.size() / 2];
        };
        double const med = upperMedian(train);
        std::vector<double> dev;
        for (double x : train) dev.push_back(std::abs(x - med));
        return 1.4826 * upperMedian(dev);
    };
    auto const a = interp.evaluate(bests[0]);
    auto const b = interp.evaluate(bests[1]);
    double const sa = robustScale(a), sb = robustScale(b);
    CHECK(trainScale(bests[0], evo) == Approx(sa).epsilon(1e-12));
    std::vector<double> want(a.size());
    double largest = 0.0;
    for (double w : {1.0 / sa, 0.2 / sa, 100.0 / sb}) largest = std::max(largest, w);
    for (std::size_t i = 0; i < a.size(); ++i) want[i] = (a[i] / sa + b[i] / sb) / largest;
    // equal up to the 4-digit rounding of the weights (each term's weight within 5e-5 of the largest)
    double range = 0.0;
    for (double x : want) range = std::max(range, std::abs(x));
    CHECK(spreadOfDifference(interp.evaluate(combined), want) < 1e-3 * range);
    CHECK(combined.size() == 9);  // alpha, gamma and beta, each weighted but one, and two '+'
}
