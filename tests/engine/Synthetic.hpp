#pragma once
// A small synthetic Dataset with scalar and ragged LayerVector terminals, for engine tests that need no
// benchmark (the statistics cache with real per-layer statistics does not exist yet).
#include <random>

#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::test {

inline primitives::Dataset syntheticDataset(std::size_t archs = 60, std::uint64_t seed = 7) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < archs; ++i) keys.push_back("arch" + std::to_string(i));
    primitives::Dataset d(keys);
    std::vector<double> a(archs), b(archs), c(archs), y(archs);
    for (std::size_t i = 0; i < archs; ++i) {
        a[i] = g(rng);
        b[i] = std::exp(g(rng));
        c[i] = 3.0 * g(rng) + 1.0;
        y[i] = a[i] + 0.5 * std::log(b[i]) + 0.3 * g(rng);
    }
    d.addScalar("alpha", a);
    d.addScalar("beta", b);
    d.addScalar("gamma", c);
    d.setTarget(y);
    std::vector<std::size_t> counts(archs);
    std::uniform_int_distribution<std::size_t> layers(3, 9);
    for (auto& n : counts) n = layers(rng);
    d.setLayerCounts(counts);
    std::vector<double> v1(d.totalLayers()), v2(d.totalLayers());
    for (auto& v : v1) v = g(rng);
    for (auto& v : v2) v = std::abs(g(rng)) + 0.1;
    d.addLayerVector("act_mean", v1);
    d.addLayerVector("grad_norm_l", v2);
    return d;
}

}  // namespace zcgp::test
