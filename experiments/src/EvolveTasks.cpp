// The CLI side of task loading: zcgp::tasks does the work; this maps its errors to UsageError (exit 2).
#include <fmt/format.h>

#include "Command.hpp"
#include "EvolveTasks.hpp"

namespace zcgp::cli::evolve {

std::vector<engine::Task> loadTasks(proxy_cache::Benchmark const& benchmark, tasks::TaskRequest const& request,
                                    std::vector<ConversionReport>& reports) {
    std::vector<tasks::LoadedTask> loaded;
    try {
        loaded = tasks::loadTasks(benchmark, request);
    } catch (proxy_cache::DataError const& e) {
        throw UsageError(e.what());
    }
    std::vector<engine::Task> out;
    for (auto& t : loaded) {
        reports.push_back(std::move(t.report));
        out.push_back({std::move(t.id), std::move(t.data), std::move(t.proxySeconds)});
    }
    return out;
}

std::vector<engine::Task> loadTasks(proxy_cache::Benchmark const& benchmark, std::vector<std::string> const& ids,
                                    primitives::Normalization normalization, std::vector<ConversionReport>& reports,
                                    std::vector<std::string> const& proxies) {
    tasks::TaskRequest request;
    request.ids = ids;
    request.normalization = normalization;
    request.proxies = proxies;
    return loadTasks(benchmark, request, reports);
}

primitives::Dataset appendLayerVectorTerminals(primitives::Dataset const& data, proxy_cache::StatisticsCache const& cache,
                                               bool keepScalars, bool addLayers, StatsReport& report) {
    try {
        return tasks::appendLayerVectorTerminals(data, cache, keepScalars, addLayers, report);
    } catch (proxy_cache::DataError const& e) {
        throw UsageError(e.what());
    }
}

std::string targetNote(ConversionReport const& report) {
    if (!report.targetNegated) return {};
    return fmt::format("{}: Kendall tau is computed against the negated target '{}' (--target-order lower)", report.task,
                       report.target);
}

std::vector<engine::TerminalTransform> transformsOf(primitives::Dataset const& data) {
    std::vector<engine::TerminalTransform> out;
    for (std::size_t c = 0; c < data.scalarCount(); ++c) {
        auto const& t = data.transforms()[c];
        auto kind = t.kind == primitives::ColumnTransform::Kind::Log      ? "log"
                    : t.kind == primitives::ColumnTransform::Kind::NegLog ? "neglog"
                    : t.kind == primitives::ColumnTransform::Kind::Asinh  ? "asinh"
                    : t.kind == primitives::ColumnTransform::Kind::Rank   ? "rank"
                                                                          : "identity";
        engine::TerminalTransform e{data.scalarNames()[c], kind, t.inScale, t.shift, t.scale, std::nullopt, std::nullopt};
        if (t.knee > 0.0) e.knee = t.knee;
        if (!t.source.empty()) e.source = t.source;
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace zcgp::cli::evolve
