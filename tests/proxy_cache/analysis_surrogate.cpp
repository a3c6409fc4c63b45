// XGBoost surrogates through the C API (zcgp::analysis, Surrogate.hpp) on the real suite data, against the
// suite's published runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>

#include "TestData.hpp"
#include "zcgp/analysis/Surrogate.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace an = zcgp::analysis;

namespace {
an::SurrogateData zcData(std::string const& task) {
    static auto const benchmark = zcgp::proxy_cache::Benchmark::load(zcgp::test::requireData(""));
    zcgp::tasks::ConversionReport report;
    an::SurrogateData d;
    d.task = task;
    d.terminals = zcgp::tasks::datasetFromTable(benchmark.task(task), {}, report);
    d.zc = d.terminals.scalars();
    auto const t = d.terminals.target();
    d.accuracy.assign(t.begin(), t.end());
    return d;
}
}  // namespace

TEST_CASE("surrogate splits are disjoint, seeded and the same for every feature set", "[proxy_cache]") {
    auto const [train, test] = an::surrogateSplit(100, 30, 50, 4);
    REQUIRE(train.size() == 30);
    REQUIRE(test.size() == 50);
    std::set<std::size_t> all(train.begin(), train.end());
    all.insert(test.begin(), test.end());
    CHECK(all.size() == 80);
    CHECK(an::surrogateSplit(100, 30, 50, 4) == std::make_pair(train, test));
    CHECK(an::surrogateSplit(100, 30, 50, 5).first != train);
    CHECK(an::surrogateSplit(100, 30, 0, 4).second.size() == 70);  // 0: every other architecture
    CHECK_THROWS(an::surrogateSplit(10, 10, 0, 0));
}

TEST_CASE("XGBoost on the 13 proxies, 400 train / 200 test, matches the suite's published runs", "[proxy_cache]") {
    REQUIRE(an::xgboostAvailable());
    an::SurrogateOptions o;
    o.trainSizes = {400};
    o.seeds = 3;
    o.testArchs = 200;
    o.featureSets = {an::kZc};
    // NAS-Bench-Suite-Zero (PlotXGBCorrelations): 0.794 on nb201/cifar10, 0.409 on nb301/cifar10
    auto const nb201 = an::runSurrogate(zcData("nb201/cifar10"), o);
    REQUIRE(nb201.cells.size() == 1);
    REQUIRE(nb201.cells[0][0].taus.size() == 3);
    CHECK(*nb201.cells[0][0].meanTau == Approx(0.794).margin(0.02));
    auto const nb301 = an::runSurrogate(zcData("nb301/cifar10"), o);
    CHECK(*nb301.cells[0][0].meanTau == Approx(0.409).margin(0.03));
    // without an encoding the encoding sets are reported, not run
    o.featureSets = {an::kEncoding, an::kZc};
    o.trainSizes = {50, 5000};
    o.seeds = 1;
    auto const r = an::runSurrogate(zcData("nb201/cifar10"), o);
    CHECK(r.skippedSizes == std::vector<std::size_t>{5000});
    CHECK_FALSE(r.cells[0][0].meanTau.has_value());
    CHECK_FALSE(r.cells[0][0].note.empty());
    CHECK(r.cells[0][1].meanTau.has_value());
}

TEST_CASE("XgbRegressor fits a step function and predicts it back", "[proxy_cache]") {
    Eigen::MatrixXd x(40, 1);
    std::vector<double> y(40);
    for (int i = 0; i < 40; ++i) {
        x(i, 0) = i;
        y[static_cast<std::size_t>(i)] = i < 20 ? 1.0 : 5.0;
    }
    an::XgbRegressor model(an::XgbParams{50});
    model.fit(x, y);
    auto const p = model.predict(x);
    CHECK(p[3] == Approx(1.0).margin(0.05));
    CHECK(p[33] == Approx(5.0).margin(0.05));
    CHECK_THROWS(model.fit(x, std::vector<double>(3, 0.0)));
}
