#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/fitness/VectorClones.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#ifdef ZCGP_AVX512_KERNELS
#include <immintrin.h>
#endif

namespace zcgp::fitness {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void requireSameSize(std::span<double const> x, std::span<double const> y, char const* who) {
    if (x.size() != y.size()) {
        throw std::invalid_argument(std::string(who) + ": inputs differ in length (" + std::to_string(x.size()) +
                                    " vs " + std::to_string(y.size()) + ")");
    }
}

// The complete pairs (neither value NaN), in input order.
void completePairs(std::span<double const> x, std::span<double const> y, std::vector<double>& cx,
                   std::vector<double>& cy) {
    cx.clear();
    cy.clear();
    cx.reserve(x.size());
    cy.reserve(y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isnan(x[i]) && !std::isnan(y[i])) {
            cx.push_back(x[i]);
            cy.push_back(y[i]);
        }
    }
}

// Sum over runs of equal values of t(t-1)/2, for sorted data.
std::int64_t tiedPairs(double const* a, std::size_t n) {
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i + 1;
        while (j < n && a[j] == a[i]) {
            ++j;
        }
        auto const t = static_cast<std::int64_t>(j - i);
        total += t * (t - 1) / 2;
        i = j;
    }
    return total;
}

// Sorts a[lo, hi) by insertion, returning the number of (strict) inversions it removed.
std::int64_t insertionSortCount(double* a, std::size_t lo, std::size_t hi) {
    std::int64_t swaps = 0;
    for (std::size_t i = lo + 1; i < hi; ++i) {
        double const v = a[i];
        std::size_t j = i;
        while (j > lo && a[j - 1] > v) {
            a[j] = a[j - 1];
            --j;
        }
        swaps += static_cast<std::int64_t>(i - j);
        a[j] = v;
    }
    return swaps;
}

// Stable-sorts a[0, n) ascending and counts strict inversions (i < j, a[i] > a[j]): insertion sort on small
// blocks, then bottom-up merges ping-ponging between a and scratch (both of size >= n). Returns where the
// sorted data ended up (a or scratch). Allocation-free.
constexpr std::size_t kBlock = 16;

double* sortCountInversions(double* a, double* scratch, std::size_t n, std::int64_t& swaps) {
    swaps = 0;
    for (std::size_t lo = 0; lo < n; lo += kBlock) {
        swaps += insertionSortCount(a, lo, std::min(lo + kBlock, n));
    }
    double* src = a;
    double* dst = scratch;
    for (std::size_t width = kBlock; width < n; width *= 2) {
        for (std::size_t lo = 0; lo < n; lo += 2 * width) {
            std::size_t const mid = std::min(lo + width, n);
            std::size_t const hi = std::min(lo + 2 * width, n);
            std::size_t i = lo;
            std::size_t j = mid;
            std::size_t k = lo;
            // Branchless: on random scores the comparison is a coin flip, so a branch mispredicts half the time.
            while (i < mid && j < hi) {
                double const left = src[i];
                double const right = src[j];
                bool const takeRight = right < left;
                // A right element jumping ahead of the rest of the left run forms one discordant pair with each.
                swaps += takeRight ? static_cast<std::int64_t>(mid - i) : 0;
                dst[k++] = takeRight ? right : left;
                j += static_cast<std::size_t>(takeRight);
                i += static_cast<std::size_t>(!takeRight);
            }
            while (i < mid) {
                dst[k++] = src[i++];
            }
            while (j < hi) {
                dst[k++] = src[j++];
            }
        }
        std::swap(src, dst);
    }
    return src;
}

// Pair counts by direct comparison, for small n: O(n^2) but branch-free, so its time does not depend on the
// data. The merge sort's comparisons are coin flips on real scores and mispredict; at n = 100 on fresh (not
// repeated) score vectors this is ~2.5x faster (experiments/bench/bench_kendall). For scores in truth order,
// each i is compared with every later j: pairs inside i's truth tie group (j < groupEnd[i]) only count joint
// ties; pairs across groups count discordance (a[j] < a[i]) and score ties. The counts are integers, so the
// vectorised clones (chosen at load time by the CPU's features) give exactly the baseline's result.
struct PairCounts {
    std::int64_t discordant{0}, scoreTies{0}, jointTies{0};
};

ZCGP_VECTOR_CLONES
PairCounts countPairsPortable(double const* a, std::size_t n, std::size_t const* groupEnd) {
    std::int64_t discordant = 0, ties = 0, joint = 0;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        double const x = a[i];
        std::size_t const g = groupEnd[i];
        for (std::size_t j = i + 1; j < g; ++j) {
            joint += static_cast<std::int64_t>(a[j] == x);
        }
        for (std::size_t j = g; j < n; ++j) {
            discordant += static_cast<std::int64_t>(a[j] < x);
            ties += static_cast<std::int64_t>(a[j] == x);
        }
    }
    return {discordant, ties + joint, joint};
}

#ifdef ZCGP_AVX512_KERNELS
// countPairsPortable with 8 lanes per step: each comparison gives a mask whose popcount is added at once.
// a must be followed by 8 readable +inf (KendallTau's buffer is): the blocks across truth groups run unmasked.
ZCGP_TARGET_AVX512
PairCounts countPairsAvx512(double const* a, std::size_t n, std::size_t const* groupEnd) {
    std::int64_t discordant = 0, ties = 0, joint = 0;
    auto tail = [](std::size_t left) { return static_cast<__mmask8>((1u << left) - 1u); };
    for (std::size_t i = 0; i + 1 < n; ++i) {
        __m512d const x = _mm512_set1_pd(a[i]);
        std::size_t const g = groupEnd[i];
        std::size_t j = i + 1;
        for (; j + 8 <= g; j += 8) {
            joint += _mm_popcnt_u32(_mm512_cmp_pd_mask(_mm512_loadu_pd(a + j), x, _CMP_EQ_OQ));
        }
        if (j < g) {
            __mmask8 const m = tail(g - j);
            joint += _mm_popcnt_u32(_mm512_mask_cmp_pd_mask(m, _mm512_maskz_loadu_pd(m, a + j), x, _CMP_EQ_OQ));
        }
        // a[n .. n+7] hold +inf: never below nor equal to a finite score, so the last block needs no mask
        for (j = g; j < n; j += 8) {
            __m512d const v = _mm512_loadu_pd(a + j);
            discordant += _mm_popcnt_u32(_mm512_cmp_pd_mask(v, x, _CMP_LT_OQ));
            ties += _mm_popcnt_u32(_mm512_cmp_pd_mask(v, x, _CMP_EQ_OQ));
        }
    }
    return {discordant, ties + joint, joint};
}
#endif

PairCounts countPairs(double const* a, std::size_t n, std::size_t const* groupEnd) {
#ifdef ZCGP_AVX512_KERNELS
    if (hasAvx512()) return countPairsAvx512(a, n, groupEnd);
#endif
    return countPairsPortable(a, n, groupEnd);
}

// tau-b from the integer pair counts (same expression as scipy.stats.kendalltau): shared by kendallTau and
// KendallTau so both give bit-identical results.
double tauB(std::int64_t n, std::int64_t xTies, std::int64_t yTies, std::int64_t jointTies, std::int64_t discordant) {
    std::int64_t const total = n * (n - 1) / 2;
    if (n < 2 || xTies == total || yTies == total) {
        return kNaN;
    }
    auto const conMinusDis = static_cast<double>(total - xTies - yTies + jointTies - 2 * discordant);
    double const tau =
        conMinusDis / std::sqrt(static_cast<double>(total - xTies)) / std::sqrt(static_cast<double>(total - yTies));
    return std::clamp(tau, -1.0, 1.0);
}

bool isConstant(std::vector<double> const& v) {
    return std::all_of(v.begin(), v.end(), [&](double a) { return a == v.front(); });
}

double pearsonComplete(std::vector<double> const& x, std::vector<double> const& y) {
    std::size_t const n = x.size();
    if (n < 2 || isConstant(x) || isConstant(y)) {
        return kNaN;
    }
    double const mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
    double const my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
    double sxy = 0.0;
    double sxx = 0.0;
    double syy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        double const dx = x[i] - mx;
        double const dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    return std::clamp(sxy / (std::sqrt(sxx) * std::sqrt(syy)), -1.0, 1.0);
}

// Average ranks of finite-or-infinite (non-NaN) values.
std::vector<double> ranksOf(std::vector<double> const& v) {
    std::size_t const n = v.size();
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> ranks(n);
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i + 1;
        while (j < n && v[idx[j]] == v[idx[i]]) {
            ++j;
        }
        // Ranks i+1 .. j share their mean.
        double const rank = 0.5 * static_cast<double>(i + 1 + j);
        for (std::size_t k = i; k < j; ++k) {
            ranks[idx[k]] = rank;
        }
        i = j;
    }
    return ranks;
}

// Indices of the k largest values; ties broken by lower index.
std::vector<std::size_t> topIndices(std::vector<double> const& v, std::size_t k) {
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    auto const better = [&](std::size_t a, std::size_t b) { return v[a] > v[b] || (v[a] == v[b] && a < b); };
    std::nth_element(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k - 1), idx.end(), better);
    idx.resize(k);
    std::sort(idx.begin(), idx.end());
    return idx;
}

}  // namespace

double kendallTau(std::span<double const> x, std::span<double const> y) {
    requireSameSize(x, y, "kendallTau");
    std::vector<std::pair<double, double>> pairs;
    pairs.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isnan(x[i]) && !std::isnan(y[i])) {
            pairs.emplace_back(x[i], y[i]);
        }
    }
    std::size_t const n = pairs.size();
    if (n < 2) {
        return kNaN;
    }
    std::sort(pairs.begin(), pairs.end());

    // Ties in x, and joint ties (x and y both equal), from runs in the (x, y) order.
    std::int64_t xTies = 0;
    std::int64_t jointTies = 0;
    std::vector<double> ys(n);
    for (std::size_t i = 0; i < n; ++i) {
        ys[i] = pairs[i].second;
    }
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i + 1;
        while (j < n && pairs[j].first == pairs[i].first) {
            ++j;
        }
        auto const t = static_cast<std::int64_t>(j - i);
        xTies += t * (t - 1) / 2;
        jointTies += tiedPairs(ys.data() + i, j - i);  // y is sorted within an x group
        i = j;
    }

    std::vector<double> scratch(n);
    std::int64_t discordant = 0;
    double const* sortedY = sortCountInversions(ys.data(), scratch.data(), n, discordant);
    std::int64_t const yTies = tiedPairs(sortedY, n);
    return tauB(static_cast<std::int64_t>(n), xTies, yTies, jointTies, discordant);
}

double spearman(std::span<double const> x, std::span<double const> y) {
    requireSameSize(x, y, "spearman");
    std::vector<double> cx;
    std::vector<double> cy;
    completePairs(x, y, cx, cy);
    if (cx.size() < 2 || isConstant(cx) || isConstant(cy)) {
        return kNaN;
    }
    return pearsonComplete(ranksOf(cx), ranksOf(cy));
}

double pearson(std::span<double const> x, std::span<double const> y) {
    requireSameSize(x, y, "pearson");
    std::vector<double> cx;
    std::vector<double> cy;
    completePairs(x, y, cx, cy);
    return pearsonComplete(cx, cy);
}

double topKPrecision(std::span<double const> x, std::span<double const> y, double fraction) {
    requireSameSize(x, y, "topKPrecision");
    if (!(fraction > 0.0 && fraction <= 1.0)) {
        throw std::invalid_argument("topKPrecision: fraction must be in (0, 1], got " + std::to_string(fraction));
    }
    std::vector<double> cx;
    std::vector<double> cy;
    completePairs(x, y, cx, cy);
    std::size_t const n = cx.size();
    if (n < 2 || isConstant(cx) || isConstant(cy)) {
        return kNaN;
    }
    auto const k = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n))), 1, n);
    std::vector<std::size_t> const topX = topIndices(cx, k);
    std::vector<std::size_t> const topY = topIndices(cy, k);
    std::vector<std::size_t> common;
    std::set_intersection(topX.begin(), topX.end(), topY.begin(), topY.end(), std::back_inserter(common));
    return static_cast<double>(common.size()) / static_cast<double>(k);
}

std::vector<double> averageRanks(std::span<double const> x) {
    std::vector<double> present;
    present.reserve(x.size());
    for (double v : x) {
        if (!std::isnan(v)) {
            present.push_back(v);
        }
    }
    std::vector<double> const presentRanks = ranksOf(present);
    std::vector<double> ranks(x.size(), kNaN);
    std::size_t p = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isnan(x[i])) {
            ranks[i] = presentRanks[p++];
        }
    }
    return ranks;
}

Metric parseMetric(std::string_view name) {
    if (name == "kendall") {
        return Metric::Kendall;
    }
    if (name == "spearman") {
        return Metric::Spearman;
    }
    if (name == "pearson") {
        return Metric::Pearson;
    }
    if (name == "topk") {
        return Metric::TopK;
    }
    throw std::invalid_argument("unknown metric '" + std::string(name) +
                                "' (valid: kendall, spearman, pearson, topk)");
}

std::string_view toString(Metric metric) {
    switch (metric) {
    case Metric::Kendall:
        return "kendall";
    case Metric::Spearman:
        return "spearman";
    case Metric::Pearson:
        return "pearson";
    case Metric::TopK:
        return "topk";
    }
    throw std::invalid_argument("toString: invalid Metric value " + std::to_string(static_cast<int>(metric)));
}

double correlate(Metric metric, std::span<double const> x, std::span<double const> y) {
    switch (metric) {
    case Metric::Kendall:
        return kendallTau(x, y);
    case Metric::Spearman:
        return spearman(x, y);
    case Metric::Pearson:
        return pearson(x, y);
    case Metric::TopK:
        return topKPrecision(x, y);
    }
    throw std::invalid_argument("correlate: invalid Metric value " + std::to_string(static_cast<int>(metric)));
}

// ---- KendallTau ----

KendallTau::KendallTau(std::span<double const> truth) {
    std::size_t const n = truth.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(truth[i])) {
            throw std::invalid_argument("KendallTau: truth value " + std::to_string(i) + " is not finite (" +
                                        std::to_string(truth[i]) + ")");
        }
    }
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return truth[a] < truth[b]; });
    truth_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        truth_[i] = truth[order_[i]];
    }
    groupEnd_.resize(n);
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i + 1;
        while (j < n && truth_[j] == truth_[i]) {
            ++j;
        }
        if (j - i > 1) {
            tieStart_.push_back(i);
            tieStart_.push_back(j);
        }
        std::fill(groupEnd_.begin() + static_cast<std::ptrdiff_t>(i), groupEnd_.begin() + static_cast<std::ptrdiff_t>(j), j);
        auto const t = static_cast<std::int64_t>(j - i);
        truthTiedPairs_ += t * (t - 1) / 2;
        i = j;
    }
    buffer_.assign(n + 8, std::numeric_limits<double>::infinity());  // the padding countPairsAvx512 reads
    scratch_.resize(n);
}

double KendallTau::operator()(std::span<double const> scores) {
    std::size_t const n = order_.size();
    if (scores.size() != n) {
        throw std::invalid_argument("KendallTau: " + std::to_string(scores.size()) + " scores for " +
                                    std::to_string(n) + " truth values");
    }
    if (n < 2) {
        return kNaN;
    }
    double* a = buffer_.data();
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = scores[order_[i]];
    }
    if (n <= kPairwiseMax) {
        PairCounts const c = countPairs(a, n, groupEnd_.data());
        return tauB(static_cast<std::int64_t>(n), truthTiedPairs_, c.scoreTies, c.jointTies, c.discordant);
    }
    // Within each truth tie group, sort the scores so the (truth, score) order matches kendallTau's, and count
    // the joint ties. Pairs inside a group are neither concordant nor discordant, so the inversions this sort
    // removes are not counted.
    std::int64_t jointTies = 0;
    for (std::size_t g = 0; g < tieStart_.size(); g += 2) {
        std::size_t const lo = tieStart_[g];
        std::size_t const hi = tieStart_[g + 1];
        if (hi - lo <= 32) {
            (void)insertionSortCount(a, lo, hi);
        } else {
            std::sort(a + lo, a + hi);
        }
        jointTies += tiedPairs(a + lo, hi - lo);
    }
    std::int64_t discordant = 0;
    double const* sorted = sortCountInversions(a, scratch_.data(), n, discordant);
    std::int64_t const scoreTies = tiedPairs(sorted, n);
    return tauB(static_cast<std::int64_t>(n), truthTiedPairs_, scoreTies, jointTies, discordant);
}

std::vector<std::size_t> ranksFromTop(std::span<double const> x) {
    std::vector<std::size_t> r(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        r[i] = static_cast<std::size_t>(std::count_if(x.begin(), x.end(), [&](double v) { return v > x[i]; }));
    }
    return r;
}

WeightedTau::WeightedTau(std::span<double const> truth) : truth_(truth.begin(), truth.end()) {
    std::size_t const n = truth_.size();
    for (double const t : truth_) {
        if (!std::isfinite(t)) throw std::invalid_argument("WeightedTau: the truth must be finite");
    }
    ranks_ = ranksFromTop(truth_);
    weight_.resize(n);
    for (std::size_t i = 0; i < n; ++i) weight_[i] = 1.0 / (1.0 + static_cast<double>(ranks_[i]));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            double const w = weight_[i] + weight_[j];
            totalWeight_ += w;
            if (truth_[i] == truth_[j]) truthTieWeight_ += w;
        }
    }
}

double WeightedTau::operator()(std::span<double const> scores) const {
    std::size_t const n = truth_.size();
    if (scores.size() != n) {
        throw std::invalid_argument("WeightedTau: " + std::to_string(scores.size()) + " scores for " +
                                    std::to_string(n) + " truth values");
    }
    double scoreTies = 0.0, jointTies = 0.0, discordant = 0.0;
    double const* s = scores.data();
    double const* t = truth_.data();
    double const* a = weight_.data();
    for (std::size_t i = 0; i + 1 < n; ++i) {
        double const si = s[i], ti = t[i], ai = a[i];
        for (std::size_t j = i + 1; j < n; ++j) {
            double const w = ai + a[j];
            double const ds = s[j] - si, dt = t[j] - ti;
            scoreTies += ds == 0.0 ? w : 0.0;
            jointTies += ds == 0.0 && dt == 0.0 ? w : 0.0;
            discordant += (ds < 0.0 && dt > 0.0) || (ds > 0.0 && dt < 0.0) ? w : 0.0;
        }
    }
    double const notTiedScores = totalWeight_ - scoreTies;
    double const notTiedTruth = totalWeight_ - truthTieWeight_;
    if (n < 2 || !(notTiedScores > 0.0) || !(notTiedTruth > 0.0)) return kNaN;
    double const tau = (totalWeight_ - scoreTies - truthTieWeight_ + jointTies - 2.0 * discordant) /
                       std::sqrt(notTiedScores) / std::sqrt(notTiedTruth);
    return std::clamp(tau, -1.0, 1.0);
}

}  // namespace zcgp::fitness
