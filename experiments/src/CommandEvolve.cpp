// zcgp evolve: genetic programming of zero-cost proxy formulas over the cached proxy scores of one or more
// NAS-Bench-Suite-Zero tasks. Fitness is Kendall tau-b on a per-seed sample of train architectures; the
// rest are held out. Writes <out>/log.jsonl (one line per generation), <out>/checkpoint.bin (every N
// generations, atomic), <out>/result.json (atomic, only on success) and optionally one JSON object to stdout.
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "Command.hpp"
#include "EvolveTasks.hpp"
#include "zcgp/engine/Checkpoint.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace zcgp::cli::evolve {

// Converts a task's cached proxies to GP terminals. Policy: drop proxy columns missing on more than
// kMaxMissingFraction of the architectures (e.g. epe_nas on non-classification tasks), then drop architectures missing any
// remaining proxy, or lacking accuracy. `only`, if non-empty, restricts (and orders) the kept proxies.
primitives::Dataset datasetFromTable(proxy_cache::ProxyTable const& table, std::vector<std::string> const& only,
                                     ConversionReport& report) {
    report.task = table.id();
    std::vector<std::size_t> cols;
    std::vector<std::string> names = only.empty() ? table.proxies : only;
    for (auto const& name : names) {
        auto c = table.proxyIndex(name);
        if (!c) {
            report.droppedProxies.push_back(name);
            continue;
        }
        if (only.empty() && !usableProxy(table, *c)) {
            report.droppedProxies.push_back(name);
            continue;
        }
        cols.push_back(*c);
    }
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < table.size(); ++r) {
        bool ok = std::isfinite(table.accuracy[static_cast<Eigen::Index>(r)]);
        for (auto c : cols) ok = ok && table.present(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) &&
                                  std::isfinite(table.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)));
        if (ok) rows.push_back(r);
    }
    report.droppedArchs = table.size() - rows.size();
    report.keptArchs = rows.size();
    std::vector<std::string> keys;
    for (auto r : rows) keys.push_back(table.archs[r].key);
    primitives::Dataset data(std::move(keys));
    for (auto c : cols) {
        std::vector<double> v;
        for (auto r : rows) v.push_back(table.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)));
        data.addScalar(table.proxies[c], v);
    }
    std::vector<double> acc;
    for (auto r : rows) acc.push_back(table.accuracy[static_cast<Eigen::Index>(r)]);
    data.setTarget(acc);
    return data;
}

// Restricts a task to the architectures of a statistics cache (from `zcgp gather`) and appends its per-layer
// statistics as LayerVector terminals. LayerVector operators combine vectors element-wise, so all of them must
// share one layer layout: the statistics with the most common per-architecture lengths are kept, the others
// (e.g. per-cell-node ones) and any statistic that is non-finite on a kept architecture are reported and skipped.
struct StatsReport {
    std::size_t archsWithoutStats{0};
    std::vector<std::string> kept, skippedLayout, skippedNonFinite;
};

primitives::Dataset appendLayerVectorTerminals(primitives::Dataset const& data,
                                               proxy_cache::StatisticsCache const& cache, bool keepScalars,
                                               bool addLayers, StatsReport& report) {
    std::vector<std::size_t> rows, cacheRows;
    for (std::size_t r = 0; r < data.rows(); ++r) {
        if (auto c = cache.findArchitecture(data.archKeys()[r])) {
            rows.push_back(r);
            cacheRows.push_back(*c);
        }
    }
    report.archsWithoutStats = data.rows() - rows.size();
    if (rows.empty()) {
        throw UsageError(fmt::format("--stats {}: none of its {} architectures is in the task", cache.source().string(),
                                     cache.size()));
    }
    auto const layout = [&](proxy_cache::RaggedStatistic const& s) {
        std::vector<std::size_t> lengths;
        for (auto c : cacheRows) lengths.push_back(s.row(c).size());
        return lengths;
    };
    std::map<std::vector<std::size_t>, std::size_t> layouts;
    for (auto const& s : cache.statistics()) ++layouts[layout(s)];
    if (layouts.empty()) throw UsageError(fmt::format("--stats {}: the cache holds no statistics", cache.source().string()));
    auto const common = std::max_element(layouts.begin(), layouts.end(),
                                         [](auto const& a, auto const& b) { return a.second < b.second; })->first;
    primitives::Dataset subset = data.subset(rows);
    primitives::Dataset out(subset.archKeys());
    if (keepScalars) {
        for (std::size_t c = 0; c < subset.scalarCount(); ++c) out.addScalar(subset.scalarNames()[c], subset.scalar(c));
        out.setTransforms(subset.transforms());
    }
    out.setTarget(subset.target());
    out.setLayerCounts(common);
    for (auto const& s : cache.statistics()) {
        if (!addLayers) break;  // --terminals cached: the cache only selects the architectures
        if (layout(s) != common) {
            report.skippedLayout.push_back(s.name);
            continue;
        }
        std::vector<double> values;
        bool finite = true;
        for (auto c : cacheRows) {
            for (double v : s.row(c)) {
                finite = finite && std::isfinite(v);
                values.push_back(v);
            }
        }
        if (!finite) {
            report.skippedNonFinite.push_back(s.name);
            continue;
        }
        out.addLayerVector(s.name, values);
        report.kept.push_back(s.name);
    }
    return out;
}

// Loads the tasks and converts them with one common, ordered terminal set (proxies kept on every task).
std::vector<engine::Task> loadTasks(proxy_cache::Benchmark const& benchmark, std::vector<std::string> const& ids,
                                    primitives::Normalization normalization, std::vector<ConversionReport>& reports,
                                    std::vector<std::string> const& proxies) {
    std::vector<proxy_cache::ProxyTable const*> tables;
    for (auto const& id : ids) {
        try {
            tables.push_back(&benchmark.task(id));
        } catch (proxy_cache::DataError const& e) {
            throw UsageError(fmt::format("--task: {}", e.what()));
        }
    }
    // first pass: which proxies survive the missing-value policy on every task
    std::vector<std::string> common;
    for (std::size_t t = 0; t < tables.size(); ++t) {
        ConversionReport r;
        auto d = datasetFromTable(*tables[t], {}, r);
        if (t == 0) common = d.scalarNames();
        else std::erase_if(common, [&](std::string const& n) { return !d.scalarIndex(n); });
    }
    if (!proxies.empty()) {
        for (auto const& p : proxies) {
            if (std::find(common.begin(), common.end(), p) == common.end()) {
                throw UsageError(fmt::format("--proxies: '{}' is not a usable proxy of every selected task (usable: {})", p,
                                             fmt::join(common, ", ")));
            }
        }
        common = proxies;
    }
    if (common.empty()) throw UsageError("the selected tasks share no usable proxy");
    std::vector<engine::Task> tasks;
    for (auto const* table : tables) {
        ConversionReport r;
        auto d = datasetFromTable(*table, common, r);
        for (auto const& p : table->proxies) {
            if (std::find(common.begin(), common.end(), p) == common.end() &&
                std::find(r.droppedProxies.begin(), r.droppedProxies.end(), p) == r.droppedProxies.end()) {
                r.droppedProxies.push_back(p);
            }
        }
        d.normalize(normalization);
        reports.push_back(r);
        tasks.push_back({table->id(), std::move(d)});
    }
    return tasks;
}

json transformsJson(primitives::Dataset const& data) {
    json out = json::array();
    for (std::size_t c = 0; c < data.scalarCount(); ++c) {
        auto const& t = data.transforms()[c];
        auto kind = t.kind == primitives::ColumnTransform::Kind::Log      ? "log"
                    : t.kind == primitives::ColumnTransform::Kind::NegLog ? "neglog"
                    : t.kind == primitives::ColumnTransform::Kind::Asinh  ? "asinh"
                    : t.kind == primitives::ColumnTransform::Kind::Rank   ? "rank"
                                                                          : "identity";
        json entry = {{"name", data.scalarNames()[c]}, {"kind", kind}, {"in_scale", t.inScale}, {"shift", t.shift},
                      {"scale", t.scale}};
        if (t.knee > 0.0) entry["knee"] = t.knee;
        if (!t.source.empty()) entry["source"] = t.source;
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace zcgp::cli::evolve

namespace zcgp::cli {
namespace {

json pruneJson(engine::PruneCounts const& counts) {
    json j = json::object();
    for (std::size_t r = 0; r < engine::PruneRuleCount; ++r) {
        j[std::string(engine::toString(static_cast<engine::PruneRule>(r)))] = counts[r];
    }
    return j;
}

// What a finished evolution (a single run or one ensemble member) reports.
struct Outcome {
    engine::Tree tree;  // the reported formula: the run's best penalised fitness, or the ensemble's combination
    double penalisedFitness{0};
    double seconds{0};  // the evolution loop only (as DEAP's baseline times its loop)
    std::uint64_t evaluations{0}, nodeEvaluations{0};
    engine::PruneCounts pruned{};
    std::size_t generations{0};
    std::vector<std::pair<engine::Tree, double>> pareto;  // (tree, train tau), size ascending
};

struct ReportContext {
    engine::EvolutionConfig const& config;
    std::vector<json> const& data;
    std::string normalize;
};

// Pareto front of size against train tau: ascending size, each strictly better than every smaller one.
std::vector<std::pair<engine::Tree, double>> nonDominated(std::vector<std::pair<engine::Tree, double>> all) {
    std::stable_sort(all.begin(), all.end(), [](auto const& a, auto const& b) {
        return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.second > b.second;
    });
    std::vector<std::pair<engine::Tree, double>> front;
    for (auto& p : all) {
        if (front.empty() || p.second > front.back().second) front.push_back(std::move(p));
    }
    return front;
}

// Seeds of ensemble members: member 0 keeps the master seed (an ensemble of one is the plain run).
std::uint64_t memberSeed(std::uint64_t seed, std::size_t member) {
    if (member == 0) return seed;
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(member);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

// Ensemble combination: sum over members of tanh((f - median) / (3 * 1.4826 * MAD)), with each member's median
// and MAD taken over its values on the train architectures (pooled over tasks; never the held-out ones). The
// squash keeps one member's outlying architectures from outvoting the others; the result is itself a formula.
engine::Tree combineMembers(std::vector<engine::Tree> const& members, engine::Evolution const& evo) {
    std::vector<std::string> terms;
    for (auto const& tree : members) {
        std::vector<double> v;
        for (std::size_t t = 0; t < evo.tasks().size(); ++t) {
            auto all = engine::Interpreter(evo.tasks()[t].data).evaluate(tree);
            for (auto r : evo.train(t)) v.push_back(all[r]);
        }
        auto median = [](std::vector<double> x) {
            auto mid = x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2);
            std::nth_element(x.begin(), mid, x.end());
            return *mid;
        };
        double const med = median(v);
        std::vector<double> dev;
        for (double x : v) dev.push_back(std::abs(x - med));
        double scale = 1.4826 * median(dev);
        if (!(scale > 0.0) || !std::isfinite(scale)) {  // over half the train values tie: fall back to the std
            double mean = 0, ss = 0;
            for (double x : v) mean += x / static_cast<double>(v.size());
            for (double x : v) ss += (x - mean) * (x - mean);
            scale = std::sqrt(ss / static_cast<double>(v.size()));
        }
        if (!(scale > 0.0) || !std::isfinite(scale)) scale = 1.0;
        terms.push_back(fmt::format("tanh(({} - {}) * {})", evo.format(tree), med, 1.0 / (3.0 * scale)));
    }
    return engine::parse(fmt::format("{}", fmt::join(terms, " + ")), engine::Vocabulary::of(evo.tasks()[0].data));
}

// Runs (or resumes) one evolution in `out`: checkpoint.bin, log.jsonl and a progress line per generation.
Outcome evolveOne(engine::Evolution& evo, fs::path const& out, bool resume, bool quiet, std::size_t checkpointEvery,
                  std::string const& label) {
    auto const checkpoint = out / engine::CheckpointFileName;
    if (resume) {
        // an older zcgp's checkpoint.json is refused by loadCheckpoint, naming its format version
        if (!fs::exists(checkpoint) && fs::exists(out / "checkpoint.json")) evo.loadCheckpoint(out / "checkpoint.json");
        if (!fs::exists(checkpoint)) throw UsageError(fmt::format("--resume {}: no {} there", out.string(), engine::CheckpointFileName));
        evo.loadCheckpoint(checkpoint);
        if (!quiet) std::cerr << fmt::format("{}resumed {} at generation {}\n", label, out.string(), evo.generation());
    } else {
        fs::remove(out / "log.jsonl");
        fs::remove(checkpoint);
    }
    evo.setCheckpoint(checkpoint, checkpointEvery);

    // log.jsonl: on resume, keep the lines up to the checkpoint's generation
    if (resume && fs::exists(out / "log.jsonl")) {
        std::ifstream is(out / "log.jsonl");
        std::string line, kept;
        while (std::getline(is, line)) {
            if (line.empty()) continue;
            if (json::parse(line).value("generation", std::size_t{0}) <= evo.generation()) kept += line + "\n";
        }
        writeAtomically(out / "log.jsonl", kept);
    }
    std::ofstream log(out / "log.jsonl", std::ios::app);
    // one JSON line per generation, written with fmt (building the whole json object per generation cost ~10%
    // of a paper-budget run); the same keys and number format as json::dump, non-finite numbers as null
    auto number = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string("null"); };
    auto onGeneration = [&](engine::GenerationStats const& s) {
        log << fmt::format("{{\"best_formula\":{},\"best_size\":{},\"best_test_tau\":{},\"best_train_tau\":{},\"evaluations\":{},"
                           "\"generation\":{},\"mean_size\":{},\"mean_train_tau\":{},\"node_evaluations\":{},\"pruned\":{},"
                           "\"seconds\":{}}}\n",
                           json(s.bestFormula).dump(), s.bestSize, number(s.bestTestTau), number(s.bestTrainTau), s.evaluations, s.generation,
                           number(s.meanSize), number(s.meanTrainTau), s.nodeEvaluations, pruneJson(s.pruned).dump(), number(s.seconds))
            << std::flush;
        if (!quiet) {
            std::uint64_t prunedTotal = 0;
            for (auto c : s.pruned) prunedTotal += c;
            std::cerr << fmt::format(
                "{}gen {:>4}  population best train tau {:.4f}  run best: train {:.4f}, held-out {:.4f}, size {}  mean size {:5.1f}  "
                "{:.3g} evals/s  {:.3g} node-evals/s  pruned {} [nt {} lim {} red {} const {} nonfin {} dup {}]\n",
                label, s.generation, s.bestTrainTau, s.bestSoFarTrainTau, s.bestTestTau, s.bestSize, s.meanSize, s.evaluationsPerSecond,
                s.nodeEvaluationsPerSecond, prunedTotal, s.pruned[0], s.pruned[1], s.pruned[2], s.pruned[3],
                s.pruned[4], s.pruned[5]);
        }
    };
    evo.run(onGeneration);
    if (checkpointEvery > 0) evo.saveCheckpoint(checkpoint);
    Outcome o;
    o.tree = evo.best().tree;
    o.penalisedFitness = evo.best().fitness;
    o.seconds = evo.seconds();
    o.evaluations = evo.evaluations();
    o.nodeEvaluations = evo.nodeEvaluations();
    o.pruned = evo.pruned();
    o.generations = evo.generation();
    for (auto const& ind : evo.pareto()) o.pareto.emplace_back(ind.tree, ind.trainTau);
    return o;
}

// A member finished before a resume: its outcome as its result.json recorded it.
Outcome loadOutcome(fs::path const& file, engine::Evolution const& evo) {
    try {
        std::ifstream is(file);
        auto j = json::parse(is);
        auto const vocab = engine::Vocabulary::of(evo.tasks()[0].data);
        Outcome o;
        o.tree = engine::parse(j.at("formula").get<std::string>(), vocab);
        o.penalisedFitness = j.at("penalised_fitness").get<double>();
        o.seconds = j.at("seconds").get<double>();
        o.evaluations = j.at("evaluations").get<std::uint64_t>();
        o.nodeEvaluations = j.at("node_evaluations").get<std::uint64_t>();
        o.generations = j.at("generations").get<std::size_t>();
        for (std::size_t r = 0; r < engine::PruneRuleCount; ++r) {
            o.pruned[r] = j.at("pruned").at(std::string(engine::toString(static_cast<engine::PruneRule>(r)))).get<std::uint64_t>();
        }
        for (auto const& p : j.at("pareto")) {
            o.pareto.emplace_back(engine::parse(p.at("formula").get<std::string>(), vocab), p.at("train_tau").get<double>());
        }
        return o;
    } catch (std::exception const& e) {
        throw UsageError(fmt::format("--resume: cannot read the finished member '{}': {}", file.string(), e.what()));
    }
}

// The result object of a run (or member): the formula's train/held-out quality per task, the best hand-crafted
// proxy chosen by its train tau (aggregated like the GP's fitness), the run's cost and its Pareto front.
json report(engine::Evolution const& evo, engine::Tree const& tree, Outcome const& o, ReportContext const& ctx) {
    auto a = evo.assess(tree);
    json perTask = json::array();
    for (std::size_t t = 0; t < evo.tasks().size(); ++t) {
        perTask.push_back({{"task", evo.tasks()[t].id}, {"train_tau", a.trainTau[t]}, {"test_tau", a.testTau[t]},
                           {"test_spearman", a.testSpearman[t]}, {"train_archs", evo.train(t).size()},
                           {"test_archs", evo.test(t).size()}});
    }
    json handcrafted;
    {
        auto const& d0 = evo.tasks()[0].data;
        double bestTrain = -3.0;
        for (std::size_t c = 0; c < d0.scalarCount(); ++c) {
            engine::Tree single({engine::Node::variable(static_cast<std::uint32_t>(c))});
            auto h = evo.assess(single);
            if (h.train > bestTrain) {
                bestTrain = h.train;
                handcrafted = {{"name", d0.scalarNames()[c]}, {"train_tau", h.train}, {"test_tau", h.test},
                               {"test_spearman", h.spearman}};
            }
        }
    }
    json pareto = json::array();
    for (auto const& [t, trainTau] : o.pareto) {
        pareto.push_back({{"size", t.size()}, {"formula", evo.format(t)}, {"train_tau", trainTau},
                          {"test_tau", evo.assess(t).test}});
    }
    std::vector<std::string> ids;
    for (auto const& t : evo.tasks()) ids.push_back(t.id);
    return {
        {"formula", evo.format(tree)},
        {"simplified", evo.format(engine::simplify(tree))},
        {"size", tree.size()},
        {"depth", tree.depth()},
        {"train_tau", a.train},
        {"test_tau", a.test},
        {"test_spearman", a.spearman},
        {"penalised_fitness", o.penalisedFitness},
        {"finite_on_all_archs", a.finite},
        {"tasks", ids},
        {"per_task", perTask},
        {"seed", ctx.config.seed},
        {"generations", o.generations},
        {"population", ctx.config.populationSize},
        {"train_archs", ctx.config.trainArchs},
        {"best_handcrafted", handcrafted},
        {"seconds", o.seconds},
        {"evaluations", o.evaluations},
        {"node_evaluations", o.nodeEvaluations},
        {"node_evaluations_per_second", o.seconds > 0 ? static_cast<double>(o.nodeEvaluations) / o.seconds : 0.0},
        {"pruned", pruneJson(o.pruned)},
        {"pareto", pareto},
        {"data", ctx.data},
        {"normalize", ctx.normalize},
        {"terminals", evolve::transformsJson(evo.tasks()[0].data)},
    };
}

void finish(json const& result, bool printJson, bool quiet) {
    if (printJson) std::cout << result.dump() << std::endl;
    if (!quiet) {
        std::cerr << fmt::format("best: {}\n  size {}  train tau {:.4f}  held-out tau {:.4f}  spearman {:.4f}\n",
                                 result["formula"].get<std::string>(), result["size"].get<std::size_t>(),
                                 result["train_tau"].get<double>(), result["test_tau"].get<double>(),
                                 result["test_spearman"].get<double>());
        auto const& handcrafted = result["best_handcrafted"];
        if (handcrafted.is_object()) {  // null when there are no scalar terminals (--terminals raw)
            std::cerr << fmt::format("  best hand-crafted (chosen on train): {}  train {:.4f}  held-out {:.4f}\n",
                                     handcrafted.value("name", "?"), handcrafted.value("train_tau", 0.0),
                                     handcrafted.value("test_tau", 0.0));
        }
    }
}

// Options whose value may differ when resuming (everything else is taken from the saved run).
bool isRuntimeOption(std::string const& flag) {
    return flag == "--threads" || flag == "--quiet" || flag == "--json" || flag == "--time-limit" ||
           flag == "--resume" || flag == "--data" || flag == "--generations";
}

int runEvolve(std::vector<std::string> const& argsIn) {
    po::options_description options("zcgp evolve options");
    options.add_options()
        ("task", po::value<std::vector<std::string>>()->composing(), "SPACE/TASK (repeatable: multi-task fitness)")
        ("train-archs", po::value<std::size_t>()->default_value(100), "train architectures sampled per seed")
        ("population", po::value<std::size_t>()->default_value(100), "population size")
        ("generations", po::value<std::size_t>()->default_value(50), "generations")
        ("seed", po::value<std::uint64_t>()->default_value(0), "master seed (train sample and every slot's RNG)")
        ("threads", po::value<std::size_t>()->default_value(0), "worker threads (0: all)")
        ("out", po::value<std::string>(), "output directory (log.jsonl, checkpoint.bin, result.json)")
        ("json", po::bool_switch(), "print one final JSON object to stdout")
        ("quiet", po::bool_switch(), "no per-generation progress line")
        ("time-limit", po::value<double>()->default_value(0.0), "stop after S seconds (0: none)")
        ("resume", po::value<std::string>(), "continue the run in DIR from its checkpoint")
        ("checkpoint-every", po::value<std::size_t>()->default_value(10), "checkpoint every N generations (0: never)")
        ("selector", po::value<std::string>()->default_value("tournament:5"), "tournament:K | random")
        ("crossover", po::value<std::string>()->default_value("subtree:0.9"), "subtree:PROBABILITY")
        ("mutation", po::value<std::string>()->default_value("subtree:1,point:1,hoist:0.5,shrink:0.5"),
         "weighted mutations: subtree:W,point:W,hoist:W,shrink:W")
        ("mutation-rate", po::value<double>()->default_value(0.3), "probability of mutating a crossover child")
        ("creator", po::value<std::string>()->default_value("rhh:2:5"), "ptc2[:SIZE] | rhh:MINDEPTH:MAXDEPTH")
        ("functions", po::value<std::string>()->default_value("all"), "all | scalar | comma list of primitives")
        ("ensemble", po::value<std::size_t>()->default_value(1),
         "evolve B members (own seeds, same train split, the full budget each) and report their combination "
         "sum tanh((f - median) / (3 MAD)) as one formula; members in OUT/member-K")
        ("max-size", po::value<std::size_t>()->default_value(20), "maximum tree size (nodes)")
        ("max-depth", po::value<std::size_t>()->default_value(8), "maximum tree depth")
        ("elites", po::value<std::size_t>()->default_value(1), "individuals copied unchanged")
        ("parsimony", po::value<double>()->default_value(0.002), "fitness = train tau - parsimony * size")
        ("aggregate", po::value<std::string>()->default_value("mean"), "multi-task fitness: mean | worst")
        ("normalize", po::value<std::string>()->default_value("logz"),
         "terminal transform fitted on all architectures' features: none | zscore | logz (log if positive, "
         "else asinh; then z-score) | rank (empirical CDF, then z-score) | robust (log, -log(-x) or asinh; median "
         "and MAD; tails beyond 3 compressed) | logz+robust (both: NAME and NAME_r)")
        ("constants", po::value<double>()->default_value(0.1), "probability that a new leaf is a constant")
        ("stats", po::value<std::string>(), "statistics cache from zcgp gather: per-layer statistics (LayerVector terminals)")
        ("proxies", po::value<std::string>(), "comma list: restrict the cached-proxy terminals (default: every usable one)")
        ("terminals", po::value<std::string>()->default_value("cached"),
         "cached (cached proxy scores) | raw (LayerVector statistics of --stats only) | both");
    addCommonOptions(options);
    std::string const usage =
        "--task SPACE/TASK [--task ...] [--train-archs N] [--population N] [--generations N] [--seed S] "
        "[--threads T] --out DIR [--json] [--time-limit S] [--resume DIR]";

    // --resume DIR: the saved arguments of the run, overridden by the runtime options given now
    std::vector<std::string> args = argsIn;
    {
        po::variables_map probe;
        po::options_description any("");
        any.add_options()("resume", po::value<std::string>());
        auto parsed = po::command_line_parser(argsIn).options(any).allow_unregistered().run();
        po::store(parsed, probe);
        if (probe.count("resume") != 0U) {
            fs::path dir = probe["resume"].as<std::string>();
            std::ifstream is(dir / "options.json");
            if (!is) throw UsageError(fmt::format("--resume {}: no options.json there (not a zcgp evolve run)", dir.string()));
            auto saved = json::parse(is).get<std::vector<std::string>>();
            args.clear();
            for (std::size_t i = 0; i < saved.size(); ++i) {
                bool hasValue = i + 1 < saved.size() && saved[i + 1].rfind("--", 0) != 0;
                if (isRuntimeOption(saved[i])) {
                    if (hasValue) ++i;
                    continue;
                }
                if (saved[i] == "--out" && hasValue) { ++i; continue; }
                args.push_back(saved[i]);
            }
            args.insert(args.end(), argsIn.begin(), argsIn.end());
            args.push_back("--out");
            args.push_back(dir.string());
        }
    }

    po::variables_map vm;
    if (!parseArguments("evolve", usage, options, args, vm)) return 0;
    if (vm.count("task") == 0U) throw UsageError("zcgp evolve: --task is required (e.g. --task nb201/cifar10)");
    if (vm.count("out") == 0U) throw UsageError("zcgp evolve: --out DIR is required");
    if (vm["generations"].as<std::size_t>() == 0) throw UsageError("--generations must be at least 1");
    if (vm["population"].as<std::size_t>() < 2) throw UsageError("--population must be at least 2");
    bool const quiet = vm["quiet"].as<bool>();
    bool const resume = vm.count("resume") != 0U;

    engine::EvolutionConfig cfg;
    cfg.populationSize = vm["population"].as<std::size_t>();
    cfg.generations = vm["generations"].as<std::size_t>();
    cfg.trainArchs = vm["train-archs"].as<std::size_t>();
    cfg.seed = vm["seed"].as<std::uint64_t>();
    cfg.threads = vm["threads"].as<std::size_t>();
    cfg.timeLimitSeconds = vm["time-limit"].as<double>();
    cfg.selector = vm["selector"].as<std::string>();
    cfg.crossover = vm["crossover"].as<std::string>();
    cfg.mutation = vm["mutation"].as<std::string>();
    cfg.mutationProbability = vm["mutation-rate"].as<double>();
    cfg.creator = vm["creator"].as<std::string>();
    cfg.functions = vm["functions"].as<std::string>();
    cfg.maxSize = vm["max-size"].as<std::size_t>();
    cfg.maxDepth = vm["max-depth"].as<std::size_t>();
    cfg.elites = vm["elites"].as<std::size_t>();
    cfg.parsimony = vm["parsimony"].as<double>();
    cfg.constantProbability = vm["constants"].as<double>();
    primitives::Normalization normalization{};
    try {
        cfg.aggregate = engine::parseAggregate(vm["aggregate"].as<std::string>());
        normalization = primitives::parseNormalization(vm["normalize"].as<std::string>());
    } catch (std::invalid_argument const& e) {
        throw UsageError(e.what());
    }

    auto const benchmark = proxy_cache::Benchmark::load(resolveDataDir(vm));
    std::vector<evolve::ConversionReport> reports;
    std::vector<std::string> proxies;
    if (vm.count("proxies") != 0U) {
        std::stringstream list(vm["proxies"].as<std::string>());
        for (std::string p; std::getline(list, p, ',');) {
            if (!p.empty()) proxies.push_back(p);
        }
    }
    auto tasks = evolve::loadTasks(benchmark, vm["task"].as<std::vector<std::string>>(), normalization, reports, proxies);
    auto const terminals = vm["terminals"].as<std::string>();
    if (terminals != "cached" && terminals != "raw" && terminals != "both") {
        throw UsageError(fmt::format("--terminals: unknown '{}' (valid: cached, raw, both)", terminals));
    }
    if (vm.count("stats") != 0U) {
        proxy_cache::StatisticsCache cache;
        try {
            cache = proxy_cache::StatisticsCache::read(vm["stats"].as<std::string>());
        } catch (std::exception const& e) {
            throw UsageError(fmt::format("--stats: {}", e.what()));
        }
        for (std::size_t t = 0; t < tasks.size(); ++t) {
            evolve::StatsReport sr;
            tasks[t].data =
                evolve::appendLayerVectorTerminals(tasks[t].data, cache, terminals != "raw", terminals != "cached", sr);
            reports[t].keptArchs = tasks[t].data.rows();
            reports[t].droppedArchs += sr.archsWithoutStats;
            if (!quiet) {
                std::cerr << fmt::format("{}: {} LayerVector terminals from {} ({} architectures without statistics dropped)"
                                         "{}{}{}{}\n",
                                         tasks[t].id, sr.kept.size(), vm["stats"].as<std::string>(), sr.archsWithoutStats,
                                         sr.skippedLayout.empty() ? "" : "; other layer layout, skipped: ",
                                         fmt::join(sr.skippedLayout, ", "),
                                         sr.skippedNonFinite.empty() ? "" : "; non-finite, skipped: ",
                                         fmt::join(sr.skippedNonFinite, ", "));
            }
        }
    } else if (terminals != "cached") {
        throw UsageError(fmt::format("--terminals {} needs --stats FILE (a statistics cache from zcgp gather)", terminals));
    }
    for (auto const& r : reports) {
        if (cfg.trainArchs >= r.keptArchs) {
            throw UsageError(fmt::format("--train-archs {} must be smaller than the {} usable architectures of {} "
                                         "(the rest are held out)", cfg.trainArchs, r.keptArchs, r.task));
        }
    }
    std::vector<json> dataReport;
    for (auto const& r : reports) {
        dataReport.push_back({{"task", r.task}, {"archs", r.keptArchs}, {"dropped_archs", r.droppedArchs},
                              {"dropped_proxies", r.droppedProxies}});
        if (!quiet) {
            std::cerr << fmt::format("{}: {} architectures kept, {} dropped (missing a proxy); {} proxies dropped{}{}\n",
                                     r.task, r.keptArchs, r.droppedArchs, r.droppedProxies.size(),
                                     r.droppedProxies.empty() ? "" : ": ", fmt::join(r.droppedProxies, ", "));
        }
    }

    std::size_t const ensemble = vm["ensemble"].as<std::size_t>();
    if (ensemble == 0) throw UsageError("--ensemble must be at least 1");
    fs::path const out = vm["out"].as<std::string>();
    std::size_t const checkpointEvery = vm["checkpoint-every"].as<std::size_t>();
    fs::create_directories(out);
    fs::remove(out / "result.json");  // never leave an old result claiming this run succeeded
    if (!resume) {
        std::vector<std::string> saved = argsIn;
        writeAtomically(out / "options.json", json(saved).dump());
        fs::remove(out / "log.jsonl");
        fs::remove(out / engine::CheckpointFileName);
        for (auto const& entry : fs::directory_iterator(out)) {
            if (entry.is_directory() && entry.path().filename().string().rfind("member-", 0) == 0) fs::remove_all(entry.path());
        }
    }
    auto const makeEvolution = [&](engine::EvolutionConfig const& c) {
        try {
            return std::make_unique<engine::Evolution>(tasks, c);  // a copy of the tasks per member
        } catch (std::invalid_argument const& e) {
            throw UsageError(e.what());
        }
    };
    auto const common = [&](engine::EvolutionConfig const& c) {
        return ReportContext{c, dataReport, vm["normalize"].as<std::string>()};
    };

    if (ensemble == 1) {
        auto evo = makeEvolution(cfg);
        auto outcome = evolveOne(*evo, out, resume, quiet, checkpointEvery, "");
        json result = report(*evo, outcome.tree, outcome, common(cfg));
        writeAtomically(out / "result.json", result.dump(2));
        finish(result, vm["json"].as<bool>(), quiet);
        return 0;
    }

    // ---- ensemble: members with their own seeds on the same train split, combined into one formula ----
    engine::EvolutionConfig memberCfg = cfg;
    memberCfg.splitSeed = cfg.seed;
    std::vector<Outcome> members;
    json memberJson = json::array();
    std::unique_ptr<engine::Evolution> evo;
    for (std::size_t k = 0; k < ensemble; ++k) {
        memberCfg.seed = memberSeed(cfg.seed, k);
        fs::path const dir = out / fmt::format("member-{}", k);
        fs::create_directories(dir);
        evo = makeEvolution(memberCfg);
        auto const label = fmt::format("[member {}/{}] ", k + 1, ensemble);
        Outcome outcome;
        // a member that finished its generations before a resume is reused; one that was cut short (killed, a
        // time limit, fewer --generations) continues from its checkpoint
        bool finished = false;
        if (resume && fs::exists(dir / "result.json")) {
            outcome = loadOutcome(dir / "result.json", *evo);
            finished = outcome.generations >= memberCfg.generations;
        }
        if (finished) {
            if (!quiet) std::cerr << fmt::format("{}finished before the resume: {}\n", label, evo->format(outcome.tree));
        } else {
            fs::remove(dir / "result.json");
            outcome = evolveOne(*evo, dir, resume && (fs::exists(dir / engine::CheckpointFileName) || fs::exists(dir / "checkpoint.json")), quiet, checkpointEvery, label);
            writeAtomically(dir / "result.json", report(*evo, outcome.tree, outcome, common(memberCfg)).dump(2));
        }
        auto a = evo->assess(outcome.tree);
        memberJson.push_back({{"seed", memberCfg.seed}, {"formula", evo->format(outcome.tree)}, {"size", outcome.tree.size()},
                              {"train_tau", a.train}, {"test_tau", a.test}, {"dir", dir.filename().string()}});
        members.push_back(std::move(outcome));
    }
    Outcome total;
    std::vector<engine::Tree> trees;
    for (auto const& m : members) {
        trees.push_back(m.tree);
        total.seconds += m.seconds;
        total.evaluations += m.evaluations;
        total.nodeEvaluations += m.nodeEvaluations;
        for (std::size_t r = 0; r < engine::PruneRuleCount; ++r) total.pruned[r] += m.pruned[r];
        total.generations = std::max(total.generations, m.generations);
        total.pareto.insert(total.pareto.end(), m.pareto.begin(), m.pareto.end());
    }
    total.tree = combineMembers(trees, *evo);
    total.pareto = nonDominated(std::move(total.pareto));
    auto const assessed = evo->assess(total.tree);
    total.penalisedFitness = assessed.train - cfg.parsimony * static_cast<double>(total.tree.size());
    json result = report(*evo, total.tree, total, common(cfg));
    result["ensemble"] = ensemble;
    result["members"] = memberJson;
    writeAtomically(out / "result.json", result.dump(2));
    finish(result, vm["json"].as<bool>(), quiet);
    return 0;
}

ZCGP_REGISTER_COMMAND("evolve", "evolve a zero-cost proxy formula by genetic programming", runEvolve);

}  // namespace
}  // namespace zcgp::cli
