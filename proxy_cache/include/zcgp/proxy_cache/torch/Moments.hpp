#pragma once
// One-pass statistics of a float activation for the raw-statistics cache: mean and unbiased standard deviation
// (accumulated in double, like torch::std_mean on a double copy), and the fractions of positive and of zero entries.
#include <cstdint>

namespace zcgp::proxy_cache {

struct Moments {
    double mean{0.0}, std{0.0}, positiveFraction{0.0}, zeroFraction{0.0};
};

// mean, std (NaN for n < 2), positive and zero fractions of p[0..n). Sums run in eight interleaved double
// accumulators (element i goes to accumulator i mod 8), added in a fixed order at the end, so the result does not
// depend on the instruction set the loop was compiled for.
Moments moments(float const* p, std::int64_t n);

// The fraction of entries equal to zero (a count only; what input_zero_fraction needs).
double zeroFraction(float const* p, std::int64_t n);

}  // namespace zcgp::proxy_cache
