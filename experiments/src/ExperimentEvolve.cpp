// Experiment "evolve": the Phan & Luong style table, paired. For each task, held-out Kendall tau of the evolved proxy
// (mean ± std over seeds), optionally a second single-formula column (graph_args, e.g. --terminals cached,graph)
// and an ensemble column (ensemble_args), against the best hand-crafted proxy chosen on the same train
// architectures, DEAP with the same budget, random forests on the proxies and on proxies + graph features, and a
// ridge on signed-log proxies + graph features. Every Python baseline trains on the train architectures of the zcgp
// run of its task and seed (its result.json's train_keys) and reads the data through `zcgp features`.
#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "EvolveRuns.hpp"
#include "Experiments.hpp"
#include "Plot.hpp"
#include "TableFormat.hpp"

namespace zcgp::cli {
namespace {

// Debian's interpreter, where python3-deap and python3-scipy live (a pyenv python3 on PATH lacks them);
// $ZCGP_PYTHON overrides.
std::string pythonInterpreter() {
    if (char const* env = std::getenv("ZCGP_PYTHON"); env != nullptr && *env != '\0') return env;
    return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

bool pythonBaselineAvailable(std::filesystem::path const& script, std::string const& modules) {
    return std::filesystem::exists(script) &&
           std::system((shellQuote(pythonInterpreter()) + " -c 'import " + modules + "' >/dev/null 2>&1").c_str()) == 0;
}

// Runs a Python baseline once per run (same task and seed), in parallel; each prints one JSON object.
// Returns an empty vector (after a note) where the script or its modules are missing.
// A baseline script path from the config: as given (relative to the working directory), else relative to the
// repository the config file lives in (experiments/configs/NAME.toml -> ../../).
std::string resolveScript(ExperimentContext const& ctx, std::string const& script) {
    std::filesystem::path p(script);
    if (p.is_absolute() || std::filesystem::exists(p)) return script;
    auto const inRepo = ctx.config.file().parent_path() / ".." / ".." / p;
    return std::filesystem::exists(inRepo) ? inRepo.lexically_normal().string() : script;
}

std::vector<nlohmann::json> runPythonBaseline(ExperimentContext& ctx, std::string const& name, std::string const& configured,
                                              std::string const& modules, std::vector<EvolveRun> const& runs,
                                              std::function<std::string(EvolveRun const&)> const& args) {
    auto const script = resolveScript(ctx, configured);
    if (!pythonBaselineAvailable(script, modules)) {
        if (!ctx.quiet) std::cerr << "reproduce: " << name << " baseline skipped (" << modules << " or " << script << " missing)\n";
        return {};
    }
    std::vector<Job> jobs;
    for (auto const& run : runs) {
        jobs.push_back({name + " " + run.label, fmt::format("{} {} {} --data {}", shellQuote(pythonInterpreter()), shellQuote(script),
                                                            args(run), shellQuote(ctx.dataDir.string()))});
    }
    auto const results = runJobs(jobs, static_cast<std::size_t>(std::max<std::int64_t>(0, ctx.config.getInt("parallel_runs"))), ctx.quiet);
    std::vector<nlohmann::json> out(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].exitCode != 0) {
            throw std::runtime_error(fmt::format("{} failed (exit {}): {}", jobs[i].label, results[i].exitCode, results[i].err));
        }
        out[i] = nlohmann::json::parse(results[i].out);
    }
    return out;
}

void plotFitnessCurve(ExperimentContext& ctx, std::string const& stem, std::string const& title,
                      std::vector<nlohmann::json> const& log) {
    PlotSeries best{"best train tau", {}, {}, {}, "lines lw 2"};
    PlotSeries mean{"mean train tau", {}, {}, {}, "lines lw 2"};
    PlotSeries test{"held-out tau of the best", {}, {}, {}, "lines lw 2 dt 2"};
    for (auto const& line : log) {
        auto const g = line.value("generation", 0.0);
        best.x.push_back(g), best.y.push_back(line.value("best_train_tau", std::nan("")));
        mean.x.push_back(g), mean.y.push_back(line.value("mean_train_tau", std::nan("")));
        test.x.push_back(g), test.y.push_back(line.value("best_test_tau", std::nan("")));
    }
    renderPlot(ctx.results.path(), stem, PlotSpec{title, "generation", "Kendall tau", {best, mean, test}, false, ""});
}

void plotPareto(ExperimentContext& ctx, std::string const& stem, std::string const& title,
                std::vector<engine::ParetoPoint> const& pareto) {
    PlotSeries train{"train tau", {}, {}, {}, "linespoints pt 7 lw 2"};
    PlotSeries test{"held-out tau", {}, {}, {}, "linespoints pt 5 lw 2 dt 2"};
    for (auto const& p : pareto) {
        train.x.push_back(static_cast<double>(p.size)), train.y.push_back(p.trainTau);
        test.x.push_back(static_cast<double>(p.size)), test.y.push_back(p.testTau);
    }
    renderPlot(ctx.results.path(), stem, PlotSpec{title, "formula size (nodes)", "Kendall tau", {train, test}, false, ""});
}

// The cost front of a run: train and held-out tau against the formula's seconds per architecture.
void plotCostPareto(ExperimentContext& ctx, std::string const& stem, std::string const& title,
                    std::vector<engine::CostPoint> const& front) {
    if (front.empty()) return;
    PlotSeries train{"train tau", {}, {}, {}, "linespoints pt 7 lw 2"};
    PlotSeries test{"held-out tau", {}, {}, {}, "linespoints pt 5 lw 2 dt 2"};
    for (auto const& p : front) {
        train.x.push_back(p.cost), train.y.push_back(p.trainTau);
        test.x.push_back(p.cost), test.y.push_back(p.testTau);
    }
    renderPlot(ctx.results.path(), stem,
               PlotSpec{title, "cost: seconds per architecture (median recorded proxy times)", "Kendall tau", {train, test}, false, ""});
}

std::string runEvolveExperiment(ExperimentContext& ctx) {
    auto const& cfg = ctx.config;
    auto const tasks = cfg.getStringList("tasks");
    auto const seeds = cfg.getInt("seeds");
    if (seeds < 1) throw UsageError(fmt::format("{}: key 'seeds' must be at least 1", cfg.file().string()));
    auto const baselines = cfg.getStringList("baselines");
    auto const wants = [&](std::vector<std::string> const& v, char const* x) { return std::find(v.begin(), v.end(), x) != v.end(); };
    auto const outputs = cfg.getStringList("outputs");

    std::vector<EvolveRun> runs;
    for (auto const& task : tasks) {
        for (std::int64_t s = 0; s < seeds; ++s) {
            runs.push_back({fmt::format("{} seed {}", task, s), {task}, static_cast<std::uint64_t>(s), {},
                            fmt::format("runs/{}/seed{}", fileSafe(task), s)});
        }
    }
    auto const exclude = cfg.getStringList("exclude");
    std::vector<std::string> excludeArgs;
    for (auto const& e : exclude) excludeArgs.insert(excludeArgs.end(), {"--exclude", e});
    for (auto& r : runs) r.extraArgs = excludeArgs;
    auto const outcomes = runEvolveRuns(ctx, runs);
    // optional second configuration of the evolved proxy (e.g. an ensemble), same tasks and seeds
    auto const ensembleArgs = cfg.getStringList("ensemble_args");
    bool const runEnsemble = !ensembleArgs.empty();
    std::vector<EvolveOutcome> ensembles;
    if (runEnsemble) {
        std::vector<EvolveRun> ensembleRuns = runs;
        for (auto& r : ensembleRuns) {
            r.label += " (ensemble)";
            r.extraArgs.insert(r.extraArgs.end(), ensembleArgs.begin(), ensembleArgs.end());
            r.outDir += "-ensemble";
        }
        ensembles = runEvolveRuns(ctx, ensembleRuns);
    }

    // optional single-formula column with other terminals (e.g. --terminals cached,graph), same tasks and seeds
    auto const graphArgs = cfg.getStringList("graph_args");
    bool const runGraph = !graphArgs.empty();
    std::vector<EvolveOutcome> graphs;
    if (runGraph) {
        std::vector<EvolveRun> graphRuns = runs;
        for (auto& r : graphRuns) {
            r.label += " (graph)";
            r.extraArgs.insert(r.extraArgs.end(), graphArgs.begin(), graphArgs.end());
            r.outDir += "-graph";
        }
        graphs = runEvolveRuns(ctx, graphRuns);
    }

    // Baselines side by side, paired: each reads the train architectures of the zcgp run of its task and seed
    // (--split RESULT.json), and the data through `zcgp features` (the same architectures and proxies).
    auto const common = [&](EvolveRun const& run) {
        std::string a = fmt::format("--task {} --split {} --zcgp {}", shellQuote(run.tasks[0]),
                                    shellQuote((ctx.results.path() / run.outDir / "result.json").string()),
                                    shellQuote(ctx.zcgpBinary.string()));
        for (auto const& e : exclude) a += " --exclude " + shellQuote(e);
        return a;
    };
    std::vector<nlohmann::json> deap, forest, forestGraph, ridge;
    if (wants(baselines, "deap")) {
        deap = runPythonBaseline(ctx, "DEAP", cfg.getString("deap_script"), "deap, numpy, scipy", runs, [&](EvolveRun const& run) {
            return fmt::format("{} --seed {} --population {} --generations {}", common(run), run.seed,
                               cfg.getInt("population"), cfg.getInt("generations"));
        });
    }
    for (auto const* kind : {"rf", "rf_graph"}) {
        if (!wants(baselines, kind)) continue;
        bool const graph = std::string_view(kind) == "rf_graph";
        (graph ? forestGraph : forest) = runPythonBaseline(
            ctx, graph ? "random forest (proxies + graph)" : "random forest", cfg.getString("rf_script"), "sklearn, numpy, scipy",
            runs, [&](EvolveRun const& run) {
                return fmt::format("{} --seeds {} --features {}", common(run), run.seed, graph ? "proxies+graph" : "proxies");
            });
    }
    if (wants(baselines, "ridge")) {
        ridge = runPythonBaseline(ctx, "ridge", cfg.getString("ridge_script"), "sklearn, numpy, scipy", runs,
                                  [&](EvolveRun const& run) { return fmt::format("{} --seeds {}", common(run), run.seed); });
    }
    bool const runDeap = !deap.empty();
    bool const runForest = !forest.empty();
    bool const runForestGraph = !forestGraph.empty();
    bool const runRidge = !ridge.empty();
    auto const tauOf = [](std::vector<nlohmann::json> const& v, std::size_t i) {
        return v.empty() ? std::nan("") : v[i].value("test_tau", std::nan(""));
    };
    auto const optional = [](bool on, double v) { return on ? fmt::format("{:.6f}", v) : std::string(); };

    // per-run CSV
    std::string runsCsv = "task,seed,formula,size,train_tau,test_tau,test_spearman,finite_on_all_archs,handcrafted,"
                          "handcrafted_train_tau,handcrafted_test_tau,deap_test_tau,deap_finite,rf_test_tau,seconds,"
                          "ensemble_test_tau,ensemble_size,ensemble_finite,ensemble_seconds,"
                          "graph_formula,graph_test_tau,graph_size,graph_finite,rf_graph_test_tau,ridge_test_tau,ridge_terms\n";
    struct TaskSummary {
        std::vector<double> evolved, handcrafted, deapTau, forestTau, forestGraphTau, ridgeTau, size, ensemble,
            ensembleSize, graph, graphSize;
        std::size_t deapNonFinite = 0, wins = 0, nonFinite = 0, graphNonFinite = 0, ensembleNonFinite = 0;
        std::map<std::string, int> handcraftedNames;
    };
    std::map<std::string, TaskSummary> byTask;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const& r = outcomes[i].result;
        auto& s = byTask[runs[i].tasks[0]];
        engine::HandcraftedQuality const hc = r.bestHandcrafted.value_or(
            engine::HandcraftedQuality{"-", std::nan(""), std::nan(""), std::nan("")});
        double const deapTau = tauOf(deap, i);
        bool const deapFinite = runDeap ? deap[i].value("finite_on_all_archs", false) : false;
        runsCsv += fmt::format("{},{},\"{}\",{},{:.6f},{:.6f},{:.6f},{},{},{:.6f},{:.6f},{},{},{},{:.2f}", runs[i].tasks[0],
                               runs[i].seed, r.formula, r.size, r.trainTau, r.testTau, r.testSpearman, r.finiteOnAllArchs,
                               hc.name, hc.trainTau, hc.testTau, optional(runDeap, deapTau),
                               runDeap ? (deapFinite ? "true" : "false") : "", optional(runForest, tauOf(forest, i)),
                               r.seconds);
        if (runEnsemble) {
            auto const& e = ensembles[i].result;
            runsCsv += fmt::format(",{:.6f},{},{},{:.2f}", e.testTau, e.size, e.finiteOnAllArchs, e.seconds);
            s.ensemble.push_back(e.testTau);
            s.ensembleSize.push_back(static_cast<double>(e.size));
            s.ensembleNonFinite += e.finiteOnAllArchs ? 0 : 1;
        } else {
            runsCsv += ",,,,";
        }
        if (runGraph) {
            auto const& g = graphs[i].result;
            runsCsv += fmt::format(",\"{}\",{:.6f},{},{}", g.formula, g.testTau, g.size, g.finiteOnAllArchs);
            s.graph.push_back(g.testTau);
            s.graphSize.push_back(static_cast<double>(g.size));
            s.graphNonFinite += g.finiteOnAllArchs ? 0 : 1;
        } else {
            runsCsv += ",,,,";
        }
        runsCsv += fmt::format(",{},{},{}\n", optional(runForestGraph, tauOf(forestGraph, i)), optional(runRidge, tauOf(ridge, i)),
                               runRidge ? std::to_string(ridge[i].value("terms", 0)) : "");
        s.evolved.push_back(r.testTau);
        s.handcrafted.push_back(hc.testTau);
        s.size.push_back(static_cast<double>(r.size));
        s.nonFinite += r.finiteOnAllArchs ? 0 : 1;
        s.handcraftedNames[hc.name]++;
        s.wins += r.testTau > hc.testTau ? 1 : 0;
        if (runDeap) {
            s.deapTau.push_back(deapFinite ? deapTau : std::nan(""));
            s.deapNonFinite += deapFinite ? 0 : 1;
        }
        if (runForest) s.forestTau.push_back(tauOf(forest, i));
        if (runForestGraph) s.forestGraphTau.push_back(tauOf(forestGraph, i));
        if (runRidge) s.ridgeTau.push_back(tauOf(ridge, i));
    }
    ctx.results.write("runs.csv", runsCsv);

    // The table: one column per method, each measured on the same tasks, seeds and train architectures.
    struct Column {
        std::string name;
        std::vector<double> TaskSummary::*values;
        bool on;
        std::string plotStyle;
        std::vector<double> means{};
        PlotSeries series{};
    };
    std::vector<Column> columns{
        {"evolved (held-out tau)", &TaskSummary::evolved, true, "yerrorbars pt 7 ps 1.5"},
        {fmt::format("evolved, {} (held-out tau)", fmt::join(graphArgs, " ")), &TaskSummary::graph, runGraph, "yerrorbars pt 15 ps 1.5"},
        {fmt::format("evolved, {} (held-out tau)", fmt::join(ensembleArgs, " ")), &TaskSummary::ensemble, runEnsemble, "yerrorbars pt 13 ps 1.5"},
        {"best hand-crafted (chosen on train)", &TaskSummary::handcrafted, true, "yerrorbars pt 5 ps 1.5"},
        {"DEAP (held-out tau)", &TaskSummary::deapTau, runDeap, "yerrorbars pt 9 ps 1.5"},
        {"random forest (held-out tau)", &TaskSummary::forestTau, runForest, "yerrorbars pt 11 ps 1.5"},
        {"random forest, proxies + graph (held-out tau)", &TaskSummary::forestGraphTau, runForestGraph, "yerrorbars pt 4 ps 1.5"},
        {"ridge, signed-log proxies + graph (held-out tau)", &TaskSummary::ridgeTau, runRidge, "yerrorbars pt 6 ps 1.5"},
    };
    std::erase_if(columns, [](Column const& c) { return !c.on; });
    ResultTable table;
    table.corner = "task";
    for (auto const& c : columns) {
        table.columns.push_back(c.name);
        if (c.name == "best hand-crafted (chosen on train)") table.columns.push_back("hand-crafted proxy");
    }
    table.columns.insert(table.columns.end(), {"evolved > hand-crafted", "formula size"});
    if (runGraph) table.columns.push_back("second column's formula size");  // graph_args' column
    if (runEnsemble) table.columns.push_back("ensemble column's formula size");
    table.columns.push_back("non-finite runs (evolved / second column / ensemble)");
    std::string xtics;
    for (std::size_t t = 0; t < tasks.size(); ++t) {
        auto const& s = byTask[tasks[t]];
        std::vector<ResultTable::Cell> row;
        for (std::size_t k = 0; k < columns.size(); ++k) {
            auto& c = columns[k];
            auto const m = meanStd(s.*c.values);
            std::string cell = formatMeanStd(m);
            if (c.values == &TaskSummary::deapTau && s.deapNonFinite > 0) cell += fmt::format(" ({} non-finite)", s.deapNonFinite);
            row.push_back({std::nullopt, cell});
            if (c.values == &TaskSummary::handcrafted) {
                std::string names;
                for (auto const& [name, count] : s.handcraftedNames) names += fmt::format("{}{}×{}", names.empty() ? "" : " ", name, count);
                row.push_back({std::nullopt, names});
            }
            c.means.push_back(m.mean);
            double const offset = -0.3 + 0.6 * static_cast<double>(k) / static_cast<double>(std::max<std::size_t>(1, columns.size() - 1));
            c.series.x.push_back(static_cast<double>(t) + offset), c.series.y.push_back(m.mean), c.series.yError.push_back(m.std);
        }
        row.push_back({std::nullopt, fmt::format("{}/{}", s.wins, s.evolved.size())});
        row.push_back({std::nullopt, formatMeanStd(meanStd(s.size), 1)});
        if (runGraph) row.push_back({std::nullopt, formatMeanStd(meanStd(s.graphSize), 1)});
        if (runEnsemble) row.push_back({std::nullopt, formatMeanStd(meanStd(s.ensembleSize), 1)});
        row.push_back({std::nullopt, fmt::format("{} / {} / {}", s.nonFinite, runGraph ? std::to_string(s.graphNonFinite) : "-",
                                                 runEnsemble ? std::to_string(s.ensembleNonFinite) : "-")});
        table.rows.push_back(tasks[t]);
        table.cells.push_back(std::move(row));
        xtics += fmt::format("{}\"{}\" {}", t ? ", " : "", escapeUnderscores(escapeUnderscores(tasks[t])), t);
    }
    table.rows.push_back("mean over tasks");
    std::vector<ResultTable::Cell> meanRow;
    for (auto const& c : columns) {
        meanRow.push_back({meanStd(c.means).mean, ""});
        if (c.values == &TaskSummary::handcrafted) meanRow.push_back({std::nullopt, ""});
    }
    std::vector<double> allSizes, allGraphSizes, allEnsembleSizes;
    for (auto const& task : tasks) {
        auto const& s = byTask[task];
        allSizes.insert(allSizes.end(), s.size.begin(), s.size.end());
        allGraphSizes.insert(allGraphSizes.end(), s.graphSize.begin(), s.graphSize.end());
        allEnsembleSizes.insert(allEnsembleSizes.end(), s.ensembleSize.begin(), s.ensembleSize.end());
    }
    meanRow.push_back({std::nullopt, ""});
    meanRow.push_back({meanStd(allSizes).mean, ""});
    if (runGraph) meanRow.push_back({meanStd(allGraphSizes).mean, ""});
    if (runEnsemble) meanRow.push_back({meanStd(allEnsembleSizes).mean, ""});
    std::size_t nonFinite = 0, graphNonFinite = 0, ensembleNonFinite = 0;
    for (auto const& [task, s] : byTask) {
        nonFinite += s.nonFinite, graphNonFinite += s.graphNonFinite, ensembleNonFinite += s.ensembleNonFinite;
    }
    meanRow.push_back({std::nullopt, fmt::format("{} / {} / {} (total)", nonFinite, runGraph ? std::to_string(graphNonFinite) : "-",
                                                 runEnsemble ? std::to_string(ensembleNonFinite) : "-")});
    table.cells.push_back(meanRow);

    if (wants(outputs, "csv")) ctx.results.write("summary.csv", table.render(TableFormat::Csv));
    auto const markdown = table.render(TableFormat::Markdown);
    if (wants(outputs, "markdown")) ctx.results.write("summary.md", markdown);
    if (wants(outputs, "plots")) {
        std::vector<PlotSeries> series;
        for (auto& c : columns) {
            c.series.title = c.name;
            c.series.style = c.plotStyle;
            series.push_back(c.series);
        }
        renderPlot(ctx.results.path(), "summary",
                   PlotSpec{"held-out Kendall tau per task (mean ± std over seeds)", "", "held-out Kendall tau", series, false,
                            fmt::format("set xtics ({}) rotate by 30 right\nset xrange [-0.6:{}.6]\nset bmargin 9",
                                        xtics, tasks.size() - 1)});
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (runs[i].seed != 0) continue;
            auto const stem = fileSafe(runs[i].tasks[0]);
            plotFitnessCurve(ctx, "fitness_" + stem, runs[i].tasks[0] + " (seed 0): fitness per generation", outcomes[i].log);
            plotPareto(ctx, "pareto_" + stem, runs[i].tasks[0] + " (seed 0): Pareto front of size against tau",
                       outcomes[i].result.pareto);
            plotCostPareto(ctx, "cost_pareto_" + stem, runs[i].tasks[0] + " (seed 0): Pareto front of cost against tau",
                           outcomes[i].result.costPareto);
        }
    }
    return fmt::format("## Held-out Kendall tau, {} seeds, {} train architectures, population {}, {} generations\n\n{}",
                       seeds, cfg.getInt("train_archs"), cfg.getInt("population"), cfg.getInt("generations"), markdown);
}

ZCGP_REGISTER_EXPERIMENT("evolve", runEvolveExperiment);

}  // namespace
}  // namespace zcgp::cli
