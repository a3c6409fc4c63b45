#pragma once
// Benchmark tasks as GP terminal data (EvolveTasks.cpp; shared by evolve, evaluate, export and search).
#include <string>
#include <vector>

#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/RunReport.hpp"
#include "zcgp/primitives/Dataset.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace zcgp::cli::evolve {

// What the ProxyTable -> Dataset conversion kept and dropped, reported to the user.
struct ConversionReport {
    std::string task;
    std::vector<std::string> droppedProxies;  // missing on more than kMaxMissingFraction of the architectures
    std::size_t droppedArchs{0};              // missing one of the remaining proxies
    std::size_t keptArchs{0};
};

// A proxy missing on more than this fraction of a task's architectures is dropped as a terminal (e.g. epe_nas
// outside classification, or on 46% of jigsaw); below it, the architectures that miss it are dropped instead
// (e.g. the 20 degenerate TransNAS cells without jacov and zen).
inline constexpr double kMaxMissingFraction = 0.10;

[[nodiscard]] inline bool usableProxy(proxy_cache::ProxyTable const& table, std::size_t column) {
    return static_cast<double>(table.missingCount(column)) <= kMaxMissingFraction * static_cast<double>(table.size());
}

// Loads the tasks with one common, ordered terminal set (the proxies usable on every task, or `proxies` if
// given), normalised per task (an unsupervised, monotone transform fitted on that task's proxy values).
[[nodiscard]] std::vector<engine::Task> loadTasks(proxy_cache::Benchmark const& benchmark,
                                                  std::vector<std::string> const& ids,
                                                  primitives::Normalization normalization,
                                                  std::vector<ConversionReport>& reports,
                                                  std::vector<std::string> const& proxies = {});

// What appendLayerVectorTerminals kept and skipped.
struct StatsReport {
    std::size_t archsWithoutStats{0};
    std::vector<std::string> kept, skippedLayout, skippedNonFinite;
};

// Restricts a task to the architectures of a statistics cache (from `zcgp gather`) and appends its per-layer
// statistics as LayerVector terminals (all with one common layer layout); keepScalars keeps the cached proxies,
// addLayers=false only selects the architectures.
[[nodiscard]] primitives::Dataset appendLayerVectorTerminals(primitives::Dataset const& data,
                                                             proxy_cache::StatisticsCache const& cache, bool keepScalars,
                                                             bool addLayers, StatsReport& report);

// The scalar terminals' transforms, as result.json records them.
[[nodiscard]] std::vector<engine::TerminalTransform> transformsOf(primitives::Dataset const& data);

}  // namespace zcgp::cli::evolve
