// zcgp search: zero-shot NAS over the NAS-Bench-201 space, scoring candidate cells natively with LibTorch.
// The objective is one proxy (synflow, nwot, ...), an evolved formula (--run DIR of `zcgp evolve`), or random.
// The chosen cell's true test accuracy comes from nb201/nb201_test_accuracy_200ep.csv.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "Command.hpp"
#include "EvolveOptions.hpp"
#include "Progress.hpp"
#include "TorchCommands.hpp"
#include "ZeroShotSearch.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/RunReport.hpp"
#include "zcgp/primitives/Dataset.hpp"
#include "zcgp/tasks/Tasks.hpp"
#include "zcgp/proxy_cache/ArchitectureGraph.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace po = boost::program_options;
using nlohmann::json;

namespace zcgp::cli {
namespace {

// An evolved formula with the terminal transforms of the run that produced it (fixed, so one candidate's
// value never depends on the others). The run's terminals are rebuilt from its options.json as zcgp evolve built
// them: scalar proxies (both views) and LayerVector statistics, which the scorer then measures per candidate, and
// graph features, computed from the cell itself.
class FormulaObjective {
public:
    FormulaObjective(std::filesystem::path const& runDir, po::variables_map const& vm) {
        engine::RunReport report;
        try {
            report = engine::readRunReport(runDir);
        } catch (engine::RunReportError const& e) {
            throw UsageError(fmt::format("--run: {}", e.what()));
        }
        formula_ = report.formula;
        auto const inputs = evolve::prepareFinishedRun(runDir, vm);
        auto const& data = inputs.tasks.at(0).data;
        names_ = data.scalarNames();
        transforms_ = data.transforms();
        for (std::size_t c = 0; c < names_.size(); ++c) {
            if (transforms_[c].kind == primitives::ColumnTransform::Kind::Rank) {
                throw UsageError(fmt::format("--run {}: terminal '{}' has transform 'rank', which zcgp search cannot "
                                             "apply to one candidate (use a run with --normalize logz, robust or "
                                             "logz+robust)", runDir.string(), names_[c]));
            }
        }
        try {
            tree_ = engine::parse(formula_, engine::Vocabulary::of(data));
        } catch (std::invalid_argument const& e) {
            throw UsageError(fmt::format("--run {}: {}", runDir.string(), e.what()));
        }
        // only the terminals the formula reads are measured
        std::set<std::uint32_t> scalars, layers;
        for (auto const& n : tree_.nodes()) {
            if (n.op == engine::Opcode::Variable) scalars.insert(n.index);
            if (n.op == engine::Opcode::LayerVar) layers.insert(n.index);
        }
        for (auto i : scalars) {
            auto const source = transforms_[i].source.empty() ? names_[i] : transforms_[i].source;
            if (source.rfind(tasks::kGraphPrefix, 0) == 0) {  // a graph feature of the cell: free, not measured
                graph_ = true;
                continue;
            }
            if (std::find(sources_.begin(), sources_.end(), source) == sources_.end()) sources_.push_back(source);
        }
        for (auto i : layers) layerNames_.push_back(data.layerNames()[i]);
        allLayerNames_ = data.layerNames();
        if (sources_.empty()) sources_.push_back("synflow");  // a proxy the scorer computes in any case
    }

    // the raw proxies the formula's terminals read (NAME_r columns read NAME)
    [[nodiscard]] std::vector<std::string> const& terminals() const { return sources_; }
    [[nodiscard]] bool needsStatistics() const { return !layerNames_.empty(); }
    [[nodiscard]] std::string const& formula() const { return formula_; }

    [[nodiscard]] double operator()(Cell const& cell, proxy_cache::ArchitectureMeasurement const& m) const {
        primitives::Dataset data({"candidate"});
        // the cell's graph features (graph_* terminals of a run with --terminals auto or cached,graph)
        std::map<std::string, double> graph;
        if (graph_) {
            proxy_cache::Architecture arch{proxy_cache::nb201TupleKey(cell), {cell.begin(), cell.end()}, std::nullopt};
            auto const values = proxy_cache::graphFeatures(
                proxy_cache::decodeArchitecture(proxy_cache::SearchSpace::NB201, arch, "search"));
            auto const& names = proxy_cache::graphFeatureNames(proxy_cache::SearchSpace::NB201);
            for (std::size_t k = 0; k < names.size(); ++k) graph[tasks::kGraphPrefix + names[k]] = values[k];
        }
        for (std::size_t i = 0; i < names_.size(); ++i) {
            auto const& source = transforms_[i].source.empty() ? names_[i] : transforms_[i].source;
            auto it = m.proxies.find(source);
            auto git = graph.find(source);
            double const v = it != m.proxies.end()   ? transforms_[i].apply(it->second)
                             : git != graph.end()    ? transforms_[i].apply(git->second)
                                                     : std::nan("");
            data.addScalar(names_[i], {&v, 1});
        }
        if (!allLayerNames_.empty()) {
            std::vector<double> const* first = nullptr;
            for (auto const& st : m.statistics) {
                if (st.name == (layerNames_.empty() ? allLayerNames_[0] : layerNames_[0])) first = &st.values;
            }
            if (first == nullptr && !layerNames_.empty()) return std::nan("");
            std::size_t const layers = first == nullptr ? 1 : first->size();
            data.setLayerCounts(std::vector<std::size_t>{layers});
            for (auto const& name : allLayerNames_) {  // every LayerVector terminal, so the indices match the run's
                std::vector<double> values(layers, std::nan(""));
                for (auto const& st : m.statistics) {
                    if (st.name == name && st.values.size() == layers) values = st.values;
                }
                data.addLayerVector(name, values);
            }
        }
        engine::Interpreter interpreter(data);
        auto const values = interpreter.evaluate(tree_);
        return values.empty() ? std::nan("") : values[0];
    }

private:
    std::string formula_;
    std::vector<std::string> names_, sources_, layerNames_, allLayerNames_;
    std::vector<primitives::ColumnTransform> transforms_;
    engine::Tree tree_;
    bool graph_{false};  // the formula reads graph features
};

int runSearchCommand(std::vector<std::string> const& args) {
    po::options_description options("zcgp search options");
    options.add_options()
        ("objective", po::value<std::string>()->default_value("synflow"), "a proxy name, 'evolved' (with --run) or 'random'")
        ("run", po::value<std::string>(), "zcgp evolve output folder whose formula is the objective")
        ("algorithm", po::value<std::string>()->default_value("evolution"), "evolution | random")
        ("archs", po::value<std::size_t>()->default_value(100), "cells scored (the budget)")
        ("population", po::value<std::size_t>()->default_value(20), "regularized evolution population")
        ("sample", po::value<std::size_t>()->default_value(5), "regularized evolution tournament size")
        ("seed", po::value<std::uint64_t>()->default_value(0), "search seed")
        ("init-seed", po::value<std::uint64_t>()->default_value(0), "seed of network initialisation and batch")
        ("dataset", po::value<std::string>()->default_value("cifar10"), "cifar10 | cifar100 | ImageNet16-120 (proxy data)")
        ("batch", po::value<int>()->default_value(64), "mini-batch size")
        ("device", po::value<std::string>()->default_value("auto"), "auto | cpu | cuda")
        ("time-limit", po::value<double>()->default_value(0.0), "stop after S seconds (0: none)")
        ("json", po::bool_switch(), "print one JSON object to stdout");
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("search", "--objective synflow|nwot|evolved|random [--run DIR] [--algorithm A] [--archs N]",
                        options, args, vm, nullptr,
                        {{"archs", {1, 15625}}, {"population", {2, 15625}}, {"sample", {1, 15625}},
                         {"batch", {1, 1024}}, {"time-limit", {0, 1e9}}})) {
        return 0;
    }
    auto const dataDir = resolveDataDir(vm);
    auto const objectiveName = vm["objective"].as<std::string>();
    std::optional<FormulaObjective> formula;
    std::vector<std::string> proxies;
    if (objectiveName == "evolved") {
        if (vm.count("run") == 0U) throw UsageError("--objective evolved needs --run DIR (a finished zcgp evolve run)");
        formula.emplace(vm["run"].as<std::string>(), vm);
        proxies = formula->terminals();
    } else if (objectiveName != "random") {
        try {
            proxies = proxy_cache::parseProxyList(objectiveName);
        } catch (std::invalid_argument const& e) {
            throw UsageError(fmt::format("--objective: {} (or 'evolved', 'random')", e.what()));
        }
    }
    auto const accuracy = proxy_cache::Nb201Accuracy::load(dataDir);

    SearchConfig config;
    config.algorithm = vm["algorithm"].as<std::string>();
    config.budget = vm["archs"].as<std::size_t>();
    config.population = vm["population"].as<std::size_t>();
    config.sample = vm["sample"].as<std::size_t>();
    config.seed = vm["seed"].as<std::uint64_t>();
    config.timeLimitSeconds = vm["time-limit"].as<double>();
    if (config.algorithm != "evolution" && config.algorithm != "random") {
        throw UsageError(fmt::format("--algorithm: unknown '{}' (valid: evolution, random)", config.algorithm));
    }

    std::unique_ptr<proxy_cache::ArchitectureScorer> scorer;
    if (!proxies.empty()) {
        proxy_cache::ScorerOptions so;
        so.dataset = vm["dataset"].as<std::string>();
        so.dataDir = dataDir;
        so.batchSize = vm["batch"].as<int>();
        so.seed = vm["init-seed"].as<std::uint64_t>();
        so.device = vm["device"].as<std::string>();
        so.proxies = proxies;
        so.statistics = formula && formula->needsStatistics();
        try {
            scorer = std::make_unique<proxy_cache::ArchitectureScorer>(so);
        } catch (std::invalid_argument const& e) {
            throw UsageError(e.what());
        }
    }
    std::mt19937_64 randomObjective(config.seed ^ 0xA5A5A5A5ULL);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    auto const start = std::chrono::steady_clock::now();
    ProgressBar bar("search ", config.budget, !vm["json"].as<bool>() && ProgressBar::stderrIsTerminal());
    json trajectory = json::array();
    double bestSoFar = -std::numeric_limits<double>::infinity();
    std::string bestArch;
    std::size_t failedCells = 0;
    std::string lastFailure;
    auto const score = [&](Cell const& cell) {
        double s = 0.0;
        if (!scorer) {
            s = uniform(randomObjective);
        } else {
            try {
                auto const m = scorer->measure(proxy_cache::nb201TupleKey(cell));
                s = formula ? (*formula)(cell, m) : m.proxies.at(proxies[0]);
            } catch (std::exception const& e) {
                // a degenerate cell (e.g. every edge 'none') has no gradient path: it scores as the worst,
                // and the count is reported so that a systematic failure cannot hide
                s = std::nan("");
                ++failedCells;
                lastFailure = e.what();
            }
        }
        if (std::isfinite(s) && (bestArch.empty() || s > bestSoFar)) {
            bestSoFar = s;
            bestArch = proxy_cache::nb201ArchString(cell);
        }
        if (bestArch.empty()) bestArch = proxy_cache::nb201ArchString(cell);
        auto const* e = accuracy.find(bestArch);
        trajectory.push_back({std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                              e ? e->accuracy[0] : std::nan("")});
        if (bar.enabled()) bar.update(trajectory.size(), fmt::format("best score {:.4g}", bestSoFar));
        return s;
    };
    auto const result = runSearch(config, score);
    bar.finish();
    auto const archString = proxy_cache::nb201ArchString(result.best.cell);
    auto const* entry = accuracy.find(archString);
    if (entry == nullptr) throw std::runtime_error(fmt::format("{} is not in the NAS-Bench-201 accuracy table", archString));
    json out = {
        {"objective", objectiveName},
        {"formula", formula ? formula->formula() : objectiveName},
        {"algorithm", config.algorithm},
        {"seed", config.seed},
        {"archs_scored", result.history.size()},
        {"seconds", result.seconds},
        {"timed_out", result.timedOut},
        {"failed_cells", failedCells},
        {"last_failure", lastFailure},
        {"device", scorer ? scorer->deviceName() : std::string("none")},
        {"best", {{"tuple", proxy_cache::nb201TupleKey(result.best.cell)},
                  {"arch", archString},
                  {"score", result.best.score},
                  {"test_accuracy", {{"cifar10", entry->accuracy[0]}, {"cifar100", entry->accuracy[1]},
                                     {"ImageNet16-120", entry->accuracy[2]}}}}},
        {"trajectory", trajectory},  // [elapsed seconds, CIFAR-10 test accuracy of the current choice]
    };
    if (vm["json"].as<bool>()) {
        std::cout << out.dump() << std::endl;
    } else {
        std::cout << fmt::format("{} search, objective {}: {} cells in {:.1f} s\nchosen {} {}\ntest accuracy: "
                                 "CIFAR-10 {:.2f}  CIFAR-100 {:.2f}  ImageNet16-120 {:.2f}\n",
                                 config.algorithm, objectiveName, result.history.size(), result.seconds,
                                 proxy_cache::nb201TupleKey(result.best.cell), archString, entry->accuracy[0],
                                 entry->accuracy[1], entry->accuracy[2]);
    }
    return 0;
}

ZCGP_REGISTER_COMMAND("search", torchCommandSummary("search"), runSearchCommand);

}  // namespace
}  // namespace zcgp::cli
