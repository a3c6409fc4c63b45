#include "EvolveOptions.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <boost/any.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "TaskOptions.hpp"
#include "zcgp/engine/Ensemble.hpp"
#include "zcgp/engine/Operators.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace zcgp::cli::evolve {

po::options_description options() {
    po::options_description options("zcgp evolve options");
    options.add_options()
        ("task", po::value<std::vector<std::string>>()->composing(), "SPACE/TASK (repeatable: multi-task fitness)")
        ("train-archs", po::value<std::size_t>()->default_value(100), "train architectures sampled per seed")
        ("population", po::value<std::size_t>()->default_value(100), "population size")
        ("generations", po::value<std::size_t>()->default_value(50), "generations")
        ("seed", po::value<std::uint64_t>()->default_value(0), "master seed (train sample and every slot's RNG)")
        ("threads", po::value<std::size_t>()->default_value(0),
         "worker threads (0: all; more than the hardware's are capped); results do not depend on it")
        ("out", po::value<std::string>(), "output directory (log.jsonl, checkpoint.bin, result.json); must not hold "
         "a run unless --force or --resume; without it nothing is kept (the result is printed)")
        ("force", po::bool_switch(), "replace the run already in --out")
        ("json", po::bool_switch(), "print one final JSON object (result.json) to stdout")
        ("quiet", po::bool_switch(), "print nothing but errors (result.json, log.jsonl and --json are still written)")
        ("verbose", po::bool_switch(), "print one line per generation instead of the progress bar")
        ("time-limit", po::value<double>()->default_value(0.0),
         "stop after S seconds of evolution (0: none); result.json then says stopped: time_limit")
        ("resume", po::value<std::string>(), "continue the run in DIR from its checkpoint, with its saved options")
        ("checkpoint-every", po::value<std::size_t>()->default_value(10), "checkpoint every N generations (0: never)")
        ("checkpoint-seconds", po::value<double>()->default_value(1.0),
         "skip a checkpoint that would come less than S seconds of evolution after the last one (0: none skipped; "
         "the one after the last generation is always written)")
        ("selector", po::value<std::string>()->default_value("tournament:5"), "tournament:K | random")
        ("crossover", po::value<std::string>()->default_value("subtree:0.9"), "subtree:PROBABILITY")
        ("mutation", po::value<std::string>()->default_value("subtree:1,point:1,hoist:0.5,shrink:0.5"),
         "weighted mutations: subtree:W,point:W,hoist:W,shrink:W")
        ("mutation-rate", po::value<double>()->default_value(0.3), "probability of mutating a crossover child")
        ("creator", po::value<std::string>()->default_value("additive:5:0.5"),
         "initial trees: ptc2[:SIZE] | rhh:MINDEPTH:MAXDEPTH | additive:K:FRACTION[:MIN:MAX] (that fraction of the "
         "population starts as a sum of K distinct terminals, a sparse ridge for linear scaling; the rest rhh:2:5)")
        ("functions", po::value<std::string>()->default_value("all"), "all | scalar | comma list of primitives")
        ("ensemble", po::value<std::size_t>()->default_value(1),
         "evolve B members (own seeds, same train split, the full budget each) and report their combination "
         "sum tanh((f - median) / (3 MAD)) as one formula; members in OUT/member-K")
        ("islands", po::value<std::string>()->default_value("auto"),
         "N, or auto (2 when the population holds at least 50 and there is no --ensemble, else 1): split the "
         "population into N islands that evolve apart (own seeds, initial trees from --member-creators, "
         "the same train split and total budget) and report one linear formula of their bests, each scaled by its "
         "robust spread on the train architectures; islands in OUT/island-J (1: one population)")
        ("member-creators", po::value<std::string>()->default_value("auto"),
         "the initial trees of islands and members: auto (the run's --creator and rhh:2:5 in turn) or a comma list "
         "of --creator specs; member K's island J takes entry K x islands + J mod N")
        ("max-size", po::value<std::size_t>()->default_value(20), "maximum tree size (nodes)")
        ("max-depth", po::value<std::size_t>()->default_value(8), "maximum tree depth")
        ("elites", po::value<std::size_t>()->default_value(1), "individuals copied unchanged (below --population)")
        ("parsimony", po::value<double>()->default_value(0.0025), "fitness = train tau - parsimony * size")
        ("cost-weight", po::value<double>()->default_value(0.0),
         "cost-aware fitness: subtract W x the formula's seconds per architecture (the sum of the median recorded "
         "times of the distinct proxies it reads; graph terminals are free); 0: cost is only reported")
        ("ridge", po::value<double>()->default_value(1e-3),
         "linear scaling's ridge penalty on the standardised terms (their correlation matrix + RIDGE x identity)")
        ("terms", po::value<std::size_t>()->default_value(5),
         "linear scaling: split the formula's top-level + and - chain into at most K terms (1-5) and weight them by "
         "ridge regression on the train architectures' accuracy ranks (1: off)")
        ("early-stop", po::value<std::size_t>()->default_value(0),
         "LPZero's early stop: reject a candidate whose values on the first K train architectures are identical or "
         "hold a 0 or -1 (pruned as early_stop; 0: off)")
        ("aggregate", po::value<std::string>()->default_value("mean"), "multi-task fitness: mean | worst")
        ("fitness", po::value<std::string>()->default_value("kendall"),
         "kendall | weighted-tau: the train rank correlation the GP maximises (weighted-tau: pairs weighted by "
         "1/(1+r) of the truth rank, the ridge fitted to -log(1+r); for a search that keeps its best cell). The "
         "held-out tau reported is Kendall's either way")
        ("normalize", po::value<std::string>()->default_value("logz+robust"),
         "the terminal transform the formula is written over, fitted without labels on all architectures' features: "
         "none | zscore | logz (log if positive, else asinh; then z-score) | rank (empirical CDF, then z-score) | "
         "robust (log, -log(-x) or asinh; median and MAD; tails beyond 3 compressed) | logz+robust (both: NAME and "
         "NAME_r)")
        ("constants", po::value<double>()->default_value(0.1), "probability that a new leaf is a constant")
        ("stats", po::value<std::string>(), "statistics cache from zcgp gather: per-layer statistics (LayerVector terminals)")
        ("allow-stats-mismatch", po::bool_switch(),
         "accept a --stats cache gathered for another space/dataset than the task's")
        ("proxies", po::value<std::string>(), "comma list: restrict the cached-proxy terminals (default: every usable one)")
        ("terminals", po::value<std::string>()->default_value("auto"),
         "comma list of terminal groups: cached (cached proxy scores), graph (features of each architecture's "
         "encoding, graph_*, free to compute; docs/data.md), raw (LayerVector statistics of --stats); both = cached,raw; "
         "auto: cached, plus graph wherever every task's search space is known (built-in tasks, --table-space)");
    addTableOptions(options);
    addCommonOptions(options);
    return options;
}

NumericRanges ranges() {
    return {
        {"train-archs", {3, 1e9}},
        {"population", {2, 1e7}},
        {"generations", {1, 1e7}},
        {"threads", {0, 1e6}},
        {"time-limit", {0, 1e9}},
        {"checkpoint-every", {0, 1e9}},
        {"checkpoint-seconds", {0, 1e9}},
        {"mutation-rate", {0, 1}},
        {"ensemble", {1, 1000}},
        {"max-size", {1, static_cast<double>(engine::MaxTreeSize)}},
        {"max-depth", {1, static_cast<double>(engine::MaxTreeDepth)}},
        {"elites", {0, 1e7}},
        {"parsimony", {0, 1}},
        {"cost-weight", {0, 1e6}},
        {"ridge", {0, 1e6}},
        {"terms", {1, static_cast<double>(engine::MaxLinearTerms)}},
        {"early-stop", {0, 1e9}},
        {"constants", {0, 0.9}},
    };
}

std::string usage() {
    return "(--task SPACE/TASK [--task ...] | --table FILE.csv --target COLUMN [--target-order higher|lower] [--id COLUMN]) "
           "[--exclude COLUMN ...] [--train-archs N] [--population N] [--generations N] [--seed S] "
           "[--threads T] [--out DIR [--force]] [--json] [--quiet|--verbose] [--time-limit S] | --resume DIR";
}

bool isRuntimeOption(std::string const& name) {
    static std::set<std::string> const runtime{"threads", "quiet", "json", "verbose", "time-limit", "resume", "data",
                                               "checkpoint-seconds", "help"};
    return runtime.count(name) != 0U;
}

std::vector<std::string> savedArguments(fs::path const& dir) {
    auto const file = dir / "options.json";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw UsageError(fmt::format("--resume {}: no such run directory", dir.string()));
    if (!fs::is_regular_file(file, ec)) {
        throw UsageError(fmt::format("--resume {}: no options.json there (not a zcgp evolve run)", dir.string()));
    }
    std::ifstream is(file);
    std::stringstream text;
    text << is.rdbuf();
    try {
        auto args = json::parse(text.str()).get<std::vector<std::string>>();
        // zcgp evolve saves --terminals since its default became auto; a run without it had the old default
        bool const hasTerminals = std::any_of(args.begin(), args.end(), [](std::string const& a) {
            return a == "--terminals" || a.rfind("--terminals=", 0) == 0;
        });
        if (!hasTerminals) args.insert(args.end(), {"--terminals", "cached"});
        return args;
    } catch (json::exception const&) {
        throw UsageError(fmt::format("{}: not a zcgp evolve options file (expected a JSON array of the run's arguments)",
                                     file.string()));
    }
}

namespace {

// The flag name of a token ("--name" or "--name=value"), or "" for a value.
std::string flagName(std::string const& token) {
    if (token.rfind("--", 0) != 0) return "";
    return token.substr(2, token.find('=') == std::string::npos ? std::string::npos : token.find('=') - 2);
}

// Splits arguments into (flag, tokens of that flag) in order; flags without a value have no tokens.
std::vector<std::pair<std::string, std::vector<std::string>>> splitFlags(po::options_description const& desc,
                                                                         std::vector<std::string> const& args) {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto const name = flagName(args[i]);
        if (name.empty()) {
            out.emplace_back("", std::vector<std::string>{args[i]});
            continue;
        }
        std::vector<std::string> tokens{args[i]};
        auto const* d = desc.find_nothrow(name, false);
        bool const takesValue = d != nullptr && d->semantic()->max_tokens() > 0;
        if (takesValue && args[i].find('=') == std::string::npos && i + 1 < args.size()) tokens.push_back(args[++i]);
        out.emplace_back(name, std::move(tokens));
    }
    return out;
}

// Typed equality of two parsed values of one flag.
bool sameValue(boost::any const& a, boost::any const& b) {
    if (a.type() != b.type()) return false;
    if (auto const* x = boost::any_cast<std::string>(&a)) return *x == boost::any_cast<std::string>(b);
    if (auto const* x = boost::any_cast<std::size_t>(&a)) return *x == boost::any_cast<std::size_t>(b);
    if (auto const* x = boost::any_cast<double>(&a)) return *x == boost::any_cast<double>(b);
    if (auto const* x = boost::any_cast<bool>(&a)) return *x == boost::any_cast<bool>(b);
    if (auto const* x = boost::any_cast<std::vector<std::string>>(&a)) {
        return *x == boost::any_cast<std::vector<std::string>>(b);
    }
    return false;
}

std::string shown(boost::any const& a) {
    if (a.empty()) return "(not given)";
    if (auto const* x = boost::any_cast<std::string>(&a)) return *x;
    if (auto const* x = boost::any_cast<std::size_t>(&a)) return std::to_string(*x);
    if (auto const* x = boost::any_cast<double>(&a)) return fmt::format("{}", *x);
    if (auto const* x = boost::any_cast<bool>(&a)) return *x ? "on" : "off";
    if (auto const* x = boost::any_cast<std::vector<std::string>>(&a)) return fmt::format("{}", fmt::join(*x, " "));
    return "?";
}

}  // namespace

std::vector<std::string> resumeArguments(fs::path const& dir, std::vector<std::string> const& given) {
    auto const desc = options();
    auto saved = savedArguments(dir);
    pinIslands(saved);
    po::variables_map savedVm, givenVm;
    try {
        if (!parseArguments("evolve", usage(), desc, saved, savedVm, nullptr, ranges())) return {};
    } catch (UsageError const& e) {
        throw UsageError(fmt::format("{}: the saved arguments no longer parse: {}", (dir / "options.json").string(),
                                     e.what()));
    }
    if (!parseArguments("evolve", usage(), desc, given, givenVm, nullptr, ranges())) return {};
    if (givenVm["force"].as<bool>()) throw UsageError("zcgp evolve: --force and --resume contradict each other");
    for (auto const& [name, value] : givenVm) {
        if (value.defaulted() || isRuntimeOption(name)) continue;
        if (name == "out") {
            std::error_code ec;
            if (!fs::equivalent(fs::path(value.as<std::string>()), dir, ec)) {
                throw UsageError(fmt::format("zcgp evolve: --out {} differs from --resume {}", value.as<std::string>(),
                                             dir.string()));
            }
            continue;
        }
        auto const it = savedVm.find(name);
        boost::any const savedValue = it == savedVm.end() ? boost::any() : it->second.value();
        if (!sameValue(value.value(), savedValue)) {
            throw UsageError(fmt::format("zcgp evolve --resume {}: --{} {} differs from the run's saved --{} {} (a "
                                         "resumed run keeps its options; start a new run to change it)",
                                         dir.string(), name, shown(value.value()), name, shown(savedValue)));
        }
    }
    std::vector<std::string> args;
    for (auto const& [name, tokens] : splitFlags(desc, saved)) {
        if (name == "out" || isRuntimeOption(name)) continue;
        args.insert(args.end(), tokens.begin(), tokens.end());
    }
    for (auto const& [name, tokens] : splitFlags(desc, given)) {
        if (!isRuntimeOption(name) || name == "resume") continue;
        args.insert(args.end(), tokens.begin(), tokens.end());
    }
    args.insert(args.end(), {"--out", dir.string(), "--resume", dir.string()});
    return args;
}

TerminalGroups parseTerminalGroups(std::string const& spec) {
    TerminalGroups g{false, false, false, false, {}};
    if (spec == "auto") {
        g.cached = g.graphIfKnown = true;
        g.spelling = "auto";
        return g;
    }
    std::stringstream list(spec);
    for (std::string item; std::getline(list, item, ',');) {
        if (item == "cached") g.cached = true;
        else if (item == "graph") g.graph = true;
        else if (item == "raw") g.raw = true;
        else if (item == "both") g.cached = g.raw = true;  // the spelling of runs before terminal groups
        else if (item == "auto") throw UsageError("--terminals: auto stands alone (it is cached, plus graph where the search space is known)");
        else throw UsageError(fmt::format("--terminals: unknown group '{}' (valid: auto, cached, graph, raw; a comma list)", item));
    }
    if (!g.cached && !g.graph && !g.raw) throw UsageError("--terminals: no group given (valid: auto, cached, graph, raw)");
    std::vector<std::string> names;
    if (g.cached) names.emplace_back("cached");
    if (g.graph) names.emplace_back("graph");
    if (g.raw) names.emplace_back("raw");
    g.spelling = fmt::format("{}", fmt::join(names, ","));
    if (g.spelling == "cached,raw") g.spelling = "both";  // as runs before terminal groups recorded it
    return g;
}

std::size_t parseIslands(std::string const& spec, std::size_t population, std::size_t ensemble) {
    if (spec == "auto") return population >= 50 && ensemble == 1 ? 2 : 1;
    std::size_t used = 0;
    unsigned long n = 0;
    try {
        n = std::stoul(spec, &used);
    } catch (std::exception const&) {
        used = 0;
    }
    if (used != spec.size() || spec.empty() || !std::isdigit(static_cast<unsigned char>(spec[0])) || n < 1 || n > 1000) {
        throw UsageError(fmt::format("--islands: '{}' is not auto or a whole number in [1, 1000]", spec));
    }
    return n;
}

void pinIslands(std::vector<std::string>& args) {
    for (auto const& [name, tokens] : splitFlags(options(), args)) {
        if (name == "islands") return;
    }
    args.insert(args.end(), {"--islands", "1"});
}

RunInputs prepareRun(po::variables_map const& vm, PrepareOverrides const& overrides) {
    RunInputs in;
    if (vm.count("task") == 0U && vm.count("table") == 0U) {
        throw UsageError("zcgp evolve: --task is required (e.g. --task nb201/cifar10), or --table FILE.csv --target COLUMN");
    }
    auto request = tableRequest(vm);  // --table, --target, --target-order, --id, --exclude
    auto& cfg = in.config;
    cfg.populationSize = vm["population"].as<std::size_t>();
    cfg.generations = vm["generations"].as<std::size_t>();
    cfg.trainArchs = vm["train-archs"].as<std::size_t>();
    cfg.seed = vm["seed"].as<std::uint64_t>();
    cfg.threads = effectiveThreads(vm["threads"].as<std::size_t>());
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
    cfg.linearTerms = vm["terms"].as<std::size_t>();
    cfg.costWeight = vm["cost-weight"].as<double>();
    cfg.earlyStop = vm["early-stop"].as<std::size_t>();
    cfg.ridgeLambda = vm["ridge"].as<double>();
    cfg.constantProbability = vm["constants"].as<double>();
    if (cfg.elites >= cfg.populationSize) {
        throw UsageError(fmt::format("--elites {} must be below --population {}", cfg.elites, cfg.populationSize));
    }
    in.ensemble = vm["ensemble"].as<std::size_t>();
    in.islands = parseIslands(vm["islands"].as<std::string>(), cfg.populationSize, in.ensemble);
    // the largest formula a run can report: each island's weighted best (its tree and a weight per linear term),
    // plus a weight and a '+' per island, then tanh((f - median) * k) and a '+' around each ensemble member
    std::size_t const island = cfg.maxSize + 2 * cfg.linearTerms + (in.islands > 1 ? 3 : 0);
    std::size_t const member = in.islands * island + (in.ensemble > 1 ? 6 : 0);
    if (in.ensemble * member > engine::MaxTreeSize) {
        throw UsageError(fmt::format("--ensemble {} with --islands {}, --max-size {} and --terms {}: the combined "
                                     "formula could exceed the {}-node tree limit (at most {} members of that size)",
                                     in.ensemble, in.islands, cfg.maxSize, cfg.linearTerms, engine::MaxTreeSize,
                                     engine::MaxTreeSize / member));
    }
    auto const& memberSpec = vm["member-creators"].as<std::string>();
    try {
        in.creators = engine::ensembleMemberCreators(memberSpec, cfg.creator, in.ensemble * in.islands);
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("--member-creators '{}': {}", memberSpec, e.what()));
    }
    for (auto const& c : in.creators) {
        try {
            (void)engine::makeCreator(c, cfg.maxSize);
        } catch (std::invalid_argument const& e) {
            throw UsageError(fmt::format("--member-creators '{}': entry '{}' is not a creator ({})", memberSpec, c,
                                         e.what()));
        }
    }
    if (in.islands > 1) {
        try {
            (void)engine::islandConfigs(cfg, in.islands, std::span(in.creators).first(in.islands));
        } catch (std::invalid_argument const& e) {
            throw UsageError(fmt::format("--islands {}: {}", in.islands, e.what()));
        }
    }
    in.normalize = vm["normalize"].as<std::string>();
    primitives::Normalization normalization{};
    try {
        cfg.aggregate = engine::parseAggregate(vm["aggregate"].as<std::string>());
        cfg.fitness = engine::parseFitnessMetric(vm["fitness"].as<std::string>());
        normalization = primitives::parseNormalization(in.normalize);
    } catch (std::invalid_argument const& e) {
        throw UsageError(e.what());
    }
    auto const groups = parseTerminalGroups(vm["terminals"].as<std::string>());
    in.terminalSet = groups.spelling;
    if (overrides.stats) in.stats = overrides.stats;
    else if (vm.count("stats") != 0U) in.stats = fs::absolute(vm["stats"].as<std::string>()).lexically_normal().string();
    if (!in.stats && groups.raw) {
        throw UsageError(fmt::format("--terminals {} needs --stats FILE (a statistics cache from zcgp gather)",
                                     in.terminalSet));
    }
    request.cachedTerminals = groups.cached;
    request.graphTerminals = groups.graph;
    request.graphIfKnown = groups.graphIfKnown;

    if (vm.count("task") != 0U) request.ids = vm["task"].as<std::vector<std::string>>();
    // a researcher's own tables need no data directory
    auto const benchmark = request.ids.empty() ? proxy_cache::Benchmark{} : proxy_cache::Benchmark::load(resolveDataDir(vm));
    if (vm.count("proxies") != 0U) {
        std::stringstream list(vm["proxies"].as<std::string>());
        for (std::string p; std::getline(list, p, ',');) {
            if (!p.empty()) request.proxies.push_back(p);
        }
    }
    request.normalization = normalization;
    std::vector<ConversionReport> reports;
    in.tasks = loadTasks(benchmark, request, reports);
    if (groups.graphIfKnown) {
        // what auto resolved to is what the run records (result.json "terminal_set"), and one line says which
        bool const graph = reports.at(0).graphTerminals;
        in.terminalSet = graph ? "cached,graph" : "cached";
        in.notes.push_back(graph ? "terminals: cached,graph (--terminals auto, the default: the graph features of each "
                                   "architecture's encoding are terminals too; --terminals cached leaves them out)"
                                 : fmt::format("terminals: cached (--terminals auto, the default: no graph features, "
                                               "{})", reports.at(0).graphSkipped));
    }

    if (in.stats) {
        proxy_cache::StatisticsCache cache;
        try {
            cache = proxy_cache::StatisticsCache::read(*in.stats);
        } catch (std::exception const& e) {
            throw UsageError(fmt::format("--stats: {}", e.what()));
        }
        bool const allowMismatch = overrides.allowStatsMismatch || vm["allow-stats-mismatch"].as<bool>();
        for (std::size_t t = 0; t < in.tasks.size(); ++t) {
            auto const cacheTask = cache.options().space + "/" + cache.options().dataset;
            if (cacheTask != in.tasks[t].id && !allowMismatch) {
                throw UsageError(fmt::format("--stats {}: gathered for {}, but the task is {} (pass "
                                             "--allow-stats-mismatch if the mismatch is meant)",
                                             *in.stats, cacheTask, in.tasks[t].id));
            }
            StatsReport sr;
            // the task's scalars are already the groups asked for, except with raw alone (then they only select rows)
            in.tasks[t].data = evolve::appendLayerVectorTerminals(in.tasks[t].data, cache, groups.cached || groups.graph,
                                                                  groups.raw, sr);
            reports[t].keptArchs = in.tasks[t].data.rows();
            reports[t].droppedArchs += sr.archsWithoutStats;
            in.notes.push_back(fmt::format(
                "{}: {} LayerVector terminals from {} ({} architectures without statistics dropped){}{}{}{}",
                in.tasks[t].id, sr.kept.size(), *in.stats, sr.archsWithoutStats,
                sr.skippedLayout.empty() ? "" : "; other layer layout, skipped: ", fmt::join(sr.skippedLayout, ", "),
                sr.skippedNonFinite.empty() ? "" : "; non-finite, skipped: ", fmt::join(sr.skippedNonFinite, ", ")));
        }
    }
    for (auto const& r : reports) {
        if (cfg.trainArchs >= r.keptArchs) {
            throw UsageError(fmt::format("--train-archs {} must be smaller than the {} usable architectures of {} ({}; "
                                         "the rest are held out)", cfg.trainArchs, r.keptArchs, r.task, r.source));
        }
        in.data.push_back({r.task, r.keptArchs, r.droppedArchs, r.droppedProxies, r.source, r.target, r.targetNegated});
        if (auto const note = targetNote(r); !note.empty()) in.notes.push_back(note);
        in.notes.push_back(fmt::format("{}: {} architectures kept, {} dropped (missing a proxy); {} proxies dropped{}{}",
                                       r.task, r.keptArchs, r.droppedArchs, r.droppedProxies.size(),
                                       r.droppedProxies.empty() ? "" : ": ", fmt::join(r.droppedProxies, ", ")));
    }
    // the GP configuration (selector, creator, mutation specs, terminal layouts) is checked by building it once
    try {
        engine::Evolution probe(in.tasks, cfg);
    } catch (std::invalid_argument const& e) {
        throw UsageError(e.what());
    }
    return in;
}

RunInputs prepareFormulaInputs(std::vector<std::string> const& taskArgs, std::string const& normalize,
                               po::variables_map const& dataVm, PrepareOverrides const& overrides) {
    std::vector<std::string> args = taskArgs;
    args.insert(args.end(), {"--normalize", normalize, "--quiet", "--threads", "1", "--train-archs", "3"});
    if (overrides.stats) args.insert(args.end(), {"--stats", *overrides.stats, "--terminals", "both"});
    if (dataVm.count("data") != 0U) args.insert(args.end(), {"--data", dataVm["data"].as<std::string>()});
    po::variables_map vm;
    (void)parseArguments("evolve", usage(), options(), args, vm, nullptr, ranges());
    return prepareRun(vm, overrides);
}

RunInputs prepareFinishedRun(fs::path const& dir, po::variables_map const& dataVm, PrepareOverrides const& given) {
    auto args = savedArguments(dir);
    pinIslands(args);
    PrepareOverrides overrides = given;
    if (!overrides.stats && fs::exists(dir / "result.json")) {
        // the cache the run recorded (an absolute path), so a run can be used from any working directory
        try {
            overrides.stats = engine::readRunReport(dir).stats;
        } catch (engine::RunReportError const& e) {
            throw UsageError(e.what());
        }
    }
    std::vector<std::string> kept;
    auto const desc = options();
    for (auto const& [name, tokens] : splitFlags(desc, args)) {
        if (name == "out" || name == "force" || isRuntimeOption(name)) continue;
        bool const names = name == "task" || name == "table" || name == "target" || name == "target-order" || name == "id";
        if (names && (!overrides.tasks.empty() || !overrides.taskArgs.empty())) continue;
        kept.insert(kept.end(), tokens.begin(), tokens.end());
    }
    for (auto const& t : overrides.tasks) kept.insert(kept.end(), {"--task", t});
    kept.insert(kept.end(), overrides.taskArgs.begin(), overrides.taskArgs.end());
    kept.insert(kept.end(), {"--quiet", "--threads", "1"});
    if (dataVm.count("data") != 0U) kept.insert(kept.end(), {"--data", dataVm["data"].as<std::string>()});
    po::variables_map vm;
    try {
        (void)parseArguments("evolve", usage(), desc, kept, vm, nullptr, ranges());
    } catch (UsageError const& e) {
        throw UsageError(fmt::format("{}: the run's saved arguments no longer parse: {}", (dir / "options.json").string(),
                                     e.what()));
    }
    return prepareRun(vm, overrides);
}

}  // namespace zcgp::cli::evolve
