#pragma once
// The PyTorch reference for zcgp's NB201 proxies: scripts/proxy_reference.py (Debian's python3-torch, the network
// and proxy definitions of experiments/bench/pytorch_proxies.py, none of zcgp's code), run by the test itself on
// this machine, on the same weights and zcgp's own input batch. It is computed live, not pinned: float32 gradients
// of these untrained networks depend on the CPU's kernels (oneDNN and OpenBLAS pick AVX-512 or AVX2 code), and
// between an Intel AVX-512 and an AMD AVX2 machine the reference itself moved by up to 1% (snip, fisher, epe_nas)
// and 75% (grasp of one cell, a sum that cancels): far beyond any tolerance that still catches a change of
// definition. On one machine the two computations agree to float32 rounding (docs/proxies.md).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/Blas.hpp"

namespace zcgp::test {

inline constexpr double kNonFiniteScore = -1e8;  // what measure() stores for a NaN/Inf proxy (NASLib's convention)

// The reference's setting: NB201 CIFAR-10, batch 8, seed 0, CPU, proxies only.
inline proxy_cache::ScorerOptions proxyReferenceOptions() {
    proxy_cache::ScorerOptions o;
    o.space = "nb201";
    o.dataset = "cifar10";
    o.batchSize = 8;
    o.seed = 0;
    o.dataDir = dataDir();
    o.device = "cpu";
    o.statistics = false;
    return o;
}

// The dump scripts/proxy_reference.py reads: int64 N, C, H, W, float32 images, int64 labels (little-endian, as
// this machine).
inline void writeProxyReferenceBatch(proxy_cache::DataBatch const& b, std::filesystem::path const& file) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    for (std::int64_t v : {b.batch, b.channels, b.height, b.width}) out.write(reinterpret_cast<char const*>(&v), sizeof v);
    out.write(reinterpret_cast<char const*>(b.images.data()), static_cast<std::streamsize>(b.images.size() * sizeof(float)));
    out.write(reinterpret_cast<char const*>(b.labels.data()),
              static_cast<std::streamsize>(b.labels.size() * sizeof(std::int64_t)));
    REQUIRE(out.good());
}

// Runs scripts/proxy_reference.py on `scorer`'s batch for `archs` (empty: the script's default six) and returns its
// JSON. The script runs on the BLAS this process's LibTorch calls (OpenBLAS when zcgp-torch links it), one thread.
inline nlohmann::json liveProxyReference(proxy_cache::ArchitectureScorer const& scorer,
                                         std::initializer_list<char const*> archs = {}) {
    auto const dir = std::filesystem::path(ZCGP_BINARY_DIR) / "proxy_reference" / std::to_string(::getpid());
    auto const batch = dir / "batch.bin";
    auto const out = dir / "reference.json";
    writeProxyReferenceBatch(scorer.dataBatch(), batch);
    std::string env = "OMP_NUM_THREADS=1";
    if (proxy_cache::blasFamily() == "openblas") {
        auto const library = proxy_cache::blasLibrary();  // "PATH (configuration)": its folder holds libblas.so.3
        env += " LD_LIBRARY_PATH=" + std::filesystem::path(library.substr(0, library.find(' '))).parent_path().string();
    }
    std::string command = "env " + env + " /usr/bin/python3 " +
                          (std::filesystem::path(ZCGP_SOURCE_DIR) / "scripts" / "proxy_reference.py").string() +
                          " --batch-file " + batch.string() + " --out " + out.string();
    for (auto const* a : archs) command += std::string(" --arch '") + a + "'";
    auto const run = runCommand(command);
    INFO(command << "\n" << run.err);
    REQUIRE(run.exitCode == 0);
    std::ifstream in(out);
    REQUIRE(in.good());
    auto reference = nlohmann::json::parse(in);
    std::filesystem::remove_all(dir);
    INFO("the reference ran on the " << reference.at("blas").get<std::string>() << " BLAS, this process uses "
                                     << proxy_cache::blasLibrary());
    REQUIRE(reference.at("blas").get<std::string>() == proxy_cache::blasFamily());
    return reference;
}

// Tolerances, from where the two computations differ: both run the same float32 LibTorch kernels on the same
// tensors, but through different graphs (zcgp shares one forward and one create_graph backward between proxies, the
// reference runs each proxy's own passes) and different reductions (zcgp accumulates the layer terms in double, the
// reference in Python floats of float32 .item()s). The largest differences measured on the reference's
// architectures (docs/proxies.md, Intel and AMD) are 6.5e-8 relative (grad_norm) and, for plain and grasp, 1e-8 of
// the sum of |terms|. The tolerances leave a margin of about 10-20 over those and still catch any change of
// definition, batch or weights, which move values by far more. params and flops are integer counts: exact.
// plain = sum W*g and grasp = sum -W*Hg are sums of signed terms that largely cancel (plain is 0.1% of its sum of
// |terms| here); rounding scales with the terms, not with the result, so their tolerance is relative to the sum of
// |terms| the reference script records.
inline constexpr double kRelativeTolerance = 1e-6;
inline constexpr double kCancellingTolerance = 1e-7;  // times the sum of |terms|

inline double proxyTolerance(std::string const& proxy, double reference, nlohmann::json const& absTerms) {
    if (proxy == "params" || proxy == "flops") return 1e-12 * std::abs(reference);
    if (absTerms.contains(proxy)) return kCancellingTolerance * absTerms.at(proxy).get<double>();
    return kRelativeTolerance * std::abs(reference);
}

}  // namespace zcgp::test
