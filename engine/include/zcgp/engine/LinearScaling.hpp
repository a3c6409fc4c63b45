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

#include "zcgp/engine/TermMemo.hpp"
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
// What the ridge fits: the train ranks (centred, / n), or -log(1 + r), r the number of train architectures with a
// strictly higher accuracy (centred): the top of the ranking spread out, the bulk compressed.
enum class RidgeTarget { Ranks, Top };

// What the ridge computes from one term's column alone, summed over the tasks' train rows in task order:
// its pooled mean and standard deviation, its sum of (x - mean) y / sd, and its sum of (x - mean)^2 / sd^2
// (the Gram matrix's diagonal before the division by N).
struct RidgeTermStatistics {
    double mean{0.0}, sd{0.0}, target{0.0}, diagonal{0.0};
};

class RidgeCache;

class RidgeWeights {
public:
    using Columns = std::span<std::array<std::span<double const>, MaxLinearTerms> const>;
    // targets: per task, the train accuracies (finite)
    RidgeWeights(std::vector<std::vector<double>> const& targets, double lambda, RidgeTarget target = RidgeTarget::Ranks);
    // columns[t][k]: term k's values on task t's train rows (same length as targets[t]). Writes terms.weights;
    // returns false if every weight is 0 (the terms are constant on the train rows).
    bool fit(Columns columns, LinearTerms& terms) const;
    // The same weights, bit for bit, reusing from `cache` the statistics of terms (and Gram entries of pairs of
    // terms) that an earlier fit with this cache met: terms.roots index `tree`, and a term is recognised by its
    // nodes, exactly. Every fit given one cache must read its columns from the same train rows (one worker of
    // one Evolution): a term's nodes then determine its columns.
    bool fit(Columns columns, LinearTerms& terms, Tree const& tree, RidgeCache& cache) const;
    [[nodiscard]] double lambda() const { return lambda_; }
    [[nodiscard]] std::vector<double> const& target(std::size_t task) const { return y_[task]; }
    // One term's statistics, and the Gram entry sum_t ((x_i - mean_i)(x_j - mean_j)).sum() / (sd_i sd_j) of two
    // (what fit computes; public for the cache's tests)
    [[nodiscard]] RidgeTermStatistics termStatistics(Columns columns, std::size_t k) const;
    [[nodiscard]] double gram(Columns columns, std::size_t i, std::size_t j, RidgeTermStatistics const& a,
                              RidgeTermStatistics const& b) const;

private:
    template <typename StatsOf, typename GramOf>
    bool solve(LinearTerms& terms, StatsOf&& statsOf, GramOf&& gramOf) const;
    std::vector<std::vector<double>> y_;  // centred ranks / n, per task
    double rows_{0.0};                    // N, the pooled number of train rows
    double lambda_;
};

// Per-worker memo of RidgeWeights::fit's per-term work (issue 14): a child of crossover or mutation usually
// changes one of its K terms, and the population shares its terms widely, so most of a fit's column passes
// (4 per term and 1 per pair of terms, over every train row) were recomputed for terms met before. Term
// statistics live in a TermMemo (keyed by the term's nodes, exactly); Gram entries are direct-mapped by the two
// terms' ids, which are never reused, so an evicted term's entries can never be read for another.
class RidgeCache {
public:
    explicit RidgeCache(std::size_t maxTermNodes, std::size_t termSlots = 1024, std::size_t pairSlots = 4096);
    struct Counts {
        std::uint64_t termHits{0}, termMisses{0}, gramHits{0}, gramMisses{0};
    };
    [[nodiscard]] Counts const& counts() const { return counts_; }

private:
    friend class RidgeWeights;
    struct Pair {  // 16 bytes, so that 4096 of them are 64 kB
        std::uint32_t low{0}, high{0};
        double gram{0.0};
    };
    void clear();
    // the statistics of the term rooted at `root` and its id (0 if it is too large to store)
    std::pair<RidgeTermStatistics, std::uint32_t> term(RidgeWeights const& ridge, RidgeWeights::Columns columns,
                                                       std::size_t k, Tree const& tree, std::size_t root);
    double gram(RidgeWeights const& ridge, RidgeWeights::Columns columns, std::size_t i, std::size_t j,
                std::uint32_t idI, std::uint32_t idJ, RidgeTermStatistics const& a, RidgeTermStatistics const& b);
    RidgeWeights const* owner_{nullptr};  // the cache is emptied when another RidgeWeights uses it
    TermMemo<RidgeTermStatistics> terms_;
    std::vector<Pair> pairs_;
    std::uint64_t epoch_{0};  // terms_'s epoch that pairs_ belongs to
    Counts counts_;
};

// Combined values sum_k weights[k] * columns[k][i] in term order (the same operations weightedTree evaluates to).
void combineTerms(LinearTerms const& terms, std::array<std::span<double const>, MaxLinearTerms> const& columns,
                  std::span<double> out);

// The weighted formula: weight * term for each kept term (a weight of exactly 1 is left out), joined by a
// left-nested chain of '+' in term order. Its size is weightedSize(tree, terms).
[[nodiscard]] Tree weightedTree(Tree const& tree, LinearTerms const& terms);
[[nodiscard]] std::size_t weightedSize(Tree const& tree, LinearTerms const& terms);

// x := A^-1 x for the K x K symmetric matrix whose lower triangle (A[i][j], j <= i) is given (A is overwritten):
// Eigen 3.4's LDLT (diagonal pivoting, pseudo-inverse of D) operation for operation, so bit for bit
// A.ldlt().solve(x) of an Eigen::Matrix<double, Dynamic, Dynamic, 0, 5, 5>, without its set-up and norm (the
// ridge's solve was a fifth of its fit). tests/engine/term_memos.cpp compares the two.
void ldltSolve(std::array<std::array<double, MaxLinearTerms>, MaxLinearTerms>& A, std::size_t K,
               std::array<double, MaxLinearTerms>& x);

// Rounds to `digits` significant decimal digits (0 stays 0).
[[nodiscard]] double roundSignificant(double x, int digits);
// 10^0 .. 10^22, every one exactly representable (a table instead of std::pow in roundSignificant)
inline constexpr std::array<double, 23> ExactPowersOfTen{1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                          1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                          1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

}  // namespace zcgp::engine
