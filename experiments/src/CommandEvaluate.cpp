// zcgp evaluate: scores a formula (or the best formula of an evolve run) on benchmark tasks: Kendall tau,
// Spearman and top-10% precision over every usable architecture of each task. Used for transfer studies.
#include <cmath>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "Command.hpp"
#include "EvolveTasks.hpp"
#include "TableFormat.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/fitness/RankStatistics.hpp"

namespace po = boost::program_options;
using nlohmann::json;

namespace zcgp::cli {
namespace {

int runEvaluate(std::vector<std::string> const& args) {
    po::options_description options("zcgp evaluate options");
    options.add_options()
        ("formula", po::value<std::string>(), "infix formula over proxy names")
        ("run", po::value<std::string>(), "zcgp evolve output folder: evaluate its best formula")
        ("task", po::value<std::vector<std::string>>()->composing(), "SPACE/TASK (repeatable)")
        ("normalize", po::value<std::string>(), "terminal normalisation: none | zscore | logz (default: the run's, else logz)")
        ("format", po::value<std::string>()->default_value("table"), "table|csv|json|markdown");
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("evaluate", "(--formula F | --run DIR) --task SPACE/TASK [--task ...]", options, args, vm)) return 0;
    if ((vm.count("formula") != 0U) == (vm.count("run") != 0U)) throw UsageError("zcgp evaluate: give exactly one of --formula and --run");
    if (vm.count("task") == 0U) throw UsageError("zcgp evaluate: --task is required");
    std::string formula;
    std::string normalization = "logz";
    if (vm.count("run") != 0U) {
        auto const file = std::filesystem::path(vm["run"].as<std::string>()) / "result.json";
        std::ifstream in(file);
        if (!in) throw UsageError(fmt::format("--run: {} does not exist (not a finished zcgp evolve run)", file.string()));
        auto const result = json::parse(in);
        formula = result.at("formula").get<std::string>();
        normalization = result.value("normalize", normalization);
    } else {
        formula = vm["formula"].as<std::string>();
    }
    if (vm.count("normalize") != 0U) normalization = vm["normalize"].as<std::string>();
    primitives::Normalization mode{};
    try {
        mode = primitives::parseNormalization(normalization);
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("--normalize: {}", e.what()));
    }
    auto const format = parseTableFormat(vm["format"].as<std::string>());
    auto const benchmark = proxy_cache::Benchmark::load(resolveDataDir(vm));

    ResultTable table;
    table.corner = "task";
    table.columns = {"archs", "kendall", "spearman", "top10%", "note"};
    for (auto const& id : vm["task"].as<std::vector<std::string>>()) {
        std::vector<evolve::ConversionReport> reports;
        auto tasks = evolve::loadTasks(benchmark, {id}, mode, reports);
        auto const& data = tasks[0].data;
        engine::Tree tree;
        try {
            tree = engine::parse(formula, engine::Vocabulary::of(data));
        } catch (std::exception const& e) {
            // e.g. a proxy this task lacks (synflow on TransNAS): not an error for a transfer table
            table.rows.push_back(id);
            table.cells.push_back({{std::nullopt, std::to_string(data.rows())}, {std::nullopt, ""}, {std::nullopt, ""},
                                   {std::nullopt, ""}, {std::nullopt, e.what()}});
            continue;
        }
        auto const values = engine::Interpreter(data).evaluate(tree);
        bool const finite = std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
        table.rows.push_back(id);
        table.cells.push_back({{std::nullopt, std::to_string(data.rows())},
                               {fitness::kendallTau(values, data.target()), ""},
                               {fitness::spearman(values, data.target()), ""},
                               {fitness::topKPrecision(values, data.target(), 0.1), ""},
                               {std::nullopt, finite ? "" : "non-finite on some architectures"}});
    }
    std::cout << table.render(format);
    return 0;
}

ZCGP_REGISTER_COMMAND("evaluate", "score a formula (or an evolve run's best) on tasks: Kendall, Spearman, top-10%",
                      runEvaluate);

}  // namespace
}  // namespace zcgp::cli
