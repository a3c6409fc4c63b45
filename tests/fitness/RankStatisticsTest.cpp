// Rank statistics: against an O(n^2) tau-b reference, scipy fixtures, and edge cases.
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "zcgp/fitness/RankStatistics.hpp"

using namespace zcgp::fitness;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// O(n^2) tau-b straight from the definition, pairwise-complete.
double referenceTauB(std::vector<double> const& x, std::vector<double> const& y) {
    std::vector<double> cx;
    std::vector<double> cy;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isnan(x[i]) && !std::isnan(y[i])) {
            cx.push_back(x[i]);
            cy.push_back(y[i]);
        }
    }
    double concordant = 0;
    double discordant = 0;
    double onlyX = 0;  // tied in x only
    double onlyY = 0;  // tied in y only
    for (std::size_t i = 0; i < cx.size(); ++i) {
        for (std::size_t j = i + 1; j < cx.size(); ++j) {
            double const dx = cx[i] - cx[j];
            double const dy = cy[i] - cy[j];
            if (dx == 0 && dy == 0) {
                continue;
            }
            if (dx == 0) {
                onlyX += 1;
            } else if (dy == 0) {
                onlyY += 1;
            } else if ((dx > 0) == (dy > 0)) {
                concordant += 1;
            } else {
                discordant += 1;
            }
        }
    }
    double const denom = std::sqrt((concordant + discordant + onlyX) * (concordant + discordant + onlyY));
    return denom == 0 ? kNaN : (concordant - discordant) / denom;
}

std::vector<double> randomTied(std::mt19937_64& rng, std::size_t n, int levels, double nanRate = 0.0) {
    std::uniform_int_distribution<int> value(0, levels - 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<double> v(n);
    for (auto& e : v) {
        e = unit(rng) < nanRate ? kNaN : static_cast<double>(value(rng));
    }
    return v;
}

bool sameOrBothNaN(double a, double b, double tol) {
    return (std::isnan(a) && std::isnan(b)) || std::abs(a - b) <= tol;
}

std::vector<double> fromJson(nlohmann::json const& values) {
    std::vector<double> out;
    for (auto const& v : values) {
        out.push_back(v.is_null() ? kNaN : v.get<double>());
    }
    return out;
}

}  // namespace

TEST_CASE("kendallTau matches the O(n^2) tau-b reference on tied data with NaNs", "[fitness]") {
    std::mt19937_64 rng(12345);
    for (std::size_t n : {0U, 1U, 2U, 3U, 4U, 5U, 7U, 16U, 17U, 33U, 100U, 250U}) {
        for (int levels : {1, 2, 3, 5, 50}) {
            for (double nanRate : {0.0, 0.2}) {
                for (int rep = 0; rep < 5; ++rep) {
                    auto const x = randomTied(rng, n, levels, nanRate);
                    auto const y = randomTied(rng, n, levels, nanRate);
                    double const expected = referenceTauB(x, y);
                    double const actual = kendallTau(x, y);
                    INFO("n=" << n << " levels=" << levels << " nanRate=" << nanRate << " rep=" << rep);
                    CHECK(sameOrBothNaN(actual, expected, 1e-12));
                }
            }
        }
    }
}

TEST_CASE("kendallTau, spearman and pearson match scipy fixtures", "[fitness]") {
    std::string const path = std::string(ZCGP_SOURCE_DIR) + "/tests/fixtures/rank_statistics.json";
    std::ifstream in(path);
    REQUIRE(in.good());
    auto const fixtures = nlohmann::json::parse(in);
    REQUIRE(fixtures.at("cases").size() > 50);
    for (auto const& c : fixtures.at("cases")) {
        auto const x = fromJson(c.at("x"));
        auto const y = fromJson(c.at("y"));
        auto const expected = [&](char const* key) { return c.at(key).is_null() ? kNaN : c.at(key).get<double>(); };
        INFO(c.at("name").get<std::string>());
        CHECK(sameOrBothNaN(kendallTau(x, y), expected("kendall"), 1e-12));
        CHECK(sameOrBothNaN(spearman(x, y), expected("spearman"), 1e-12));
        CHECK(sameOrBothNaN(pearson(x, y), expected("pearson"), 1e-12));
    }
}

TEST_CASE("KendallTau equals kendallTau exactly on random tied data", "[fitness]") {
    std::mt19937_64 rng(777);
    for (std::size_t n : {1U, 2U, 3U, 5U, 15U, 16U, 17U, 31U, 64U, 100U, 129U, 1000U}) {
        for (int levels : {1, 2, 4, 10, 1000}) {
            auto const truth = randomTied(rng, n, levels);
            KendallTau tau(truth);
            REQUIRE(tau.size() == n);
            for (int rep = 0; rep < 10; ++rep) {
                // Scores with their own tie structure, some continuous.
                auto scores = randomTied(rng, n, rep % 2 == 0 ? levels : 7);
                if (rep == 9) {
                    std::normal_distribution<double> normal;
                    for (auto& s : scores) {
                        s = normal(rng);
                    }
                }
                double const fast = tau(scores);
                double const slow = kendallTau(truth, scores);
                INFO("n=" << n << " levels=" << levels << " rep=" << rep);
                if (std::isnan(slow)) {
                    CHECK(std::isnan(fast));
                } else {
                    CHECK(fast == slow);  // bit-identical, not just close
                }
            }
        }
    }
}

TEST_CASE("KendallTau rejects non-finite truth and mismatched sizes", "[fitness]") {
    std::vector<double> const bad{1.0, kNaN, 3.0};
    CHECK_THROWS_AS(KendallTau(bad), std::invalid_argument);
    std::vector<double> const truth{1.0, 2.0, 3.0};
    KendallTau tau(truth);
    std::vector<double> const shorter{1.0, 2.0};
    CHECK_THROWS_AS(tau(shorter), std::invalid_argument);
    CHECK_THROWS_AS(kendallTau(truth, shorter), std::invalid_argument);
}

TEST_CASE("Constant, all-NaN and tiny inputs give NaN", "[fitness]") {
    std::vector<double> const constant{2.0, 2.0, 2.0, 2.0};
    std::vector<double> const increasing{1.0, 2.0, 3.0, 4.0};
    std::vector<double> const allNaN(4, kNaN);
    for (auto metric : {Metric::Kendall, Metric::Spearman, Metric::Pearson, Metric::TopK}) {
        INFO(toString(metric));
        CHECK(std::isnan(correlate(metric, constant, increasing)));
        CHECK(std::isnan(correlate(metric, increasing, constant)));
        CHECK(std::isnan(correlate(metric, allNaN, increasing)));
        CHECK(std::isnan(correlate(metric, increasing, allNaN)));
        CHECK(std::isnan(correlate(metric, std::vector<double>{1.0}, std::vector<double>{1.0})));
        CHECK(std::isnan(correlate(metric, std::vector<double>{}, std::vector<double>{})));
    }
    // Constant once the NaN pair is dropped.
    std::vector<double> const x{1.0, 1.0, 5.0};
    std::vector<double> const y{1.0, 2.0, kNaN};
    CHECK(std::isnan(kendallTau(x, y)));
    KendallTau tau(constant);
    CHECK(std::isnan(tau(increasing)));
}

TEST_CASE("Perfect agreement and reversal", "[fitness]") {
    std::vector<double> const x{1.0, 2.0, 3.0, 4.0, 5.0};
    std::vector<double> const y{10.0, 20.0, 30.0, 40.0, 50.0};
    std::vector<double> const r{5.0, 4.0, 3.0, 2.0, 1.0};
    CHECK(kendallTau(x, y) == Approx(1.0));
    CHECK(kendallTau(x, r) == Approx(-1.0));
    CHECK(spearman(x, r) == Approx(-1.0));
    CHECK(pearson(x, y) == Approx(1.0));
    KendallTau tau(x);
    CHECK(tau(y) == Approx(1.0));
    CHECK(tau(r) == Approx(-1.0));
}

TEST_CASE("averageRanks averages ties and keeps NaN", "[fitness]") {
    std::vector<double> const x{10.0, kNaN, 30.0, 10.0, 20.0, 30.0, 30.0};
    auto const ranks = averageRanks(x);
    REQUIRE(ranks.size() == x.size());
    CHECK(ranks[0] == 1.5);
    CHECK(std::isnan(ranks[1]));
    CHECK(ranks[2] == 5.0);
    CHECK(ranks[3] == 1.5);
    CHECK(ranks[4] == 3.0);
    CHECK(ranks[5] == 5.0);
    CHECK(ranks[6] == 5.0);
}

TEST_CASE("topKPrecision on a known example", "[fitness]") {
    // 20 architectures: k = round(0.1 * 20) = 2. True top 2 are indices 19 and 18; the proxy ranks
    // 19 and 3 highest, so one of two agrees.
    std::vector<double> truth(20);
    std::vector<double> proxy(20);
    for (std::size_t i = 0; i < 20; ++i) {
        truth[i] = static_cast<double>(i);
        proxy[i] = static_cast<double>(i);
    }
    proxy[3] = 100.0;
    CHECK(topKPrecision(proxy, truth) == 0.5);
    CHECK(topKPrecision(truth, truth) == 1.0);
    CHECK(correlate(Metric::TopK, proxy, truth) == 0.5);
    // fraction 0.25 -> k = 5: proxy top 5 = {3, 19, 18, 17, 16}, truth top 5 = {19..15}: 4 of 5.
    CHECK(topKPrecision(proxy, truth, 0.25) == Approx(0.8));
    // A NaN drops the architecture: 19 complete pairs, k = round(1.9) = 2; true top 2 is {18, 17} now.
    proxy[19] = kNaN;
    CHECK(topKPrecision(proxy, truth) == 0.5);
    // Ties at the cut-off are broken by lower index: proxy ties everywhere but index 0 and 1.
    std::vector<double> const tiedProxy{5.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    std::vector<double> const tiedTruth{1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0};
    // k = 1: proxy top = {0} (index 0 beats 1), truth top = {9}.
    CHECK(topKPrecision(tiedProxy, tiedTruth) == 0.0);
    CHECK_THROWS_AS(topKPrecision(proxy, truth, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(topKPrecision(proxy, truth, 1.5), std::invalid_argument);
}

TEST_CASE("Metric names round-trip and unknown names list the valid ones", "[fitness]") {
    for (auto metric : {Metric::Kendall, Metric::Spearman, Metric::Pearson, Metric::TopK}) {
        CHECK(parseMetric(toString(metric)) == metric);
    }
    CHECK(parseMetric("kendall") == Metric::Kendall);
    try {
        (void)parseMetric("kendal");
        FAIL("parseMetric accepted an unknown name");
    } catch (std::invalid_argument const& e) {
        std::string const message = e.what();
        CHECK(message.find("kendal'") != std::string::npos);
        for (char const* name : {"kendall", "spearman", "pearson", "topk"}) {
            CHECK(message.find(name) != std::string::npos);
        }
    }
}

TEST_CASE("WeightedTau matches scipy.stats.weightedtau with the truth's ranks as weights", "[fitness]") {
    std::string const path = std::string(ZCGP_SOURCE_DIR) + "/tests/fixtures/weighted_tau.json";
    std::ifstream in(path);
    REQUIRE(in.good());
    auto const fixtures = nlohmann::json::parse(in);
    REQUIRE(fixtures.at("cases").size() >= 60);
    std::size_t defined = 0;
    for (auto const& c : fixtures.at("cases")) {
        auto const scores = c.at("scores").get<std::vector<double>>();
        auto const truth = c.at("truth").get<std::vector<double>>();
        INFO(c.at("name").get<std::string>());
        WeightedTau tau(truth);
        CHECK(tau.ranks() == c.at("ranks").get<std::vector<std::size_t>>());
        double const expected = c.at("weighted_tau").is_null() ? kNaN : c.at("weighted_tau").get<double>();
        CHECK(sameOrBothNaN(tau(scores), expected, 1e-12));
        defined += std::isnan(expected) ? 0 : 1;
    }
    CHECK(defined >= 30);
    // what it is for: moving the best architecture to the bottom costs more than swapping two of the worst
    std::vector<double> const truth{9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    std::vector<double> bestLast{0, 8, 7, 6, 5, 4, 3, 2, 1, 0.5}, worstSwapped{9, 8, 7, 6, 5, 4, 3, 2, 0, 1};
    WeightedTau tau(truth);
    CHECK(tau(truth) == Approx(1.0));
    CHECK(tau(bestLast) < tau(worstSwapped));
    CHECK(kendallTau(bestLast, truth) < kendallTau(worstSwapped, truth));
    CHECK(tau(bestLast) < kendallTau(bestLast, truth));
    CHECK_THROWS_WITH(WeightedTau(std::vector<double>{1.0, kNaN}), Catch::Contains("finite"));
}
