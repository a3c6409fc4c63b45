// Experiment "correlations": every cached proxy against accuracy on every task, per metric, as in
// NAS-Bench-Suite-Zero. Writes <metric>.csv/.md, a heat map per metric and a score-vs-accuracy scatter of the
// best proxy of each task.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "EvolveRuns.hpp"
#include "Experiments.hpp"
#include "Plot.hpp"
#include "TableFormat.hpp"
#include "TaskOptions.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::cli {
namespace {

std::string runCorrelations(ExperimentContext& ctx) {
    auto const benchmark = proxy_cache::Benchmark::load(ctx.dataDir);
    auto request = tableRequest(ctx.config.getStringList("tables"), ctx.config.getStringList("targets"),
                                ctx.config.getStringList("target_orders"), ctx.config.getStringList("ids"),
                                ctx.config.getStringList("exclude"));
    request.ids = ctx.config.getStringList("tasks");
    request.patterns = true;
    auto const selected = tasks::selectTables(benchmark, request);
    std::vector<proxy_cache::ProxyTable const*> tasks;
    for (auto const& t : selected) tasks.push_back(&t);
    std::set<std::string> proxyNames;
    for (auto const* t : tasks) proxyNames.insert(t->proxies.begin(), t->proxies.end());
    auto const outputs = ctx.config.getStringList("outputs");
    auto const wants = [&](char const* o) { return std::find(outputs.begin(), outputs.end(), o) != outputs.end(); };

    std::string summary;
    for (auto const& metricName : ctx.config.getStringList("metrics")) {
        auto const metric = fitness::parseMetric(metricName);
        ResultTable table;
        table.corner = "proxy";
        std::vector<std::vector<double>> matrix;
        for (auto const* t : tasks) table.columns.push_back(t->id());
        for (auto const& proxy : proxyNames) {
            table.rows.push_back(proxy);
            std::vector<ResultTable::Cell> row;
            std::vector<double> values;
            for (auto const* t : tasks) {
                double v = std::nan("");
                if (t->proxyIndex(proxy)) {
                    v = fitness::correlate(metric, t->column(proxy), {t->accuracy.data(), t->size()});
                }
                values.push_back(v);
                row.push_back({v, ""});
            }
            matrix.push_back(values);
            table.cells.push_back(std::move(row));
        }
        if (wants("csv")) ctx.results.write(metricName + ".csv", table.render(TableFormat::Csv));
        auto const markdown = table.render(TableFormat::Markdown);
        if (wants("markdown")) ctx.results.write(metricName + ".md", markdown);
        summary += fmt::format("## {} (pairwise-complete)\n\n{}\n", metricName, markdown);
        if (wants("plots")) {
            std::vector<std::string> rows(proxyNames.begin(), proxyNames.end());
            renderHeatmap(ctx.results.path(), "heatmap_" + metricName,
                          fmt::format("{} of each proxy with accuracy", metricName), rows, table.columns, matrix,
                          metricName);
        }
    }
    if (wants("plots")) {
        // The best proxy of each task (by Kendall tau) against accuracy.
        for (auto const* t : tasks) {
            std::string best;
            double bestTau = -2.0;
            for (auto const& proxy : t->proxies) {
                double const tau = fitness::kendallTau(t->column(proxy), {t->accuracy.data(), t->size()});
                if (std::isfinite(tau) && tau > bestTau) {
                    bestTau = tau;
                    best = proxy;
                }
            }
            if (best.empty()) continue;
            auto const column = t->column(best);
            PlotSeries series{fmt::format("{} (Kendall {:.3f})", best, bestTau),
                              std::vector<double>(column.begin(), column.end()),
                              std::vector<double>(t->accuracy.data(), t->accuracy.data() + t->size()), {}, "points pt 7 ps 0.5"};
            renderPlot(ctx.results.path(), "scatter_" + fileSafe(t->id()),
                       PlotSpec{fmt::format("{}: best cached proxy against accuracy", t->id()), best + " score",
                                "validation accuracy", {series}, false, ""});
        }
    }
    return summary;
}

ZCGP_REGISTER_EXPERIMENT("correlations", runCorrelations);

}  // namespace
}  // namespace zcgp::cli
