#pragma once
// Shared by the experiments that evolve proxies: builds `zcgp evolve` sub-runs from a config's budget keys,
// runs them in parallel and reads their result.json / log.jsonl.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "Experiments.hpp"
#include "JobRunner.hpp"
#include "zcgp/engine/RunReport.hpp"

namespace zcgp::cli {

struct EvolveRun {
    std::string label;                  // e.g. "nb201/cifar10 seed 3"
    std::vector<std::string> tasks;     // --task values
    std::uint64_t seed = 0;
    std::vector<std::string> extraArgs; // beyond the config's budget and evolve_args
    std::filesystem::path outDir;       // relative to the results folder
};

struct EvolveOutcome {
    engine::RunReport result;           // result.json of the run
    std::vector<nlohmann::json> log;    // log.jsonl lines
};

// Runs every run (parallel as configured); throws naming the run and its error if any fails.
[[nodiscard]] std::vector<EvolveOutcome> runEvolveRuns(ExperimentContext& ctx, std::vector<EvolveRun> const& runs);

// mean and sample standard deviation of the finite values (NaN if none).
struct MeanStd {
    double mean;
    double std;
    std::size_t n;
};
[[nodiscard]] MeanStd meanStd(std::vector<double> const& values);
[[nodiscard]] std::string formatMeanStd(MeanStd const& m, int precision = 3);
[[nodiscard]] std::string fileSafe(std::string s);

}  // namespace zcgp::cli
