// Experiment "evolve": the Phan & Luong style table. For each task, held-out Kendall tau of the evolved proxy
// (mean ± std over seeds) against the best hand-crafted proxy chosen on the same train architectures, and the
// DEAP baseline with the same budget where python3-deap is installed, and the 300-tree random-forest anchor
// (same train architectures count, same data pipeline as DEAP) where python3-sklearn is installed.
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
    auto const outcomes = runEvolveRuns(ctx, runs);
    // optional second configuration of the evolved proxy (e.g. an ensemble), same tasks and seeds
    auto const ensembleArgs = cfg.getStringList("ensemble_args");
    bool const runEnsemble = !ensembleArgs.empty();
    std::vector<EvolveOutcome> ensembles;
    if (runEnsemble) {
        std::vector<EvolveRun> ensembleRuns = runs;
        for (auto& r : ensembleRuns) {
            r.label += " (ensemble)";
            r.extraArgs = ensembleArgs;
            r.outDir += "-ensemble";
        }
        ensembles = runEvolveRuns(ctx, ensembleRuns);
    }

    // Baselines on the same tasks and seeds, side by side: DEAP (same budget) and the random forest anchor.
    std::vector<nlohmann::json> deap, forest;
    if (wants(baselines, "deap")) {
        deap = runPythonBaseline(ctx, "DEAP", cfg.getString("deap_script"), "deap, numpy, scipy", runs, [&](EvolveRun const& run) {
            return fmt::format("--task {} --seed {} --train-archs {} --population {} --generations {}", shellQuote(run.tasks[0]),
                               run.seed, cfg.getInt("train_archs"), cfg.getInt("population"), cfg.getInt("generations"));
        });
    }
    if (wants(baselines, "rf")) {
        // rf_baseline.py reuses deap_baseline.py's loader, which imports deap
        forest = runPythonBaseline(ctx, "random forest", cfg.getString("rf_script"), "sklearn, deap, numpy, scipy", runs,
                                   [&](EvolveRun const& run) {
                                       return fmt::format("--task {} --seeds {} --train-archs {}", shellQuote(run.tasks[0]),
                                                          run.seed, cfg.getInt("train_archs"));
                                   });
    }
    bool const runDeap = !deap.empty();
    bool const runForest = !forest.empty();

    // per-run CSV
    std::string runsCsv = "task,seed,formula,size,train_tau,test_tau,test_spearman,finite_on_all_archs,handcrafted,"
                          "handcrafted_train_tau,handcrafted_test_tau,deap_test_tau,deap_finite,rf_test_tau,seconds,"
                          "ensemble_test_tau,ensemble_size,ensemble_finite,ensemble_seconds\n";
    struct TaskSummary {
        std::vector<double> evolved, handcrafted, deapTau, forestTau, size, ensemble, ensembleSize;
        std::size_t deapNonFinite = 0, wins = 0;
        std::map<std::string, int> handcraftedNames;
    };
    std::map<std::string, TaskSummary> byTask;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const& r = outcomes[i].result;
        engine::HandcraftedQuality const hc = r.bestHandcrafted.value_or(
            engine::HandcraftedQuality{"-", std::nan(""), std::nan(""), std::nan("")});
        double const deapTau = runDeap ? deap[i].value("test_tau", std::nan("")) : std::nan("");
        bool const deapFinite = runDeap ? deap[i].value("finite_on_all_archs", false) : false;
        double const forestTau = runForest ? forest[i].value("test_tau", std::nan("")) : std::nan("");
        runsCsv += fmt::format("{},{},\"{}\",{},{:.6f},{:.6f},{:.6f},{},{},{:.6f},{:.6f},{},{},{},{:.2f}\n", runs[i].tasks[0],
                               runs[i].seed, r.formula, r.size, r.trainTau, r.testTau, r.testSpearman, r.finiteOnAllArchs,
                               hc.name, hc.trainTau, hc.testTau,
                               runDeap ? fmt::format("{:.6f}", deapTau) : "", runDeap ? (deapFinite ? "true" : "false") : "",
                               runForest ? fmt::format("{:.6f}", forestTau) : "", r.seconds);
        if (runEnsemble) {
            auto const& e = ensembles[i].result;
            runsCsv.pop_back();  // the newline
            runsCsv += fmt::format(",{:.6f},{},{},{:.2f}\n", e.testTau, e.size, e.finiteOnAllArchs, e.seconds);
            byTask[runs[i].tasks[0]].ensemble.push_back(e.testTau);
            byTask[runs[i].tasks[0]].ensembleSize.push_back(static_cast<double>(e.size));
        } else {
            runsCsv.insert(runsCsv.size() - 1, ",,,,");
        }
        auto& s = byTask[runs[i].tasks[0]];
        s.evolved.push_back(r.testTau);
        s.handcrafted.push_back(hc.testTau);
        s.size.push_back(static_cast<double>(r.size));
        s.handcraftedNames[hc.name]++;
        s.wins += r.testTau > hc.testTau ? 1 : 0;
        if (runDeap) {
            s.deapTau.push_back(deapFinite ? deapTau : std::nan(""));
            s.deapNonFinite += deapFinite ? 0 : 1;
        }
        if (runForest) s.forestTau.push_back(forestTau);
    }
    ctx.results.write("runs.csv", runsCsv);

    ResultTable table;
    table.corner = "task";
    table.columns = {"evolved (held-out tau)"};
    if (runEnsemble) table.columns.push_back(fmt::format("evolved, {} (held-out tau)", fmt::join(ensembleArgs, " ")));
    table.columns.insert(table.columns.end(), {"best hand-crafted (chosen on train)", "hand-crafted proxy"});
    if (runDeap) table.columns.push_back("DEAP (held-out tau)");
    if (runForest) table.columns.push_back("random forest (held-out tau)");
    table.columns.insert(table.columns.end(), {"evolved > hand-crafted", "formula size"});
    if (runEnsemble) table.columns.push_back("second column's formula size");
    std::vector<double> allEvolved, allHandcrafted, allDeap, allForest, allEnsemble;
    PlotSeries evolvedSeries{"evolved", {}, {}, {}, "yerrorbars pt 7 ps 1.5"};
    PlotSeries ensembleSeries{fmt::format("evolved, {}", fmt::join(ensembleArgs, " ")), {}, {}, {}, "yerrorbars pt 13 ps 1.5"};
    PlotSeries handSeries{"best hand-crafted (chosen on train)", {}, {}, {}, "yerrorbars pt 5 ps 1.5"};
    PlotSeries deapSeries{"DEAP", {}, {}, {}, "yerrorbars pt 9 ps 1.5"};
    PlotSeries forestSeries{"random forest (300 trees)", {}, {}, {}, "yerrorbars pt 11 ps 1.5"};
    std::string xtics;
    for (std::size_t t = 0; t < tasks.size(); ++t) {
        auto const& s = byTask[tasks[t]];
        auto const e = meanStd(s.evolved);
        auto const h = meanStd(s.handcrafted);
        std::string names;
        for (auto const& [name, count] : s.handcraftedNames) names += fmt::format("{}{}×{}", names.empty() ? "" : " ", name, count);
        std::vector<ResultTable::Cell> row{{std::nullopt, formatMeanStd(e)}};
        if (runEnsemble) {
            auto const m = meanStd(s.ensemble);
            row.push_back({std::nullopt, formatMeanStd(m)});
            allEnsemble.push_back(m.mean);
            ensembleSeries.x.push_back(static_cast<double>(t) - 0.1), ensembleSeries.y.push_back(m.mean), ensembleSeries.yError.push_back(m.std);
        }
        row.insert(row.end(), {{std::nullopt, formatMeanStd(h)}, {std::nullopt, names}});
        if (runDeap) {
            auto const d = meanStd(s.deapTau);
            row.push_back({std::nullopt, formatMeanStd(d) + (s.deapNonFinite ? fmt::format(" ({} non-finite)", s.deapNonFinite) : "")});
            allDeap.push_back(d.mean);
            deapSeries.x.push_back(static_cast<double>(t) + 0.2), deapSeries.y.push_back(d.mean), deapSeries.yError.push_back(d.std);
        }
        if (runForest) {
            auto const f = meanStd(s.forestTau);
            row.push_back({std::nullopt, formatMeanStd(f)});
            allForest.push_back(f.mean);
            forestSeries.x.push_back(static_cast<double>(t) + 0.3), forestSeries.y.push_back(f.mean), forestSeries.yError.push_back(f.std);
        }
        row.push_back({std::nullopt, fmt::format("{}/{}", s.wins, s.evolved.size())});
        row.push_back({std::nullopt, formatMeanStd(meanStd(s.size), 1)});
        if (runEnsemble) row.push_back({std::nullopt, formatMeanStd(meanStd(s.ensembleSize), 1)});
        table.rows.push_back(tasks[t]);
        table.cells.push_back(std::move(row));
        allEvolved.push_back(e.mean);
        allHandcrafted.push_back(h.mean);
        evolvedSeries.x.push_back(static_cast<double>(t) - 0.2), evolvedSeries.y.push_back(e.mean), evolvedSeries.yError.push_back(e.std);
        handSeries.x.push_back(static_cast<double>(t)), handSeries.y.push_back(h.mean), handSeries.yError.push_back(h.std);
        xtics += fmt::format("{}\"{}\" {}", t ? ", " : "", escapeUnderscores(escapeUnderscores(tasks[t])), t);
    }
    table.rows.push_back("mean over tasks");
    std::vector<ResultTable::Cell> meanRow{{meanStd(allEvolved).mean, ""}};
    if (runEnsemble) meanRow.push_back({meanStd(allEnsemble).mean, ""});
    meanRow.insert(meanRow.end(), {{meanStd(allHandcrafted).mean, ""}, {std::nullopt, ""}});
    if (runDeap) meanRow.push_back({meanStd(allDeap).mean, ""});
    if (runForest) meanRow.push_back({meanStd(allForest).mean, ""});
    meanRow.push_back({std::nullopt, ""});
    meanRow.push_back({std::nullopt, ""});
    if (runEnsemble) meanRow.push_back({std::nullopt, ""});
    table.cells.push_back(meanRow);

    if (wants(outputs, "csv")) ctx.results.write("summary.csv", table.render(TableFormat::Csv));
    auto const markdown = table.render(TableFormat::Markdown);
    if (wants(outputs, "markdown")) ctx.results.write("summary.md", markdown);
    if (wants(outputs, "plots")) {
        std::vector<PlotSeries> series{evolvedSeries, handSeries};
        if (runEnsemble) series.push_back(ensembleSeries);
        if (runDeap) series.push_back(deapSeries);
        if (runForest) series.push_back(forestSeries);
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
