// Experiment "raw_statistics" (the LPZero / EZNAS question): on the architectures of a statistics cache from
// `zcgp gather`, evolve with only raw LayerVector statistics, only cached proxies, or both, on the same splits,
// and compare held-out Kendall tau with the best hand-crafted proxy chosen on train.
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "EvolveRuns.hpp"
#include "Experiments.hpp"
#include "Plot.hpp"
#include "TableFormat.hpp"

namespace zcgp::cli {
namespace {

std::string runRawStatistics(ExperimentContext& ctx) {
    auto const& cfg = ctx.config;
    auto const task = cfg.getString("task");
    auto const stats = cfg.getString("stats");
    if (!std::filesystem::exists(stats)) {
        throw UsageError(fmt::format("{}: key 'stats': {} does not exist (create it with: zcgp gather --task {} --out {})",
                                     cfg.file().string(), stats, task, stats));
    }
    auto const sets = cfg.getStringList("terminal_sets");
    auto const seeds = cfg.getInt("seeds");
    std::vector<EvolveRun> runs;
    for (auto const& set : sets) {
        if (set != "raw" && set != "cached" && set != "both") {
            throw UsageError(fmt::format("{}: key 'terminal_sets': unknown '{}' (valid: raw, cached, both)", cfg.file().string(), set));
        }
        for (std::int64_t s = 0; s < seeds; ++s) {
            runs.push_back({fmt::format("{} terminals seed {}", set, s), {task}, static_cast<std::uint64_t>(s),
                            {"--stats", stats, "--terminals", set}, fmt::format("runs/{}/seed{}", set, s)});
        }
    }
    auto const outcomes = runEvolveRuns(ctx, runs);
    std::map<std::string, std::vector<double>> test, size;
    std::vector<double> handcrafted;
    std::map<std::string, int> handcraftedNames;
    std::string csv = "terminals,seed,formula,size,train_tau,test_tau,handcrafted,handcrafted_test_tau\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const& r = outcomes[i].result;
        auto const set = runs[i].extraArgs[3];
        test[set].push_back(r.testTau);
        size[set].push_back(static_cast<double>(r.size));
        // none for the raw set: without scalar terminals there is no hand-crafted proxy
        csv += fmt::format("{},{},\"{}\",{},{:.6f},{:.6f},{},{:.6f}\n", set, runs[i].seed, r.formula, r.size, r.trainTau,
                           r.testTau, r.bestHandcrafted ? r.bestHandcrafted->name : "",
                           r.bestHandcrafted ? r.bestHandcrafted->testTau : std::nan(""));
        if (set != "raw" && r.bestHandcrafted) {  // the hand-crafted proxies are the cached scalar terminals; same split for every set
            if (handcrafted.size() < static_cast<std::size_t>(seeds)) {
                handcrafted.push_back(r.bestHandcrafted->testTau);
                handcraftedNames[r.bestHandcrafted->name]++;
            }
        }
    }
    ctx.results.write("runs.csv", csv);
    ResultTable table;
    table.corner = "terminals";
    table.columns = {"held-out Kendall tau", "formula size"};
    for (auto const& set : sets) {
        table.rows.push_back(set == "raw" ? "raw LayerVector statistics only" : set == "cached" ? "cached proxies only" : "both");
        table.cells.push_back({{std::nullopt, formatMeanStd(meanStd(test[set]))}, {std::nullopt, formatMeanStd(meanStd(size[set]), 1)}});
    }
    std::string names;
    for (auto const& [n, c] : handcraftedNames) names += fmt::format("{}{}×{}", names.empty() ? "" : " ", n, c);
    if (!handcrafted.empty()) {
        table.rows.push_back("best hand-crafted, chosen on train (" + names + ")");
        table.cells.push_back({{std::nullopt, formatMeanStd(meanStd(handcrafted))}, {std::nullopt, "1"}});
    }
    auto const markdown = table.render(TableFormat::Markdown);
    ctx.results.write("summary.md", markdown);
    ctx.results.write("summary.csv", table.render(TableFormat::Csv));
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (runs[i].seed != 0) continue;
        auto const set = runs[i].extraArgs[3];
        PlotSeries best{"best train tau", {}, {}, {}, "lines lw 2"};
        PlotSeries heldOut{"held-out tau of the best", {}, {}, {}, "lines lw 2 dt 2"};
        for (auto const& line : outcomes[i].log) {
            best.x.push_back(line.value("generation", 0.0)), best.y.push_back(line.value("best_train_tau", std::nan("")));
            heldOut.x.push_back(line.value("generation", 0.0)), heldOut.y.push_back(line.value("best_test_tau", std::nan("")));
        }
        renderPlot(ctx.results.path(), "fitness_" + set,
                   PlotSpec{fmt::format("{} terminals (seed 0): fitness per generation", set), "generation", "Kendall tau",
                            {best, heldOut}, false, ""});
    }
    return fmt::format("## {}: held-out Kendall tau by terminal set ({} seeds; statistics from {})\n\n{}", task, seeds,
                       stats, markdown);
}

ZCGP_REGISTER_EXPERIMENT("raw_statistics", runRawStatistics);

}  // namespace
}  // namespace zcgp::cli
