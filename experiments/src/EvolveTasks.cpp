// Converts benchmark tasks (ProxyTable) and statistics caches into GP terminal data; shared by evolve, evaluate,
// export and search.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "Command.hpp"
#include "EvolveTasks.hpp"

namespace zcgp::cli::evolve {

// Converts a task's cached proxies to GP terminals. Policy: drop proxy columns missing on more than
// kMaxMissingFraction of the architectures (e.g. epe_nas on non-classification tasks), then drop architectures missing any
// remaining proxy, or lacking accuracy. `only`, if non-empty, restricts (and orders) the kept proxies.
primitives::Dataset datasetFromTable(proxy_cache::ProxyTable const& table, std::vector<std::string> const& only,
                                     ConversionReport& report) {
    report.task = table.id();
    std::vector<std::size_t> cols;
    std::vector<std::string> names = only.empty() ? table.proxies : only;
    for (auto const& name : names) {
        auto c = table.proxyIndex(name);
        if (!c) {
            report.droppedProxies.push_back(name);
            continue;
        }
        if (only.empty() && !usableProxy(table, *c)) {
            report.droppedProxies.push_back(name);
            continue;
        }
        cols.push_back(*c);
    }
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < table.size(); ++r) {
        bool ok = std::isfinite(table.accuracy[static_cast<Eigen::Index>(r)]);
        for (auto c : cols) ok = ok && table.present(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) &&
                                  std::isfinite(table.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)));
        if (ok) rows.push_back(r);
    }
    report.droppedArchs = table.size() - rows.size();
    report.keptArchs = rows.size();
    std::vector<std::string> keys;
    for (auto r : rows) keys.push_back(table.archs[r].key);
    primitives::Dataset data(std::move(keys));
    for (auto c : cols) {
        std::vector<double> v;
        for (auto r : rows) v.push_back(table.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)));
        data.addScalar(table.proxies[c], v);
    }
    std::vector<double> acc;
    for (auto r : rows) acc.push_back(table.accuracy[static_cast<Eigen::Index>(r)]);
    data.setTarget(acc);
    return data;
}

// Restricts a task to the architectures of a statistics cache (from `zcgp gather`) and appends its per-layer
// statistics as LayerVector terminals. LayerVector operators combine vectors element-wise, so all of them must
// share one layer layout: the statistics with the most common per-architecture lengths are kept, the others
// (e.g. per-cell-node ones) and any statistic that is non-finite on a kept architecture are reported and skipped.

primitives::Dataset appendLayerVectorTerminals(primitives::Dataset const& data,
                                               proxy_cache::StatisticsCache const& cache, bool keepScalars,
                                               bool addLayers, StatsReport& report) {
    std::vector<std::size_t> rows, cacheRows;
    for (std::size_t r = 0; r < data.rows(); ++r) {
        if (auto c = cache.findArchitecture(data.archKeys()[r])) {
            rows.push_back(r);
            cacheRows.push_back(*c);
        }
    }
    report.archsWithoutStats = data.rows() - rows.size();
    if (rows.empty()) {
        throw UsageError(fmt::format("--stats {}: none of its {} architectures is in the task", cache.source().string(),
                                     cache.size()));
    }
    auto const layout = [&](proxy_cache::RaggedStatistic const& s) {
        std::vector<std::size_t> lengths;
        for (auto c : cacheRows) lengths.push_back(s.row(c).size());
        return lengths;
    };
    std::map<std::vector<std::size_t>, std::size_t> layouts;
    for (auto const& s : cache.statistics()) ++layouts[layout(s)];
    if (layouts.empty()) throw UsageError(fmt::format("--stats {}: the cache holds no statistics", cache.source().string()));
    auto const common = std::max_element(layouts.begin(), layouts.end(),
                                         [](auto const& a, auto const& b) { return a.second < b.second; })->first;
    primitives::Dataset subset = data.subset(rows);
    primitives::Dataset out(subset.archKeys());
    if (keepScalars) {
        for (std::size_t c = 0; c < subset.scalarCount(); ++c) out.addScalar(subset.scalarNames()[c], subset.scalar(c));
        out.setTransforms(subset.transforms());
    }
    out.setTarget(subset.target());
    out.setLayerCounts(common);
    for (auto const& s : cache.statistics()) {
        if (!addLayers) break;  // --terminals cached: the cache only selects the architectures
        if (layout(s) != common) {
            report.skippedLayout.push_back(s.name);
            continue;
        }
        std::vector<double> values;
        bool finite = true;
        for (auto c : cacheRows) {
            for (double v : s.row(c)) {
                finite = finite && std::isfinite(v);
                values.push_back(v);
            }
        }
        if (!finite) {
            report.skippedNonFinite.push_back(s.name);
            continue;
        }
        out.addLayerVector(s.name, values);
        report.kept.push_back(s.name);
    }
    return out;
}

// Loads the tasks and converts them with one common, ordered terminal set (proxies kept on every task).
std::vector<engine::Task> loadTasks(proxy_cache::Benchmark const& benchmark, std::vector<std::string> const& ids,
                                    primitives::Normalization normalization, std::vector<ConversionReport>& reports,
                                    std::vector<std::string> const& proxies) {
    std::vector<proxy_cache::ProxyTable const*> tables;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i), ids[i]) != ids.begin() + static_cast<std::ptrdiff_t>(i)) {
            throw UsageError(fmt::format("--task {} is given twice (each task is drawn its own train sample, so its "
                                         "held-out architectures would include training ones)", ids[i]));
        }
    }
    for (auto const& id : ids) {
        try {
            tables.push_back(&benchmark.task(id));
        } catch (proxy_cache::DataError const& e) {
            throw UsageError(fmt::format("--task: {}", e.what()));
        }
    }
    // first pass: which proxies survive the missing-value policy on every task
    std::vector<std::string> common;
    for (std::size_t t = 0; t < tables.size(); ++t) {
        ConversionReport r;
        auto d = datasetFromTable(*tables[t], {}, r);
        if (t == 0) common = d.scalarNames();
        else std::erase_if(common, [&](std::string const& n) { return !d.scalarIndex(n); });
    }
    if (!proxies.empty()) {
        for (auto const& p : proxies) {
            if (std::find(common.begin(), common.end(), p) == common.end()) {
                throw UsageError(fmt::format("--proxies: '{}' is not a usable proxy of every selected task (usable: {})", p,
                                             fmt::join(common, ", ")));
            }
        }
        common = proxies;
    }
    if (common.empty()) throw UsageError("the selected tasks share no usable proxy");
    std::vector<engine::Task> tasks;
    for (auto const* table : tables) {
        ConversionReport r;
        auto d = datasetFromTable(*table, common, r);
        for (auto const& p : table->proxies) {
            if (std::find(common.begin(), common.end(), p) == common.end() &&
                std::find(r.droppedProxies.begin(), r.droppedProxies.end(), p) == r.droppedProxies.end()) {
                r.droppedProxies.push_back(p);
            }
        }
        d.normalize(normalization);
        reports.push_back(r);
        tasks.push_back({table->id(), std::move(d)});
    }
    return tasks;
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
