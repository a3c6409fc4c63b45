#pragma once
// ZCGP_PROFILE=1 prints the scorer's per-pass times to stderr: the commands decide that, not the library, which only
// reports its passes through ScorerOptions::phaseTimer.
#include <cstdlib>
#include <iostream>
#include <string_view>

#include <fmt/core.h>

#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"

namespace zcgp::cli {

[[nodiscard]] inline proxy_cache::PhaseTimer profileTimerFromEnvironment() {
    if (std::getenv("ZCGP_PROFILE") == nullptr) return {};
    return [](std::string_view phase, double seconds) { std::cerr << fmt::format("  {:<12} {:.3f} s\n", phase, seconds); };
}

}  // namespace zcgp::cli
