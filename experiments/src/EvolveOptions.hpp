#pragma once
// zcgp evolve's options, their valid ranges, --resume's rule (a resumed run takes every option from what was
// saved; an option given again must agree, except the runtime ones), and the preparation of a run's inputs (tasks,
// statistics, configuration), which does every check before anything is written. export, evaluate and search
// rebuild a finished run's terminals through the same preparation, from the run's options.json.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "Command.hpp"
#include "EvolveTasks.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/RunReport.hpp"

namespace zcgp::cli::evolve {

[[nodiscard]] boost::program_options::options_description options();

// The one default transform for every subcommand that takes --formula: the one `zcgp evolve` writes formulas over.
inline constexpr char const* kFormulaTransform = "logz";
inline constexpr char const* kFormulaTransformHelp =
    "with --formula: the terminal transform the formula is written over, as zcgp evolve --normalize (none | zscore "
    "| logz | rank | robust | logz+robust); default logz, zcgp evolve's default; with --run: the run's";
[[nodiscard]] NumericRanges ranges();
[[nodiscard]] std::string usage();

// Flags that may differ when resuming: how the run is executed and shown, never what it computes.
[[nodiscard]] bool isRuntimeOption(std::string const& name);

// DIR/options.json: the arguments the run was started with. Errors name the file.
[[nodiscard]] std::vector<std::string> savedArguments(std::filesystem::path const& dir);

// --resume DIR: the saved arguments with the runtime flags given now and --out DIR. Throws UsageError naming the
// flag when a non-runtime flag given now differs from the saved run's value.
[[nodiscard]] std::vector<std::string> resumeArguments(std::filesystem::path const& dir,
                                                       std::vector<std::string> const& given);

// --islands: "auto" (2 islands when the population holds at least 50 individuals and the run is no ensemble, else
// 1: an ensemble's members already average the variance islands remove) or a whole number in [1, 1000]; throws
// UsageError naming the flag otherwise.
[[nodiscard]] std::size_t parseIslands(std::string const& spec, std::size_t population, std::size_t ensemble);
// Saved arguments of a run from before --islands existed (no --islands among them) get --islands 1: it evolved one
// population, and resuming, exporting or evaluating it must rebuild that run.
void pinIslands(std::vector<std::string>& args);

struct RunInputs {
    engine::EvolutionConfig config;
    std::vector<engine::Task> tasks;
    std::vector<engine::DataSummary> data;
    std::string normalize;
    std::string terminalSet;           // the --terminals groups, canonical: "cached", "cached,graph", "both", ...
                                       // (auto is recorded as what it resolved to)
    std::optional<std::string> stats;  // --stats FILE
    std::size_t ensemble{1};
    std::size_t islands{1};
    // --member-creators resolved: one --creator spec per population, member K's island J at K * islands + J
    std::vector<std::string> creators;
    std::vector<std::string> notes;    // what the conversion kept and dropped, for the screen
};

// --terminals: a comma list of cached, graph, raw ("both" is cached,raw), or auto alone (cached, plus graph where
// every task's search space is known). Throws UsageError naming an unknown group.
struct TerminalGroups {
    bool cached;
    bool graph;
    bool raw;
    bool graphIfKnown;  // auto
    std::string spelling;  // canonical, in the order cached, graph, raw; cached,raw is spelled "both"; or "auto"
};
[[nodiscard]] TerminalGroups parseTerminalGroups(std::string const& spec);

struct PrepareOverrides {
    std::optional<std::string> stats;  // replaces the run's --stats (export/evaluate/search --stats)
    std::vector<std::string> tasks;    // replace the run's --task values (evaluate on other tasks)
    // replace the run's --task and --table flags by these tokens ("--table", FILE, "--target", COLUMN, ...)
    std::vector<std::string> taskArgs;
    bool allowStatsMismatch{false};
};

// Everything `zcgp evolve` checks before writing: flags, ranges, tasks, statistics, the GP configuration.
[[nodiscard]] RunInputs prepareRun(boost::program_options::variables_map const& vm,
                                   PrepareOverrides const& overrides = {});

// The terminals a --formula is scored on (export, evaluate): the task given by `taskArgs` (--task ID or --table
// flags), normalised with `normalize`, plus the LayerVector statistics of overrides.stats if given; built as zcgp
// evolve builds them. The data directory comes from `dataVm`'s --data or the default.
[[nodiscard]] RunInputs prepareFormulaInputs(std::vector<std::string> const& taskArgs, std::string const& normalize,
                                             boost::program_options::variables_map const& dataVm,
                                             PrepareOverrides const& overrides = {});

// A finished run's inputs, rebuilt from DIR/options.json (data directory from `dataVm`'s --data or the default).
[[nodiscard]] RunInputs prepareFinishedRun(std::filesystem::path const& dir,
                                           boost::program_options::variables_map const& dataVm,
                                           PrepareOverrides const& overrides = {});

}  // namespace zcgp::cli::evolve
