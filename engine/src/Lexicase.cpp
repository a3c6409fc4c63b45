#include "zcgp/engine/Lexicase.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace zcgp::engine {

void concordanceCases(std::span<double const> x, std::span<double const> y, std::span<float> out) {
    auto const n = x.size();
    auto sign = [](double d) { return static_cast<int>(d > 0.0) - static_cast<int>(d < 0.0); };
    for (std::size_t i = 0; i < n; ++i) {
        int sum = 0;
        for (std::size_t j = 0; j < n; ++j) sum += sign(x[i] - x[j]) * sign(y[i] - y[j]);
        out[i] = static_cast<float>(static_cast<double>(sum) / static_cast<double>(n - 1));
    }
}

void LexicaseSelection::prepare(std::vector<std::span<float const>> cases) {
    cases_ = std::move(cases);
    eligible_.clear();
    for (std::size_t p = 0; p < cases_.size(); ++p) {
        if (!cases_[p].empty()) eligible_.push_back(p);
    }
    std::size_t const m = eligible_.empty() ? 0 : cases_[eligible_.front()].size();
    epsilon_.assign(m, 0.0F);
    std::vector<float> column(eligible_.size());
    for (std::size_t c = 0; c < m; ++c) {
        for (std::size_t k = 0; k < eligible_.size(); ++k) column[k] = cases_[eligible_[k]][c];
        auto mid = column.begin() + static_cast<std::ptrdiff_t>(column.size() / 2);
        std::nth_element(column.begin(), mid, column.end());
        float const median = *mid;
        for (auto& v : column) v = std::abs(v - median);
        std::nth_element(column.begin(), mid, column.end());
        epsilon_[c] = *mid;
    }
}

std::size_t LexicaseSelection::operator()(Random& rng) const {
    if (eligible_.empty()) return std::uniform_int_distribution<std::size_t>(0, cases_.size() - 1)(rng);
    std::vector<std::size_t> pool = eligible_;
    std::vector<std::size_t> order(epsilon_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::shuffle(order.begin(), order.end(), rng);
    for (auto c : order) {
        if (pool.size() <= 1) break;
        float best = -2.0F;
        for (auto p : pool) best = std::max(best, cases_[p][c]);
        float const floor = best - epsilon_[c];
        std::erase_if(pool, [&](std::size_t p) { return cases_[p][c] < floor; });
    }
    return pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
}

}  // namespace zcgp::engine
