// Experiments "bias", "information" and "surrogate": NAS-Bench-Suite-Zero's analyses (AnalyzeReports.hpp, the
// same code as `zcgp analyze`) over the configured tasks. Each writes <analysis>.md, .csv, .json and heat maps.
#include <algorithm>

#include <fmt/format.h>

#include "AnalyzeReports.hpp"
#include "Experiments.hpp"
#include "TaskOptions.hpp"
#include "zcgp/analysis/Surrogate.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::cli {
namespace {

std::vector<proxy_cache::ProxyTable> configTables(ExperimentContext& ctx) {
    auto request = tableRequest(ctx.config.getStringList("tables"), ctx.config.getStringList("targets"),
                                ctx.config.getStringList("target_orders"), ctx.config.getStringList("ids"),
                                ctx.config.getStringList("exclude"));
    request.ids = ctx.config.getStringList("tasks");
    request.patterns = true;
    auto const benchmark = request.ids.empty() ? proxy_cache::Benchmark{} : proxy_cache::Benchmark::load(ctx.dataDir);
    return tasks::selectTables(benchmark, request);
}

std::size_t positive(ExperimentContext& ctx, char const* key) {
    auto const v = ctx.config.getInt(key);
    if (v < 1) throw UsageError(fmt::format("{}: {} must be at least 1, not {}", ctx.config.file().string(), key, v));
    return static_cast<std::size_t>(v);
}

std::string write(ExperimentContext& ctx, std::string const& stem, std::vector<AnalysisReport> const& reports) {
    auto const outputs = ctx.config.getStringList("outputs");
    auto const wants = [&](char const* o) { return std::find(outputs.begin(), outputs.end(), o) != outputs.end(); };
    auto const markdown = renderReports(reports, TableFormat::Markdown);
    if (wants("markdown")) ctx.results.write(stem + ".md", markdown);
    if (wants("csv")) ctx.results.write(stem + ".csv", renderReports(reports, TableFormat::Csv));
    ctx.results.write(stem + ".json", renderReports(reports, TableFormat::Json));
    if (wants("plots")) (void)writeHeatmaps(reports, ctx.results.path());
    return markdown;
}

std::string runBias(ExperimentContext& ctx) {
    auto const tables = configTables(ctx);
    std::string summary;
    for (auto const& metric : ctx.config.getStringList("metrics")) {
        if (metric != "pearson" && metric != "kendall" && metric != "spearman") {
            throw UsageError(fmt::format("{}: metrics: '{}' is invalid (valid: pearson, kendall, spearman)",
                                         ctx.config.file().string(), metric));
        }
        BiasOptions o;
        o.metric = fitness::parseMetric(metric);
        o.propertyColumns = ctx.config.getStringList("properties");
        o.correct = ctx.config.getString("correct");
        o.trainArchs = positive(ctx, "train_archs");
        o.seed = static_cast<std::uint64_t>(ctx.config.getInt("seed"));
        auto reports = biasReports(tables, o);
        for (auto& r : reports) {
            for (auto& h : r.heatmaps) h.stem += "_" + metric;
        }
        summary += fmt::format("## bias ({})\n\n{}", metric, write(ctx, "bias_" + metric, reports));
    }
    return summary;
}

std::string runInformation(ExperimentContext& ctx) {
    auto const tables = configTables(ctx);
    InformationOptions o;
    o.maxK = positive(ctx, "max_k");
    o.evolved = ctx.config.getBool("evolved");
    o.trainArchs = positive(ctx, "train_archs");
    o.seed = static_cast<std::uint64_t>(ctx.config.getInt("seed"));
    o.evolution.populationSize = positive(ctx, "population");
    o.evolution.generations = positive(ctx, "generations");
    o.evolution.threads = 1;
    return "## information\n\n" + write(ctx, "information", informationReports(tables, o));
}

std::string runSurrogate(ExperimentContext& ctx) {
    if (!analysis::xgboostAvailable()) {
        throw UsageError("experiment surrogate: this zcgp was built without XGBoost (install libxgboost-dev, reconfigure)");
    }
    auto const tables = configTables(ctx);
    SurrogateReportOptions o;
    o.surrogate.trainSizes.clear();
    for (auto const& s : ctx.config.getStringList("train_sizes")) {
        auto const v = parseTrainSize(s);
        if (!v) {
            throw UsageError(fmt::format("{}: train_sizes: '{}' is not an integer of at least 2", ctx.config.file().string(), s));
        }
        o.surrogate.trainSizes.push_back(*v);
    }
    o.surrogate.seeds = positive(ctx, "seeds");
    o.surrogate.testArchs = static_cast<std::size_t>(std::max<std::int64_t>(0, ctx.config.getInt("test_archs")));
    o.surrogate.xgb.rounds = positive(ctx, "rounds");
    o.surrogate.featureSets = ctx.config.getStringList("feature_sets");
    auto const& names = analysis::surrogateFeatureSetNames();
    for (auto const& f : o.surrogate.featureSets) {
        if (std::find(names.begin(), names.end(), f) == names.end()) {
            throw UsageError(fmt::format("{}: feature_sets: unknown '{}'", ctx.config.file().string(), f));
        }
    }
    o.evolution.populationSize = positive(ctx, "population");
    o.evolution.generations = positive(ctx, "generations");
    o.evolution.threads = 1;
    return "## surrogate (held-out Kendall tau, mean over seeds)\n\n" + write(ctx, "surrogate", surrogateReports(tables, o));
}

ZCGP_REGISTER_EXPERIMENT("bias", runBias);
ZCGP_REGISTER_EXPERIMENT("information", runInformation);
ZCGP_REGISTER_EXPERIMENT("surrogate", runSurrogate);

}  // namespace
}  // namespace zcgp::cli
