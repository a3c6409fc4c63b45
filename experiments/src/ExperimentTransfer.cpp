// Experiment "transfer": evolve on one task and score on every other (a matrix, mean over seeds), plus one
// multi-task proxy evolved on a set of tasks and scored on the tasks left out. The terminal set is the proxies
// usable on every task involved (no graph features: their names differ between spaces), so each formula can be
// scored everywhere; normalisation is re-fitted on each
// target task (unsupervised, on proxy values only).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "EvolveRuns.hpp"
#include "Experiments.hpp"
#include "Plot.hpp"
#include "TableFormat.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::cli {
namespace {

// Kendall tau of a run's formula on the given tasks, through `zcgp evaluate --format json`.
std::map<std::string, double> evaluateOn(ExperimentContext& ctx, std::filesystem::path const& runDir,
                                         std::vector<std::string> const& tasks) {
    std::string cmd = shellQuote(ctx.zcgpBinary.string()) + " evaluate --format json --run " +
                      shellQuote(runDir.string()) + " --data " + shellQuote(ctx.dataDir.string());
    for (auto const& t : tasks) cmd += " --task " + shellQuote(t);
    auto const r = runJobs({{"evaluate " + runDir.string(), cmd}}, 1, true).front();
    if (r.exitCode != 0) throw std::runtime_error(fmt::format("zcgp evaluate failed for {}: {}", runDir.string(), r.err));
    auto const j = nlohmann::json::parse(r.out);
    std::map<std::string, double> tau;
    for (auto const& t : tasks) {
        auto const& v = j.at(t).at("kendall");
        tau[t] = v.is_null() ? std::nan("") : v.get<double>();
    }
    return tau;
}

std::vector<std::string> commonProxies(ExperimentContext& ctx, std::vector<std::string> const& ids) {
    auto const benchmark = proxy_cache::Benchmark::load(ctx.dataDir);
    tasks::TaskRequest request;
    request.ids = ids;
    auto const tables = tasks::selectTables(benchmark, request);
    std::vector<std::string> common;
    for (std::size_t i = 0; i < tables.size(); ++i) {
        auto const& t = tables[i];
        std::vector<std::string> usable;
        for (std::size_t p = 0; p < t.proxies.size(); ++p) {
            if (tasks::usableProxy(t, p)) usable.push_back(t.proxies[p]);
        }
        if (i == 0) common = usable;
        else std::erase_if(common, [&](auto const& n) { return std::find(usable.begin(), usable.end(), n) == usable.end(); });
    }
    if (common.empty()) throw UsageError(fmt::format("{}: the tasks share no usable proxy", ctx.config.file().string()));
    return common;
}

std::string runTransfer(ExperimentContext& ctx) {
    auto const& cfg = ctx.config;
    auto const tasks = cfg.getStringList("tasks");
    auto const mtTrain = cfg.getStringList("multitask_train");
    auto const mtTest = cfg.getStringList("multitask_test");
    auto const seeds = cfg.getInt("seeds");
    std::vector<std::string> everything = tasks;
    for (auto const& t : mtTrain) if (std::find(everything.begin(), everything.end(), t) == everything.end()) everything.push_back(t);
    for (auto const& t : mtTest) if (std::find(everything.begin(), everything.end(), t) == everything.end()) everything.push_back(t);
    auto const proxies = commonProxies(ctx, everything);
    std::string const proxyList = fmt::format("{}", fmt::join(proxies, ","));

    std::vector<EvolveRun> runs;
    for (auto const& task : tasks) {
        for (std::int64_t s = 0; s < seeds; ++s) {
            runs.push_back({fmt::format("{} seed {}", task, s), {task}, static_cast<std::uint64_t>(s),
                            {"--proxies", proxyList, "--terminals", "cached"},
                            fmt::format("runs/{}/seed{}", fileSafe(task), s)});
        }
    }
    if (!mtTrain.empty()) {
        for (std::int64_t s = 0; s < seeds; ++s) {
            runs.push_back({fmt::format("multi-task seed {}", s), mtTrain, static_cast<std::uint64_t>(s),
                            {"--proxies", proxyList, "--terminals", "cached", "--aggregate",
                             cfg.getString("multitask_fitness")},
                            fmt::format("runs/multitask/seed{}", s)});
        }
    }
    auto const outcomes = runEvolveRuns(ctx, runs);

    // matrix[source][target]: the source's held-out tau on itself, tau on all architectures of other targets
    std::map<std::string, std::map<std::string, std::vector<double>>> matrix;
    std::map<std::string, std::vector<double>> multitask;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const dir = ctx.results.path() / runs[i].outDir;
        bool const isMulti = runs[i].tasks.size() > 1 || runs[i].label.starts_with("multi-task");
        if (isMulti) {
            auto const tau = evaluateOn(ctx, dir, mtTest);
            for (auto const& [t, v] : tau) multitask[t].push_back(v);
            for (auto const& pt : outcomes[i].result.perTask) multitask[pt.task + " (train task, held-out)"].push_back(pt.testTau);
            continue;
        }
        auto const& source = runs[i].tasks[0];
        std::vector<std::string> others;
        for (auto const& t : tasks) if (t != source) others.push_back(t);
        auto const tau = evaluateOn(ctx, dir, others);
        for (auto const& [t, v] : tau) matrix[source][t].push_back(v);
        matrix[source][source].push_back(outcomes[i].result.testTau);
    }

    ResultTable table;
    table.corner = "evolved on \\ scored on";
    table.columns = tasks;
    std::vector<std::vector<double>> heat;
    std::string csv = "source,target,mean_tau,std_tau,seeds\n";
    for (auto const& source : tasks) {
        table.rows.push_back(source);
        std::vector<ResultTable::Cell> row;
        std::vector<double> heatRow;
        for (auto const& target : tasks) {
            auto const m = meanStd(matrix[source][target]);
            row.push_back({m.mean, ""});
            heatRow.push_back(m.mean);
            csv += fmt::format("{},{},{:.6f},{:.6f},{}\n", source, target, m.mean, m.std, m.n);
        }
        table.cells.push_back(std::move(row));
        heat.push_back(heatRow);
    }
    ctx.results.write("transfer.csv", csv);
    auto const markdown = table.render(TableFormat::Markdown);
    ctx.results.write("transfer.md", markdown);
    renderHeatmap(ctx.results.path(), "transfer_heatmap",
                  fmt::format("Kendall tau of a proxy evolved on one task (rows), scored on another (columns); mean of {} seeds", seeds),
                  tasks, tasks, heat, "Kendall tau");
    std::string summary = fmt::format(
        "## Transfer matrix (Kendall tau; diagonal: held-out architectures of the source task; terminals: {})\n\n{}\n",
        proxyList, markdown);
    if (!mtTrain.empty()) {
        ResultTable mt;
        mt.corner = "task";
        mt.columns = {"Kendall tau (mean ± std over seeds)"};
        std::string mtCsv = "task,mean_tau,std_tau,seeds\n";
        for (auto const& [t, values] : multitask) {
            auto const m = meanStd(values);
            mt.rows.push_back(t);
            mt.cells.push_back({{std::nullopt, formatMeanStd(m)}});
            mtCsv += fmt::format("{},{:.6f},{:.6f},{}\n", t, m.mean, m.std, m.n);
        }
        ctx.results.write("multitask.csv", mtCsv);
        auto const mtMd = mt.render(TableFormat::Markdown);
        ctx.results.write("multitask.md", mtMd);
        summary += fmt::format("## Multi-task proxy evolved on {} ({} fitness), scored on the tasks left out\n\n{}\n",
                               fmt::join(mtTrain, ", "), cfg.getString("multitask_fitness"), mtMd);
    }
    return summary;
}

ZCGP_REGISTER_EXPERIMENT("transfer", runTransfer);

}  // namespace
}  // namespace zcgp::cli
