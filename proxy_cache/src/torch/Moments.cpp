#include "zcgp/proxy_cache/torch/Moments.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace zcgp::proxy_cache {
namespace {

constexpr std::int64_t kLanes = 8;

// Sum of (p[i] - shift)^k for k = 1 or 2, lane i mod 8, then the lanes added pairwise in a fixed order. The
// per-lane loop is plain double arithmetic without contraction into FMA, so every clone gives the same bits.
template <int Power>
__attribute__((target_clones("avx2", "default"))) double laneSum(float const* p, std::int64_t n, double shift) {
    std::array<double, kLanes> acc{};
    std::int64_t const blocks = n / kLanes * kLanes;
    for (std::int64_t i = 0; i < blocks; i += kLanes) {
        for (std::int64_t j = 0; j < kLanes; ++j) {
            double const d = static_cast<double>(p[i + j]) - shift;
            if constexpr (Power == 1) {
                acc[static_cast<std::size_t>(j)] += d;
            } else {
                double const sq = d * d;
                acc[static_cast<std::size_t>(j)] += sq;
            }
        }
    }
    for (std::int64_t i = blocks; i < n; ++i) {
        double const d = static_cast<double>(p[i]) - shift;
        acc[static_cast<std::size_t>(i - blocks)] += Power == 1 ? d : d * d;
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

struct Counts {
    std::int64_t positive{0}, zero{0};
};

// 32-bit counters over chunks of 2^20 elements vectorise (lanes of the float compares' width); the chunk totals
// are added in 64 bits.
__attribute__((target_clones("avx2", "default"))) Counts signCounts(float const* p, std::int64_t n) {
    constexpr std::int64_t kChunk = std::int64_t{1} << 20;
    Counts c;
    for (std::int64_t start = 0; start < n; start += kChunk) {
        std::int64_t const end = std::min(n, start + kChunk);
        std::int32_t positive = 0, zero = 0;
        for (std::int64_t i = start; i < end; ++i) {
            positive += p[i] > 0.0F ? 1 : 0;
            zero += p[i] == 0.0F ? 1 : 0;
        }
        c.positive += positive;
        c.zero += zero;
    }
    return c;
}

}  // namespace

Moments moments(float const* p, std::int64_t n) {
    Moments m;
    auto const size = static_cast<double>(n);
    m.mean = laneSum<1>(p, n, 0.0) / size;
    m.std = n > 1 ? std::sqrt(laneSum<2>(p, n, m.mean) / static_cast<double>(n - 1)) : std::nan("");
    auto const counts = signCounts(p, n);
    m.positiveFraction = static_cast<double>(counts.positive) / size;
    m.zeroFraction = static_cast<double>(counts.zero) / size;
    return m;
}

double zeroFraction(float const* p, std::int64_t n) {
    return static_cast<double>(signCounts(p, n).zero) / static_cast<double>(n);
}

}  // namespace zcgp::proxy_cache
