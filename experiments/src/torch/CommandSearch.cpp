// zcgp search: zero-shot NAS over the NAS-Bench-201 space, scoring candidate cells natively with LibTorch.
// The objective is one proxy (synflow, nwot, ...), an evolved formula (--run DIR of `zcgp evolve`; --pick chooses
// the reported formula or the point of its cost front of highest expected value at this budget), a trained
// ParZC model (--objective parzc --run DIR of `zcgp parzc train`, optionally with an uncertainty bonus), or random.
// The chosen cell's true test accuracy comes from nb201/nb201_test_accuracy_200ep.csv.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
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
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/ParZC.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace po = boost::program_options;
using nlohmann::json;

namespace zcgp::cli {
namespace {

// The terminals of a finished zcgp evolve run, rebuilt from its options.json as zcgp evolve built them: scalar
// proxies (both views), graph features and LayerVector statistics, with the run's fixed terminal transforms (so one
// candidate's value never depends on the others).
struct RunTerminals {
    RunTerminals(std::filesystem::path const& dir, po::variables_map const& vm) : runDir(dir) {
        try {
            report = engine::readRunReport(runDir);
        } catch (engine::RunReportError const& e) {
            throw UsageError(fmt::format("--run: {}", e.what()));
        }
        inputs = evolve::prepareFinishedRun(runDir, vm);
        auto const& data = inputs.tasks.at(0).data;
        for (std::size_t c = 0; c < data.scalarNames().size(); ++c) {
            if (data.transforms()[c].kind == primitives::ColumnTransform::Kind::Rank) {
                throw UsageError(fmt::format("--run {}: terminal '{}' has transform 'rank', which zcgp search cannot "
                                             "apply to one candidate (use a run with --normalize logz, robust or "
                                             "logz+robust)", runDir.string(), data.scalarNames()[c]));
            }
        }
    }
    [[nodiscard]] primitives::Dataset const& data() const { return inputs.tasks.at(0).data; }

    std::filesystem::path runDir;
    engine::RunReport report;
    evolve::RunInputs inputs;
};

// One formula over a run's terminals. Graph terminals (graph_*) are computed from the cell itself, the proxy
// terminals from the scorer's measurement: only the proxies the formula reads are measured.
class FormulaObjective {
public:
    FormulaObjective(RunTerminals const& run, std::string formula) : run_(&run), formula_(std::move(formula)) {
        auto const& data = run.data();
        try {
            tree_ = engine::parse(formula_, engine::Vocabulary::of(data));
        } catch (std::invalid_argument const& e) {
            throw UsageError(fmt::format("--run {}: {}", run.runDir.string(), e.what()));
        }
        auto const& graphNames = proxy_cache::graphFeatureNames(proxy_cache::SearchSpace::NB201);
        for (std::size_t g = 0; g < graphNames.size(); ++g) graphIndex_[tasks::kGraphPrefix + graphNames[g]] = g;
        std::set<std::uint32_t> scalars;
        for (auto const& n : tree_.nodes()) {
            if (n.op == engine::Opcode::Variable) scalars.insert(n.index);
            if (n.op == engine::Opcode::LayerVar) statistics_ = true;
        }
        for (auto i : scalars) {
            auto const source = sourceOf(i);
            if (graphIndex_.count(source) != 0U) {
                graph_ = true;
            } else if (std::find(sources_.begin(), sources_.end(), source) == sources_.end()) {
                sources_.push_back(source);
            }
        }
        std::sort(sources_.begin(), sources_.end());
        if (sources_.empty() && statistics_) sources_.push_back("synflow");  // statistics come with a scored network
    }

    // the raw proxies the formula's terminals read (NAME_r columns read NAME); empty: no network is built
    [[nodiscard]] std::vector<std::string> const& terminals() const { return sources_; }
    [[nodiscard]] bool needsStatistics() const { return statistics_; }
    [[nodiscard]] std::string const& formula() const { return formula_; }

    // m: the cell's measurement, nullptr when terminals() is empty
    [[nodiscard]] double operator()(Cell const& cell, proxy_cache::ArchitectureMeasurement const* m) const {
        auto const& data = run_->data();
        auto const& names = data.scalarNames();
        auto const& transforms = data.transforms();
        std::vector<double> graph;
        if (graph_) {
            proxy_cache::Architecture arch{proxy_cache::nb201TupleKey(cell), {cell.begin(), cell.end()}, std::nullopt};
            graph = proxy_cache::graphFeatures(proxy_cache::decodeArchitecture(proxy_cache::SearchSpace::NB201, arch, "zcgp search"));
        }
        primitives::Dataset candidate({"candidate"});
        for (std::size_t i = 0; i < names.size(); ++i) {
            auto const source = sourceOf(static_cast<std::uint32_t>(i));
            double raw = std::nan("");
            if (auto g = graphIndex_.find(source); g != graphIndex_.end()) {
                if (graph_) raw = graph[g->second];
            } else if (m != nullptr) {
                if (auto it = m->proxies.find(source); it != m->proxies.end()) raw = it->second;
            }
            double const v = std::isnan(raw) ? raw : transforms[i].apply(raw);
            candidate.addScalar(names[i], {&v, 1});
        }
        auto const& layerNames = data.layerNames();
        if (!layerNames.empty()) {
            // every LayerVector terminal, so the indices match the run's; the layer count is the first read one's
            std::size_t layers = 1;
            if (statistics_ && m != nullptr) {
                std::vector<double> const* first = nullptr;
                for (auto const& n : tree_.nodes()) {
                    if (n.op != engine::Opcode::LayerVar || first != nullptr) continue;
                    for (auto const& st : m->statistics) {
                        if (st.name == layerNames[n.index]) first = &st.values;
                    }
                }
                if (first == nullptr) return std::nan("");
                layers = first->size();
            }
            candidate.setLayerCounts(std::vector<std::size_t>{layers});
            for (auto const& name : layerNames) {
                std::vector<double> values(layers, std::nan(""));
                if (m != nullptr) {
                    for (auto const& st : m->statistics) {
                        if (st.name == name && st.values.size() == layers) values = st.values;
                    }
                }
                candidate.addLayerVector(name, values);
            }
        }
        engine::Interpreter interpreter(candidate);
        auto const values = interpreter.evaluate(tree_);
        return values.empty() ? std::nan("") : values[0];
    }

private:
    [[nodiscard]] std::string sourceOf(std::uint32_t column) const {
        auto const& t = run_->data().transforms()[column];
        return t.source.empty() ? run_->data().scalarNames()[column] : t.source;
    }

    RunTerminals const* run_;
    std::string formula_;
    engine::Tree tree_;
    std::map<std::string, std::size_t> graphIndex_;
    std::vector<std::string> sources_;
    bool graph_{false}, statistics_{false};
};

// --objective parzc: a `zcgp parzc train` run's model, and how the statistics it was trained on were gathered (the
// run's options.json "gather", or for older runs the header of the cache it names), so that a candidate is
// measured exactly as the train cells were.
struct ParzcRun {
    std::unique_ptr<proxy_cache::parzc::SearchObjective> objective;
    std::string dataset;
    std::int64_t batch{0};
    std::uint64_t seed{0};
};

ParzcRun loadParzcRun(std::filesystem::path const& runDir, double bonus, std::size_t samples) {
    namespace pz = proxy_cache::parzc;
    auto const model = runDir / "model.pt";
    auto const optionsFile = runDir / "options.json";
    if (!std::filesystem::is_regular_file(model) || !std::filesystem::is_regular_file(optionsFile)) {
        throw UsageError(fmt::format("--run {}: no model.pt and options.json (not a finished zcgp parzc train run)",
                                     runDir.string()));
    }
    ParzcRun out;
    try {
        auto const opts = json::parse(std::ifstream(optionsFile));
        if (opts.contains("gather")) {
            auto const& g = opts.at("gather");
            out.dataset = g.at("dataset").get<std::string>();
            out.batch = g.at("batch").get<std::int64_t>();
            out.seed = g.at("seed").get<std::uint64_t>();
        } else {
            auto const cache = proxy_cache::StatisticsCache::read(opts.at("stats").get<std::string>());
            out.dataset = cache.options().dataset;
            out.batch = cache.options().batchSize;
            out.seed = cache.options().seed;
        }
    } catch (std::exception const& e) {
        throw UsageError(fmt::format("--run {}: cannot tell how its statistics were gathered: {}", runDir.string(),
                                     e.what()));
    }
    try {
        out.objective = std::make_unique<pz::SearchObjective>(pz::Model::load(model, "cpu"), bonus, samples);
    } catch (pz::ParzcError const& e) {
        throw UsageError(fmt::format("--run {}: {}", runDir.string(), e.what()));
    }
    return out;
}

int runSearchCommand(std::vector<std::string> const& args) {
    po::options_description options("zcgp search options");
    options.add_options()
        ("objective", po::value<std::string>()->default_value("synflow"),
         "a proxy name, 'evolved' or 'parzc' (with --run) or 'random'")
        ("run", po::value<std::string>(), "zcgp evolve run (its formula) or zcgp parzc train run (its model)")
        ("uncertainty-bonus", po::value<double>(), "parzc: rank by mean + B * std of the prediction (default 0)")
        ("samples", po::value<std::size_t>(), "parzc: Bayesian samples per candidate (default: the run's)")
        ("pick", po::value<std::string>()->default_value("best"),
         "which formula of --run: best (the reported one) | cost-of:PROXY (of the reported one and its cost front, "
         "the best train tau at most as costly as PROXY) | search-value (the highest expected search value at this "
         "budget, each cost measured here); docs/experiments.md")
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
    if (!parseArguments("search",
                        "--objective synflow|nwot|evolved|parzc|random [--run DIR] [--uncertainty-bonus B] "
                        "[--algorithm A] [--archs N]",
                        options, args, vm, nullptr,
                        {{"archs", {1, 15625}}, {"population", {2, 15625}}, {"sample", {1, 15625}},
                         {"batch", {1, 1024}}, {"time-limit", {0, 1e9}}, {"samples", {1, 1e5}}})) {
        return 0;
    }
    auto const dataDir = resolveDataDir(vm);
    auto const objectiveName = vm["objective"].as<std::string>();
    auto const pick = vm["pick"].as<std::string>();
    std::string costOf;  // --pick cost-of:PROXY
    if (pick.starts_with("cost-of:")) {
        costOf = pick.substr(8);
    } else if (pick != "best" && pick != "search-value") {
        throw UsageError(fmt::format("--pick: unknown '{}' (valid: best, cost-of:PROXY, search-value)", pick));
    }
    if (pick != "best" && objectiveName != "evolved") {
        throw UsageError(fmt::format("--pick {} needs --objective evolved (a formula of --run)", pick));
    }
    std::optional<RunTerminals> run;
    std::optional<FormulaObjective> formula;
    std::vector<std::string> proxies;
    std::optional<ParzcRun> parzc;
    if (objectiveName != "parzc") {
        for (auto const* flag : {"uncertainty-bonus", "samples"}) {
            if (vm.count(flag) != 0U) throw UsageError(fmt::format("--{} applies to --objective parzc only", flag));
        }
    }
    if (objectiveName == "parzc") {
        if (vm.count("run") == 0U) throw UsageError("--objective parzc needs --run DIR (a finished zcgp parzc train run)");
        double const bonus = vm.count("uncertainty-bonus") != 0U ? vm["uncertainty-bonus"].as<double>() : 0.0;
        if (!std::isfinite(bonus) || bonus < 0) {
            throw UsageError(fmt::format("--uncertainty-bonus {}: must be a number >= 0", bonus));
        }
        parzc = loadParzcRun(vm["run"].as<std::string>(), bonus,
                             vm.count("samples") != 0U ? vm["samples"].as<std::size_t>() : 0);
        // a candidate is measured as the model's train cells were: their dataset, batch and seed
        auto const same = [&](char const* flag, auto const& given, auto const& trained) {
            if (!vm[flag].defaulted() && given != trained) {
                throw UsageError(fmt::format("--{} {}: the ParZC run's statistics were gathered with {} (a candidate "
                                             "must be measured the same way; leave --{} out)", flag, given, trained,
                                             flag));
            }
        };
        same("dataset", vm["dataset"].as<std::string>(), parzc->dataset);
        same("batch", static_cast<std::int64_t>(vm["batch"].as<int>()), parzc->batch);
        same("init-seed", vm["init-seed"].as<std::uint64_t>(), parzc->seed);
        proxies = {"params"};  // a proxy the scorer needs no pass for; the statistics are what the model reads
    } else if (objectiveName == "evolved") {
        if (vm.count("run") == 0U) throw UsageError("--objective evolved needs --run DIR (a finished zcgp evolve run)");
        run.emplace(vm["run"].as<std::string>(), vm);
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

    auto const makeScorer = [&](std::vector<std::string> const& measured, bool statistics) {
        proxy_cache::ScorerOptions so;
        so.dataset = parzc ? parzc->dataset : vm["dataset"].as<std::string>();
        so.dataDir = dataDir;
        so.batchSize = parzc ? static_cast<int>(parzc->batch) : vm["batch"].as<int>();
        so.seed = parzc ? parzc->seed : vm["init-seed"].as<std::uint64_t>();
        so.device = vm["device"].as<std::string>();
        so.proxies = measured;
        so.statistics = statistics;
        if (parzc) so.statisticNames = parzc->objective->statistics();  // only those the model reads
        try {
            return std::make_unique<proxy_cache::ArchitectureScorer>(so);
        } catch (std::invalid_argument const& e) {
            throw UsageError(e.what());
        }
    };
    std::unique_ptr<proxy_cache::ArchitectureScorer> scorer;
    // --pick search-value: each candidate's seconds per cell measured on a few random cells (the same for all
    // candidates), all inside the search's time limit
    json picked = json::array();
    double pickSeconds = 0.0;
    std::vector<FrontCandidate> candidates;  // the reported formula and its cost front
    if (run) {
        candidates.push_back({run->report.formula, run->report.trainTau, 0.0, run->report.cost.value_or(0.0)});
        for (auto const& p : run->report.costPareto) {
            bool const known = std::any_of(candidates.begin(), candidates.end(), [&](auto const& c) { return c.formula == p.formula; });
            if (!known) candidates.push_back({p.formula, p.trainTau, 0.0, p.cost});
        }
    }
    if (run && !costOf.empty()) {
        auto const& seconds = run->inputs.tasks.at(0).proxySeconds;
        auto const it = seconds.find(costOf);
        if (it == seconds.end()) {
            std::vector<std::string> known;
            for (auto const& [name, t] : seconds) known.push_back(name);
            throw UsageError(fmt::format("--pick cost-of:{}: the run's task records no time for '{}' (recorded: {})",
                                         costOf, costOf, fmt::join(known, ", ")));
        }
        auto const chosen = pickWithinCost(candidates, it->second);
        if (!chosen) {
            throw UsageError(fmt::format("--pick {}: no formula of {} costs at most {:.4g} s per architecture", pick,
                                         run->runDir.string(), it->second));
        }
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            picked.push_back({{"formula", candidates[i].formula}, {"train_tau", candidates[i].trainTau},
                              {"cost", candidates[i].recordedCost}, {"chosen", i == *chosen}});
        }
        formula.emplace(*run, candidates[*chosen].formula);
    } else if (run && pick == "search-value") {
        auto const t0 = std::chrono::steady_clock::now();
        constexpr std::size_t kTimedCells = 3;
        std::mt19937_64 cellRng(config.seed ^ 0xC0575EEDULL);
        std::uniform_int_distribution<int> op(0, 4);
        std::vector<Cell> timed(kTimedCells);
        for (auto& c : timed) {
            for (auto& o : c) o = op(cellRng);
        }
        std::map<std::pair<std::vector<std::string>, bool>, std::unique_ptr<proxy_cache::ArchitectureScorer>> scorers;
        std::map<std::pair<std::vector<std::string>, bool>, double> perCell;
        std::vector<std::pair<std::vector<std::string>, bool>> keyOf;
        for (auto& c : candidates) {
            FormulaObjective const f(*run, c.formula);
            auto const key = std::make_pair(f.terminals(), f.needsStatistics());
            keyOf.push_back(key);
            if (perCell.count(key) == 0U) {
                auto& sc = scorers[key];
                if (!key.first.empty()) sc = makeScorer(key.first, key.second);
                std::vector<double> seconds;
                for (auto const& cell : timed) {
                    auto const c0 = std::chrono::steady_clock::now();
                    try {
                        std::optional<proxy_cache::ArchitectureMeasurement> m;
                        if (sc) m = sc->measure(proxy_cache::nb201TupleKey(cell));
                        (void)f(cell, m ? &*m : nullptr);
                    } catch (std::exception const&) {
                        // a degenerate cell costs what it costs; the search counts its failures
                    }
                    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count());
                }
                std::nth_element(seconds.begin(), seconds.begin() + kTimedCells / 2, seconds.end());
                perCell[key] = seconds[kTimedCells / 2];
            }
            c.secondsPerCell = perCell[key];
        }
        pickSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double const timeLeft = config.timeLimitSeconds > 0 ? std::max(1e-3, config.timeLimitSeconds - pickSeconds) : 0.0;
        auto const chosen = pickForSearch(candidates, config.budget, timeLeft);
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            auto const v = searchValue(candidates[i], config.budget, timeLeft);
            picked.push_back({{"formula", candidates[i].formula}, {"train_tau", candidates[i].trainTau},
                              {"cost", candidates[i].recordedCost}, {"proxies", keyOf[i].first}, {"seconds_per_cell", candidates[i].secondsPerCell},
                              {"cells", v.cells}, {"expected_max", v.expectedMax}, {"value", v.value},
                              {"chosen", i == chosen}});
        }
        formula.emplace(*run, candidates[chosen].formula);
        scorer = std::move(scorers[keyOf[chosen]]);
        if (config.timeLimitSeconds > 0) config.timeLimitSeconds = timeLeft;
    } else if (run) {
        formula.emplace(*run, run->report.formula);
    }
    if (formula) proxies = formula->terminals();
    if (!scorer && !proxies.empty()) scorer = makeScorer(proxies, (formula && formula->needsStatistics()) || parzc);
    std::mt19937_64 randomObjective(config.seed ^ 0xA5A5A5A5ULL);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    auto const start = std::chrono::steady_clock::now();
    ProgressBar bar("search ", config.budget, !vm["json"].as<bool>() && ProgressBar::stderrIsTerminal());
    json trajectory = json::array();
    double bestSoFar = -std::numeric_limits<double>::infinity();
    std::string bestArch;
    std::size_t failedCells = 0;
    std::string lastFailure;
    std::map<Cell, proxy_cache::parzc::SearchObjective::Score> parzcScores;  // each scored cell's mean and std
    auto const score = [&](Cell const& cell) {
        double s = 0.0;
        if (!scorer && !formula) {
            s = uniform(randomObjective);
        } else {
            try {
                std::optional<proxy_cache::ArchitectureMeasurement> m;
                if (scorer) m = scorer->measure(proxy_cache::nb201TupleKey(cell));
                if (parzc) {
                    auto const p = parzc->objective->score(*m);
                    parzcScores[cell] = p;
                    s = p.value;
                } else {
                    s = formula ? (*formula)(cell, m ? &*m : nullptr) : m->proxies.at(proxies[0]);
                }
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
        trajectory.push_back({pickSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
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
        {"seconds", result.seconds + pickSeconds},  // the pick's timing included: the time limit covers both
        {"pick_seconds", pickSeconds},
        {"timed_out", result.timedOut},
        {"failed_cells", failedCells},
        {"last_failure", lastFailure},
        {"device", scorer ? scorer->deviceName() : std::string("none")},
        {"best", {{"tuple", proxy_cache::nb201TupleKey(result.best.cell)},
                  {"arch", archString},
                  {"score", result.best.score},
                  {"test_accuracy", {{"cifar10", entry->accuracy[0]}, {"cifar100", entry->accuracy[1]},
                                     {"ImageNet16-120", entry->accuracy[2]}}}}},
        {"pick", pick},
        {"candidates", picked},  // --pick search-value: every candidate's measured cost and expected value
        {"trajectory", trajectory},  // [elapsed seconds, CIFAR-10 test accuracy of the current choice]
    };
    if (parzc) {
        out["parzc"] = {{"run", vm["run"].as<std::string>()}, {"uncertainty_bonus", parzc->objective->uncertaintyBonus()},
                        {"samples", parzc->objective->samples()}, {"statistics", parzc->objective->statistics()},
                        {"dataset", parzc->dataset}, {"batch", parzc->batch}, {"init_seed", parzc->seed}};
        if (auto const it = parzcScores.find(result.best.cell); it != parzcScores.end()) {
            out["best"]["parzc_mean"] = it->second.mean;
            out["best"]["parzc_std"] = it->second.std;
        }
    }
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
