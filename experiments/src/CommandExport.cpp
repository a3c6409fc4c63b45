// zcgp export: writes an evolved formula as a self-contained C++ header (see engine/Export.hpp).
//   zcgp export --run runs/x --lang cpp --out proxy.hpp
//   zcgp export --formula "(synflow + nwot)" --task nb201/cifar10 --out proxy.hpp
// A run is rebuilt from its options.json exactly as zcgp evolve built it: its tasks, normalisation (both views),
// and LayerVector terminals from the statistics cache it recorded (or --stats).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "Command.hpp"
#include "EvolveOptions.hpp"
#include "EvolveTasks.hpp"
#include "zcgp/engine/Export.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/RunReport.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace zcgp::cli {
namespace {

// Raw inputs and the engine's value for every architecture (scalar terminals; a LayerVector as ';'-joined values).
std::string valuesCsv(primitives::Dataset const& raw, primitives::Dataset const& used, std::vector<double> const& values) {
    std::string csv = "key";
    for (auto const& n : raw.scalarNames()) csv += "," + n;
    for (auto const& n : used.layerNames()) csv += "," + n;
    csv += ",value\n";
    std::map<std::string, std::size_t> rawRows;
    for (std::size_t r = 0; r < raw.rows(); ++r) rawRows.emplace(raw.archKeys()[r], r);
    auto const& offsets = used.layerOffsets();
    for (std::size_t r = 0; r < used.rows(); ++r) {
        auto const found = rawRows.find(used.archKeys()[r]);
        bool const hasRaw = found != rawRows.end();
        csv += "\"" + used.archKeys()[r] + "\"";
        for (std::size_t c = 0; c < raw.scalarCount(); ++c) {
            csv += hasRaw ? fmt::format(",{:.17g}", raw.scalar(c)[found->second]) : std::string(",");
        }
        for (std::size_t l = 0; l < used.layerVectorCount(); ++l) {
            auto const v = used.layerValues(l);
            csv += ",";
            for (std::size_t i = offsets[r]; i < offsets[r + 1]; ++i) {
                csv += fmt::format("{}{:.17g}", i == offsets[r] ? "" : ";", v[i]);
            }
        }
        csv += fmt::format(",{:.17g}\n", values[r]);
    }
    return csv;
}

int runExport(std::vector<std::string> const& args) {
    po::options_description options("zcgp export options");
    options.add_options()
        ("run", po::value<std::string>(), "a zcgp evolve output directory (its result.json and options.json)")
        ("formula", po::value<std::string>(), "an infix formula over the task's proxies")
        ("task", po::value<std::string>(), "SPACE/TASK whose proxies --formula uses (default: nb201/cifar10)")
        ("normalize", po::value<std::string>(), evolve::kFormulaTransformHelp)
        ("stats", po::value<std::string>(), "statistics cache for LayerVector terminals (default: the run's)")
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
    for (auto const* flag : {"out", "values-csv"}) {
        if (vm.count(flag) != 0U && fs::is_directory(vm[flag].as<std::string>())) {
            throw UsageError(fmt::format("--{} {}: is a directory (give a file name)", flag, vm[flag].as<std::string>()));
        }
    }

    std::string formula, provenance, taskId = "nb201/cifar10", normalize = evolve::kFormulaTransform;
    evolve::PrepareOverrides overrides;
    if (vm.count("stats") != 0U) overrides.stats = vm["stats"].as<std::string>();
    evolve::RunInputs inputs;
    if (vm.count("run") != 0U) {
        if (vm.count("normalize") != 0U || vm.count("task") != 0U) {
            throw UsageError("zcgp export --run: --normalize and --task come from the run; give them only with --formula");
        }
        fs::path const dir = vm["run"].as<std::string>();
        engine::RunReport r;
        try {
            r = engine::readRunReport(dir);
        } catch (engine::RunReportError const& e) {
            throw UsageError(fmt::format("--run: {}", e.what()));
        }
        inputs = evolve::prepareFinishedRun(dir, vm, overrides);
        formula = r.formula;
        taskId = r.tasks.at(0);
        normalize = r.normalize;
        provenance = fmt::format("run: {}\ntasks: {}\nseed: {}  generations: {}  population: {}  train archs: {}\n"
                                 "terminals: {}-transformed{}\n"
                                 "train Kendall tau: {:.4f}  held-out Kendall tau: {:.4f}  held-out Spearman: {:.4f}",
                                 dir.string(), fmt::join(r.tasks, ", "), r.seed, r.generations, r.population,
                                 r.trainArchs, r.normalize, r.stats ? ", LayerVector statistics from " + *r.stats : "",
                                 r.trainTau, r.testTau, r.testSpearman);
    } else {
        formula = vm["formula"].as<std::string>();
        if (vm.count("task") != 0U) taskId = vm["task"].as<std::string>();
        if (vm.count("normalize") != 0U) normalize = vm["normalize"].as<std::string>();
        inputs = evolve::prepareFormulaInputs({"--task", taskId}, normalize, vm, overrides);
    }
    auto const& data = inputs.tasks.at(0).data;
    auto vocab = engine::Vocabulary::of(data);
    engine::Tree tree;
    try {
        tree = engine::parse(formula, vocab);
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("{}: {}", vm.count("run") != 0U ? "--run" : "--formula", e.what()));
    }
    engine::Interpreter interpreter(data);
    auto values = interpreter.evaluate(tree);
    std::size_t nonFinite = 0;
    for (double v : values) nonFinite += std::isfinite(v) ? 0 : 1;
    if (provenance.empty()) {
        provenance = fmt::format("task: {}  (formula given on the command line, written over {}-transformed terminals)",
                                 taskId, normalize);
    }
    provenance += fmt::format("\nfinite on {} of {} architectures of {}", values.size() - nonFinite, values.size(), taskId);
    engine::ExportOptions opts;
    opts.functionName = vm["name"].as<std::string>();
    opts.provenance = provenance;
    if (auto const& d = inputs.data.at(0); d.source.ends_with(".csv")) {  // a table (--table, nb201_full, FlexiBERT)
        opts.inputs = fmt::format("raw scores from the columns of {} (task {}, ground truth '{}'{}; a column's terminal "
                                  "name is its name with each run of other characters than letters, digits and _ as _)",
                                  d.source, d.task, d.target,
                                  d.targetNegated ? ", lower is better: higher values predict a lower value" : "");
    }
    std::string header;
    try {
        header = engine::exportCpp(tree, vocab, data.transforms(), opts);
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("export: {}", e.what()));
    }

    std::string csv;
    if (vm.count("values-csv") != 0U) {
        std::vector<evolve::ConversionReport> rawReports;
        auto const benchmark = proxy_cache::Benchmark::load(resolveDataDir(vm));
        tasks::TaskRequest request;  // the raw proxy scores, and the raw graph features where the space is known
        request.ids = {taskId};
        request.graphIfKnown = true;
        auto raw = evolve::loadTasks(benchmark, request, rawReports);
        csv = valuesCsv(raw.at(0).data, data, values);
    }
    // both files are complete before either is renamed into place
    if (vm.count("values-csv") != 0U) writeAtomically(vm["values-csv"].as<std::string>(), csv);
    if (vm.count("out") != 0U) writeAtomically(vm["out"].as<std::string>(), header);
    else std::cout << header;
    return 0;
}

ZCGP_REGISTER_COMMAND("export", "write an evolved formula as a self-contained C++ header", runExport);

}  // namespace
}  // namespace zcgp::cli
