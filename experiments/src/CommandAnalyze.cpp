// zcgp analyze bias|information|surrogate: NAS-Bench-Suite-Zero's analyses (docs/analyses.md) on any task or
// table. Binds the options, loads the tables, calls the analysis library (AnalyzeReports.hpp), prints.
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "AnalyzeReports.hpp"
#include "Command.hpp"
#include "TableFormat.hpp"
#include "TaskOptions.hpp"
#include "zcgp/analysis/Surrogate.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {
namespace {

constexpr char const* kUsage =
    "usage: zcgp analyze ANALYSIS [options]\n\n"
    "NAS-Bench-Suite-Zero's analyses, per task (docs/analyses.md):\n"
    "  bias         correlation of each proxy and of accuracy with architecture properties; bias-corrected proxies\n"
    "  information  binned entropies H(acc | z_i, z_j), pairwise information, greedy proxy selection\n"
    "  surrogate    XGBoost on encoding / zc / encoding+zc / encoding+evolved / encoding+graph: held-out Kendall tau\n"
    "  search       BANANAS-style predictor-guided search over the 15,625 NB201 cells, with and without proxies\n\n"
    "zcgp analyze ANALYSIS --help lists its options.\n";

void addTaskOptions(po::options_description& options) {
    options.add_options()
        ("task", po::value<std::vector<std::string>>()->composing(),
         "SPACE/TASK, or SPACE for all its tasks (repeatable; default: every task)")
        ("format", po::value<std::string>()->default_value("table"), "table|csv|json|markdown")
        ("precision", po::value<int>()->default_value(3), "decimals in table/markdown/csv output")
        ("plots", po::value<std::string>()->value_name("DIR"), "write heat maps (gnuplot) into DIR");
    addTableOptions(options);
    addCommonOptions(options);
}

std::vector<proxy_cache::ProxyTable> loadTables(po::variables_map const& vm) {
    auto request = tableRequest(vm);
    request.patterns = true;
    if (vm.count("task") != 0U) request.ids = vm["task"].as<std::vector<std::string>>();
    else if (request.tables.empty()) request.ids = {"all"};
    try {
        auto const benchmark = request.ids.empty() ? proxy_cache::Benchmark{} : proxy_cache::Benchmark::load(resolveDataDir(vm));
        return tasks::selectTables(benchmark, request);
    } catch (proxy_cache::DataError const& e) {
        throw UsageError(e.what());
    }
}

int finish(std::vector<AnalysisReport> reports, po::variables_map const& vm) {
    auto const format = parseTableFormat(vm["format"].as<std::string>());
    for (auto& r : reports) {
        for (auto& [name, t] : r.tables) t.precision = vm["precision"].as<int>();
    }
    std::cout << renderReports(reports, format);
    if (vm.count("plots") != 0U) {
        std::filesystem::path const dir = vm["plots"].as<std::string>();
        auto const n = writeHeatmaps(reports, dir);
        std::cerr << fmt::format("zcgp analyze: {} figure{} in {}\n", n, n == 1 ? "" : "s", dir.string());
    }
    return 0;
}

template <typename F>
auto analysisErrors(F&& f) {
    try {
        return f();
    } catch (proxy_cache::DataError const& e) {
        throw UsageError(e.what());
    } catch (std::invalid_argument const& e) {
        throw UsageError(e.what());
    }
}

std::vector<std::size_t> parseSizes(std::string const& text, char const* flag) {
    std::vector<std::size_t> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        auto const v = parseTrainSize(item);
        if (!v) {
            throw UsageError(fmt::format("zcgp analyze: {} '{}': expected a comma list of integers of at least 2", flag, text));
        }
        out.push_back(*v);
    }
    if (out.empty()) throw UsageError(fmt::format("zcgp analyze: {} is empty", flag));
    return out;
}

void addEvolutionOptions(po::options_description& options) {
    options.add_options()
        ("population", po::value<std::size_t>()->default_value(100), "GP population of the evolved proxy")
        ("generations", po::value<std::size_t>()->default_value(50), "GP generations of the evolved proxy");
}

engine::EvolutionConfig evolutionConfig(po::variables_map const& vm) {
    engine::EvolutionConfig c;
    c.populationSize = vm["population"].as<std::size_t>();
    c.generations = vm["generations"].as<std::size_t>();
    c.threads = 1;
    return c;
}

int runBias(std::vector<std::string> const& args) {
    po::options_description options("zcgp analyze bias options");
    options.add_options()
        ("metric", po::value<std::string>()->default_value("pearson"), "kendall|spearman|pearson")
        ("property", po::value<std::vector<std::string>>()->composing(),
         "COLUMN: a column of the table used as an architecture property, not as a proxy (repeatable)")
        ("correct", po::value<std::string>()->default_value("cell_size"), "the property the bias correction removes")
        ("train-archs", po::value<std::size_t>()->default_value(100),
         "architectures whose accuracy the excess correction may see (accuracy's own slope on the property)")
        ("seed", po::value<std::uint64_t>()->default_value(0), "seed of that split");
    addTaskOptions(options);
    po::variables_map vm;
    if (!parseArguments("analyze bias", "[--task SPACE/TASK ...] [--table FILE.csv --target COLUMN --property COLUMN ...] "
                        "[--metric M] [--format F] [--plots DIR]", options, args, vm, nullptr,
                        {{"precision", {0, 17}}, {"train-archs", {2, 1e9}}})) {
        return 0;
    }
    BiasOptions o;
    auto const metric = vm["metric"].as<std::string>();
    if (metric != "kendall" && metric != "spearman" && metric != "pearson") {
        throw UsageError(fmt::format("zcgp analyze bias: --metric '{}' is invalid (valid: kendall, spearman, pearson)", metric));
    }
    o.metric = fitness::parseMetric(metric);
    if (vm.count("property") != 0U) o.propertyColumns = vm["property"].as<std::vector<std::string>>();
    o.correct = vm["correct"].as<std::string>();
    o.trainArchs = vm["train-archs"].as<std::size_t>();
    o.seed = vm["seed"].as<std::uint64_t>();
    auto const tables = loadTables(vm);
    return finish(analysisErrors([&] { return biasReports(tables, o); }), vm);
}

int runInformation(std::vector<std::string> const& args) {
    po::options_description options("zcgp analyze information options");
    options.add_options()
        ("max-k", po::value<std::size_t>()->default_value(5), "greedy selection up to this many proxies")
        ("evolved", po::bool_switch(), "also evolve a proxy on --train-archs architectures and compare its held-out "
                                       "information with the best pair's")
        ("train-archs", po::value<std::size_t>()->default_value(100), "train architectures of the evolved proxy")
        ("seed", po::value<std::uint64_t>()->default_value(0), "seed of the evolved proxy's split and run");
    addEvolutionOptions(options);
    addTaskOptions(options);
    po::variables_map vm;
    if (!parseArguments("analyze information", "[--task SPACE/TASK ...] [--table FILE.csv --target COLUMN ...] "
                        "[--max-k K] [--evolved] [--format F] [--plots DIR]", options, args, vm, nullptr,
                        {{"precision", {0, 17}}, {"max-k", {1, 13}}, {"train-archs", {4, 1e9}}, {"population", {2, 1e6}},
                         {"generations", {1, 1e6}}})) {
        return 0;
    }
    InformationOptions o;
    o.maxK = vm["max-k"].as<std::size_t>();
    o.evolved = vm["evolved"].as<bool>();
    o.trainArchs = vm["train-archs"].as<std::size_t>();
    o.seed = vm["seed"].as<std::uint64_t>();
    o.evolution = evolutionConfig(vm);
    auto const tables = loadTables(vm);
    return finish(analysisErrors([&] { return informationReports(tables, o); }), vm);
}

int runSurrogate(std::vector<std::string> const& args) {
    po::options_description options("zcgp analyze surrogate options");
    options.add_options()
        ("train-sizes", po::value<std::string>()->default_value("10,20,50,100,200,400,1000"),
         "comma list of train sizes (sizes a task is too small for are skipped and reported)")
        ("seeds", po::value<std::size_t>()->default_value(10), "splits per train size (seeds 0..N-1)")
        ("test-archs", po::value<std::size_t>()->default_value(0), "held-out architectures per split (0: all the rest)")
        ("feature-sets", po::value<std::string>()->default_value("encoding,zc,encoding+zc,encoding+evolved,encoding+graph"),
         "comma list of feature sets")
        ("rounds", po::value<std::size_t>()->default_value(500), "XGBoost boosting rounds");
    addEvolutionOptions(options);
    addTaskOptions(options);
    po::variables_map vm;
    if (!parseArguments("analyze surrogate", "[--task SPACE/TASK ...] [--table FILE.csv --target COLUMN ...] "
                        "[--train-sizes 10,100] [--seeds N] [--format F]", options, args, vm, nullptr,
                        {{"precision", {0, 17}}, {"seeds", {1, 1000}}, {"rounds", {1, 100000}}, {"population", {2, 1e6}},
                         {"generations", {1, 1e6}}})) {
        return 0;
    }
    if (!analysis::xgboostAvailable()) {
        throw UsageError("zcgp analyze surrogate: this zcgp was built without XGBoost (install libxgboost-dev, reconfigure)");
    }
    SurrogateReportOptions o;
    o.surrogate.trainSizes = parseSizes(vm["train-sizes"].as<std::string>(), "--train-sizes");
    o.surrogate.seeds = vm["seeds"].as<std::size_t>();
    o.surrogate.testArchs = vm["test-archs"].as<std::size_t>();
    o.surrogate.xgb.rounds = vm["rounds"].as<std::size_t>();
    o.surrogate.featureSets.clear();
    std::stringstream ss(vm["feature-sets"].as<std::string>());
    for (std::string item; std::getline(ss, item, ',');) {
        auto const& names = analysis::surrogateFeatureSetNames();
        if (std::find(names.begin(), names.end(), item) == names.end()) {
            throw UsageError(fmt::format("zcgp analyze surrogate: --feature-sets: unknown '{}' (valid: {})", item,
                                         fmt::join(names, ", ")));
        }
        o.surrogate.featureSets.push_back(item);
    }
    o.evolution = evolutionConfig(vm);
    auto const tables = loadTables(vm);
    return finish(analysisErrors([&] { return surrogateReports(tables, o); }), vm);
}

int runSearch(std::vector<std::string> const& args) {
    po::options_description options("zcgp analyze search options");
    options.add_options()
        ("dataset", po::value<std::string>()->default_value("cifar10"), "cifar10 | ImageNet16-120 (the nb201_full tables)")
        ("budget", po::value<std::size_t>()->default_value(300), "cells queried per search")
        ("initial", po::value<std::size_t>()->default_value(10), "random cells before the first surrogate")
        ("batch", po::value<std::size_t>()->default_value(10), "cells queried per surrogate fit")
        ("seeds", po::value<std::size_t>()->default_value(10), "searches per method (seeds 0..N-1)")
        ("methods", po::value<std::string>()->default_value("random,encoding,encoding+zc,encoding+evolved"), "comma list")
        ("rounds", po::value<std::size_t>()->default_value(500), "XGBoost boosting rounds")
        ("format", po::value<std::string>()->default_value("table"), "table|csv|json|markdown")
        ("precision", po::value<int>()->default_value(3), "decimals in table/markdown/csv output")
        ("plots", po::value<std::string>()->value_name("DIR"), "write the search curves (gnuplot) into DIR");
    addEvolutionOptions(options);
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("analyze search", "[--dataset D] [--budget N] [--seeds N] [--methods M,...] [--plots DIR]", options,
                        args, vm, nullptr,
                        {{"precision", {0, 17}}, {"budget", {2, 15625}}, {"initial", {2, 15625}}, {"batch", {1, 15625}},
                         {"seeds", {1, 1000}}, {"rounds", {1, 100000}}, {"population", {2, 1e6}}, {"generations", {1, 1e6}}})) {
        return 0;
    }
    if (!analysis::xgboostAvailable()) {
        throw UsageError("zcgp analyze search: this zcgp was built without XGBoost (install libxgboost-dev, reconfigure)");
    }
    analysis::SearchOptions o;
    o.budget = vm["budget"].as<std::size_t>();
    o.initial = vm["initial"].as<std::size_t>();
    o.batch = vm["batch"].as<std::size_t>();
    o.seeds = vm["seeds"].as<std::size_t>();
    o.xgb.rounds = vm["rounds"].as<std::size_t>();
    o.evolution = evolutionConfig(vm);
    if (o.initial > o.budget) throw UsageError("zcgp analyze search: --initial must not exceed --budget");
    o.methods.clear();
    std::stringstream ss(vm["methods"].as<std::string>());
    for (std::string item; std::getline(ss, item, ',');) {
        auto const& names = analysis::searchMethodNames();
        if (std::find(names.begin(), names.end(), item) == names.end()) {
            throw UsageError(fmt::format("zcgp analyze search: --methods: unknown '{}' (valid: {})", item, fmt::join(names, ", ")));
        }
        o.methods.push_back(item);
    }
    auto const dataDir = resolveDataDir(vm);
    auto const report = analysisErrors([&] {
        auto const benchmark = proxy_cache::Benchmark::load(dataDir);
        auto const cells = analysis::loadNb201SearchCells(benchmark, dataDir, vm["dataset"].as<std::string>());
        return searchReport(cells, o);
    });
    return finish({report}, vm);
}

int runAnalyze(std::vector<std::string> const& args) {
    if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
        std::cout << kUsage;
        return 0;
    }
    if (args.empty() || args.front().rfind('-', 0) == 0) {
        throw UsageError("zcgp analyze: name an analysis first: bias, information, surrogate or search (zcgp analyze --help)");
    }
    std::vector<std::string> const rest(args.begin() + 1, args.end());
    auto const& which = args.front();
    if (which == "bias") return runBias(rest);
    if (which == "information") return runInformation(rest);
    if (which == "surrogate") return runSurrogate(rest);
    if (which == "search") return runSearch(rest);
    throw UsageError(fmt::format("zcgp analyze: unknown analysis '{}' (valid: bias, information, surrogate, search)", which));
}

ZCGP_REGISTER_COMMAND("analyze", "NAS-Bench-Suite-Zero's bias, information, surrogate and search analyses, per task", runAnalyze);

}  // namespace
}  // namespace zcgp::cli
