#pragma once
// Scores one architecture natively with LibTorch: the 13 suite proxies and per-layer raw statistics,
// sharing forward and backward passes between them. Only compiled with ZCGP_WITH_TORCH.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "zcgp/proxy_cache/Measurement.hpp"

namespace zcgp::proxy_cache {

struct ScorerOptions {
    std::string space = "nb201";        // search space (only nb201 for now)
    std::string dataset = "cifar10";     // cifar10 | cifar100 | ImageNet16-120
    std::filesystem::path dataDir = "data";
    int batchSize = 64;
    std::uint64_t seed = 0;
    std::string device = "auto";         // auto | cpu | cuda
    std::vector<std::string> proxies;    // empty = all 13
    bool statistics = true;              // also gather per-layer raw statistics
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
    // archKey: NASLib tuple "(0, 2, 3, 2, 3, 1)" or NB201 string "|nor_conv_3x3~0|+|...|".
    // Throws std::invalid_argument naming the key for a wrong tuple length or unknown op.
    [[nodiscard]] ArchitectureMeasurement measure(std::string const& archKey);
    [[nodiscard]] std::string const& deviceName() const;
    // The batch built from (dataDir, dataset, batchSize, seed), for independent references that must see the
    // same inputs (scripts/proxy_reference.py).
    [[nodiscard]] DataBatch dataBatch() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace zcgp::proxy_cache
