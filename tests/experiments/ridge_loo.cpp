// Validated linear-scaling fitness (--fitness-cv loo): RidgeWeights' closed-form leave-one-out predictions (PRESS
// residuals from the hat matrix diagonal) against explicit refits without each row, by an independent numpy script
// (tests/support/ridge_loo_reference.py), on real proxies of two NB201 tasks pooled (100 and 80 train rows) with a
// constant term that the ridge must leave out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <span>
#include <fstream>
#include <sstream>

#include "RunCommand.hpp"
#include "TestData.hpp"
#include "zcgp/engine/LinearScaling.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using namespace zcgp;

TEST_CASE("ridge leave-one-out predictions equal explicit refits without each train architecture", "[experiments]") {
    auto const benchmark = proxy_cache::Benchmark::load(test::requireData("nbsz").parent_path());
    struct Part {
        std::string task;
        std::size_t first, count;
    };
    std::vector<Part> const parts{{"nb201/cifar10", 0, 100}, {"nb201/cifar100", 300, 80}};
    std::vector<std::string> const proxies{"jacov", "nwot", "synflow"};
    constexpr std::size_t K = 4;  // the three proxies (synflow as log) and a constant term
    std::vector<std::vector<double>> targets;
    std::vector<std::array<std::vector<double>, K>> values(parts.size());
    for (std::size_t t = 0; t < parts.size(); ++t) {
        auto const& table = benchmark.task(parts[t].task);
        std::vector<double> acc;
        for (std::size_t r = parts[t].first; acc.size() < parts[t].count; ++r) {
            auto const row = static_cast<Eigen::Index>(r);
            std::array<double, K> x{};
            for (std::size_t k = 0; k < proxies.size(); ++k) {
                auto const col = std::find(table.proxies.begin(), table.proxies.end(), proxies[k]) - table.proxies.begin();
                REQUIRE(static_cast<std::size_t>(col) < table.proxies.size());
                x[k] = table.scores(row, col);
            }
            x[2] = std::log1p(std::abs(x[2]));
            x[3] = 2.5;
            if (!std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); })) continue;
            for (std::size_t k = 0; k < K; ++k) values[t][k].push_back(x[k]);
            acc.push_back(table.accuracy[row]);
        }
        targets.push_back(std::move(acc));
    }
    auto const dir = test::scratchDir("ridge_loo");
    auto const csv = dir / "design.csv";
    {
        std::ofstream out(csv);
        out.precision(17);
        out << "task,acc,jacov,nwot,log_synflow,constant\n";
        for (std::size_t t = 0; t < parts.size(); ++t) {
            for (std::size_t i = 0; i < targets[t].size(); ++i) {
                out << t << ',' << targets[t][i];
                for (std::size_t k = 0; k < K; ++k) out << ',' << values[t][k][i];
                out << '\n';
            }
        }
    }
    std::vector<std::array<std::span<double const>, engine::MaxLinearTerms>> columns(parts.size());
    for (std::size_t t = 0; t < parts.size(); ++t) {
        for (std::size_t k = 0; k < K; ++k) columns[t][k] = values[t][k];
    }
    for (double const lambda : {1e-3, 0.5}) {
        INFO("lambda " << lambda);
        engine::RidgeWeights ridge(targets, lambda);
        engine::LinearTerms terms;
        terms.count = K;
        std::vector<std::vector<double>> loo(parts.size());
        REQUIRE(ridge.fit(columns, terms, loo));
        CHECK(terms.weights[3] == 0.0);  // the constant term is left out
        // the LOO predictions leave the fitted weights as a plain fit gives them
        engine::LinearTerms plain;
        plain.count = K;
        REQUIRE(ridge.fit(columns, plain));
        CHECK(plain.weights == terms.weights);

        std::ostringstream lam;
        lam.precision(17);
        lam << lambda;
        auto const ref = test::runCommand("/usr/bin/python3 " + std::string(ZCGP_SOURCE_DIR) +
                                          "/tests/support/ridge_loo_reference.py " + csv.string() + " " + lam.str());
        INFO(ref.err);
        REQUIRE(ref.exitCode == 0);
        std::istringstream in(ref.out);
        double maxDiff = 0.0;
        std::size_t n = 0;
        for (std::size_t t = 0; t < parts.size(); ++t) {
            REQUIRE(loo[t].size() == targets[t].size());
            for (std::size_t i = 0; i < loo[t].size(); ++i, ++n) {
                double expected = 0.0;
                REQUIRE(in >> expected);
                // (an in-sample fit would differ from the refits by h_ii e_i / (1 - h_ii), about 1e-3 here)
                maxDiff = std::max(maxDiff, std::abs(loo[t][i] - expected));
            }
        }
        double extra = 0.0;
        CHECK_FALSE(in >> extra);  // one prediction per row, no more
        CHECK(n == 180);
        CHECK(maxDiff < 1e-10);
    }
}
