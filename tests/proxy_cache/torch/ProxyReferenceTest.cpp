// zcgp's 13 native NB201 proxies against an independent PyTorch computation (scripts/proxy_reference.py, pinned in
// tests/fixtures/nb201_proxies_reference.json) on the same weights and the same input batch.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ProxyReference.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/Blas.hpp"

namespace pc = zcgp::proxy_cache;
namespace fs = std::filesystem;
using zcgp::test::kNonFiniteScore;
using zcgp::test::proxyFixtureOptions;
using zcgp::test::proxyTolerance;
using zcgp::test::readProxyFixture;

namespace {

// The dump scripts/proxy_reference.py reads: int64 N, C, H, W, float32 images, int64 labels (little-endian, as
// this machine).
void writeBatch(pc::DataBatch const& b, fs::path const& file) {
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    for (std::int64_t v : {b.batch, b.channels, b.height, b.width}) out.write(reinterpret_cast<char const*>(&v), sizeof v);
    out.write(reinterpret_cast<char const*>(b.images.data()), static_cast<std::streamsize>(b.images.size() * sizeof(float)));
    out.write(reinterpret_cast<char const*>(b.labels.data()),
              static_cast<std::streamsize>(b.labels.size() * sizeof(std::int64_t)));
    REQUIRE(out.good());
}

}  // namespace

// Writes the batch that scripts/proxy_reference.py needs to regenerate the fixture (see the fixture's "command").
TEST_CASE("Write the data batch of the proxy reference fixture", "[proxy_cache][torch][.][proxy-reference-inputs]") {
    auto const fixture = readProxyFixture();
    auto const o = proxyFixtureOptions(fixture);
    pc::ArchitectureScorer scorer(o);
    auto const file = fs::path(ZCGP_BINARY_DIR) / "proxy_reference" /
                      ("nb201_" + o.dataset + "_b" + std::to_string(o.batchSize) + "_seed" + std::to_string(o.seed) + ".bin");
    writeBatch(scorer.dataBatch(), file);
    WARN("wrote " << file.string());
}

TEST_CASE("NB201 proxies equal an independent PyTorch computation on the same weights and batch", "[proxy_cache][torch]") {
    auto const fixture = readProxyFixture();
    auto const o = proxyFixtureOptions(fixture);
    pc::ArchitectureScorer scorer(o);

    // Float32 results depend on the BLAS in their last digits (about 1e-5 relative here, beyond the tolerances), so
    // the reference must come from the BLAS this build's LibTorch calls (OpenBLAS, linked by CMake's ZCGP_OPENBLAS).
    INFO("the fixture was computed with the " << fixture.at("blas").get<std::string>() << " BLAS, this process uses "
                                              << pc::blasLibrary() << " (see scripts/proxy_reference.py)");
    REQUIRE(fixture.at("blas").get<std::string>() == pc::blasFamily());

    // The fixture was computed on zcgp's batch as it was then: if the batch changed, say so before the proxies do.
    auto const batch = scorer.dataBatch();
    auto const& print = fixture.at("batch_fingerprint");
    REQUIRE(batch.batch == o.batchSize);
    REQUIRE(batch.labels == print.at("labels").get<std::vector<std::int64_t>>());
    auto const sums = print.at("sample_sum").get<std::vector<double>>();
    auto const weighted = print.at("sample_column_weighted_sum").get<std::vector<double>>();
    auto const perSample = static_cast<std::size_t>(batch.channels * batch.height * batch.width);
    for (std::size_t n = 0; n < static_cast<std::size_t>(batch.batch); ++n) {
        double s = 0.0, w = 0.0;
        for (std::size_t k = 0; k < perSample; ++k) {
            double const v = batch.images[n * perSample + k];
            s += v;
            w += v * static_cast<double>(k % static_cast<std::size_t>(batch.width));
        }
        INFO("batch sample " << n << " differs from the fixture's: regenerate it with the fixture's command");
        CHECK(s == Approx(sums[n]).epsilon(1e-9).margin(1e-6));
        CHECK(w == Approx(weighted[n]).epsilon(1e-9).margin(1e-5));
    }

    std::size_t compared = 0, nonFinite = 0;
    for (auto const& row : fixture.at("archs")) {
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
