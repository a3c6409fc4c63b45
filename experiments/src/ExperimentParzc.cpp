// Experiment "parzc": ParZC (three losses, and a shuffled-label control) against zcgp evolve over the same
// node-wise statistics and over the cached proxies, a random forest on the flattened statistics and the best
// hand-crafted proxy chosen on train, side by side on the same splits. The grid itself is
// scripts/parzc_experiment.py (it drives zcgp evolve and zcgp parzc train and fits the forest with scikit-learn);
// this kind binds the config to it and returns its summary.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "Experiments.hpp"
#include "JobRunner.hpp"

namespace zcgp::cli {
namespace {

std::string python() {
    if (char const* env = std::getenv("ZCGP_PYTHON"); env != nullptr && *env != '\0') return env;
    return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

std::string runParzcExperiment(ExperimentContext& ctx) {
    auto const& cfg = ctx.config;
    auto const stats = cfg.getString("stats");
    if (!std::filesystem::exists(stats)) {
        throw UsageError(fmt::format("{}: key 'stats': {} does not exist (docs/parzc.md says how to gather it)",
                                     cfg.file().string(), stats));
    }
    std::filesystem::path script = cfg.getString("script");
    if (!script.is_absolute() && !std::filesystem::exists(script)) {
        script = (cfg.file().parent_path() / ".." / ".." / script).lexically_normal();  // relative to the repository
    }
    if (!std::filesystem::exists(script)) {
        throw UsageError(fmt::format("{}: key 'script': {} does not exist", cfg.file().string(), script.string()));
    }
    std::string sizes;
    for (auto const& s : cfg.getStringList("train_sizes")) sizes += (sizes.empty() ? "" : ",") + s;
    auto const seeds = cfg.getInt("seeds");
    if (seeds < 1) throw UsageError(fmt::format("{}: key 'seeds' must be at least 1", cfg.file().string()));
    auto command = fmt::format(
        "{} {} --stats {} --out {} --sizes {} --seeds 0-{} --epochs {} --samples {} --population {} --generations {} "
        "--zcgp {} --data {}", shellQuote(python()), shellQuote(script.string()), shellQuote(stats),
        shellQuote(ctx.results.path().string()), shellQuote(sizes), seeds - 1, cfg.getInt("epochs"), cfg.getInt("samples"),
        cfg.getInt("population"), cfg.getInt("generations"), shellQuote(ctx.zcgpBinary.string()),
        shellQuote(ctx.dataDir.string()));
    for (auto const& a : cfg.getStringList("evolve_args")) command += " --evolve-arg=" + shellQuote(a);
    auto const results = runJobs({{"parzc grid", command}}, 1, ctx.quiet);
    if (results.at(0).exitCode != 0) {
        throw std::runtime_error(fmt::format("parzc experiment failed (exit {}): {}", results[0].exitCode, results[0].err));
    }
    std::ifstream in(ctx.results.path() / "summary.md");
    std::stringstream summary;
    summary << in.rdbuf();
    return fmt::format("## ParZC vs GP vs random forest: held-out Kendall tau (mean ± std over seeds; statistics from "
                       "{})\n\n{}", stats, summary.str());
}

#ifdef ZCGP_HAS_TORCH_COMMANDS
ZCGP_REGISTER_EXPERIMENT("parzc", runParzcExperiment);
#endif

}  // namespace
}  // namespace zcgp::cli
