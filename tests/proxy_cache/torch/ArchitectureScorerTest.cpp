// Native LibTorch scoring: NB201 networks against the suite's params/flops, key parsing and errors, seeded
// determinism, statistics shapes and their consistency with the proxies.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "ProxyReference.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace pc = zcgp::proxy_cache;

namespace {

pc::ScorerOptions countingOptions(std::string const& dataset) {
    pc::ScorerOptions o;
    o.dataset = dataset;
    o.dataDir = zcgp::test::dataDir();
    o.batchSize = 2;
    o.device = "cpu";
    o.proxies = {"params", "flops"};
    o.statistics = false;
    return o;
}

// Checks params and flops of every stride-th architecture of each NB201 task against the stored values.
std::size_t checkCounts(std::size_t stride) {
    auto tables = pc::loadSuiteFile(zcgp::test::requireData("nbsz/zc_nasbench201.json"), pc::SearchSpace::NB201);
    REQUIRE(tables.size() == 3);
    std::size_t checked = 0;
    for (auto const& table : tables) {
        pc::ArchitectureScorer scorer(countingOptions(table.task));
        auto params = table.column("params");
        auto flops = table.column("flops");
        for (std::size_t i = 0; i < table.size(); i += stride) {
            auto m = scorer.measure(table.archs[i].key);
            INFO(table.task << ' ' << table.archs[i].key);
            CHECK(m.proxies.at("params") == Approx(params[i]).epsilon(1e-6));
            CHECK(m.proxies.at("flops") == Approx(flops[i]).epsilon(1e-6));
            ++checked;
        }
    }
    return checked;
}

std::size_t weightLayerCount(pc::Nb201Cell const& cell) {
    auto convs = static_cast<std::size_t>(std::count_if(cell.begin(), cell.end(), [](int op) { return op == 2 || op == 3; }));
    return 1 + 15 * convs + 2 * 3 + 1;  // stem, cells, two reduction blocks (conv_a, conv_b, downsample), classifier
}

}  // namespace

TEST_CASE("NB201 params and flops equal the suite's values on all three datasets", "[proxy_cache][torch]") {
    CHECK(checkCounts(60) >= 36);
}

TEST_CASE("NB201 params and flops equal the suite's values for every stored architecture", "[proxy_cache][torch][.]") {
    CHECK(checkCounts(1) == 2174);
}

TEST_CASE("NB201 keys: NASLib tuples list edges by source node, strings by target node", "[proxy_cache][torch]") {
    auto cell = pc::parseNb201Cell("(0, 1, 3, 1, 1, 1)");
    CHECK(cell == pc::Nb201Cell{0, 1, 3, 1, 1, 1});
    // Tuple position 2 is edge 3<-0, position 3 is edge 2<-1.
    CHECK(pc::nb201ArchString(cell) == "|skip_connect~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|none~2|");
    CHECK(pc::parseNb201Cell(pc::nb201ArchString(cell)) == cell);
    auto fromString = pc::parseNb201Cell("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|");
    CHECK(pc::nb201TupleKey(fromString) == "(4, 0, 3, 1, 4, 3)");
}

TEST_CASE("NB201 keys, datasets and proxies: errors name what is wrong", "[proxy_cache][torch]") {
    auto message = [](auto&& f) {
        try {
            f();
        } catch (std::invalid_argument const& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(message([] { (void)pc::parseNb201Cell("(0, 2, 3)"); }), Catch::Contains("(0, 2, 3)") && Catch::Contains("expected 6"));
    CHECK_THAT(message([] { (void)pc::parseNb201Cell("(0, 2, 3, 2, 3, 7)"); }), Catch::Contains("unknown op index 7"));
    CHECK_THAT(message([] { (void)pc::parseNb201Cell("(0, 2, x, 2, 3, 1)"); }), Catch::Contains("'x'"));
    CHECK_THAT(message([] { (void)pc::parseNb201Cell("|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|"); }),
               Catch::Contains("unknown op 'conv_5x5'"));
    CHECK_THAT(message([] { (void)pc::datasetSpec("svhn"); }), Catch::Contains("unknown dataset 'svhn'"));
    CHECK_THAT(message([] { (void)pc::parseProxyList("snip,zico"); }), Catch::Contains("unknown proxy 'zico'"));
    CHECK(pc::parseProxyList("all").size() == 13);

    auto o = countingOptions("cifar10");
    pc::ArchitectureScorer scorer(o);
    CHECK_THROWS_WITH(scorer.measure("(0, 2, 3, 2, 3, 9)"), Catch::Contains("(0, 2, 3, 2, 3, 9)"));
    o.dataset = "mnist";
    CHECK_THROWS_AS(pc::ArchitectureScorer(o), std::invalid_argument);
    o = countingOptions("cifar10");
    o.space = "nb301";
    CHECK_THROWS_WITH(pc::ArchitectureScorer(o), Catch::Contains("nb301"));
}

TEST_CASE("zcgp score reports a bad architecture and exits non-zero", "[proxy_cache][torch]") {
    auto cmd = zcgp::test::cliPath().string() + " score --data " + zcgp::test::dataDir().string() +
               " --arch '(0, 2, 3, 2, 3, 5)' --proxies params > /dev/null 2>&1";
    int status = std::system(cmd.c_str());
    CHECK(status != 0);
    auto bad = zcgp::test::cliPath().string() + " score --data " + zcgp::test::dataDir().string() +
               " --arch '(0, 2, 3, 2, 3, 1)' --proxies snip,zico > /dev/null 2>&1";
    CHECK(std::system(bad.c_str()) != 0);
}

TEST_CASE("Scores are a function of the seed", "[proxy_cache][torch]") {
    pc::ScorerOptions o;
    o.dataDir = zcgp::test::dataDir();
    o.batchSize = 8;
    o.device = "cpu";
    o.statistics = false;
    std::string const arch = "(2, 3, 4, 0, 2, 1)";
    pc::ArchitectureScorer a(o);
    pc::ArchitectureScorer b(o);
    auto ma = a.measure(arch);
    auto mb = b.measure(arch);
    auto again = a.measure(arch);
    REQUIRE(ma.proxies.size() == 13);
    for (auto const& [name, value] : ma.proxies) {
        INFO(name);
        // measure() stores a non-finite proxy as the sentinel, so "finite" means "not the sentinel"
        CHECK(value != zcgp::test::kNonFiniteScore);
        CHECK(value == Approx(mb.proxies.at(name)).epsilon(1e-9));
        CHECK(value == Approx(again.proxies.at(name)).epsilon(1e-9));
    }
    o.seed = 1;
    pc::ArchitectureScorer c(o);
    auto mc = c.measure(arch);
    for (auto const& name : {"snip", "grad_norm", "nwot", "jacov", "zen"}) {
        INFO(name);
        CHECK(mc.proxies.at(name) != Approx(ma.proxies.at(name)).epsilon(1e-9));
    }
    // Data-free counts do not depend on the seed.
    CHECK(mc.proxies.at("params") == ma.proxies.at("params"));
    CHECK(mc.proxies.at("flops") == ma.proxies.at("flops"));
}

TEST_CASE("Statistics: same names and order for every architecture, one value per layer or node", "[proxy_cache][torch]") {
    // The per-layer terms are checked against the independent PyTorch proxies of the reference script (not the
    // scorer's own proxies, which are summed in the same loop): the same weights, batch and seed
    auto o = zcgp::test::proxyReferenceOptions();
    o.statistics = true;
    o.proxies = {"snip", "grad_norm", "fisher", "l2_norm", "plain", "grasp", "synflow"};
    pc::ArchitectureScorer scorer(o);
    auto const live = zcgp::test::liveProxyReference(scorer, {"(2, 3, 4, 0, 2, 1)", "(4, 4, 4, 4, 4, 4)"});
    std::vector<std::string> names;
    std::size_t checked = 0;
    for (auto const& row : live.at("archs")) {
        std::string const arch = row.at("arch");
        if (arch != "(2, 3, 4, 0, 2, 1)" && arch != "(4, 4, 4, 4, 4, 4)") continue;  // 3 and 0 conv edges per cell
        ++checked;
        auto m = scorer.measure(arch);
        INFO(arch);
        REQUIRE(m.statistics.size() == 20);
        std::vector<std::string> these;
        auto layers = weightLayerCount(pc::parseNb201Cell(arch));
        std::map<std::string, double> sums;
        for (auto const& s : m.statistics) {
            these.push_back(s.name);
            INFO(s.name);
            CHECK(s.values.size() == (s.name.rfind("node_", 0) == 0 ? 45U : layers));
            double sum = 0.0;
            for (double v : s.values) {
                sum += v;
            }
            sums[s.name] = sum;
        }
        if (names.empty()) {
            names = these;
        }
        CHECK(these == names);
        // The per-layer terms add up to the reference's proxies (tolerances: ProxyReference.hpp).
        auto const& ref = row.at("proxies");
        auto const& absTerms = row.at("abs_terms");
        auto const near = [&](double value, std::string const& proxy) {
            INFO(proxy << ": per-layer sum " << value << ", reference " << ref.at(proxy).get<double>());
            double const expected = ref.at(proxy).get<double>();
            CHECK(std::abs(value - expected) <= zcgp::test::proxyTolerance(proxy, expected, absTerms));
        };
        near(sums["snip_layer"], "snip");
        near(sums["grad_l2"], "grad_norm");
        near(sums["fisher_layer"], "fisher");
        near(sums["weight_l2"], "l2_norm");
        near(sums["plain_layer"], "plain");
        near(sums["grasp_layer"], "grasp");
        near(std::log(sums["synflow_layer"]), "synflow");
    }
    CHECK(checked == 2);
    CHECK(names.size() == 20);
}

TEST_CASE("A degenerate cell (every edge 'none') is scored, not an error", "[proxy_cache][torch]") {
    pc::ScorerOptions o;
    o.dataDir = zcgp::test::dataDir();
    o.batchSize = 4;
    o.device = "cpu";
    pc::ArchitectureScorer scorer(o);
    auto const m = scorer.measure("(1, 1, 1, 1, 1, 1)");
    REQUIRE(m.proxies.size() == 13);
    CHECK(m.proxies.at("params") > 0.0);  // stem, reductions and head still have weights
    CHECK(m.proxies.at("synflow") == 0.0);  // no path from input to output through the cells
    // The non-finite proxies of this cell are stored as the sentinel (NASLib's -1e8), exactly: the logits do not
    // depend on the input, so the Jacobian is zero and its correlation matrix 0/0 (jacov, epe_nas); every sample has
    // the same ReLU codes after the cells, so the NWOT kernel is singular (log 0); and zen's perturbed features
    // equal the unperturbed ones (log 0). The finite ones stay finite.
    for (auto const* name : {"jacov", "epe_nas", "nwot", "zen"}) {
        INFO(name);
        CHECK(m.proxies.at(name) == zcgp::test::kNonFiniteScore);
    }
    for (auto const* name : {"params", "flops", "l2_norm", "fisher", "grad_norm", "snip", "plain", "grasp", "synflow"}) {
        INFO(name);
        CHECK(m.proxies.at(name) != zcgp::test::kNonFiniteScore);
    }
}

TEST_CASE("A proxy's value does not depend on which other proxies are measured with it, nor in what order",
          "[proxy_cache][torch]") {
    // synflow takes |W| of every parameter and zen re-draws the weights: both must leave the network that the
    // other proxies (and each other) see untouched. Measured alone, in a subset, in another order, or with the
    // statistics, each proxy must be bit-identical.
    pc::ScorerOptions o;
    o.dataDir = zcgp::test::dataDir();
    o.batchSize = 4;
    o.device = "cpu";
    o.statistics = true;
    std::string const arch = "(2, 3, 4, 0, 2, 1)";
    auto const all = pc::ArchitectureScorer(o).measure(arch);
    REQUIRE(all.proxies.size() == 13);
    o.statistics = false;
    for (std::vector<std::string> subset : {std::vector<std::string>{"zen"}, {"synflow", "zen", "snip"}}) {
        o.proxies = subset;
        auto const some = pc::ArchitectureScorer(o).measure(arch);
        REQUIRE(some.proxies.size() == subset.size());
        for (auto const& name : subset) {
            INFO(name << " measured with " << subset.size() - 1 << " others");
            CHECK(some.proxies.at(name) == all.proxies.at(name));
        }
    }
    // and one scorer measuring other architectures in between gives the same values again
    o.proxies = {};
    o.statistics = true;
    pc::ArchitectureScorer scorer(o);
    (void)scorer.measure("(4, 4, 4, 4, 4, 4)");
    auto const again = scorer.measure(arch);
    CHECK(again.proxies == all.proxies);
    REQUIRE(again.statistics.size() == all.statistics.size());
    for (std::size_t s = 0; s < all.statistics.size(); ++s) {
        INFO(all.statistics[s].name);
        CHECK(again.statistics[s].values == all.statistics[s].values);
    }
}

// The fused batch-norm second derivative (src/torch/BatchNorm.cpp) against LibTorch's own double backward
// (ScorerOptions::fusedBatchNorm = false), at the benchmark's batch of 64 on real CIFAR-10 images. The first backward
// is LibTorch's kernel in both, so every first-order value is bit for bit the same. GraSP, the only second-order
// proxy, differs by float32 rounding: measured 1.8e-5 of the sum of the layers' |terms| at most. For scale, float32
// GraSP itself is 0.07-0.14% of that sum away from a float64 computation (docs/proxies.md), and leaving out one of
// the closed form's terms moves it by far more than the tolerance here.
TEST_CASE("The fused batch-norm double backward gives LibTorch's GraSP, and every other value bit for bit",
          "[proxy_cache][torch]") {
    pc::ScorerOptions o;
    o.dataDir = zcgp::test::dataDir();
    o.device = "cpu";
    o.batchSize = 64;
    o.statisticNames = {"grasp_layer", "grad_l2", "snip_layer", "fisher_layer", "act_mean"};
    auto plain = o;
    plain.fusedBatchNorm = false;
    pc::ArchitectureScorer fused(o), reference(plain);
    double worst = 0.0;
    for (std::string const arch : {"(0, 2, 3, 2, 3, 1)", "(3, 0, 1, 4, 3, 2)", "(3, 3, 3, 3, 3, 3)"}) {
        INFO(arch);
        auto const a = fused.measure(arch);
        auto const b = reference.measure(arch);
        for (auto const& [name, value] : b.proxies) {
            INFO(name);
            if (name != "grasp") CHECK(a.proxies.at(name) == value);
        }
        REQUIRE(a.statistics.size() == b.statistics.size());
        for (std::size_t s = 0; s < b.statistics.size(); ++s) {
            auto const& name = b.statistics[s].name;
            INFO(name);
            REQUIRE(a.statistics[s].name == name);
            if (name != "grasp_layer") {
                CHECK(a.statistics[s].values == b.statistics[s].values);
                continue;
            }
            auto const& x = a.statistics[s].values;
            auto const& y = b.statistics[s].values;
            REQUIRE(x.size() == y.size());
            double absTerms = 0.0, sum = 0.0;
            for (double const v : y) absTerms += std::abs(v), sum += v;
            REQUIRE(absTerms > 0.0);
            for (std::size_t l = 0; l < y.size(); ++l) {
                INFO("layer " << l);
                worst = std::max(worst, std::abs(x[l] - y[l]) / absTerms);
                CHECK(std::abs(x[l] - y[l]) <= 1e-4 * absTerms);
            }
            CHECK(std::abs(a.proxies.at("grasp") - b.proxies.at("grasp")) <= 1e-4 * absTerms);
            CHECK(b.proxies.at("grasp") == Approx(sum).epsilon(1e-12));
        }
    }
    INFO("largest difference of a layer's GraSP term, relative to the sum of |terms|: " << worst);
    CHECK(worst > 0.0);  // the comparison ran on values that differ in rounding, not on one path twice
}
