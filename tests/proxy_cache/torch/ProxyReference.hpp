#pragma once
// The pinned PyTorch reference for zcgp's NB201 proxies (tests/fixtures/nb201_proxies_reference.json, written by
// scripts/proxy_reference.py): reading it, the scorer options it was computed with, and the comparison tolerance.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "TestData.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"

namespace zcgp::test {

inline constexpr double kNonFiniteScore = -1e8;  // what measure() stores for a NaN/Inf proxy (NASLib's convention)

inline nlohmann::json readProxyFixture() {
    auto const path = std::filesystem::path(ZCGP_SOURCE_DIR) / "tests" / "fixtures" / "nb201_proxies_reference.json";
    std::ifstream in(path);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

inline proxy_cache::ScorerOptions proxyFixtureOptions(nlohmann::json const& fixture) {
    proxy_cache::ScorerOptions o;
    o.space = fixture.at("space").get<std::string>();
    o.dataset = fixture.at("dataset").get<std::string>();
    o.batchSize = fixture.at("batch").get<int>();
    o.seed = fixture.at("seed").get<std::uint64_t>();
    o.dataDir = dataDir();
    o.device = "cpu";
    o.statistics = false;
    return o;
}

// Tolerances, from where the two computations differ: both run the same float32 LibTorch kernels on the same
// tensors, but through different graphs (zcgp shares one forward and one create_graph backward between proxies, the
// reference runs each proxy's own passes) and different reductions (zcgp accumulates the layer terms in double, the
// reference in Python floats of float32 .item()s). The largest differences measured on the fixture's architectures
// (docs/proxies.md) are 6.5e-8 relative (grad_norm) and, for plain and grasp, 4.8e-9 of the sum of |terms|. The
// tolerances leave a margin of about 15-20 over those and still catch any change of definition, batch or weights,
// which move values by far more. params and flops are integer counts: exact.
// plain = sum W*g and grasp = sum -W*Hg are sums of signed terms that largely cancel (plain is 0.1% of its sum of
// |terms| here); rounding scales with the terms, not with the result, so their tolerance is relative to the sum of
// |terms| recorded in the fixture.
inline constexpr double kRelativeTolerance = 1e-6;
inline constexpr double kCancellingTolerance = 1e-7;  // times the sum of |terms|

inline double proxyTolerance(std::string const& proxy, double reference, nlohmann::json const& absTerms) {
    if (proxy == "params" || proxy == "flops") return 1e-12 * std::abs(reference);
    if (absTerms.contains(proxy)) return kCancellingTolerance * absTerms.at(proxy).get<double>();
    return kRelativeTolerance * std::abs(reference);
}

}  // namespace zcgp::test
