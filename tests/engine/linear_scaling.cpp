// Linear scaling (LinearScaling.hpp): the additive terms of a tree, the ridge weights against an independent
// closed-form solution, the weighted formula, and the engine with it on (planted signal, determinism, resume).
#include <cmath>
#include <filesystem>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "Synthetic.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/LinearScaling.hpp"
#include "zcgp/engine/Operators.hpp"
#include "zcgp/fitness/RankStatistics.hpp"

using namespace zcgp;
using namespace zcgp::engine;

namespace {
primitives::Dataset scalarData(std::size_t archs, std::uint64_t seed) {
    auto full = test::syntheticDataset(archs, seed);
    primitives::Dataset d(full.archKeys());
    for (std::size_t i = 0; i < full.scalarCount(); ++i) {
        d.addScalar(full.scalarNames()[i], full.scalar(i));
    }
    d.setTarget(full.target());
    return d;
}
std::string termText(Tree const& tree, LinearTerms const& t, std::size_t k, Vocabulary const& v) {
    auto const r = t.roots[k];
    return format(Tree(std::vector<Node>(tree.nodes().begin() + (r - tree[r].length), tree.nodes().begin() + r + 1)), v);
}
}  // namespace

TEST_CASE("linear scaling: the top-level + and - chain is split into at most K terms", "[engine]") {
    auto d = scalarData(20, 1);
    auto v = Vocabulary::of(d);
    auto tree = parse("alpha + log(beta) - gamma * alpha + exp(gamma)", v);
    auto t = additiveTerms(tree, 5);
    REQUIRE(t.count == 4);
    CHECK(termText(tree, t, 0, v) == "alpha");
    CHECK(termText(tree, t, 1, v) == "log(beta)");
    CHECK(termText(tree, t, 2, v) == "(gamma * alpha)");
    CHECK(termText(tree, t, 3, v) == "exp(gamma)");
    auto two = additiveTerms(tree, 2);  // the leftmost chain node is expanded first: ((a + b) - c*a) and exp
    REQUIRE(two.count == 2);
    CHECK(termText(tree, two, 1, v) == "exp(gamma)");
    CHECK(additiveTerms(tree, 1).count == 1);
    CHECK(additiveTerms(parse("log(alpha + beta)", v), 5).count == 1);  // the chain starts at the root only
}

TEST_CASE("linear scaling: ridge weights equal the closed-form 2x2 ridge solution on standardised terms", "[engine]") {
    auto d = scalarData(100, 5);
    std::vector<double> y(d.target().begin(), d.target().end());
    double const lambda = 0.05;
    RidgeWeights ridge({y}, lambda);
    auto a = d.scalar(0);  // alpha
    std::vector<double> lb;
    for (double b : d.scalar(1)) lb.push_back(std::log(b));
    // independent reference: centred ranks / n as the target, population standardisation, Cramer's rule
    auto r = fitness::averageRanks(y);
    double const n = 100.0;
    for (auto& x : r) x = (x - (n + 1) / 2) / n;
    auto standardise = [&](std::span<double const> x, double& sd) {
        double m = 0;
        for (double v : x) m += v;
        m /= n;
        double s = 0;
        for (double v : x) s += (v - m) * (v - m);
        sd = std::sqrt(s / n);
        std::vector<double> z;
        for (double v : x) z.push_back((v - m) / sd);
        return z;
    };
    double sa = 0, sb = 0;
    auto za = standardise(a, sa), zb = standardise(lb, sb);
    double g11 = 0, g12 = 0, g22 = 0, b1 = 0, b2 = 0;
    for (std::size_t i = 0; i < 100; ++i) {
        g11 += za[i] * za[i] / n; g12 += za[i] * zb[i] / n; g22 += zb[i] * zb[i] / n;
        b1 += za[i] * r[i] / n; b2 += zb[i] * r[i] / n;
    }
    g11 += lambda; g22 += lambda;
    double const det = g11 * g22 - g12 * g12;
    double w1 = (g22 * b1 - g12 * b2) / det / sa, w2 = (g11 * b2 - g12 * b1) / det / sb;
    double const largest = std::max(std::abs(w1), std::abs(w2));

    LinearTerms terms;
    terms.count = 2;
    std::array<std::span<double const>, MaxLinearTerms> cols{a, lb};
    REQUIRE(ridge.fit(std::span(&cols, 1), terms));
    CHECK(terms.weights[0] == roundSignificant(w1 / largest, 4));
    CHECK(terms.weights[1] == roundSignificant(w2 / largest, 4));
    // the planted relation y = a + 0.5 log b: the weight of log b relative to a is about 0.5
    CHECK(terms.weights[1] / terms.weights[0] == Approx(0.5).margin(0.15));

    // a constant term gets weight 0; only constant terms: no fit
    std::vector<double> one(100, 3.0);
    std::array<std::span<double const>, MaxLinearTerms> withConstant{a, one};
    REQUIRE(ridge.fit(std::span(&withConstant, 1), terms));
    CHECK(terms.weights[0] == 1.0);
    CHECK(terms.weights[1] == 0.0);
    std::array<std::span<double const>, MaxLinearTerms> constants{one, one};
    CHECK_FALSE(ridge.fit(std::span(&constants, 1), terms));
    CHECK_THROWS(RidgeWeights({y}, -1.0));
}

TEST_CASE("linear scaling: the weighted formula evaluates to the combined terms and parses back", "[engine]") {
    auto d = scalarData(64, 9);
    auto v = Vocabulary::of(d);
    Interpreter interp(d);
    auto tree = parse("alpha - log(beta) + gamma", v);
    auto terms = additiveTerms(tree, 3);
    terms.weights = {1.0, -0.25, 0.0};
    auto weighted = weightedTree(tree, terms);
    CHECK(format(weighted, v) == "(alpha + (-0.25 * log(beta)))");
    CHECK(weighted.size() == weightedSize(tree, terms));
    auto scratch = interp.makeScratch(tree.size());
    std::vector<double> out(d.rows()), combined(d.rows());
    REQUIRE(interp.evaluate(tree, scratch, out));
    std::array<std::span<double const>, MaxLinearTerms> cols;
    for (std::size_t k = 0; k < 3; ++k) cols[k] = interp.column(scratch, terms.roots[k]);
    combineTerms(terms, cols, combined);
    CHECK(interp.evaluate(weighted) == combined);
    CHECK(parse(format(weighted, v), v) == weighted);
    CHECK(roundSignificant(0.123456, 4) == 0.1235);
    CHECK(roundSignificant(-3.21987e-3, 2) == -0.0032);
}

namespace {
EvolutionConfig linearConfig(std::size_t threads, std::size_t terms) {
    EvolutionConfig c;
    c.populationSize = 60;
    c.generations = 12;
    c.trainArchs = 100;
    c.seed = 11;
    c.threads = threads;
    c.linearTerms = terms;
    return c;
}
double heldOutTau(Evolution const& e, std::span<double const> values) {
    std::vector<double> x, y;
    for (auto r : e.test(0)) {
        x.push_back(values[r]);
        y.push_back(e.tasks()[0].data.target()[r]);
    }
    return fitness::kendallTau(x, y);
}
}  // namespace

TEST_CASE("evolution: a planted signal y = a + 0.5 log b + noise is recovered well above every single terminal", "[engine]") {
    for (std::size_t terms : {std::size_t{1}, std::size_t{3}}) {
        INFO("terms " << terms);
        std::vector<Task> tasks{{"planted", scalarData(600, 21)}};
        Evolution e(tasks, linearConfig(2, terms));
        e.run();
        auto const& data = e.tasks()[0].data;
        double bestSingle = -1.0;
        for (std::size_t i = 0; i < data.scalarCount(); ++i) {
            auto s = data.scalar(i);
            bestSingle = std::max(bestSingle, std::abs(heldOutTau(e, s)));
        }
        auto a = e.assess(e.best().tree);
        INFO(e.format(e.best().tree) << " held-out " << a.test << ", best single terminal " << bestSingle);
        CHECK(a.finite);
        CHECK(a.test > bestSingle + 0.1);
        // the reported train tau is the weighted formula's own
        CHECK(a.train == Approx(e.best().trainTau).margin(1e-12));
    }
}

TEST_CASE("evolution: linear scaling is deterministic for a seed, across threads, and resumes exactly", "[engine]") {
    auto tasks = [] { return std::vector<Task>{{"s0", scalarData(300, 3)}, {"s1", scalarData(300, 4)}}; };
    Evolution one(tasks(), linearConfig(1, 5));
    Evolution two(tasks(), linearConfig(2, 5));
    one.run();
    two.run();
    CHECK(one.best().tree == two.best().tree);
    CHECK(one.best().trainTau == two.best().trainTau);
    CHECK(one.evaluations() == two.evaluations());
    for (std::size_t i = 0; i < one.population().size(); ++i) CHECK(one.population()[i].tree == two.population()[i].tree);
    // the reported formula carries its weights as constants and has more than one term at this budget
    CHECK(one.best().tree.hasTerminal(Opcode::Constant));

    auto dir = std::filesystem::temp_directory_path() / "zcgp_linear_ckpt_test";
    std::filesystem::create_directories(dir);
    auto half = linearConfig(2, 5);
    half.generations = 5;
    {
        Evolution a(tasks(), half);
        a.setCheckpoint(dir / "checkpoint.bin", 5);
        a.run();
    }
    Evolution resumed(tasks(), linearConfig(1, 5));
    resumed.loadCheckpoint(dir / "checkpoint.bin");
    resumed.run();
    CHECK(resumed.best().tree == one.best().tree);
    CHECK(resumed.best().trainTau == one.best().trainTau);
    CHECK(resumed.evaluations() == one.evaluations());
    CHECK(resumed.pruned() == one.pruned());
    std::filesystem::remove_all(dir);

    auto bad = linearConfig(1, MaxLinearTerms + 1);
    CHECK_THROWS_WITH(Evolution(tasks(), bad), Catch::Contains("--terms"));
}

TEST_CASE("evolution: cost of a formula, the cost front, --cost-weight, and resume keeps the front", "[engine]") {
    auto tasks = [] {
        std::vector<Task> t{{"s0", scalarData(300, 8)}};
        t[0].proxySeconds = {{"alpha", 0.5}, {"beta", 2.0}};  // gamma: no recorded time, free
        return t;
    };
    auto cfg = linearConfig(2, 1);
    Evolution e(tasks(), cfg);
    REQUIRE(e.costed());
    auto v = Vocabulary::of(e.tasks()[0].data);
    CHECK(e.cost(parse("alpha + log(alpha) * gamma", v)) == 0.5);
    CHECK(e.cost(parse("alpha - beta", v)) == 2.5);
    CHECK(e.cost(parse("gamma", v)) == 0.0);
    e.run();
    auto front = e.costPareto();
    REQUIRE(front.size() >= 2);
    for (std::size_t i = 1; i < front.size(); ++i) {
        CHECK(front[i].cost > front[i - 1].cost);
        CHECK(front[i].trainTau > front[i - 1].trainTau);
        CHECK(front[i].cost == e.cost(front[i].tree));
    }
    // a heavy cost weight makes the best formula avoid the 2-second proxy
    auto heavy = cfg;
    heavy.costWeight = 1.0;
    Evolution cheap(tasks(), heavy);
    cheap.run();
    CHECK(cheap.best().cost < 2.0);
    CHECK(e.best().cost >= cheap.best().cost);

    auto dir = std::filesystem::temp_directory_path() / "zcgp_cost_ckpt_test";
    std::filesystem::create_directories(dir);
    auto half = cfg;
    half.generations = 6;
    {
        Evolution a(tasks(), half);
        a.setCheckpoint(dir / "checkpoint.bin", 3);
        a.run();
    }
    Evolution resumed(tasks(), linearConfig(1, 1));
    resumed.loadCheckpoint(dir / "checkpoint.bin");
    resumed.run();
    REQUIRE(resumed.costFront().size() == e.costFront().size());
    for (auto ia = resumed.costFront().begin(), ib = e.costFront().begin(); ia != resumed.costFront().end(); ++ia, ++ib) {
        CHECK(ia->first == ib->first);
        CHECK(ia->second.tree == ib->second.tree);
    }
    CHECK(resumed.best().tree == e.best().tree);
    std::filesystem::remove_all(dir);
    auto bad = cfg;
    bad.costWeight = -1;
    CHECK_THROWS_WITH(Evolution(tasks(), bad), Catch::Contains("--cost-weight"));
}

TEST_CASE("additive creator: sums of K distinct terminals that linear scaling splits into K weighted terms", "[engine]") {
    auto const data = scalarData(200, 7);
    TreeContext ctx;
    ctx.scalarTerminals = data.scalarCount();
    ctx.maxSize = 20;
    ctx.maxDepth = 8;
    ctx.prepare();
    REQUIRE(ctx.scalarTerminals >= 3);
    std::size_t const k = std::min<std::size_t>(5, ctx.scalarTerminals);
    auto const all = makeCreator("additive:5:1", 20);
    Random rng(3);
    for (std::size_t slot = 0; slot < 20; ++slot) {
        auto const t = all->create(ctx, rng, slot);
        REQUIRE(t.size() == 2 * k - 1);
        std::set<std::uint32_t> vars;
        for (auto const& n : t.nodes()) {
            if (n.op == Opcode::Variable) vars.insert(n.index);
            else CHECK(n.op == Opcode::Add);
        }
        CHECK(vars.size() == k);  // distinct terminals
        auto const terms = additiveTerms(t, MaxLinearTerms);
        CHECK(terms.count == k);  // one weighted term per terminal: a sparse ridge over them
    }
    // FRACTION 0: every slot from rhh, as the default creator draws it
    auto const none = makeCreator("additive:5:0", 20);
    auto const rhh = makeCreator("rhh:2:5", 20);
    Random a(9), b(9);
    for (std::size_t slot = 0; slot < 10; ++slot) {
        auto const x = none->create(ctx, a, slot);
        (void)std::uniform_real_distribution<double>(0.0, 1.0)(b);  // the draw that decides
        CHECK(x.nodes() == rhh->create(ctx, b, slot).nodes());
    }
    CHECK_THROWS_WITH(makeCreator("additive:1:0.5", 20), Catch::Contains("K >= 2"));
    CHECK_THROWS_WITH(makeCreator("additive:5", 20), Catch::Contains("needs K and FRACTION"));
    CHECK_THROWS_WITH(makeCreator("additive:5:1.5", 20), Catch::Contains("FRACTION in [0, 1]"));
}
