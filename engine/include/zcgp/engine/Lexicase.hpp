#pragma once
// Epsilon-lexicase selection over train architectures (La Cava, Spector and Danai, GECCO 2016), for rank fitness:
// a case is one train architecture, and an individual's score on it is that architecture's share of Kendall's
// concordance, the mean over the other train architectures of the same task of sign(x_i - x_j) sign(y_i - y_j)
// (its mean over cases is tau-a). A parent is drawn by filtering the population through the cases in a random
// order, keeping those within epsilon (the population's median absolute deviation on that case) of the best,
// until one is left or the cases run out (then a uniform pick among those left). Formulas that order different
// architectures well survive together, instead of every parent being a near-copy of the best train tau.
#include <cstddef>
#include <span>
#include <vector>

#include "zcgp/engine/Operators.hpp"

namespace zcgp::engine {

// out[i] = (1 / (n - 1)) sum_{j != i} sign(x_i - x_j) sign(y_i - y_j); n = x.size() >= 2.
void concordanceCases(std::span<double const> x, std::span<double const> y, std::span<float> out);

class LexicaseSelection {
public:
    // cases[p]: individual p's case scores (all of the same length), or empty for an individual that cannot be a
    // parent (rejected); computes each case's epsilon. Sequential phase only.
    void prepare(std::vector<std::span<float const>> cases);
    // A parent's index (thread-safe after prepare; deterministic given rng).
    [[nodiscard]] std::size_t operator()(Random& rng) const;

private:
    std::vector<std::span<float const>> cases_;
    std::vector<std::size_t> eligible_;
    std::vector<float> epsilon_;
};

}  // namespace zcgp::engine
