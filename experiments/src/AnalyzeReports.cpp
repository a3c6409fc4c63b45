#include "AnalyzeReports.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "EvolveRuns.hpp"
#include "Plot.hpp"
#include "zcgp/analysis/ArchitectureFeatures.hpp"
#include "zcgp/analysis/Bias.hpp"
#include "zcgp/analysis/Evolved.hpp"
#include "zcgp/analysis/Information.hpp"
#include "zcgp/analysis/TaskInputs.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::cli {

namespace pc = zcgp::proxy_cache;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ResultTable::Cell cell(std::optional<double> v) {
    if (!v || !std::isfinite(*v)) return {std::nullopt, ""};
    return {*v, ""};
}

std::vector<std::vector<double>> matrixOf(ResultTable const& t) {
    std::vector<std::vector<double>> m;
    for (auto const& row : t.cells) {
        std::vector<double> r;
        for (auto const& c : row) r.push_back(c.number.value_or(kNaN));
        m.push_back(std::move(r));
    }
    return m;
}

// The GP's terminals of a task: its usable proxies, logz-normalised (as zcgp evolve), with the target.
primitives::Dataset terminalsOf(pc::ProxyTable const& table) {
    tasks::ConversionReport report;
    auto data = tasks::datasetFromTable(table, {}, report);
    data.normalize(primitives::Normalization::LogZScore);
    return data;
}

// Rows of `table` for the architectures of `data` (which may have dropped some).
std::vector<std::size_t> tableRows(pc::ProxyTable const& table, primitives::Dataset const& data) {
    std::vector<std::size_t> rows;
    for (auto const& key : data.archKeys()) rows.push_back(*table.findArchitecture(key));
    return rows;
}

}  // namespace

// ---------------------------------------------------------------------------------------------- bias

std::vector<AnalysisReport> biasReports(std::vector<pc::ProxyTable> const& tables, BiasOptions const& options) {
    std::vector<AnalysisReport> out;
    for (auto const& table : tables) {
        AnalysisReport report;
        report.task = table.id();
        auto properties = analysis::taskProperties(table, options.propertyColumns);
        auto const proxies = analysis::analysisProxies(table, options.propertyColumns);
        auto const input = analysis::biasInput(table, proxies, properties);
        auto const bias = analysis::biasTable(input, options.metric);
        ResultTable t;
        t.corner = fmt::format("{} \\ property", fitness::toString(options.metric));
        t.columns = bias.properties;
        t.rows = bias.rows;
        for (auto const& row : bias.values) {
            std::vector<ResultTable::Cell> cells;
            for (auto const& v : row) cells.push_back(cell(v));
            t.cells.push_back(std::move(cells));
        }
        for (std::size_t p = 0; p < bias.properties.size(); ++p) {
            if (!bias.undefined[p].empty()) {
                report.notes.push_back(fmt::format("{} is undefined for {}: {}", bias.properties[p], report.task, bias.undefined[p]));
            }
        }
        report.heatmaps.push_back({"bias_" + fileSafe(report.task), fmt::format("{}: {} with architecture properties",
                                   report.task, fitness::toString(options.metric)), t.rows, t.columns, matrixOf(t),
                                   std::string(fitness::toString(options.metric)), -1, 1});
        report.tables.emplace_back("bias", std::move(t));

        auto const it = std::find_if(properties.begin(), properties.end(),
                                     [&](analysis::Property const& p) { return p.name == options.correct; });
        if (it == properties.end()) {
            report.notes.push_back(fmt::format("no bias correction: {} has no property '{}'", report.task, options.correct));
        } else if (!it->defined()) {
            report.notes.push_back(fmt::format("no bias correction: {} is undefined for {}", options.correct, report.task));
        } else {
            ResultTable c;
            c.corner = "proxy";
            c.columns = {fmt::format("pearson({})", options.correct), "kendall", "kendall corrected", "gain"};
            for (auto const& corr : analysis::biasCorrections(input, *it)) {
                c.rows.push_back(corr.proxy);
                double const gain = corr.tauAfter - corr.tauBefore;
                c.cells.push_back({cell(corr.biasBefore), cell(corr.tauBefore), cell(corr.tauAfter), cell(gain)});
            }
            report.tables.emplace_back("correction_" + options.correct, std::move(c));
            if (table.size() > options.trainArchs + 10) {
                auto const [train, test] = analysis::surrogateSplit(table.size(), options.trainArchs, 0, options.seed);
                ResultTable m;
                m.corner = "proxy";
                m.columns = {fmt::format("pearson({}) after", options.correct), "kendall held-out", "kendall excess-corrected",
                             "gain"};
                for (auto const& corr : analysis::excessBiasCorrections(input, *it, train, test)) {
                    m.rows.push_back(corr.proxy);
                    m.cells.push_back({cell(corr.biasAfter), cell(corr.tauBefore), cell(corr.tauAfter),
                                       cell(corr.tauAfter - corr.tauBefore)});
                }
                report.notes.push_back(fmt::format(
                    "excess correction: accuracy's slope on {} fitted on {} train architectures (seed {}), taus over the "
                    "other {}", options.correct, train.size(), options.seed, test.size()));
                report.tables.emplace_back("correction_excess_" + options.correct, std::move(m));
            }
        }
        out.push_back(std::move(report));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------- information

std::vector<AnalysisReport> informationReports(std::vector<pc::ProxyTable> const& tables, InformationOptions const& options) {
    std::vector<AnalysisReport> out;
    std::map<std::pair<std::string, std::string>, std::vector<double>> pairSums;  // for the average over tasks
    std::vector<std::string> allProxies;
    for (auto const& table : tables) {
        AnalysisReport report;
        report.task = table.id();
        auto const proxies = analysis::analysisProxies(table);
        auto const r = analysis::analyzeInformation(analysis::informationInput(table, proxies), options.maxK);
        ResultTable pair;
        pair.corner = "I(acc; zi, zj)";
        pair.rows = pair.columns = r.proxies;
        ResultTable cond;
        cond.corner = "H(acc | zi, zj)";
        cond.rows = cond.columns = r.proxies;
        for (std::size_t i = 0; i < r.proxies.size(); ++i) {
            std::vector<ResultTable::Cell> a, b;
            for (std::size_t j = 0; j < r.proxies.size(); ++j) {
                a.push_back(cell(r.pairInformation[i][j]));
                b.push_back(cell(r.pairConditional[i][j]));
                pairSums[{r.proxies[i], r.proxies[j]}].push_back(r.pairInformation[i][j]);
            }
            pair.cells.push_back(std::move(a));
            cond.cells.push_back(std::move(b));
            if (std::find(allProxies.begin(), allProxies.end(), r.proxies[i]) == allProxies.end()) allProxies.push_back(r.proxies[i]);
        }
        ResultTable single;
        single.corner = "proxy";
        // H(acc) over the architectures where the proxy is present (the pair analyses count those only)
        single.columns = {"archs", "H(acc)", "H(acc | z)", "I(acc; z)"};
        for (std::size_t i = 0; i < r.proxies.size(); ++i) {
            single.rows.push_back(r.proxies[i]);
            single.cells.push_back({cell(static_cast<double>(r.pairArchs[i * r.proxies.size() + i])),
                                    cell(r.conditional[i] + r.pairInformation[i][i]), cell(r.conditional[i]),
                                    cell(r.pairInformation[i][i])});
        }
        ResultTable greedy;
        greedy.corner = "k";
        greedy.columns = {"added", "H(acc | chosen)", "I(acc; chosen)"};
        for (std::size_t k = 0; k < r.greedy.size(); ++k) {
            greedy.rows.push_back(std::to_string(k + 1));
            greedy.cells.push_back({{std::nullopt, r.greedy[k].chosen.back()}, cell(r.greedy[k].conditionalEntropy),
                                    cell(r.greedy[k].information)});
        }
        report.notes.push_back(fmt::format("H(acc) = {:.3f} bits over {} architectures, {} bins per variable",
                                           r.accuracyEntropy, table.size(), analysis::suiteBinCount(table.size())));
        report.heatmaps.push_back({"information_" + fileSafe(report.task), report.task + ": I(acc; zi, zj) in bits",
                                   pair.rows, pair.columns, matrixOf(pair), "bits", 0, std::max(1.0, r.accuracyEntropy)});
        report.tables.emplace_back("single", std::move(single));
        report.tables.emplace_back("pair_information", std::move(pair));
        report.tables.emplace_back("pair_conditional_entropy", std::move(cond));
        report.tables.emplace_back("greedy", std::move(greedy));

        if (options.evolved) {
            // Beyond the paper: a formula evolved on trainArchs architectures, against the best single proxy and
            // the best pair, all measured on the other (held-out) architectures.
            auto const terminals = terminalsOf(table);
            auto const rows = tableRows(table, terminals);
            if (terminals.rows() <= options.trainArchs + 10) {
                report.notes.push_back(fmt::format("evolved: skipped, {} has {} usable architectures for {} train",
                                                   report.task, terminals.rows(), options.trainArchs));
            } else {
                auto const [train, test] = analysis::surrogateSplit(terminals.rows(), options.trainArchs, 0, options.seed);
                auto const evolved = analysis::evolveOnRows(terminals, train, options.seed, options.evolution);
                std::vector<double> acc, ev;
                std::vector<std::vector<double>> raw(proxies.size());
                for (auto t : test) {
                    acc.push_back(table.accuracy[static_cast<Eigen::Index>(rows[t])]);
                    ev.push_back(evolved.values[t]);
                    for (std::size_t p = 0; p < proxies.size(); ++p) raw[p].push_back(table.column(proxies[p])[rows[t]]);
                }
                auto const evInfo = analysis::conditionalEntropy({ev}, acc);
                double bestSingle = -1, bestPair = -1;
                std::string singleName, pairName;
                for (std::size_t i = 0; i < proxies.size(); ++i) {
                    for (std::size_t j = i; j < proxies.size(); ++j) {
                        std::vector<std::span<double const>> cols{raw[i]};
                        if (j != i) cols.emplace_back(raw[j]);
                        double const info = analysis::conditionalEntropy(cols, acc).information();
                        if (!std::isfinite(info)) continue;
                        if (i == j && info > bestSingle) { bestSingle = info; singleName = proxies[i]; }
                        if (i != j && info > bestPair) { bestPair = info; pairName = proxies[i] + " + " + proxies[j]; }
                    }
                }
                ResultTable e;
                e.corner = "held-out";
                e.columns = {"I(acc; .) bits", "what"};
                e.rows = {"evolved", "best single", "best pair"};
                e.cells = {{cell(evInfo.information()), {std::nullopt, evolved.formula}},
                           {cell(bestSingle), {std::nullopt, singleName}},
                           {cell(bestPair), {std::nullopt, pairName}}};
                report.notes.push_back(fmt::format(
                    "evolved on {} train architectures (seed {}), information on the other {}; the best single proxy and "
                    "pair are picked on those held-out architectures (an oracle choice, in their favour)",
                    options.trainArchs, options.seed, test.size()));
                report.tables.emplace_back("evolved_vs_pair", std::move(e));
            }
        }
        out.push_back(std::move(report));
    }
    if (tables.size() > 1) {
        // the mean covers the proxies of at least two tasks (FlexiBERT's own 16 would fill half the map alone)
        std::erase_if(allProxies, [&](std::string const& p) { return pairSums[{p, p}].size() < 2; });
        AnalysisReport avg;
        avg.task = "";
        ResultTable t;
        t.corner = "mean I(acc; zi, zj)";
        t.rows = t.columns = allProxies;
        for (auto const& a : allProxies) {
            std::vector<ResultTable::Cell> row;
            for (auto const& b : allProxies) {
                auto const& v = pairSums[{a, b}];
                std::optional<double> mean;
                if (!v.empty()) {
                    double s = 0;
                    for (double x : v) s += x;
                    mean = s / static_cast<double>(v.size());
                }
                row.push_back(cell(mean));
            }
            t.cells.push_back(std::move(row));
        }
        avg.notes.push_back(fmt::format("mean over the {} tasks, each pair over the tasks that have both proxies; proxies of one task only are left out", tables.size()));
        avg.heatmaps.push_back({"information_mean", "I(acc; zi, zj), mean over tasks (bits)", t.rows, t.columns,
                                matrixOf(t), "bits", 0, 2});
        avg.tables.emplace_back("pair_information_mean", std::move(t));
        out.push_back(std::move(avg));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------- surrogate

std::vector<AnalysisReport> surrogateReports(std::vector<pc::ProxyTable> const& tables, SurrogateReportOptions const& options) {
    std::vector<AnalysisReport> out;
    for (auto const& table : tables) {
        AnalysisReport report;
        report.task = table.id();
        analysis::SurrogateData data;
        data.task = table.id();
        data.terminals = terminalsOf(table);
        auto const rows = tableRows(table, data.terminals);
        auto const target = data.terminals.target();
        data.accuracy.assign(target.begin(), target.end());
        data.zc = data.terminals.scalars();
        std::vector<std::string> keys;
        for (auto r : rows) keys.push_back(table.archs[r].key);
        auto encoding = analysis::encodingFeatures(table, keys);
        if (encoding.defined()) data.encoding = std::move(encoding.values);
        else data.encodingNote = encoding.undefinedReason;
        auto graph = analysis::graphFeatures(table, keys);
        if (graph.defined()) data.graph = std::move(graph.values);
        else data.graphNote = graph.undefinedReason;
        auto sopts = options.surrogate;
        auto const evolution = options.evolution;
        sopts.evolved = [evolution](primitives::Dataset const& terminals, std::vector<std::size_t> const& train, std::uint64_t seed) {
            return analysis::evolveOnRows(terminals, train, seed, evolution).values;
        };
        auto const result = analysis::runSurrogate(data, sopts);
        ResultTable tau, gain;
        tau.corner = "train \\ kendall";
        gain.corner = "train \\ gain over encoding";
        tau.columns = gain.columns = result.featureSets;
        std::set<std::string> notes;
        std::optional<std::size_t> encodingColumn;
        for (std::size_t f = 0; f < result.featureSets.size(); ++f) {
            if (result.featureSets[f] == analysis::kEncoding) encodingColumn = f;
        }
        for (std::size_t s = 0; s < result.trainSizes.size(); ++s) {
            tau.rows.push_back(std::to_string(result.trainSizes[s]));
            gain.rows.push_back(std::to_string(result.trainSizes[s]));
            std::vector<ResultTable::Cell> a, b;
            for (std::size_t f = 0; f < result.featureSets.size(); ++f) {
                auto const& c = result.cells[s][f];
                a.push_back(cell(c.meanTau));
                if (!c.note.empty()) notes.insert(fmt::format("{}: {}", result.featureSets[f], c.note));
                std::optional<double> g;
                if (encodingColumn && c.meanTau && result.cells[s][*encodingColumn].meanTau) {
                    double const base = *result.cells[s][*encodingColumn].meanTau;
                    if (base != 0.0) g = (*c.meanTau - base) / std::abs(base);
                }
                b.push_back(cell(g));
            }
            tau.cells.push_back(std::move(a));
            gain.cells.push_back(std::move(b));
        }
        report.notes.push_back(fmt::format("{} architectures, {} seeds, test = {}", result.archs, sopts.seeds,
                                           sopts.testArchs == 0 ? std::string("every architecture not in train")
                                                                : fmt::format("{} architectures", sopts.testArchs)));
        if (!result.skippedSizes.empty()) {
            report.notes.push_back(fmt::format("train sizes {} skipped: the task has {} architectures",
                                               fmt::join(result.skippedSizes, ", "), result.archs));
        }
        report.notes.insert(report.notes.end(), notes.begin(), notes.end());
        if (result.trainSizes.size() > 1) {
            PlotSpec plot{report.task + ": XGBoost surrogate, held-out Kendall tau", "train architectures", "Kendall tau",
                          {}, true, ""};
            for (std::size_t f = 0; f < result.featureSets.size(); ++f) {
                PlotSeries series{result.featureSets[f], {}, {}, {}, "linespoints"};
                for (std::size_t s = 0; s < result.trainSizes.size(); ++s) {
                    if (!result.cells[s][f].meanTau) continue;
                    series.x.push_back(static_cast<double>(result.trainSizes[s]));
                    series.y.push_back(*result.cells[s][f].meanTau);
                }
                if (!series.x.empty()) plot.series.push_back(std::move(series));
            }
            report.plots.emplace_back("surrogate_" + fileSafe(report.task), std::move(plot));
        }
        report.tables.emplace_back("kendall", std::move(tau));
        report.tables.emplace_back("gain", std::move(gain));
        out.push_back(std::move(report));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------- search

AnalysisReport searchReport(analysis::SearchCells const& cells, analysis::SearchOptions const& options) {
    auto const curves = analysis::runSearch(cells, options);
    AnalysisReport report;
    report.task = "nb201_search/" + cells.dataset;
    ResultTable best, regret;
    best.corner = "queried \\ best test acc";
    regret.corner = "queried \\ regret";
    std::vector<std::size_t> marks;
    for (std::size_t m : {10, 20, 50, 100, 150, 200, 250, 300, 500, 1000}) {
        if (m <= options.budget) marks.push_back(m);
    }
    if (marks.empty() || marks.back() != options.budget) marks.push_back(options.budget);
    PlotSpec plot{fmt::format("NB201 {}: predictor-guided search ({} seeds)", cells.dataset, options.seeds),
                  "cells queried", "best test accuracy found (%)", {}, true, ""};
    for (auto const& c : curves) {
        best.columns.push_back(c.method);
        regret.columns.push_back(c.method);
        plot.series.push_back({c.method, {c.queried.begin(), c.queried.end()}, c.meanBest, {}, "lines"});
    }
    for (auto m : marks) {
        best.rows.push_back(std::to_string(m));
        regret.rows.push_back(std::to_string(m));
        std::vector<ResultTable::Cell> a, b;
        for (auto const& c : curves) {
            a.push_back(cell(c.meanBest[m - 1]));
            b.push_back(cell(cells.optimum - c.meanBest[m - 1]));
        }
        best.cells.push_back(std::move(a));
        regret.cells.push_back(std::move(b));
    }
    report.notes.push_back(fmt::format(
        "{} cells; queries return validation accuracy (nb201_zen_full), the curve is their 200-epoch test accuracy "
        "(optimum {:.2f}); {} random cells, then {} per step; proxies from nb201_full for {} cells (NaN, i.e. missing "
        "to XGBoost, for the others)", cells.validation.size(), cells.optimum, options.initial, options.batch,
        cells.terminals.rows()));
    report.tables.emplace_back("best_test_accuracy", std::move(best));
    report.tables.emplace_back("regret", std::move(regret));
    report.plots.emplace_back("search_" + fileSafe(cells.dataset), std::move(plot));
    return report;
}

// ---------------------------------------------------------------------------------------------- output

std::string renderReports(std::vector<AnalysisReport> const& reports, TableFormat format) {
    if (format == TableFormat::Json) {
        nlohmann::json j = nlohmann::json::object();
        for (auto const& r : reports) {
            nlohmann::json entry = nlohmann::json::object();
            for (auto const& [name, table] : r.tables) entry[name] = table.toJson();
            entry["notes"] = r.notes;
            j[r.task.empty() ? "mean" : r.task] = std::move(entry);
        }
        return j.dump(2) + "\n";
    }
    std::string out;
    for (auto const& r : reports) {
        auto const heading = r.task.empty() ? std::string("mean over tasks") : r.task;
        for (auto const& [name, table] : r.tables) {
            if (format == TableFormat::Csv) out += fmt::format("# {} {}\n", heading, name);
            else if (format == TableFormat::Markdown) out += fmt::format("### {}: {}\n\n", heading, name);
            else out += fmt::format("== {}: {}\n", heading, name);
            out += table.render(format);
            out += "\n";
        }
        for (auto const& n : r.notes) out += (format == TableFormat::Csv ? "# " : "") + n + "\n";
        if (!r.notes.empty()) out += "\n";
    }
    return out;
}

std::size_t writeHeatmaps(std::vector<AnalysisReport> const& reports, std::filesystem::path const& dir) {
    std::filesystem::create_directories(dir);
    std::size_t n = 0;
    for (auto const& r : reports) {
        for (auto const& h : r.heatmaps) {
            if (h.rows.empty() || h.columns.empty()) continue;
            if (renderHeatmap(dir, h.stem, h.title, h.rows, h.columns, h.values, h.colorLabel, h.min, h.max)) ++n;
        }
        for (auto const& [stem, spec] : r.plots) {
            if (renderPlot(dir, stem, spec)) ++n;
        }
    }
    return n;
}

std::optional<std::size_t> parseTrainSize(std::string const& text) {
    std::size_t pos = 0;
    unsigned long long v = 0;
    try {
        v = std::stoull(text, &pos);
    } catch (std::exception const&) {
        return std::nullopt;
    }
    if (text.empty() || pos != text.size() || text.front() == '-' || v < 2) return std::nullopt;
    return static_cast<std::size_t>(v);
}

}  // namespace zcgp::cli
