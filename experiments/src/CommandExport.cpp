// zcgp export: writes an evolved formula as a self-contained C++ header (see engine/Export.hpp).
//   zcgp export --run runs/x --lang cpp --out proxy.hpp
//   zcgp export --formula "(synflow + nwot)" --task nb201/cifar10 --out proxy.hpp   (raw proxy scores)
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "Command.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Export.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "EvolveTasks.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;


namespace zcgp::cli {
namespace {

int runExport(std::vector<std::string> const& args) {
    po::options_description options("zcgp export options");
    options.add_options()
        ("run", po::value<std::string>(), "a zcgp evolve output directory (uses its result.json)")
        ("formula", po::value<std::string>(), "an infix formula over the task's proxies")
        ("task", po::value<std::string>(), "SPACE/TASK whose proxies --formula uses (default: nb201/cifar10)")
        ("normalize", po::value<std::string>()->default_value("none"),
         "with --formula: the terminal transform the formula expects (none | zscore | logz)")
        ("lang", po::value<std::string>()->default_value("cpp"), "output language (cpp)")
        ("name", po::value<std::string>()->default_value("zc_proxy"), "function name")
        ("out", po::value<std::string>(), "output header (default: stdout)")
        ("values-csv", po::value<std::string>(), "also write raw inputs and the engine's value for every architecture");
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("export", "(--run DIR | --formula F [--task SPACE/TASK]) [--lang cpp] [--out FILE]", options,
                        args, vm)) {
        return 0;
    }
    if (vm["lang"].as<std::string>() != "cpp") {
        throw UsageError(fmt::format("--lang {}: only cpp is supported", vm["lang"].as<std::string>()));
    }
    if ((vm.count("run") != 0U) == (vm.count("formula") != 0U)) throw UsageError("zcgp export: give exactly one of --run or --formula");

    std::string formula, taskId = "nb201/cifar10", normalize = vm["normalize"].as<std::string>(), provenance;
    if (vm.count("run") != 0U) {
        fs::path dir = vm["run"].as<std::string>();
        std::ifstream is(dir / "result.json");
        if (!is) throw UsageError(fmt::format("--run {}: no result.json (the run did not finish)", dir.string()));
        json r = json::parse(is);
        formula = r.at("formula").get<std::string>();
        auto tasks = r.at("tasks").get<std::vector<std::string>>();
        taskId = tasks.at(0);
        normalize = r.value("normalize", "none");
        provenance = fmt::format("run: {}\ntasks: {}\nseed: {}  generations: {}  population: {}  train archs: {}\n"
                                 "train Kendall tau: {:.4f}  held-out Kendall tau: {:.4f}  held-out Spearman: {:.4f}",
                                 dir.string(), fmt::join(tasks, ", "), r.at("seed").get<std::uint64_t>(),
                                 r.at("generations").get<std::size_t>(), r.at("population").get<std::size_t>(),
                                 r.at("train_archs").get<std::size_t>(), r.at("train_tau").get<double>(),
                                 r.at("test_tau").get<double>(), r.at("test_spearman").get<double>());
    } else {
        formula = vm["formula"].as<std::string>();
        if (vm.count("task") != 0U) taskId = vm["task"].as<std::string>();
    }
    primitives::Normalization norm{};
    try {
        norm = primitives::parseNormalization(normalize);
    } catch (std::invalid_argument const& e) {
        throw UsageError(e.what());
    }
    auto const benchmark = proxy_cache::Benchmark::load(resolveDataDir(vm));
    std::vector<evolve::ConversionReport> reports;
    auto tasks = evolve::loadTasks(benchmark, {taskId}, norm, reports);
    auto const& data = tasks.at(0).data;
    auto vocab = engine::Vocabulary::of(data);
    engine::Tree tree;
    try {
        tree = engine::parse(formula, vocab);
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("--formula: {}", e.what()));
    }
    engine::Interpreter interpreter(data);
    auto values = interpreter.evaluate(tree);
    std::size_t nonFinite = 0;
    for (double v : values) nonFinite += std::isfinite(v) ? 0 : 1;
    if (provenance.empty()) {
        provenance = fmt::format("task: {}  (formula given on the command line, terminal transform: {})", taskId, normalize);
    }
    provenance += fmt::format("\nfinite on {} of {} architectures of {}", values.size() - nonFinite, values.size(), taskId);
    engine::ExportOptions opts;
    opts.functionName = vm["name"].as<std::string>();
    opts.provenance = provenance;
    auto header = engine::exportCpp(tree, vocab, data.transforms(), opts);

    if (vm.count("values-csv") != 0U) {
        std::vector<evolve::ConversionReport> rawReports;
        auto raw = evolve::loadTasks(benchmark, {taskId}, primitives::Normalization::None, rawReports);
        auto const& rd = raw.at(0).data;
        std::string csv = "key";
        for (auto const& n : rd.scalarNames()) csv += "," + n;
        csv += ",value\n";
        for (std::size_t r = 0; r < rd.rows(); ++r) {
            csv += "\"" + rd.archKeys()[r] + "\"";
            for (std::size_t c = 0; c < rd.scalarCount(); ++c) csv += fmt::format(",{:.17g}", rd.scalar(c)[r]);
            csv += fmt::format(",{:.17g}\n", values[r]);
        }
        writeAtomically(vm["values-csv"].as<std::string>(), csv);
    }
    if (vm.count("out") != 0U) writeAtomically(vm["out"].as<std::string>(), header);
    else std::cout << header;
    return 0;
}

ZCGP_REGISTER_COMMAND("export", "write an evolved formula as a self-contained C++ header", runExport);

}  // namespace
}  // namespace zcgp::cli
