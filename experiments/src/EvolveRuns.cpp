#include "EvolveRuns.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "zcgp/engine/Checkpoint.hpp"

namespace zcgp::cli {

std::string fileSafe(std::string s) {
    std::replace(s.begin(), s.end(), '/', '_');
    std::replace(s.begin(), s.end(), ':', '_');  // table:<stem>
    return s;
}

MeanStd meanStd(std::vector<double> const& values) {
    double sum = 0.0;
    std::size_t n = 0;
    for (double v : values) {
        if (std::isfinite(v)) {
            sum += v;
            ++n;
        }
    }
    if (n == 0) return {std::nan(""), std::nan(""), 0};
    double const mean = sum / static_cast<double>(n);
    double ss = 0.0;
    for (double v : values) {
        if (std::isfinite(v)) ss += (v - mean) * (v - mean);
    }
    return {mean, n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0, n};
}

std::string formatMeanStd(MeanStd const& m, int precision) {
    if (m.n == 0) return "-";
    return fmt::format("{:.{}f} ± {:.{}f}", m.mean, precision, m.std, precision);
}

std::vector<EvolveOutcome> runEvolveRuns(ExperimentContext& ctx, std::vector<EvolveRun> const& runs) {
    auto const& cfg = ctx.config;
    auto const threads = std::max<std::int64_t>(1, cfg.getInt("threads_per_run"));
    std::vector<Job> jobs;
    for (auto const& run : runs) {
        auto const out = ctx.results.path() / run.outDir;
        std::filesystem::create_directories(out.parent_path());
        std::string cmd = shellQuote(ctx.zcgpBinary.string()) + " evolve";
        for (auto const& t : run.tasks) cmd += " --task " + shellQuote(t);
        cmd += fmt::format(" --seed {} --train-archs {} --population {} --generations {} --threads {}", run.seed,
                           cfg.getInt("train_archs"), cfg.getInt("population"), cfg.getInt("generations"), threads);
        // --force: the experiment owns its results folder, and a rerun replaces its runs
        cmd += " --quiet --force --out " + shellQuote(out.string()) + " --data " + shellQuote(ctx.dataDir.string());
        for (auto const& a : cfg.getStringList("evolve_args")) {
            cmd += ' ';
            cmd += shellQuote(a);
        }
        for (auto const& a : run.extraArgs) {
            cmd += ' ';
            cmd += shellQuote(a);
        }
        jobs.push_back({run.label, cmd});
    }
    auto parallel = static_cast<std::size_t>(std::max<std::int64_t>(0, cfg.getInt("parallel_runs")));
    if (parallel == 0) parallel = std::max<std::size_t>(1, std::thread::hardware_concurrency() / static_cast<std::size_t>(threads));
    auto const results = runJobs(jobs, parallel, ctx.quiet);
    std::vector<EvolveOutcome> outcomes;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (results[i].exitCode != 0) {
            throw std::runtime_error(fmt::format("evolve run '{}' failed (exit {}): {}\ncommand: {}", runs[i].label,
                                                 results[i].exitCode, results[i].err, jobs[i].command));
        }
        auto const dir = ctx.results.path() / runs[i].outDir;
        EvolveOutcome outcome;
        try {
            outcome.result = engine::readRunReport(dir / "result.json");
        } catch (engine::RunReportError const& e) {
            throw std::runtime_error(fmt::format("evolve run '{}': {}", runs[i].label, e.what()));
        }
        std::ifstream log(dir / "log.jsonl");
        std::size_t lineNumber = 0;
        for (std::string line; std::getline(log, line);) {
            ++lineNumber;
            if (line.empty()) continue;
            try {
                outcome.log.push_back(nlohmann::json::parse(line));
            } catch (nlohmann::json::exception const&) {
                throw std::runtime_error(fmt::format("{}:{}: not a JSON line", (dir / "log.jsonl").string(), lineNumber));
            }
        }
        // checkpoints are only needed to resume a killed run
        std::filesystem::remove(dir / engine::CheckpointFileName);
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

}  // namespace zcgp::cli
