#pragma once
// Linear scaling for rank fitness (multiple-regression GP, after Arnaldo et al. and Searson's multi-gene GP):
// a tree's top-level additive chain (+ and -) is split into at most K terms f_k, and the candidate the GP
// scores is sum_k c_k * f_k with the c_k fitted by ridge regression of the train architectures' accuracy
// ranks on the standardised terms. Kendall tau ignores monotone transforms of the whole formula, so scaling
// and offset are meaningless for one term; with several, the weights decide how the terms trade off, which
// the GP alone finds only by evolving constants. The weights are fitted on the train architectures only,
// rounded to 4 significant digits (the largest |c_k| is 1) and written into the reported formula as
// constants (weightedTree), so the exported formula is still one closed formula.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "zcgp/engine/Tree.hpp"

namespace zcgp::engine {

inline constexpr std::size_t MaxLinearTerms = 5;

// The top-level additive terms of a tree and, once fitted, their weights.
struct LinearTerms {
    std::array<std::uint16_t, MaxLinearTerms> roots{};  // node index of each term's root, in postfix order
    std::array<double, MaxLinearTerms> weights{};       // rounded; 0 drops the term
    std::uint8_t count{0};                               // 1: the tree is one term (nothing to fit)
};

// The tree's additive terms: the root's chain of Add/Sub nodes is expanded greedily, first (leftmost in postfix)
// Add/Sub term first, until maxTerms terms or none is Add/Sub. maxTerms <= 1, or a root that is no Add/Sub,
// gives one term, the root. Weights are set to 1.
[[nodiscard]] LinearTerms additiveTerms(Tree const& tree, std::size_t maxTerms);

// Ridge on the train rows of one or more tasks, allocation-free after construction (one per worker).
// The target of each task is its accuracy ranks centred and divided by n (tasks weigh the same); the terms are
// standardised over the pooled rows; the solution w of (X'X/N + lambda I) w = X'y/N gives raw weights w_k / sd_k,
// scaled so that the largest magnitude is 1 and rounded to 4 significant digits; terms whose weight is below
// 1e-4 after that, or that are constant on the train rows, get 0.
class RidgeWeights {
public:
    // targets: per task, the train accuracies (finite)
    RidgeWeights(std::vector<std::vector<double>> const& targets, double lambda);
    // columns[t][k]: term k's values on task t's train rows (same length as targets[t]). Writes terms.weights;
    // returns false if every weight is 0 (the terms are constant on the train rows).
    bool fit(std::span<std::array<std::span<double const>, MaxLinearTerms> const> columns, LinearTerms& terms) const;
    [[nodiscard]] double lambda() const { return lambda_; }
    [[nodiscard]] std::vector<double> const& target(std::size_t task) const { return y_[task]; }

private:
    std::vector<std::vector<double>> y_;  // centred ranks / n, per task
    double lambda_;
};

// Combined values sum_k weights[k] * columns[k][i] in term order (the same operations weightedTree evaluates to).
void combineTerms(LinearTerms const& terms, std::array<std::span<double const>, MaxLinearTerms> const& columns,
                  std::span<double> out);

// The weighted formula: weight * term for each kept term (a weight of exactly 1 is left out), joined by a
// left-nested chain of '+' in term order. Its size is weightedSize(tree, terms).
[[nodiscard]] Tree weightedTree(Tree const& tree, LinearTerms const& terms);
[[nodiscard]] std::size_t weightedSize(Tree const& tree, LinearTerms const& terms);

// Rounds to `digits` significant decimal digits (0 stays 0).
[[nodiscard]] double roundSignificant(double x, int digits);

}  // namespace zcgp::engine
