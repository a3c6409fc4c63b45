// zcgp's 13 native NB201 proxies against an independent PyTorch computation (scripts/proxy_reference.py, run live
// on this machine: ProxyReference.hpp says why) on the same weights and the same input batch.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ProxyReference.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"

namespace pc = zcgp::proxy_cache;
namespace fs = std::filesystem;
using zcgp::test::kNonFiniteScore;
using zcgp::test::proxyTolerance;

// Writes the batch for running scripts/proxy_reference.py by hand (docs/proxies.md, "Reference").
TEST_CASE("Write the data batch of the proxy reference", "[proxy_cache][torch][.][proxy-reference-inputs]") {
    auto const o = zcgp::test::proxyReferenceOptions();
    pc::ArchitectureScorer scorer(o);
    auto const file = fs::path(ZCGP_BINARY_DIR) / "proxy_reference" /
                      ("nb201_" + o.dataset + "_b" + std::to_string(o.batchSize) + "_seed" + std::to_string(o.seed) + ".bin");
    zcgp::test::writeProxyReferenceBatch(scorer.dataBatch(), file);
    WARN("wrote " << file.string());
}

TEST_CASE("NB201 proxies equal an independent PyTorch computation on the same weights and batch", "[proxy_cache][torch]") {
    pc::ArchitectureScorer scorer(zcgp::test::proxyReferenceOptions());
    auto const live = zcgp::test::liveProxyReference(scorer);
    REQUIRE(live.at("archs").size() == 6);

    std::size_t compared = 0, nonFinite = 0;
    for (auto const& row : live.at("archs")) {
        auto const arch = row.at("arch").get<std::string>();
        auto const m = scorer.measure(arch);
        auto const& reference = row.at("proxies");
        REQUIRE(m.proxies.size() == 13);
        REQUIRE(reference.size() == 13);
        for (auto const& [name, value] : m.proxies) {
            INFO(arch << ' ' << name);
            REQUIRE(reference.contains(name));
            double const expected = reference.at(name).get<double>();
            if (expected == kNonFiniteScore) {
                // non-finite in PyTorch too: zcgp must store exactly the sentinel
                CHECK(value == kNonFiniteScore);
                ++nonFinite;
            } else {
                CHECK(std::abs(value - expected) <= proxyTolerance(name, expected, row.at("abs_terms")));
            }
            ++compared;
        }
    }
    CHECK(compared >= 5 * 13);
    // the all-'none' cell's jacov, epe_nas (zero Jacobian), nwot (singular kernel) and zen (zero difference)
    CHECK(nonFinite == 4);
}
