// The binned entropy estimator of NAS-Bench-Suite-Zero (zcgp::analysis, Information.hpp) against an independent
// numpy re-implementation, and its invariants on real data.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "TestData.hpp"
#include "zcgp/analysis/Information.hpp"
#include "zcgp/analysis/TaskInputs.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/CsvTable.hpp"

namespace an = zcgp::analysis;

namespace {
struct Fixture {
    std::vector<double> acc, p1, p2, p3;
};
Fixture readFixture() {
    std::ifstream in(std::filesystem::path(ZCGP_SOURCE_DIR) / "tests/fixtures/information_fixture.csv");
    REQUIRE(in);
    std::string line;
    std::getline(in, line);  // header arch,acc,p1,p2,p3
    Fixture f;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string cell;
        std::vector<double> v;
        while (std::getline(ss, cell, ',')) v.push_back(std::stod(cell));
        REQUIRE(v.size() == 5);
        f.acc.push_back(v[1]);
        f.p1.push_back(v[2]);
        f.p2.push_back(v[3]);
        f.p3.push_back(v[4]);
    }
    return f;
}
}  // namespace

TEST_CASE("suite binning rule: round(1 + 3.322 ln n) equal-width bins, the maximum in the last bin", "[proxy_cache]") {
    CHECK(an::suiteBinCount(50) == 14);
    CHECK(an::suiteBinCount(725) == 23);
    CHECK(an::suiteBinCount(9445) == 31);
    // numpy: histogram_bin_edges([0..10], 5) = 0,2,4,6,8,10(+1); digitize puts 10 in the 5th bin, 2 in the 2nd
    std::vector<double> const v{0, 1, 2, 3.999, 4, 10};
    CHECK(an::discretize(v, 5) == std::vector<int>{0, 0, 1, 1, 2, 4});
    // a constant column is one bin (numpy widens the range by 0.5 each side)
    CHECK(an::discretize(std::vector<double>{3, 3, 3}, 4) == std::vector<int>{2, 2, 2});
}

TEST_CASE("binned entropies of the fixture equal the independent numpy script's", "[proxy_cache]") {
    // Values printed by: /usr/bin/python3 scripts/entropy_reference.py tests/fixtures/information_fixture.csv acc p1 p2 p3
    auto const f = readFixture();
    REQUIRE(f.acc.size() == 50);
    auto const h = [&](std::vector<std::span<double const>> cols) { return an::conditionalEntropy(cols, f.acc); };
    CHECK(h({}).accuracyEntropy == Approx(3.3700993795936776).margin(1e-12));
    CHECK(h({f.p1}).conditionalEntropy == Approx(1.5969694286392886).margin(1e-12));
    CHECK(h({f.p2}).conditionalEntropy == Approx(2.7476429098709696).margin(1e-12));
    CHECK(h({f.p3}).conditionalEntropy == Approx(2.728371624290175).margin(1e-12));
    CHECK(h({f.p1, f.p2}).conditionalEntropy == Approx(1.0321928094887367).margin(1e-12));
    CHECK(h({f.p1, f.p3}).conditionalEntropy == Approx(0.6452932501298099).margin(1e-12));
    CHECK(h({f.p2, f.p3}).conditionalEntropy == Approx(1.8775826330134078).margin(1e-12));
}

TEST_CASE("information analysis of nb201/cifar10: bounds, symmetry and a greedy selection that only gains", "[proxy_cache]") {
    auto const benchmark = zcgp::proxy_cache::Benchmark::load(zcgp::test::requireData(""));
    auto const& table = benchmark.task("nb201/cifar10");
    auto const proxies = an::analysisProxies(table);
    REQUIRE(proxies.size() == 13);
    auto const r = an::analyzeInformation(an::informationInput(table, proxies), 5);
    CHECK(r.accuracyEntropy > 1.0);
    CHECK(r.accuracyEntropy < std::log2(23.0));
    for (std::size_t i = 0; i < proxies.size(); ++i) {
        for (std::size_t j = 0; j < proxies.size(); ++j) {
            CHECK(r.pairInformation[i][j] == r.pairInformation[j][i]);
            CHECK(r.pairConditional[i][j] >= 0.0);
            // conditioning on a second proxy never loses information (same architectures for both when complete)
            if (r.pairArchs[i * proxies.size() + j] == r.pairArchs[i * proxies.size() + i]) {
                CHECK(r.pairConditional[i][j] <= r.pairConditional[i][i] + 1e-12);
            }
        }
    }
    REQUIRE(r.greedy.size() == 5);
    for (std::size_t k = 1; k < r.greedy.size(); ++k) {
        CHECK(r.greedy[k].conditionalEntropy <= r.greedy[k - 1].conditionalEntropy + 1e-12);
        CHECK(r.greedy[k].chosen.size() == k + 1);
    }
    // the greedy first pick is the single proxy with the lowest H(acc | z)
    auto const first = std::min_element(r.conditional.begin(), r.conditional.end()) - r.conditional.begin();
    CHECK(r.greedy[0].chosen[0] == proxies[static_cast<std::size_t>(first)]);
}
