#include "zcgp/tasks/Tasks.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "zcgp/proxy_cache/ArchitectureGraph.hpp"

namespace zcgp::tasks {

namespace pc = proxy_cache;

bool usableProxy(pc::ProxyTable const& table, std::size_t column) {
    return static_cast<double>(table.missingCount(column)) <= kMaxMissingFraction * static_cast<double>(table.size());
}

std::vector<pc::ProxyTable> selectTables(pc::Benchmark const& benchmark, TaskRequest const& request) {
    std::vector<pc::ProxyTable> tables;
    std::set<std::string> seen;
    std::set<std::string> excludedFound;
    auto const add = [&](pc::ProxyTable table) {
        auto const id = table.id();
        if (!seen.insert(id).second) {
            if (request.patterns) return;  // "nb201" and "nb201/cifar10" may overlap in a correlation table
            throw TaskError(fmt::format("task {} is given twice (each task is drawn its own train sample, so its "
                                        "held-out architectures would include training ones)",
                                        id));
        }
        for (auto const& name : request.exclude) {
            if (table.dropProxy(name) || table.dropProxy(pc::terminalName(name))) excludedFound.insert(name);
        }
        tables.push_back(std::move(table));
    };
    for (auto const& id : request.ids) {
        try {
            if (request.patterns) {
                for (auto const* t : benchmark.select(id)) add(*t);
            } else {
                add(benchmark.task(id));
            }
        } catch (pc::DataError const& e) {
            throw TaskError(fmt::format("--task {}: {}", id, e.what()));
        }
    }
    for (auto spec : request.tables) {
        spec.exclude.insert(spec.exclude.end(), request.exclude.begin(), request.exclude.end());
        std::vector<std::string> found;
        try {
            add(pc::loadTable(spec, &found));
        } catch (pc::DataError const& e) {
            throw TaskError(e.what());
        }
        excludedFound.insert(found.begin(), found.end());
    }
    for (auto const& name : request.exclude) {
        if (!excludedFound.contains(name)) {
            std::set<std::string> columns;
            for (auto const& t : tables) columns.insert(t.proxies.begin(), t.proxies.end());
            throw TaskError(fmt::format("--exclude {}: no selected task or table has that column (columns: {})", name,
                                        fmt::join(columns, ", ")));
        }
    }
    if (tables.empty()) throw TaskError("no task selected (give --task SPACE/TASK or --table FILE.csv --target COLUMN)");
    return tables;
}

primitives::Dataset datasetFromTable(pc::ProxyTable const& table, std::vector<std::string> const& only,
                                     ConversionReport& report) {
    report.task = table.id();
    report.source = table.source.string();
    report.target = table.target;
    report.targetNegated = table.targetNegated;
    std::vector<std::size_t> cols;
    std::vector<std::string> const names = only.empty() ? table.proxies : only;
    for (auto const& name : names) {
        auto c = table.proxyIndex(name);
        if (!c || (only.empty() && !usableProxy(table, *c))) {
            report.droppedProxies.push_back(name);
            continue;
        }
        cols.push_back(*c);
    }
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < table.size(); ++r) {
        auto const row = static_cast<Eigen::Index>(r);
        bool ok = std::isfinite(table.accuracy[row]);
        for (auto c : cols) ok = ok && table.present(row, static_cast<Eigen::Index>(c));
        if (ok) rows.push_back(r);
    }
    report.droppedArchs = table.size() - rows.size();
    report.keptArchs = rows.size();
    std::vector<std::string> keys;
    keys.reserve(rows.size());
    for (auto r : rows) keys.push_back(table.archs[r].key);
    primitives::Dataset data(std::move(keys));
    std::vector<double> v(rows.size());
    for (auto c : cols) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            v[i] = table.scores(static_cast<Eigen::Index>(rows[i]), static_cast<Eigen::Index>(c));
        }
        data.addScalar(table.proxies[c], v);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) v[i] = table.accuracy[static_cast<Eigen::Index>(rows[i])];
    data.setTarget(v);
    return data;
}

std::vector<LoadedTask> loadTasks(pc::Benchmark const& benchmark, TaskRequest const& request) {
    auto const tables = selectTables(benchmark, request);
    // first pass: which proxies survive the missing-value policy on every task
    std::vector<std::string> common;
    for (std::size_t t = 0; t < tables.size(); ++t) {
        std::vector<std::string> usable;
        for (std::size_t c = 0; c < tables[t].proxies.size(); ++c) {
            if (usableProxy(tables[t], c)) usable.push_back(tables[t].proxies[c]);
        }
        if (t == 0) common = usable;
        else std::erase_if(common, [&](std::string const& n) { return std::find(usable.begin(), usable.end(), n) == usable.end(); });
    }
    if (!request.proxies.empty()) {
        for (auto const& p : request.proxies) {
            if (std::find(common.begin(), common.end(), p) == common.end()) {
                throw TaskError(fmt::format("--proxies: '{}' is not a usable proxy of every selected task (usable: {})", p,
                                            fmt::join(common, ", ")));
            }
        }
        common = request.proxies;
    }
    if (common.empty()) {
        std::vector<std::string> ids;
        for (auto const& t : tables) ids.push_back(t.id());
        throw TaskError(fmt::format("the selected tasks ({}) share no usable proxy", fmt::join(ids, ", ")));
    }
    // graph features every task's space has, in the first task's order
    std::vector<std::string> graphNames;
    bool graph = request.graphTerminals || request.graphIfKnown;
    std::string graphSkipped;
    for (std::size_t t = 0; graph && t < tables.size(); ++t) {
        if (!pc::hasArchitectureGraph(tables[t].space)) {
            if (!request.graphTerminals) {
                graph = false;
                graphSkipped = fmt::format("task {} has no known search space (declare the space of a table's keys "
                                           "with --table-space)", tables[t].id());
                break;
            }
            throw TaskError(fmt::format("--terminals graph: task {} has no known search space (a table's "
                                        "architectures are ids; declare the space of its keys with --table-space)",
                                        tables[t].id()));
        }
        auto const& names = pc::graphFeatureNames(tables[t].space);
        if (t == 0) graphNames = names;
        else std::erase_if(graphNames, [&](std::string const& n) { return std::find(names.begin(), names.end(), n) == names.end(); });
    }
    if (graph && graphNames.empty()) {
        if (request.graphTerminals) throw TaskError("--terminals graph: the selected tasks' search spaces share no graph feature");
        graph = false;
        graphSkipped = "the selected tasks' search spaces share no graph feature";
    }
    std::vector<LoadedTask> loaded;
    for (auto const& table : tables) {
        LoadedTask task;
        task.id = table.id();
        task.data = datasetFromTable(table, common, task.report);
        if (graph) task.data = appendGraphTerminals(task.data, table, graphNames, request.cachedTerminals);
        task.report.graphTerminals = graph;
        task.report.graphSkipped = graphSkipped;
        for (auto const& p : table.proxies) {
            auto& dropped = task.report.droppedProxies;
            if (std::find(common.begin(), common.end(), p) == common.end() &&
                std::find(dropped.begin(), dropped.end(), p) == dropped.end()) {
                dropped.push_back(p);
            }
        }
        task.data.normalize(request.normalization);
        task.proxySeconds = table.proxySeconds;
        loaded.push_back(std::move(task));
    }
    return loaded;
}

primitives::Dataset appendGraphTerminals(primitives::Dataset const& data, pc::ProxyTable const& table,
                                         std::vector<std::string> const& names, bool keepScalars) {
    pc::GraphFeatureTable features;
    try {
        features = pc::graphFeatureTable(table);
    } catch (pc::DataError const& e) {
        throw TaskError(fmt::format("--terminals graph: {}", e.what()));
    }
    std::vector<Eigen::Index> columns;
    for (auto const& name : names) {
        auto const it = std::find(features.names.begin(), features.names.end(), name);
        if (it == features.names.end()) {
            throw TaskError(fmt::format("--terminals graph: task {} ({}) has no graph feature {}", table.id(),
                                        pc::toString(table.space), name));
        }
        columns.push_back(it - features.names.begin());
    }
    primitives::Dataset out(data.archKeys());
    if (keepScalars) {
        for (std::size_t c = 0; c < data.scalarCount(); ++c) out.addScalar(data.scalarNames()[c], data.scalar(c));
        out.setTransforms(data.transforms());
    }
    std::vector<Eigen::Index> rows;
    for (auto const& key : data.archKeys()) {
        auto const row = table.findArchitecture(key);
        if (!row) throw TaskError(fmt::format("task {}: architecture '{}' is not in its table", table.id(), key));
        rows.push_back(static_cast<Eigen::Index>(*row));
    }
    std::vector<double> values(rows.size());
    for (std::size_t k = 0; k < names.size(); ++k) {
        for (std::size_t i = 0; i < rows.size(); ++i) values[i] = features.values(rows[i], columns[k]);
        out.addScalar(kGraphPrefix + names[k], values);
    }
    out.setTarget(data.target());
    return out;
}

primitives::Dataset appendLayerVectorTerminals(primitives::Dataset const& data, pc::StatisticsCache const& cache,
                                               bool keepScalars, bool addLayers, StatsReport& report) {
    std::vector<std::size_t> rows, cacheRows;
    for (std::size_t r = 0; r < data.rows(); ++r) {
        if (auto c = cache.findArchitecture(data.archKeys()[r])) {
            rows.push_back(r);
            cacheRows.push_back(*c);
        }
    }
    report.archsWithoutStats = data.rows() - rows.size();
    if (rows.empty()) {
        throw TaskError(fmt::format("--stats {}: none of its {} architectures is in the task", cache.source().string(),
                                    cache.size()));
    }
    auto const layout = [&](pc::RaggedStatistic const& s) {
        std::vector<std::size_t> lengths;
        for (auto c : cacheRows) lengths.push_back(s.row(c).size());
        return lengths;
    };
    std::map<std::vector<std::size_t>, std::size_t> layouts;
    for (auto const& s : cache.statistics()) ++layouts[layout(s)];
    if (layouts.empty()) throw TaskError(fmt::format("--stats {}: the cache holds no statistics", cache.source().string()));
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

}  // namespace zcgp::tasks
