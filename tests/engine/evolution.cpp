// The evolution loop: determinism across thread counts, checkpoint/resume equivalence, pruning counters,
// the finiteness guarantee. Synthetic data with LayerVector terminals (no statistics cache exists yet).
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include <catch2/catch.hpp>

#include "Synthetic.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Pruning.hpp"

using namespace zcgp;
using namespace zcgp::engine;

namespace {
EvolutionConfig smallConfig(std::size_t threads) {
    EvolutionConfig c;
    c.populationSize = 40;
    c.generations = 8;
    c.trainArchs = 30;
    c.seed = 3;
    c.threads = threads;
    c.maxSize = 20;
    return c;
}
std::vector<Task> syntheticTasks(std::size_t n = 1) {
    std::vector<Task> t;
    for (std::size_t i = 0; i < n; ++i) t.push_back({"synthetic/" + std::to_string(i), test::syntheticDataset(80, 7 + i)});
    return t;
}
void requireSameRun(Evolution const& a, Evolution const& b) {
    REQUIRE(a.population().size() == b.population().size());
    for (std::size_t i = 0; i < a.population().size(); ++i) {
        INFO("slot " << i);
        CHECK(a.population()[i].tree == b.population()[i].tree);
        CHECK(a.population()[i].fitness == b.population()[i].fitness);
    }
    CHECK(a.best().tree == b.best().tree);
    CHECK(a.best().trainTau == b.best().trainTau);
    CHECK(a.evaluations() == b.evaluations());
    CHECK(a.nodeEvaluations() == b.nodeEvaluations());
    CHECK(a.pruned() == b.pruned());
}
}  // namespace

TEST_CASE("evolution: the same seed gives identical results with 1 and 2 threads", "[engine]") {
    Evolution one(syntheticTasks(), smallConfig(1));
    Evolution two(syntheticTasks(), smallConfig(2));
    one.run();
    two.run();
    requireSameRun(one, two);
    CHECK(one.best().valid);
    // LayerVector terminals are in use in the population (the typed operators are exercised)
    bool anyLayer = false;
    for (auto const& ind : one.population()) anyLayer |= ind.tree.hasTerminal(Opcode::LayerVar);
    CHECK(anyLayer);
    // a different seed gives a different run
    auto other = smallConfig(1);
    other.seed = 4;
    Evolution three(syntheticTasks(), other);
    three.run();
    CHECK_FALSE(three.population()[5].tree == one.population()[5].tree);
}

TEST_CASE("evolution: checkpoint and resume reproduce the uninterrupted run", "[engine]") {
    auto dir = std::filesystem::temp_directory_path() / "zcgp_engine_ckpt_test";
    std::filesystem::create_directories(dir);
    auto file = dir / "checkpoint.json";
    Evolution straight(syntheticTasks(2), smallConfig(2));
    straight.run();

    auto firstHalf = smallConfig(2);
    firstHalf.generations = 4;
    {
        Evolution a(syntheticTasks(2), firstHalf);
        a.setCheckpoint(file, 2);
        a.run();
        REQUIRE(std::filesystem::exists(file));
        CHECK_FALSE(std::filesystem::exists(file.string() + ".tmp"));
    }
    Evolution resumed(syntheticTasks(2), smallConfig(1));  // thread count may differ on resume
    resumed.loadCheckpoint(file);
    CHECK(resumed.generation() == 4);
    resumed.run();
    CHECK(resumed.generation() == 8);
    requireSameRun(straight, resumed);
    CHECK(straight.hallOfFame().size() == resumed.hallOfFame().size());

    auto wrong = smallConfig(1);
    wrong.seed = 99;
    Evolution mismatch(syntheticTasks(2), wrong);
    CHECK_THROWS_WITH(mismatch.loadCheckpoint(file), Catch::Contains("another seed"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("evolution: pruning counters, finiteness everywhere, Pareto front, multi-task", "[engine]") {
    auto cfg = smallConfig(2);
    cfg.generations = 10;
    cfg.constantProbability = 0.4;  // many constants: provokes constant and redundant trees
    Evolution evo(syntheticTasks(2), cfg);
    evo.run();
    auto const& p = evo.pruned();
    CHECK(p[static_cast<std::size_t>(PruneRule::DuplicateRanking)] > 0);
    CHECK(p[static_cast<std::size_t>(PruneRule::Redundant)] + p[static_cast<std::size_t>(PruneRule::NoTerminal)] > 0);
    // every valid individual is finite on every architecture of every task (train and held-out)
    for (auto const& ind : evo.population()) {
        if (!ind.valid) continue;
        auto a = evo.assess(ind.tree);
        CHECK(a.finite);
        CHECK(a.trainTau.size() == 2);
        CHECK(a.train == Approx((a.trainTau[0] + a.trainTau[1]) / 2));
        CHECK(ind.trainTau == Approx(a.train));  // raw fitness is the train tau, kept apart from the penalty
        CHECK(ind.fitness == Approx(ind.trainTau - cfg.parsimony * static_cast<double>(ind.tree.size())));
    }
    // Pareto front: sizes increase, train tau strictly increases
    auto front = evo.pareto();
    REQUIRE_FALSE(front.empty());
    for (std::size_t i = 1; i < front.size(); ++i) {
        CHECK(front[i].tree.size() > front[i - 1].tree.size());
        CHECK(front[i].trainTau > front[i - 1].trainTau);
    }
    // train/test split: disjoint, covering every architecture
    for (std::size_t t = 0; t < 2; ++t) {
        CHECK(evo.train(t).size() == cfg.trainArchs);
        CHECK(evo.train(t).size() + evo.test(t).size() == evo.tasks()[t].data.rows());
    }
}

TEST_CASE("evolution: every rejected offspring is counted once, under its rule, structural ones unevaluated", "[engine]") {
    // With no retries every bred slot makes exactly one attempt per generation, so the counters can be checked
    // against the population they produced: each rejected individual (valid == false) is exactly one prune; the
    // trees a structural rule rejects (recomputed here with structuralRule) are counted under that rule; the
    // accepted ones were evaluated on every task, and a structurally rejected one on none.
    auto cfg = smallConfig(2);
    cfg.generations = 10;
    cfg.maxRetries = 0;
    cfg.constantProbability = 0.4;  // many constants: provokes NoTerminal and Redundant trees
    Evolution evo(syntheticTasks(2), cfg);
    auto const tasks = evo.tasks().size();
    auto const structural = {PruneRule::NoTerminal, PruneRule::Limit, PruneRule::Redundant};
    auto const sum = [](PruneCounts const& c) { return std::accumulate(c.begin(), c.end(), std::uint64_t{0}); };
    PruneCounts before{};
    std::uint64_t evaluationsBefore = 0;
    std::size_t rejectedSeen = 0, structuralSeen = 0;
    for (std::size_t g = 0; g <= cfg.generations; ++g) {
        if (g == 0) {
            evo.initialize();
        } else {
            evo.step();
        }
        INFO("generation " << g);
        auto const& pop = evo.population();
        std::size_t const first = g == 0 ? 0 : cfg.elites;  // elites are copies, neither bred nor counted again
        for (std::size_t e = 0; e < first; ++e) REQUIRE(pop[e].valid);
        std::size_t rejected = 0, accepted = 0;
        PruneCounts byRule{};
        for (std::size_t i = first; i < pop.size(); ++i) {
            rejected += pop[i].valid ? 0 : 1;
            accepted += pop[i].valid ? 1 : 0;
            if (auto rule = structuralRule(pop[i].tree, evo.context())) {
                CHECK_FALSE(pop[i].valid);
                ++byRule[static_cast<std::size_t>(*rule)];
            }
        }
        PruneCounts delta{};
        for (std::size_t r = 0; r < PruneRuleCount; ++r) delta[r] = evo.pruned()[r] - before[r];
        CHECK(sum(delta) == rejected);
        std::uint64_t structuralRejected = 0;
        for (auto rule : structural) {
            INFO(toString(rule));
            CHECK(delta[static_cast<std::size_t>(rule)] == byRule[static_cast<std::size_t>(rule)]);
            structuralRejected += byRule[static_cast<std::size_t>(rule)];
        }
        // an accepted tree costs one fitness evaluation per task; a non-structural attempt at most one per task
        // for fitness and one per task for the all-architecture finiteness check
        auto const evaluations = evo.evaluations() - evaluationsBefore;
        CHECK(evaluations >= tasks * accepted);
        CHECK(evaluations <= 2 * tasks * (pop.size() - first - structuralRejected));
        rejectedSeen += rejected;
        structuralSeen += structuralRejected;
        before = evo.pruned();
        evaluationsBefore = evo.evaluations();
    }
    // the run did exercise rejection, structural and otherwise
    CHECK(structuralSeen > 0);
    CHECK(rejectedSeen > structuralSeen);
}

TEST_CASE("evolution: bad configurations are rejected with the flag named", "[engine]") {
    auto cfg = smallConfig(1);
    cfg.generations = 0;
    CHECK_THROWS_WITH(Evolution(syntheticTasks(), cfg), Catch::Contains("--generations"));
    cfg = smallConfig(1);
    cfg.trainArchs = 500;
    CHECK_THROWS_WITH(Evolution(syntheticTasks(), cfg), Catch::Contains("--train-archs"));
    cfg = smallConfig(1);
    cfg.selector = "tournament:0";
    CHECK_THROWS_WITH(Evolution(syntheticTasks(), cfg), Catch::Contains("--selector"));
}

TEST_CASE("evolution: repeated multi-task runs with 2 threads are identical", "[engine]") {
    Evolution a(syntheticTasks(2), smallConfig(2));
    a.run();
    for (int k = 0; k < 3; ++k) {
        Evolution b(syntheticTasks(2), smallConfig(k == 0 ? 1 : 2));
        b.run();
        requireSameRun(a, b);
    }
}

TEST_CASE("evolution: a formula that overflows only on held-out architectures never reaches the best, the hall or "
          "the cost front", "[engine]") {
    // `spike` is an ordinary column on the train architectures and 1e200 on ten held-out ones, so spike * spike and
    // everything built on it is finite on train (fitness accepts it) and infinite there. The target follows spike.
    auto cfg = smallConfig(2);
    cfg.generations = 12;
    auto base = test::syntheticDataset(80, 11);
    std::vector<std::size_t> heldOut;
    {
        Evolution probe({{"synthetic/spike", base}}, cfg);
        heldOut.assign(probe.test(0).begin(), probe.test(0).begin() + 10);
    }
    std::mt19937_64 rng(5);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<double> spike(80), y(80);
    for (std::size_t i = 0; i < 80; ++i) {
        spike[i] = g(rng);
        y[i] = spike[i] + 0.2 * g(rng);
    }
    for (auto r : heldOut) spike[r] = 1e200;
    primitives::Dataset d(base.archKeys());
    d.addScalar("alpha", base.scalar(0));
    d.addScalar("spike", spike);
    d.setTarget(y);
    Task task{"synthetic/spike", d};
    task.proxySeconds = {{"alpha", 0.1}, {"spike", 0.5}};
    Evolution evo({task}, cfg);
    REQUIRE(std::vector<std::size_t>(evo.test(0).begin(), evo.test(0).begin() + 10) == heldOut);  // same split
    evo.run();
    REQUIRE(evo.costed());
    CHECK(evo.pruned()[static_cast<std::size_t>(PruneRule::NonFinite)] > 0);
    REQUIRE(evo.best().valid);
    CHECK(evo.assess(evo.best().tree).finite);
    REQUIRE_FALSE(evo.hallOfFame().empty());
    for (auto const& [size, ind] : evo.hallOfFame()) {
        INFO("hall of fame, size " << size << ": " << evo.format(ind.tree));
        CHECK(evo.assess(ind.tree).finite);
    }
    REQUIRE_FALSE(evo.costFront().empty());
    for (auto const& [cost, ind] : evo.costFront()) {
        INFO("cost front, cost " << cost << ": " << evo.format(ind.tree));
        CHECK(evo.assess(ind.tree).finite);
    }
}
