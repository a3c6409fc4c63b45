// Experiment "evolve": the Phan & Luong style table. For each task, held-out Kendall tau of the evolved proxy
// (mean ± std over seeds) against the best hand-crafted proxy chosen on the same train architectures, and the
// DEAP baseline with the same budget where python3-deap is installed.
#include <cmath>
#include <cstdlib>
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

bool deapAvailable(std::filesystem::path const& script) {
    return std::filesystem::exists(script) &&
           std::system((shellQuote(pythonInterpreter()) + " -c 'import deap, numpy, scipy' >/dev/null 2>&1").c_str()) == 0;
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

void plotPareto(ExperimentContext& ctx, std::string const& stem, std::string const& title, nlohmann::json const& pareto) {
    PlotSeries train{"train tau", {}, {}, {}, "linespoints pt 7 lw 2"};
    PlotSeries test{"held-out tau", {}, {}, {}, "linespoints pt 5 lw 2 dt 2"};
    for (auto const& p : pareto) {
        train.x.push_back(p.value("size", 0.0)), train.y.push_back(p.value("train_tau", std::nan("")));
        test.x.push_back(p.value("size", 0.0)), test.y.push_back(p.value("test_tau", std::nan("")));
    }
    renderPlot(ctx.results.path(), stem, PlotSpec{title, "formula size (nodes)", "Kendall tau", {train, test}, false, ""});
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

    // DEAP baseline: same tasks, seeds and budget, side by side.
    std::vector<nlohmann::json> deap(runs.size());
    bool const runDeap = wants(baselines, "deap") && deapAvailable(cfg.getString("deap_script"));
    if (wants(baselines, "deap") && !runDeap && !ctx.quiet) {
        std::cerr << "reproduce: DEAP baseline skipped (python3-deap or " << cfg.getString("deap_script") << " missing)\n";
    }
    if (runDeap) {
        std::vector<Job> jobs;
        for (auto const& run : runs) {
            jobs.push_back({"DEAP " + run.label,
                            fmt::format("{} {} --task {} --seed {} --train-archs {} --population {} --generations {} "
                                        "--data {}",
                                        shellQuote(pythonInterpreter()), shellQuote(cfg.getString("deap_script")),
                                        shellQuote(run.tasks[0]), run.seed,
                                        cfg.getInt("train_archs"), cfg.getInt("population"), cfg.getInt("generations"),
                                        shellQuote(ctx.dataDir.string()))});
        }
        auto const results = runJobs(jobs, static_cast<std::size_t>(std::max<std::int64_t>(0, cfg.getInt("parallel_runs"))), ctx.quiet);
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (results[i].exitCode != 0) {
                throw std::runtime_error(fmt::format("{} failed (exit {}): {}", jobs[i].label, results[i].exitCode, results[i].err));
            }
            deap[i] = nlohmann::json::parse(results[i].out);
        }
    }

    // per-run CSV
    std::string runsCsv = "task,seed,formula,size,train_tau,test_tau,test_spearman,finite_on_all_archs,handcrafted,"
                          "handcrafted_train_tau,handcrafted_test_tau,deap_test_tau,deap_finite,seconds\n";
    struct TaskSummary {
        std::vector<double> evolved, handcrafted, deapTau, size;
        std::size_t deapNonFinite = 0, wins = 0;
        std::map<std::string, int> handcraftedNames;
    };
    std::map<std::string, TaskSummary> byTask;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const& r = outcomes[i].result;
        auto const& hc = r.at("best_handcrafted");
        double const deapTau = runDeap ? deap[i].value("test_tau", std::nan("")) : std::nan("");
        bool const deapFinite = runDeap ? deap[i].value("finite_on_all_archs", false) : false;
        runsCsv += fmt::format("{},{},\"{}\",{},{:.6f},{:.6f},{:.6f},{},{},{:.6f},{:.6f},{},{},{:.2f}\n", runs[i].tasks[0],
                               runs[i].seed, r.value("formula", ""), r.value("size", 0), r.value("train_tau", 0.0),
                               r.value("test_tau", 0.0), r.value("test_spearman", 0.0), r.value("finite_on_all_archs", false),
                               hc.value("name", ""), hc.value("train_tau", 0.0), hc.value("test_tau", 0.0),
                               runDeap ? fmt::format("{:.6f}", deapTau) : "", runDeap ? (deapFinite ? "true" : "false") : "",
                               r.value("seconds", 0.0));
        auto& s = byTask[runs[i].tasks[0]];
        s.evolved.push_back(r.value("test_tau", std::nan("")));
        s.handcrafted.push_back(hc.value("test_tau", std::nan("")));
        s.size.push_back(r.value("size", 0.0));
        s.handcraftedNames[hc.value("name", "?")]++;
        s.wins += r.value("test_tau", -2.0) > hc.value("test_tau", -2.0) ? 1 : 0;
        if (runDeap) {
            s.deapTau.push_back(deapFinite ? deapTau : std::nan(""));
            s.deapNonFinite += deapFinite ? 0 : 1;
        }
    }
    ctx.results.write("runs.csv", runsCsv);

    ResultTable table;
    table.corner = "task";
    table.columns = {"evolved (held-out tau)", "best hand-crafted (chosen on train)", "hand-crafted proxy"};
    if (runDeap) table.columns.push_back("DEAP (held-out tau)");
    table.columns.insert(table.columns.end(), {"evolved > hand-crafted", "formula size"});
    std::vector<double> allEvolved, allHandcrafted, allDeap;
    PlotSeries evolvedSeries{"evolved", {}, {}, {}, "yerrorbars pt 7 ps 1.5"};
    PlotSeries handSeries{"best hand-crafted (chosen on train)", {}, {}, {}, "yerrorbars pt 5 ps 1.5"};
    PlotSeries deapSeries{"DEAP", {}, {}, {}, "yerrorbars pt 9 ps 1.5"};
    std::string xtics;
    for (std::size_t t = 0; t < tasks.size(); ++t) {
        auto const& s = byTask[tasks[t]];
        auto const e = meanStd(s.evolved);
        auto const h = meanStd(s.handcrafted);
        std::string names;
        for (auto const& [name, count] : s.handcraftedNames) names += fmt::format("{}{}×{}", names.empty() ? "" : " ", name, count);
        std::vector<ResultTable::Cell> row{{std::nullopt, formatMeanStd(e)}, {std::nullopt, formatMeanStd(h)}, {std::nullopt, names}};
        if (runDeap) {
            auto const d = meanStd(s.deapTau);
            row.push_back({std::nullopt, formatMeanStd(d) + (s.deapNonFinite ? fmt::format(" ({} non-finite)", s.deapNonFinite) : "")});
            allDeap.push_back(d.mean);
            deapSeries.x.push_back(static_cast<double>(t) + 0.2), deapSeries.y.push_back(d.mean), deapSeries.yError.push_back(d.std);
        }
        row.push_back({std::nullopt, fmt::format("{}/{}", s.wins, s.evolved.size())});
        row.push_back({std::nullopt, formatMeanStd(meanStd(s.size), 1)});
        table.rows.push_back(tasks[t]);
        table.cells.push_back(std::move(row));
        allEvolved.push_back(e.mean);
        allHandcrafted.push_back(h.mean);
        evolvedSeries.x.push_back(static_cast<double>(t) - 0.2), evolvedSeries.y.push_back(e.mean), evolvedSeries.yError.push_back(e.std);
        handSeries.x.push_back(static_cast<double>(t)), handSeries.y.push_back(h.mean), handSeries.yError.push_back(h.std);
        xtics += fmt::format("{}\"{}\" {}", t ? ", " : "", escapeUnderscores(escapeUnderscores(tasks[t])), t);
    }
    table.rows.push_back("mean over tasks");
    std::vector<ResultTable::Cell> meanRow{{meanStd(allEvolved).mean, ""}, {meanStd(allHandcrafted).mean, ""}, {std::nullopt, ""}};
    if (runDeap) meanRow.push_back({meanStd(allDeap).mean, ""});
    meanRow.push_back({std::nullopt, ""});
    meanRow.push_back({std::nullopt, ""});
    table.cells.push_back(meanRow);

    if (wants(outputs, "csv")) ctx.results.write("summary.csv", table.render(TableFormat::Csv));
    auto const markdown = table.render(TableFormat::Markdown);
    if (wants(outputs, "markdown")) ctx.results.write("summary.md", markdown);
    if (wants(outputs, "plots")) {
        std::vector<PlotSeries> series{evolvedSeries, handSeries};
        if (runDeap) series.push_back(deapSeries);
        renderPlot(ctx.results.path(), "summary",
                   PlotSpec{"held-out Kendall tau per task (mean ± std over seeds)", "", "held-out Kendall tau", series, false,
                            fmt::format("set xtics ({}) rotate by 30 right\nset xrange [-0.6:{}.6]\nset bmargin 9",
                                        xtics, tasks.size() - 1)});
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (runs[i].seed != 0) continue;
            auto const stem = fileSafe(runs[i].tasks[0]);
            plotFitnessCurve(ctx, "fitness_" + stem, runs[i].tasks[0] + " (seed 0): fitness per generation", outcomes[i].log);
            plotPareto(ctx, "pareto_" + stem, runs[i].tasks[0] + " (seed 0): Pareto front of size against tau",
                       outcomes[i].result.at("pareto"));
        }
    }
    return fmt::format("## Held-out Kendall tau, {} seeds, {} train architectures, population {}, {} generations\n\n{}",
                       seeds, cfg.getInt("train_archs"), cfg.getInt("population"), cfg.getInt("generations"), markdown);
}

ZCGP_REGISTER_EXPERIMENT("evolve", runEvolveExperiment);

}  // namespace
}  // namespace zcgp::cli
