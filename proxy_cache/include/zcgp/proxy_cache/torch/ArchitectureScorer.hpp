#pragma once
// Scores one architecture natively with LibTorch: the proxies of its search space (the 13 suite proxies for NB201,
// the training-free transformer proxies for FlexiBERT) and per-layer raw statistics, sharing forward and backward
// passes between them. Only compiled with ZCGP_WITH_TORCH.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zcgp/proxy_cache/Measurement.hpp"

namespace zcgp::proxy_cache {

// Profiling hook: called after each pass of measure() with the pass's name and its wall time in seconds. The
// library never prints or reads the environment; a command decides where timings go.
using PhaseTimer = std::function<void(std::string_view phase, double seconds)>;

struct ScorerOptions {
    std::string space = "nb201";        // search space: nb201 | flexibert (nativeSpaces())
    std::string dataset = "cifar10";     // nb201: cifar10 | cifar100 | ImageNet16-120; flexibert: glue
    std::filesystem::path dataDir = "data";
    int batchSize = 64;
    std::uint64_t seed = 0;
    std::string device = "auto";         // auto | cpu | cuda
    std::vector<std::string> proxies;    // empty = all of the space (proxyNames(space))
    bool statistics = true;              // also gather per-layer raw statistics
    // nb201: only these statistics (names of statisticNames("nb201")), and only the passes they need; empty:
    // all of them. A measurement then holds just these, in statisticNames' order. Unknown names: invalid_argument.
    std::vector<std::string> statisticNames;
    int sequenceLength = 128;            // flexibert: tokens per sequence of the random-token batch
    // nb201: batch norm's second derivative (GraSP's Hessian-vector product) by one fused kernel per layer; false:
    // LibTorch's own double backward (the same first-order results bit for bit; docs/proxies.md, "Sixth round")
    bool fusedBatchNorm = true;
    PhaseTimer phaseTimer;               // optional: per-pass timings
};

// The data batch a scorer feeds every measure(), copied to the CPU: normalised images, row-major
// [batch, channels, height, width], and their labels.
struct DataBatch {
    std::int64_t batch{0}, channels{0}, height{0}, width{0};
    std::vector<float> images;
    std::vector<std::int64_t> labels;
};

// LayerStatistic and ArchitectureMeasurement live in the torch-free zcgp/proxy_cache/Measurement.hpp
// (moved there, names unchanged, so StatisticsCache can store them without LibTorch).

// The per-layer and per-node statistics an nb201 scorer produces, in the order a measurement holds them. Throws
// std::invalid_argument for another space.
[[nodiscard]] std::vector<std::string> statisticNames(std::string const& space = "nb201");

class ArchitectureScorer {
public:
    explicit ArchitectureScorer(ScorerOptions options);
    ~ArchitectureScorer();
    ArchitectureScorer(ArchitectureScorer const&) = delete;
    ArchitectureScorer& operator=(ArchitectureScorer const&) = delete;

    // Requirement (zcgp gather --resume, --shard/--merge rely on it): measure() is a pure function of
    // (options, archKey): seed every RNG it uses (weight init, input batch) at its start from
    // (options.seed, archKey), never from a stream shared across calls, so the same architecture gives
    // bit-identical results whatever was measured before it, in this process or another (same device).
    // archKey: NB201: NASLib tuple "(0, 2, 3, 2, 3, 1)" or NB201 string "|nor_conv_3x3~0|+|...|"; FlexiBERT: the
    // benchmark's ID ("17"). Throws std::invalid_argument naming the key for a wrong tuple length, an unknown op,
    // an ID not in the benchmark or a layer with an unknown operation type.
    [[nodiscard]] ArchitectureMeasurement measure(std::string const& archKey);
    [[nodiscard]] std::string const& deviceName() const;
    // The image batch built from (dataDir, dataset, batchSize, seed), for independent references that must see the
    // same inputs (scripts/proxy_reference.py). NB201 only (throws std::logic_error for another space).
    [[nodiscard]] DataBatch dataBatch() const;
    // The canonical key of archKey in this space (throws like measure() for a bad key), without measuring.
    [[nodiscard]] std::string canonicalKey(std::string const& archKey) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace zcgp::proxy_cache
