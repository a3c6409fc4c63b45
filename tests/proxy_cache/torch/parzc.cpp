// ParZC library: the NB201 layer slots, DiffKendall against the exact Kendall tau (fitness::kendallTau, itself
// tested against scipy), its gradient, deterministic training and the model file, on real data.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <set>

#include "ParzcCache.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/ParZC.hpp"

namespace pc = zcgp::proxy_cache;
namespace pz = zcgp::proxy_cache::parzc;

namespace {

// NB201 CIFAR-10 and CIFAR-100 test accuracies of the first cells whose values are distinct in both columns.
void untiedAccuracies(std::size_t n, std::vector<double>& a, std::vector<double>& b) {
    auto const table = pc::Nb201Accuracy::load(zcgp::test::requireData("nb201").parent_path());
    std::set<double> seenA, seenB;
    for (auto const& e : table.entries()) {
        if (seenA.count(e.accuracy[0]) != 0U || seenB.count(e.accuracy[1]) != 0U) continue;
        seenA.insert(e.accuracy[0]), seenB.insert(e.accuracy[1]);
        a.push_back(e.accuracy[0]), b.push_back(e.accuracy[1]);
        if (a.size() == n) return;
    }
}

pz::TrainOptions quickOptions(std::uint64_t seed) {
    pz::TrainOptions o;
    o.epochs = 2;
    o.batchSize = 8;
    o.seed = seed;
    o.samples = 4;
    o.device = "cpu";
    return o;
}

// The test cache's features, its first 16 rows (small: LibTorch on the reference BLAS is slow, docs/parzc.md) and
// their NB201 CIFAR-10 accuracies.
struct FirstSixteen {
    pc::StatisticsCache cache;
    pz::FeatureMatrix all, f;
    std::vector<double> y;
};
FirstSixteen firstSixteen() {
    auto cache = pc::StatisticsCache::read(zcgp::test::parzcTestCache());
    auto all = pz::buildFeatures(cache, pz::defaultKinds());
    std::vector<std::size_t> first(16);
    std::iota(first.begin(), first.end(), 0);
    auto f = all.subset(first);
    auto y = pz::nb201Targets(f.keys, "cifar10", zcgp::test::requireData("nb201").parent_path());
    return {std::move(cache), std::move(all), std::move(f), std::move(y)};
}

}  // namespace

TEST_CASE("ParZC layer slots: every NB201 cell maps its 1 + 15c + 7 layers onto 98 distinct slots in order",
          "[proxy_cache][parzc]") {
    auto const none = pz::nb201LayerSlots("(1, 1, 1, 1, 1, 1)");  // no conv edge: stem, 2 x 3 reduction, classifier
    CHECK(none == std::vector<std::size_t>{0, 31, 32, 33, 64, 65, 66, 97});
    auto const full = pz::nb201LayerSlots("(2, 3, 2, 3, 2, 3)");
    std::vector<std::size_t> every(98);
    std::iota(every.begin(), every.end(), 0);
    CHECK(full == every);
    // (0, 2, ...): the second edge is the cell's only conv: slot 1 + 6 * cell + 1 (+3 after each reduction)
    auto const one = pz::nb201LayerSlots("(0, 2, 0, 1, 4, 1)");
    REQUIRE(one.size() == 1 + 15 + 7);
    CHECK(one[1] == 2);
    CHECK(one[6] == 31);               // after cells 0-4: the reduction block's conv_a
    CHECK(one[9] == 1 + 5 * 6 + 3 + 1);  // cell 5's conv
    CHECK(std::is_sorted(one.begin(), one.end()));
    CHECK_THROWS_AS(pz::nb201LayerSlots("(0, 2, 0)"), std::invalid_argument);
}

TEST_CASE("ParZC features of a real cache: each layer value lands in its slot, absent edges stay 0",
          "[proxy_cache][parzc]") {
    auto const cache = pc::StatisticsCache::read(zcgp::test::parzcTestCache());
    auto const f = pz::buildFeatures(cache, {"grad_l2", "node_act_std"});
    REQUIRE(f.rows() == cache.size());
    REQUIRE(f.cols == 98 + 45);
    auto const& grad = cache.statistic("grad_l2");
    auto const& node = cache.statistic("node_act_std");
    for (std::size_t a = 0; a < f.rows(); ++a) {
        auto const slots = pz::nb201LayerSlots(f.keys[a]);
        auto const row = f.row(a);
        REQUIRE(slots.size() == grad.row(a).size());
        for (std::size_t i = 0; i < slots.size(); ++i) CHECK(row[slots[i]] == grad.row(a)[i]);
        // a gradient norm is positive on a used layer; an unused slot is exactly 0
        std::size_t nonzero = 0;
        for (std::size_t s = 0; s < 98; ++s) nonzero += row[s] != 0.0 ? 1U : 0U;
        CHECK(nonzero <= slots.size());
        for (std::size_t i = 0; i < 45; ++i) CHECK(row[98 + i] == node.row(a)[i]);
    }
    auto const missing = zcgp::test::errorOf<pz::ParzcError>([&] { (void)pz::buildFeatures(cache, {"no_such_stat"}); });
    CHECK_THAT(missing, Catch::Contains("no statistic 'no_such_stat'") && Catch::Contains("grad_l2") &&
                            Catch::Contains(zcgp::test::parzcTestCache().filename().string()));
}

TEST_CASE("DiffKendall: -L/2 tends to the exact Kendall tau on untied real data as alpha grows",
          "[proxy_cache][parzc]") {
    std::vector<double> c10, c100;
    untiedAccuracies(300, c10, c100);
    REQUIRE(c10.size() == 300);
    double const tau = zcgp::fitness::kendallTau(c10, c100);
    REQUIRE(tau > 0.3);  // the two datasets agree, but far from perfectly: a real test of the pairing
    double const sharp = -pz::diffKendall(c10, c100, 1e7) / 2.0;
    CHECK(sharp == Approx(tau).margin(1e-3));
    // a soft alpha shrinks every pair's vote, never flips the sign of the sum here
    double const soft = -pz::diffKendall(c10, c100, 0.5) / 2.0;
    CHECK(soft > 0.0);
    CHECK(soft < sharp);
    // reversing one side negates it exactly
    std::vector<double> reversed(c100.size());
    std::transform(c100.begin(), c100.end(), reversed.begin(), [](double v) { return -v; });
    CHECK(pz::diffKendall(c10, reversed, 1e7) == Approx(-pz::diffKendall(c10, c100, 1e7)));
}

TEST_CASE("DiffKendall gradient: raising the best architecture's score lowers the loss, and autograd matches "
          "finite differences", "[proxy_cache][parzc]") {
    std::vector<double> c10, c100;
    untiedAccuracies(40, c10, c100);
    std::vector<double> p(c100.size());  // a poor predictor: CIFAR-100 accuracy scaled down
    std::transform(c100.begin(), c100.end(), p.begin(), [](double v) { return v / 20.0; });
    auto const g = pz::diffKendallGradient(p, c10, 0.5);
    auto const best = static_cast<std::size_t>(std::max_element(c10.begin(), c10.end()) - c10.begin());
    auto const worst = static_cast<std::size_t>(std::min_element(c10.begin(), c10.end()) - c10.begin());
    CHECK(g[best] < 0.0);
    CHECK(g[worst] > 0.0);
    for (std::size_t i : {best, worst, std::size_t{7}}) {
        auto up = p, down = p;
        double const h = 1e-5;
        up[i] += h, down[i] -= h;
        double const numeric = (pz::diffKendall(up, c10, 0.5) - pz::diffKendall(down, c10, 0.5)) / (2 * h);
        CHECK(g[i] == Approx(numeric).epsilon(1e-5).margin(1e-10));
    }
}

TEST_CASE("ParZC training is deterministic for a seed, and the saved model reproduces its predictions exactly",
          "[proxy_cache][parzc]") {
    auto const [cache, all, f, y] = firstSixteen();
    auto const split = pz::seededSplit(f.keys, 8, 0);
    auto const trainX = f.subset(split.train);
    std::vector<double> trainY;
    for (auto r : split.train) trainY.push_back(y[r]);
    std::size_t epochs = 0;
    auto const a = pz::Model::train(trainX, trainY, quickOptions(3), [&](pz::EpochLog const& e) {
        ++epochs;
        CHECK(std::isfinite(e.loss));
        CHECK(std::isnan(e.mseLoss));  // DiffKendall only
    });
    CHECK(epochs == 2);
    auto const b = pz::Model::train(trainX, trainY, quickOptions(3));
    auto const c = pz::Model::train(trainX, trainY, quickOptions(4));
    auto const pa = a.predict(f), pb = b.predict(f), pc2 = c.predict(f);
    CHECK(pa.mean == pb.mean);
    CHECK(pa.std == pb.std);
    CHECK(pa.mean != pc2.mean);
    // the Bayesian layers give a spread; a prediction is a pure function of (model, features, samples, seed)
    CHECK(*std::max_element(pa.std.begin(), pa.std.end()) > 0.0);
    CHECK(a.predict(f, 4, 9).mean != pa.mean);
    CHECK(a.predict(f, 4, 0).mean == pa.mean);

    zcgp::test::TempDir tmp;
    a.save(tmp.path / "model.pt");
    auto const loaded = pz::Model::load(tmp.path / "model.pt");
    auto const pl = loaded.predict(f);
    CHECK(pl.mean == pa.mean);
    CHECK(pl.std == pa.std);
    CHECK(loaded.kinds() == pz::defaultKinds());
    CHECK(loaded.options().seed == 3);
    // a model reads only features of its own kinds
    auto const other = pz::buildFeatures(cache, {"grad_l2"});
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { (void)loaded.predict(other); }),
               Catch::Contains("trained on [grad_l2,snip_layer,synflow_layer]"));
    zcgp::test::writeFile(tmp.path, "bad.pt", "not a torch archive");
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { (void)pz::Model::load(tmp.path / "bad.pt"); }),
               Catch::Contains("bad.pt") && Catch::Contains("not a ParZC model"));
}

TEST_CASE("ParZC splits: seeded split is a prefix-stable sample, and too few architectures are refused",
          "[proxy_cache][parzc]") {
    std::vector<std::string> keys;
    for (int i = 0; i < 10; ++i) keys.push_back("(" + std::to_string(i % 5) + ", 0, 0, 0, 0, " + std::to_string(i / 5) + ")");
    auto const s = pz::seededSplit(keys, 4, 1);
    CHECK(s.train.size() == 4);
    CHECK(s.test.size() == 6);
    CHECK(pz::seededSplit(keys, 4, 1).train == s.train);
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { (void)pz::seededSplit(keys, 9, 0); }),
               Catch::Contains("--train-archs 9") && Catch::Contains("10 architectures"));
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { (void)pz::splitFromKeys(keys, {"(4, 4, 4, 4, 4, 4)"}, "f.txt"); }),
               Catch::Contains("f.txt") && Catch::Contains("(4, 4, 4, 4, 4, 4)"));
}

TEST_CASE("the nb201 scorer measures only the statistics asked for, with the values of a full measurement",
          "[proxy_cache][parzc][search]") {
    pc::ScorerOptions o;
    o.dataDir = zcgp::test::dataDir();
    o.batchSize = 2;
    o.device = "cpu";
    o.proxies = {"params"};
    auto const key = std::string("(0, 2, 3, 2, 3, 1)");
    auto const full = pc::ArchitectureScorer(o).measure(key);
    REQUIRE(full.statistics.size() == pc::statisticNames().size());
    o.statisticNames = {"synflow_layer", "grad_l2", "node_act_std"};
    auto const some = pc::ArchitectureScorer(o).measure(key);
    REQUIRE(some.statistics.size() == 3);
    // in statisticNames' order, bit for bit the full measurement's values
    std::vector<std::string> names;
    for (auto const& s : some.statistics) {
        names.push_back(s.name);
        auto const it = std::find_if(full.statistics.begin(), full.statistics.end(),
                                     [&](pc::LayerStatistic const& f) { return f.name == s.name; });
        REQUIRE(it != full.statistics.end());
        CHECK(s.values == it->values);
    }
    CHECK(names == std::vector<std::string>{"grad_l2", "synflow_layer", "node_act_std"});
    CHECK(some.proxies.size() == 1);
    o.statisticNames = {"grad_l2", "no_such_stat"};
    CHECK_THAT(zcgp::test::errorOf<std::invalid_argument>([&] { (void)pc::ArchitectureScorer(o); }),
               Catch::Contains("no statistic 'no_such_stat'"));
}

TEST_CASE("ParZC search objective: a measured cell scores as the model predicts its cached statistics",
          "[proxy_cache][parzc][search]") {
    auto const [cache, all, f, y] = firstSixteen();
    auto const model = pz::Model::train(f, y, quickOptions(5));
    zcgp::test::TempDir tmp;
    model.save(tmp.path / "model.pt");
    // the scorer with the cache's settings and only the model's statistics, as zcgp search --objective parzc runs it
    pc::ScorerOptions o;
    o.dataDir = zcgp::test::dataDir();
    o.dataset = cache.options().dataset;
    o.batchSize = static_cast<int>(cache.options().batchSize);
    o.seed = cache.options().seed;
    o.device = "cpu";
    o.proxies = {"params"};
    pz::SearchObjective const mean(pz::Model::load(tmp.path / "model.pt"), 0.0, 6);
    pz::SearchObjective const bonus(pz::Model::load(tmp.path / "model.pt"), 2.0, 6);
    o.statisticNames = mean.statistics();
    CHECK(mean.statistics() == pz::defaultKinds());
    pc::ArchitectureScorer scorer(o);
    std::vector<std::size_t> probe{0, 20};  // a train cell and a held-out one
    for (std::size_t i = 0; i < probe.size(); ++i) {
        // the model's prediction of that one row: OpenBLAS picks its float32 GEMM kernel by shape and by CPU (on an
        // AMD AVX2 machine one row and a batch of two differ by 3e-7 relative), so the reference has the search's shape
        std::array<std::size_t, 1> const one{probe[i]};
        auto const expected = model.predict(all.subset(one), 6, 0);
        auto const m = scorer.measure(all.keys[probe[i]]);
        // the measurement lays out exactly as the cache's row
        auto const row = pz::measuredFeatures(std::span<pc::ArchitectureMeasurement const>(&m, 1), mean.statistics());
        REQUIRE(row.cols == all.cols);
        CHECK(std::vector<double>(row.row(0).begin(), row.row(0).end()) ==
              std::vector<double>(all.row(probe[i]).begin(), all.row(probe[i]).end()));
        auto const s0 = mean.score(m), s2 = bonus.score(m);
        CHECK(s0.mean == expected.mean[0]);
        CHECK(s0.std == expected.std[0]);
        CHECK(s0.value == s0.mean);
        CHECK(s2.value == s0.mean + 2.0 * s0.std);
        CHECK(s0.std > 0.0);
    }
    // a negative bonus, and a model reading a statistic no scorer measures, are refused
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { pz::SearchObjective(pz::Model::load(tmp.path / "model.pt"), -1.0); }),
               Catch::Contains("uncertainty bonus -1"));
    auto renamed = f;
    renamed.kinds = {"grad_l2", "snip_layer", "made_up_stat"};
    auto foreign = pz::Model::train(renamed, y, quickOptions(5));
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { pz::SearchObjective(std::move(foreign), 0.0); }),
               Catch::Contains("'made_up_stat'") && Catch::Contains("grad_l2"));
    // a measurement without a statistic the model reads names both
    auto m = scorer.measure(all.keys[0]);
    m.statistics.pop_back();
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { (void)mean.score(m); }),
               Catch::Contains(all.keys[0]) && Catch::Contains("synflow_layer"));
}

TEST_CASE("ParZC training resumed from a checkpoint ends with the model of an uninterrupted training",
          "[proxy_cache][parzc][resume]") {
    auto const [cache, all, f, y] = firstSixteen();
    auto options = quickOptions(7);
    options.epochs = 3;
    zcgp::test::TempDir tmp;
    std::vector<pz::EpochLog> straight, resumed;
    pz::Checkpointing const fresh{tmp.path / "a.pt", false};
    auto const a = pz::Model::train(f, y, options, [&](pz::EpochLog const& e) { straight.push_back(e); }, &fresh);
    // interrupted after epoch 1 (the checkpoint is written before onEpoch runs), then resumed
    struct Kill {};
    pz::EpochLog killed;
    pz::Checkpointing const first1{tmp.path / "b.pt", false};
    CHECK_THROWS_AS(pz::Model::train(f, y, options, [&](pz::EpochLog const& e) {
        killed = e;
        if (e.epoch == 1) throw Kill{};
    }, &first1), Kill);
    pz::Checkpointing const resume{tmp.path / "b.pt", true};
    auto const b = pz::Model::train(f, y, options, [&](pz::EpochLog const& e) { resumed.push_back(e); }, &resume);
    REQUIRE(straight.size() == 3);
    REQUIRE(resumed.size() == 3);  // epoch 1 replayed from the checkpoint, 2 and 3 trained
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(resumed[i].epoch == i + 1);
        CHECK(resumed[i].loss == straight[i].loss);
        CHECK(resumed[i].trainTau == straight[i].trainTau);
    }
    // epoch 1 was not trained again: its log is the interrupted run's, clock included
    CHECK(resumed[0].seconds == killed.seconds);
    CHECK(resumed[2].seconds >= killed.seconds);
    auto const pa = a.predict(f), pb = b.predict(f);
    CHECK(pa.mean == pb.mean);
    CHECK(pa.std == pb.std);
    // a checkpoint of another model is refused, naming the file
    auto other = f;
    other.kinds = {"grad_l2", "snip_layer", "plain_layer"};
    pz::Checkpointing const wrong{tmp.path / "a.pt", true};
    CHECK_THAT(zcgp::test::errorOf<pz::ParzcError>([&] { (void)pz::Model::train(other, y, options, {}, &wrong); }),
               Catch::Contains("a.pt") && Catch::Contains("plain_layer"));
}
