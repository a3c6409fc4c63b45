#pragma once
// Benchmark tasks as GP terminal data, for evolve, evaluate, export and search: a thin CLI layer over the
// zcgp::tasks library (proxy_cache/include/zcgp/tasks/Tasks.hpp), which turns task ids and a researcher's own
// tables into datasets. Its errors become UsageError (exit 2) here.
#include <string>
#include <vector>

#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/RunReport.hpp"
#include "zcgp/primitives/Dataset.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::cli::evolve {

using ConversionReport = tasks::ConversionReport;
using StatsReport = tasks::StatsReport;
using tasks::kMaxMissingFraction;
using tasks::usableProxy;

// The one loading path: --task ids and --table files -> engine tasks with one common, ordered terminal set,
// normalised per task (request.normalization). Throws UsageError naming the flag, file, line or column.
[[nodiscard]] std::vector<engine::Task> loadTasks(proxy_cache::Benchmark const& benchmark,
                                                  tasks::TaskRequest const& request,
                                                  std::vector<ConversionReport>& reports);

// The same for task ids only.
[[nodiscard]] std::vector<engine::Task> loadTasks(proxy_cache::Benchmark const& benchmark,
                                                  std::vector<std::string> const& ids,
                                                  primitives::Normalization normalization,
                                                  std::vector<ConversionReport>& reports,
                                                  std::vector<std::string> const& proxies = {});

// tasks::appendLayerVectorTerminals, with its errors as UsageError.
[[nodiscard]] primitives::Dataset appendLayerVectorTerminals(primitives::Dataset const& data,
                                                             proxy_cache::StatisticsCache const& cache, bool keepScalars,
                                                             bool addLayers, StatsReport& report);

// The screen note for a task whose target was negated (--target-order lower); empty otherwise.
[[nodiscard]] std::string targetNote(ConversionReport const& report);

// The scalar terminals' transforms, as result.json records them.
[[nodiscard]] std::vector<engine::TerminalTransform> transformsOf(primitives::Dataset const& data);

}  // namespace zcgp::cli::evolve
