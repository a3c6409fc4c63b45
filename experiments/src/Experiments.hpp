#pragma once
// The experiment kinds `zcgp reproduce` runs. Each writes CSV, Markdown and plots into the results folder and
// returns the Markdown summary that is printed.
#include <filesystem>
#include <functional>
#include <string>

#include "Command.hpp"
#include "ExperimentConfig.hpp"
#include "ResultsDirectory.hpp"

namespace zcgp::cli {

struct ExperimentContext {
    ExperimentConfig const& config;
    ResultsDirectory& results;
    std::filesystem::path dataDir;
    std::filesystem::path zcgpBinary;  // this executable, for sub-runs
    bool quiet = false;
};

using ExperimentRunner = std::function<std::string(ExperimentContext&)>;

bool registerExperiment(std::string const& kind, ExperimentRunner runner);
[[nodiscard]] ExperimentRunner const* findExperiment(std::string const& kind);

}  // namespace zcgp::cli

#define ZCGP_REGISTER_EXPERIMENT(kind, runner) \
    [[maybe_unused]] static const bool ZCGP_CONCAT(zcgpExperimentRegistered, __LINE__) = \
        ::zcgp::cli::registerExperiment(kind, runner)
