#pragma once
// Rank statistics between a proxy's scores and ground-truth accuracy.
//
// Missing values are handled pairwise-complete: a NaN in either input marks that architecture as missing, and
// every statistic is computed over the complete pairs only (the architectures where both values are present),
// like scipy's nan_policy='omit'. If fewer than 2 complete pairs remain, or either side is constant over the
// complete pairs, the result is NaN. Inputs of different lengths throw std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace zcgp::fitness {

// Kendall tau-b, O(n log n) (Knight 1966), correct with ties in either variable. Equals
// scipy.stats.kendalltau(x, y, variant='b') on the complete pairs.
[[nodiscard]] double kendallTau(std::span<double const> x, std::span<double const> y);

// Spearman rho: Pearson correlation of the average ranks (ties get the mean of their ranks); the ranks are
// taken over the complete pairs.
[[nodiscard]] double spearman(std::span<double const> x, std::span<double const> y);

// Pearson product-moment correlation.
[[nodiscard]] double pearson(std::span<double const> x, std::span<double const> y);

// Top-k agreement: |top-k by x  ∩  top-k by y| / k, with k = max(1, round(fraction * n_complete)); "top" means
// largest. Ties at the cut-off are broken by index (lower index first), for both sides.
// Throws std::invalid_argument unless 0 < fraction <= 1.
[[nodiscard]] double topKPrecision(std::span<double const> x, std::span<double const> y, double fraction = 0.1);

// Rank from the top: r_i = the number of values strictly larger than x_i (0 for the largest; ties share one).
[[nodiscard]] std::vector<std::size_t> ranksFromTop(std::span<double const> x);

// Average ranks (1-based), ties averaged; NaN stays NaN and is not counted when ranking the others.
[[nodiscard]] std::vector<double> averageRanks(std::span<double const> x);

enum class Metric { Kendall, Spearman, Pearson, TopK };
[[nodiscard]] Metric parseMetric(std::string_view name);  // throws std::invalid_argument listing valid names
[[nodiscard]] std::string_view toString(Metric metric);
[[nodiscard]] double correlate(Metric metric, std::span<double const> x, std::span<double const> y);

// Allocation-free Kendall tau-b for the GP hot loop: the ground truth is fixed, so it is sorted once and its
// tie statistics precomputed; every call only sorts the candidate scores within that order. The result equals
// kendallTau(truth, scores) bit for bit (the same integer pair counts go through the same formula).
// The truth must be finite (std::invalid_argument otherwise); scores are assumed finite and are NOT checked
// (a NaN or an infinity gives an unspecified result). Not thread-safe: use one instance per thread.
class KendallTau {
public:
    explicit KendallTau(std::span<double const> truth);
    [[nodiscard]] double operator()(std::span<double const> scores);  // reuses internal buffers, no allocation
    [[nodiscard]] std::size_t size() const { return order_.size(); }

private:
    std::vector<std::size_t> order_;      // indices sorted by truth (ties kept together)
    std::vector<double> truth_;           // truth values in that order
    std::int64_t truthTiedPairs_{0};      // sum over tie groups in truth of t(t-1)/2
    std::vector<double> buffer_;          // scores gathered in truth order, then sorted
    std::vector<double> scratch_;         // merge-sort ping-pong buffer
    std::vector<std::size_t> tieStart_;   // start of each truth tie group of size > 1, then its end
    std::vector<std::size_t> groupEnd_;   // per position in truth order: end of its truth tie group
    static constexpr std::size_t kPairwiseMax = 128;  // up to this n, count pairs directly (O(n^2), branch-free)
};

// Weighted Kendall tau (Vigna 2015) with additive hyperbolic weights set by the ground truth: element i weighs
// 1 / (1 + r_i), r_i the number of elements with a strictly larger truth (0 for the best, shared by ties), and a
// pair weighs the sum of its two elements' weights. A tau-b of the weighted pairs,
//     (W - U - V + J - 2 D) / sqrt((W - U) (W - V)),
// W the weight of all pairs, U of the pairs tied in the scores, V tied in the truth, J tied in both, D of the
// discordant ones. It equals scipy.stats.weightedtau(scores, truth, rank=r) (tests/fixtures/weighted_tau.json).
// Swapping two architectures near the top costs about as much as misplacing the best against the whole bulk, so
// a formula that ranks the best architectures right scores higher than one that only orders the bulk: what a
// search that keeps its best cell needs. The truth must be finite (std::invalid_argument otherwise); the scores
// must be finite (not checked). O(n^2) pairs: meant for the GP's train samples (about 5 us at n = 100).
class WeightedTau {
public:
    explicit WeightedTau(std::span<double const> truth);
    [[nodiscard]] double operator()(std::span<double const> scores) const;
    [[nodiscard]] std::size_t size() const { return truth_.size(); }
    // the truth rank r_i of each element (0 = best), as used for the weights
    [[nodiscard]] std::vector<std::size_t> const& ranks() const { return ranks_; }

private:
    std::vector<double> truth_, weight_;
    std::vector<std::size_t> ranks_;
    double truthTieWeight_{0.0}, totalWeight_{0.0};
};

}  // namespace zcgp::fitness
