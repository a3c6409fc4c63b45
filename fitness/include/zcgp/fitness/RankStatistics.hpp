#pragma once
// Rank statistics between a proxy's scores and ground-truth accuracy.
//
// Missing values: a NaN in either input marks that architecture as missing, and every statistic is
// computed over the pairwise-complete observations (the architectures where both values are present).
// If fewer than 2 complete pairs remain, or either side is constant, the result is NaN.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace zcgp::fitness {

// Kendall tau-b, O(n log n) (Knight 1966), correct with ties in either variable.
[[nodiscard]] double kendallTau(std::span<double const> x, std::span<double const> y);

// Spearman rho: Pearson correlation of the average ranks (ties get the mean of their ranks).
[[nodiscard]] double spearman(std::span<double const> x, std::span<double const> y);

// Pearson product-moment correlation.
[[nodiscard]] double pearson(std::span<double const> x, std::span<double const> y);

// Top-k agreement: |top-k by x  ∩  top-k by y| / k, with k = max(1, round(fraction * n_complete)).
// Ties at the cut-off are broken by index, for both sides.
[[nodiscard]] double topKPrecision(std::span<double const> x, std::span<double const> y, double fraction = 0.1);

// Average ranks (1-based), ties averaged; NaN stays NaN.
[[nodiscard]] std::vector<double> averageRanks(std::span<double const> x);

enum class Metric { Kendall, Spearman, Pearson, TopK };
[[nodiscard]] Metric parseMetric(std::string_view name);  // throws std::invalid_argument listing valid names
[[nodiscard]] std::string_view toString(Metric metric);
[[nodiscard]] double correlate(Metric metric, std::span<double const> x, std::span<double const> y);

// Allocation-free Kendall tau-b for the GP hot loop: the ground truth is fixed, so it is sorted once,
// and every call only sorts the candidate scores within that order. Inputs must be finite (no NaN).
class KendallTau {
public:
    explicit KendallTau(std::span<double const> truth);
    [[nodiscard]] double operator()(std::span<double const> scores);  // reuses internal buffers
    [[nodiscard]] std::size_t size() const { return order_.size(); }

private:
    std::vector<std::size_t> order_;   // indices sorted by truth (ties kept together)
    std::vector<double> truth_;
    double truthTiedPairs_{0.0};       // sum over tie groups in truth of t(t-1)/2
    std::vector<double> buffer_;
    std::vector<double> scratch_;
    std::vector<std::size_t> tieStart_;
};

}  // namespace zcgp::fitness
