// zcgp evaluate: scores a formula (or the best formula of an evolve run) on benchmark tasks: Kendall tau,
// Spearman and top-10% precision over every usable architecture of each task. Used for transfer studies.
// A run's terminals are rebuilt from its options.json as zcgp evolve built them (normalisation, LayerVector
// statistics from the cache it recorded, or --stats for another task).
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "Command.hpp"
#include "EvolveOptions.hpp"
#include "TableFormat.hpp"
#include "TaskOptions.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/RunReport.hpp"
#include "zcgp/fitness/RankStatistics.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {
namespace {

int runEvaluate(std::vector<std::string> const& args) {
    po::options_description options("zcgp evaluate options");
    options.add_options()
        ("formula", po::value<std::string>(), "infix formula over proxy names")
        ("run", po::value<std::string>(), "zcgp evolve output folder: evaluate its best formula")
        ("task", po::value<std::vector<std::string>>()->composing(), "SPACE/TASK (repeatable)")
        ("normalize", po::value<std::string>(), evolve::kFormulaTransformHelp)
        ("stats", po::value<std::string>(), "statistics cache for LayerVector terminals (default: the run's)")
        ("format", po::value<std::string>()->default_value("table"), "table|csv|json|markdown");
    addTableOptions(options);
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("evaluate", "(--formula F | --run DIR) (--task SPACE/TASK | --table FILE.csv --target COLUMN ...) [--task ...]", options, args, vm)) return 0;
    if ((vm.count("formula") != 0U) == (vm.count("run") != 0U)) throw UsageError("zcgp evaluate: give exactly one of --formula and --run");
    auto const tableFlags = tableRequest(vm);
    if (vm.count("task") == 0U && tableFlags.tables.empty()) {
        throw UsageError("zcgp evaluate: --task SPACE/TASK or --table FILE.csv --target COLUMN is required");
    }
    auto const format = parseTableFormat(vm["format"].as<std::string>());
    evolve::PrepareOverrides overrides;
    if (vm.count("stats") != 0U) overrides.stats = vm["stats"].as<std::string>();
    std::string formula;
    std::string normalize = evolve::kFormulaTransform;
    if (vm.count("run") != 0U) {
        if (vm.count("normalize") != 0U) throw UsageError("zcgp evaluate --run: the normalisation comes from the run");
        try {
            auto const r = engine::readRunReport(vm["run"].as<std::string>());
            formula = r.formula;
            normalize = r.normalize;
        } catch (engine::RunReportError const& e) {
            throw UsageError(fmt::format("--run: {}", e.what()));
        }
    } else {
        formula = vm["formula"].as<std::string>();
        if (vm.count("normalize") != 0U) normalize = vm["normalize"].as<std::string>();
    }
    // one entry per task or table, as the flags that name it; --exclude applies to each
    std::vector<std::vector<std::string>> targets;
    if (vm.count("task") != 0U) {
        for (auto const& id : vm["task"].as<std::vector<std::string>>()) targets.push_back({"--task", id});
    }
    for (auto const& spec : tableFlags.tables) targets.push_back(tableTokens(spec));
    for (auto& tokens : targets) {
        for (auto const& column : tableFlags.exclude) tokens.insert(tokens.end(), {"--exclude", column});
    }
    // the terminals of one task, built as zcgp evolve builds them
    auto const inputsFor = [&](std::vector<std::string> const& taskArgs) {
        if (vm.count("run") != 0U) {
            auto o = overrides;
            o.taskArgs = taskArgs;
            return evolve::prepareFinishedRun(vm["run"].as<std::string>(), vm, o);
        }
        return evolve::prepareFormulaInputs(taskArgs, normalize, vm, overrides);
    };

    ResultTable table;
    table.corner = "task";
    table.columns = {"archs", "kendall", "spearman", "top10%", "note"};
    std::size_t parsed = 0;
    std::string firstError;
    for (auto const& taskArgs : targets) {
        auto const inputs = inputsFor(taskArgs);
        auto const& data = inputs.tasks.at(0).data;
        auto const& id = inputs.tasks.at(0).id;
        if (inputs.data.at(0).targetNegated) {
            std::cerr << fmt::format("{}: Kendall tau, Spearman and top-10% against the negated target '{}' "
                                     "(--target-order lower)\n", id, inputs.data.at(0).target);
        }
        engine::Tree tree;
        try {
            tree = engine::parse(formula, engine::Vocabulary::of(data));
        } catch (std::invalid_argument const& e) {
            // e.g. a proxy this task lacks (synflow on TransNAS): a note in a transfer table, unless no task has it
            if (firstError.empty()) firstError = e.what();
            table.rows.push_back(id);
            table.cells.push_back({{std::nullopt, std::to_string(data.rows())}, {std::nullopt, ""}, {std::nullopt, ""},
                                   {std::nullopt, ""}, {std::nullopt, e.what()}});
            continue;
        }
        ++parsed;
        auto const values = engine::Interpreter(data).evaluate(tree);
        bool const finite = std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
        table.rows.push_back(id);
        table.cells.push_back({{std::nullopt, std::to_string(data.rows())},
                               {fitness::kendallTau(values, data.target()), ""},
                               {fitness::spearman(values, data.target()), ""},
                               {fitness::topKPrecision(values, data.target(), 0.1), ""},
                               {std::nullopt, finite ? "" : "non-finite on some architectures"}});
    }
    if (parsed == 0) throw UsageError(fmt::format("--{}: {}", vm.count("run") != 0U ? "run" : "formula", firstError));
    if (format == TableFormat::Table) {
        std::cerr << fmt::format("formula over {}-transformed terminals, scored on every usable architecture of each "
                                 "task\n", normalize);
    }
    std::cout << table.render(format);
    return 0;
}

ZCGP_REGISTER_COMMAND("evaluate", "score a formula (or an evolve run's best) on tasks: Kendall, Spearman, top-10%",
                      runEvaluate);

}  // namespace
}  // namespace zcgp::cli
