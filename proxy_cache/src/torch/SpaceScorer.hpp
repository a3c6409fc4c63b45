#pragma once
// What the scorer of one search space shares with ArchitectureScorer: the interface a space's measuring pipeline
// implements, and the small helpers every pipeline uses (device choice, pass timing, the non-finite convention).
// Private to proxy_cache (LibTorch types).
#include <chrono>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "zcgp/proxy_cache/Measurement.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"

namespace zcgp::proxy_cache::detail {

inline constexpr double kNonFiniteScore = -1e8;  // NASLib's ZeroCost predictor stores NaN/inf scores as -1e8

[[nodiscard]] inline double finiteOr(double v) { return std::isfinite(v) ? v : kNonFiniteScore; }

// Times the passes of one measure() through the options' PhaseTimer (nothing when none is set).
class PhaseClock {
public:
    explicit PhaseClock(PhaseTimer const& timer) : timer_(timer), lap_(Clock::now()) {}
    void operator()(char const* phase) {
        if (!timer_) return;
        auto const now = Clock::now();
        timer_(phase, std::chrono::duration<double>(now - lap_).count());
        lap_ = now;
    }

private:
    using Clock = std::chrono::steady_clock;
    PhaseTimer const& timer_;
    Clock::time_point lap_;
};

// One space's measuring pipeline. measure() must be a pure function of (options, key): it seeds every generator it
// uses at its start (ArchitectureScorer's contract).
class SpaceScorer {
public:
    virtual ~SpaceScorer() = default;
    [[nodiscard]] virtual ArchitectureMeasurement measure(std::string const& archKey) = 0;
    [[nodiscard]] virtual std::string canonicalKey(std::string const& archKey) const = 0;
    [[nodiscard]] virtual DataBatch dataBatch() const = 0;
};

// Validates options.device ("auto" | "cpu" | "cuda") and sets up deterministic float32 kernels on CUDA.
[[nodiscard]] torch::Device chooseDevice(std::string const& device);

// The pipelines, one per native space (options already validated for the space).
[[nodiscard]] std::unique_ptr<SpaceScorer> makeNb201Scorer(ScorerOptions const& options, torch::Device device);
[[nodiscard]] std::unique_ptr<SpaceScorer> makeFlexiBertScorer(ScorerOptions const& options, torch::Device device);

}  // namespace zcgp::proxy_cache::detail
