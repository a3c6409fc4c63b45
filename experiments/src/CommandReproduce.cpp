// zcgp reproduce CONFIG: runs an experiment config (experiments/configs/*.toml) and writes results/<name>/.
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "Command.hpp"
#include "Experiments.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {

namespace {
std::map<std::string, ExperimentRunner>& experimentRegistry() {
    static std::map<std::string, ExperimentRunner> instance;
    return instance;
}
}  // namespace

bool registerExperiment(std::string const& kind, ExperimentRunner runner) {
    experimentRegistry()[kind] = std::move(runner);
    return true;
}

ExperimentRunner const* findExperiment(std::string const& kind) {
    auto it = experimentRegistry().find(kind);
    return it == experimentRegistry().end() ? nullptr : &it->second;
}

namespace {

int runReproduce(std::vector<std::string> const& args) {
    po::options_description options("zcgp reproduce options");
    options.add_options()
        ("config", po::value<std::string>(), "experiment config (TOML), e.g. experiments/configs/nbsz_correlations.toml")
        ("set", po::value<std::vector<std::string>>()->composing(), "override a config key: KEY=VALUE (repeatable)")
        ("results", po::value<std::string>()->default_value("results"), "parent folder of results/<name>/")
        ("quiet,q", "no progress output");
    addCommonOptions(options);
    po::positional_options_description positional;
    positional.add("config", 1);
    po::variables_map vm;
    if (!parseArguments("reproduce", "CONFIG [--set KEY=VALUE ...] [--results DIR]", options, args, vm, &positional)) {
        return 0;
    }
    if (vm.count("config") == 0U) {
        throw UsageError("zcgp reproduce: missing CONFIG (a TOML file in experiments/configs/)");
    }
    auto const overrides = vm.count("set") != 0U ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
    auto const config = ExperimentConfig::load(vm["config"].as<std::string>(), overrides);
    auto const* runner = findExperiment(config.experiment());
    if (runner == nullptr) {
        throw UsageError(fmt::format("{}: experiment kind '{}' is not available in this build", config.file().string(),
                                     config.experiment()));
    }
    auto const dataDir = resolveDataDir(vm);
    ResultsDirectory results(std::filesystem::path(vm["results"].as<std::string>()) / config.name());
    results.write("config.toml", config.effectiveToml());
    ExperimentContext context{config, results, dataDir, std::filesystem::read_symlink("/proc/self/exe"),
                              vm.count("quiet") != 0U};
    std::string const summary = (*runner)(context);
    results.write("README.md", fmt::format("# {}\n\n{}\n\nConfig: `{}` (effective values in `config.toml`).\n\n{}",
                                           config.name(), config.getString("description"), config.file().string(),
                                           summary));
    results.commit();
    std::cout << summary << fmt::format("\nresults written to {}/\n", results.finalPath().string());
    return 0;
}

ZCGP_REGISTER_COMMAND("reproduce", "run an experiment config and write results/<name>/ (CSV, Markdown, plots)",
                      runReproduce);

}  // namespace
}  // namespace zcgp::cli
