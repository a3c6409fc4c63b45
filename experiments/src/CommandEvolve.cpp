// zcgp evolve: genetic programming of zero-cost proxy formulas over the cached proxy scores of one or more
// NAS-Bench-Suite-Zero tasks. Fitness is Kendall tau-b on a per-seed sample of train architectures; the
// rest are held out. Writes <out>/log.jsonl (one line per generation), <out>/checkpoint.bin (every N
// generations, atomic), <out>/result.json (atomic, only on success) and optionally one JSON object to stdout.
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "Command.hpp"
#include "EvolveOptions.hpp"
#include "EvolveTasks.hpp"
#include "Progress.hpp"
#include "zcgp/engine/Checkpoint.hpp"
#include "zcgp/engine/Ensemble.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/RunReport.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;



namespace zcgp::cli {
namespace {

std::map<std::string, std::uint64_t> pruneMap(engine::PruneCounts const& counts) {
    std::map<std::string, std::uint64_t> m;
    for (std::size_t r = 0; r < engine::PruneRuleCount; ++r) {
        m[std::string(engine::toString(static_cast<engine::PruneRule>(r)))] = counts[r];
    }
    return m;
}

// What a finished evolution (a single run or one ensemble member) reports.
struct Outcome {
    engine::Tree tree;  // the reported formula: the run's best penalised fitness, or the ensemble's combination
    double penalisedFitness{0};
    double seconds{0};  // the evolution loop only (as DEAP's baseline times its loop)
    std::uint64_t evaluations{0}, nodeEvaluations{0};
    engine::PruneCounts pruned{};
    std::size_t generations{0};
    bool timeLimited{false};  // stopped by --time-limit before the generation budget
    std::vector<std::pair<engine::Tree, double>> pareto;  // (tree, train tau), size ascending
    std::vector<std::pair<engine::Tree, double>> costPareto;  // (tree, train tau), cost ascending (single runs)
};

// How a run is shown and executed (never what it computes).
struct Display {
    bool quiet{false}, verbose{false}, bar{false};
    std::size_t checkpointEvery{10};
    double checkpointSeconds{1.0};
};


// A checkpoint to resume from: checkpoint.bin (or its complete .tmp, engine::findCheckpoint), or an older zcgp's
// checkpoint.json (which loadCheckpoint refuses, naming its format version, instead of the run silently starting
// again).
std::optional<fs::path> checkpointIn(fs::path const& dir) {
    if (auto file = engine::findCheckpoint(dir / engine::CheckpointFileName)) return file;
    if (fs::exists(dir / "checkpoint.json")) return dir / "checkpoint.json";
    return std::nullopt;
}
bool hasCheckpoint(fs::path const& dir) { return checkpointIn(dir).has_value(); }

// Runs (or resumes) one evolution in `out`: checkpoint.bin, log.jsonl, and progress on screen.
Outcome evolveOne(engine::Evolution& evo, fs::path const& out, bool resume, Display const& display,
                  std::string const& label) {
    auto const checkpoint = out / engine::CheckpointFileName;
    if (resume) {
        auto const from = checkpointIn(out).value_or(checkpoint);
        try {
            evo.loadCheckpoint(from);
        } catch (std::exception const& e) {
            throw UsageError(fmt::format("--resume: cannot continue from {}: {}", from.string(), e.what()));
        }
        if (!display.quiet) {
            std::cerr << fmt::format("{}resumed {} at generation {} of {}\n", label, out.string(), evo.generation(),
                                     evo.config().generations);
        }
    }
    evo.setCheckpoint(checkpoint, display.checkpointEvery, display.checkpointSeconds);

    // log.jsonl: on resume, keep the lines up to the checkpoint's generation (later ones are written again)
    if (resume && fs::exists(out / "log.jsonl")) {
        std::ifstream is(out / "log.jsonl");
        std::string line, kept;
        std::size_t lineNumber = 0;
        while (std::getline(is, line)) {
            ++lineNumber;
            if (line.empty()) continue;
            json entry;
            try {
                entry = json::parse(line);
            } catch (json::exception const&) {
                break;  // a line cut short by a kill: it and anything after it are regenerated
            }
            if (!entry.is_object() || !entry.contains("generation") || !entry["generation"].is_number_unsigned()) {
                throw UsageError(fmt::format("{}:{}: not a zcgp evolve log line", (out / "log.jsonl").string(), lineNumber));
            }
            if (entry["generation"].get<std::size_t>() <= evo.generation()) kept += line + "\n";
        }
        writeAtomically(out / "log.jsonl", kept);
    } else if (!resume) {
        fs::remove(out / "log.jsonl");
    }
    std::ofstream log(out / "log.jsonl", std::ios::app);
    ProgressBar bar(label, evo.config().generations, display.bar);
    // one JSON line per generation, written with fmt (building the whole json object per generation cost ~10%
    // of a paper-budget run); the same keys and number format as json::dump, non-finite numbers as null
    auto number = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string("null"); };
    auto onGeneration = [&](engine::GenerationStats const& s) {
        log << fmt::format("{{\"best_formula\":{},\"best_size\":{},\"best_test_tau\":{},\"best_train_tau\":{},\"evaluations\":{},"
                           "\"generation\":{},\"mean_size\":{},\"mean_train_tau\":{},\"node_evaluations\":{},\"pruned\":{},"
                           "\"run_best_train_tau\":{},\"seconds\":{}}}\n",
                           json(s.bestFormula).dump(), s.bestSize, number(s.bestTestTau), number(s.bestTrainTau), s.evaluations, s.generation,
                           number(s.meanSize), number(s.meanTrainTau), s.nodeEvaluations, json(pruneMap(s.pruned)).dump(),
                           number(s.bestSoFarTrainTau), number(s.seconds))
            << std::flush;
        if (display.verbose) {
            std::uint64_t prunedTotal = 0;
            for (auto c : s.pruned) prunedTotal += c;
            std::cerr << fmt::format(
                "{}gen {:>4}/{}  population best train tau {:.4f}  run best (max train tau - parsimony*size): train "
                "{:.4f}, held-out {:.4f}, size {}  mean size {:5.1f}  {:.3g} evals/s  pruned {} [nt {} lim {} red {} "
                "const {} nonfin {} dup {}]\n",
                label, s.generation, evo.config().generations, s.bestTrainTau, s.bestSoFarTrainTau, s.bestTestTau,
                s.bestSize, s.meanSize, s.evaluationsPerSecond, prunedTotal, s.pruned[0], s.pruned[1], s.pruned[2],
                s.pruned[3], s.pruned[4], s.pruned[5]);
        }
        if (bar.enabled()) {  // the detail text is built only when drawn: this runs every generation
            bar.update(s.generation, fmt::format("run best: train tau {:.4f}, size {}", s.bestSoFarTrainTau, s.bestSize));
        }
    };
    evo.run(onGeneration);
    bar.finish();
    if (display.checkpointEvery > 0) evo.saveCheckpoint(checkpoint);
    Outcome o;
    o.tree = evo.best().tree;
    o.penalisedFitness = evo.best().fitness;
    o.seconds = evo.seconds();
    o.evaluations = evo.evaluations();
    o.nodeEvaluations = evo.nodeEvaluations();
    o.pruned = evo.pruned();
    o.generations = evo.generation();
    o.timeLimited = evo.generation() < evo.config().generations;
    for (auto const& ind : evo.pareto()) o.pareto.emplace_back(ind.tree, ind.trainTau);
    for (auto const& ind : evo.costPareto()) o.costPareto.emplace_back(ind.tree, ind.trainTau);
    return o;
}

// A member finished before a resume: its outcome as its result.json recorded it.
Outcome loadOutcome(fs::path const& file, engine::Evolution const& evo) {
    try {
        auto const r = engine::readRunReport(file);
        auto const vocab = engine::Vocabulary::of(evo.tasks()[0].data);
        Outcome o;
        o.tree = engine::parse(r.formula, vocab);
        o.penalisedFitness = r.penalisedFitness;
        o.seconds = r.seconds;
        o.evaluations = r.evaluations;
        o.nodeEvaluations = r.nodeEvaluations;
        o.generations = r.generations;
        o.timeLimited = r.stopped == "time_limit";
        for (std::size_t k = 0; k < engine::PruneRuleCount; ++k) {
            auto const name = std::string(engine::toString(static_cast<engine::PruneRule>(k)));
            auto it = r.pruned.find(name);
            // a member finished by a zcgp before the early-stop rule (issue 16) had rejected nothing under it
            if (it == r.pruned.end() && static_cast<engine::PruneRule>(k) == engine::PruneRule::EarlyStop) continue;
            if (it == r.pruned.end()) throw engine::RunReportError(fmt::format("{}: field 'pruned.{}': missing", file.string(), name));
            o.pruned[k] = it->second;
        }
        for (auto const& p : r.pareto) o.pareto.emplace_back(engine::parse(p.formula, vocab), p.trainTau);
        for (auto const& p : r.costPareto) o.costPareto.emplace_back(engine::parse(p.formula, vocab), p.trainTau);
        return o;
    } catch (std::exception const& e) {
        throw UsageError(fmt::format("--resume: cannot reuse the finished member: {}", e.what()));
    }
}

// The report of a run (or member): the formula's train/held-out quality per task, the best hand-crafted proxy
// chosen by its train tau (aggregated like the GP's fitness), the run's cost and its Pareto front.
engine::RunReport report(engine::Evolution const& evo, engine::Tree const& tree, Outcome const& o,
                         evolve::RunInputs const& in) {
    auto a = evo.assess(tree);
    engine::RunReport r;
    r.formula = evo.format(tree);
    r.simplified = evo.format(engine::simplify(tree));
    r.size = tree.size();
    r.depth = tree.depth();
    r.trainTau = a.train;
    r.testTau = a.test;
    r.testSpearman = a.spearman;
    r.penalisedFitness = o.penalisedFitness;
    r.finiteOnAllArchs = a.finite;
    for (std::size_t t = 0; t < evo.tasks().size(); ++t) {
        engine::TaskQuality q{evo.tasks()[t].id, a.trainTau[t], a.testTau[t], a.testSpearman[t], evo.train(t).size(),
                              evo.test(t).size(), {}};
        for (auto row : evo.train(t)) q.trainKeys.push_back(evo.tasks()[t].data.archKeys()[row]);
        r.perTask.push_back(std::move(q));
        r.tasks.push_back(evo.tasks()[t].id);
    }
    auto const& d0 = evo.tasks()[0].data;
    double bestTrain = -3.0;
    for (std::size_t c = 0; c < d0.scalarCount(); ++c) {
        if (d0.scalarNames()[c].starts_with(tasks::kGraphPrefix)) continue;  // a graph feature is not a proxy
        engine::Tree single({engine::Node::variable(static_cast<std::uint32_t>(c))});
        auto h = evo.assess(single);
        if (h.train > bestTrain) {
            bestTrain = h.train;
            r.bestHandcrafted = engine::HandcraftedQuality{d0.scalarNames()[c], h.train, h.test, h.spearman};
        }
    }
    for (auto const& [t, trainTau] : o.pareto) r.pareto.push_back({t.size(), evo.format(t), trainTau, evo.assess(t).test});
    if (evo.costed()) {
        r.cost = evo.cost(tree);
        for (auto const& [t, trainTau] : o.costPareto) {
            r.costPareto.push_back({evo.cost(t), t.size(), evo.format(t), trainTau, evo.assess(t).test});
        }
    }
    r.terms = evo.config().linearTerms;
    r.costWeight = evo.config().costWeight;
    r.seed = evo.config().seed;
    r.generations = o.generations;
    r.generationsPlanned = evo.config().generations;
    r.stopped = o.timeLimited ? "time_limit" : "generations";
    r.population = evo.config().populationSize;
    r.trainArchs = evo.config().trainArchs;
    r.seconds = o.seconds;
    r.evaluations = o.evaluations;
    r.nodeEvaluations = o.nodeEvaluations;
    r.pruned = pruneMap(o.pruned);
    r.data = in.data;
    r.normalize = in.normalize;
    r.terminals = evolve::transformsOf(d0);
    r.terminalSet = in.terminalSet;
    r.fitness = std::string(engine::toString(in.config.fitness));
    r.stats = in.stats;
    return r;
}

void printReport(engine::RunReport const& r) {
    std::cerr << fmt::format("best: {}\n", r.formula);
    std::cerr << fmt::format("  over {}-transformed terminals (result.json \"terminals\"); size {}  train tau {:.4f}  "
                             "held-out tau {:.4f}  spearman {:.4f}\n",
                             r.normalize, r.size, r.trainTau, r.testTau, r.testSpearman);
    if (r.islands > 1) {
        std::vector<std::size_t> sizes;
        for (auto const& b : r.islandBests) sizes.push_back(b.size);
        std::cerr << fmt::format("  the bests of {} islands of the population of {} (--islands; result.json \"island_bests\"), "
                                 "sizes {}, one linear formula\n", r.islands, r.population, fmt::join(sizes, ", "));
    }
    for (auto const& t : r.perTask) {
        std::cerr << fmt::format("  {}: trained on {} architectures, held-out tau over the other {} ({:.4f})\n", t.task,
                                 t.trainArchs, t.testArchs, t.testTau);
    }
    if (r.bestHandcrafted) {  // none without scalar terminals (--terminals raw)
        std::cerr << fmt::format("  best hand-crafted (chosen on train): {}  train {:.4f}  held-out {:.4f}\n",
                                 r.bestHandcrafted->name, r.bestHandcrafted->trainTau, r.bestHandcrafted->testTau);
    }
    if (!r.finiteOnAllArchs) std::cerr << "  warning: the formula is non-finite on some architectures\n";
    if (r.stopped == "time_limit") {
        std::cerr << fmt::format("  stopped by --time-limit after {} of {} generations\n", r.generations,
                                 r.generationsPlanned);
    }
}

void finish(engine::RunReport const& r, fs::path const& out, bool printJson, bool quiet) {
    auto const text = engine::toJsonText(r, 2);
    writeAtomically(out / "result.json", text);
    if (printJson) std::cout << engine::toJsonText(r, -1) << std::endl;
    if (!quiet) printReport(r);
}

// The parts of a run (islands, or ensemble members) added up: their loop time, evaluations and rejections, and the
// union of their size fronts. The tree, penalised fitness and any cost front are the caller's.
Outcome combinedOutcome(std::vector<Outcome> const& parts) {
    Outcome total;
    for (auto const& m : parts) {
        total.seconds += m.seconds;
        total.evaluations += m.evaluations;
        total.nodeEvaluations += m.nodeEvaluations;
        for (std::size_t r = 0; r < engine::PruneRuleCount; ++r) total.pruned[r] += m.pruned[r];
        total.generations = std::max(total.generations, m.generations);
        total.timeLimited = total.timeLimited || m.timeLimited;
        total.pareto.insert(total.pareto.end(), m.pareto.begin(), m.pareto.end());
    }
    total.pareto = engine::sizeFront(std::move(total.pareto));
    return total;
}

// One population's evolution in `dir` (resumed from its checkpoint if asked), or, for --islands N > 1, its N
// islands in dir/island-J, each with its own checkpoint and result.json, combined into one formula
// (engine::islandCombination). creators: one --creator spec per island (unused for one population, which starts
// from cfg.creator). `evo` is left holding an Evolution of the
// run's tasks and split (for the report); islandBests receives each island's best.
Outcome evolvePopulation(evolve::RunInputs const& inputs, engine::EvolutionConfig const& cfg,
                         std::span<std::string const> creators, fs::path const& dir, bool resume,
                         Display const& display, std::string const& label, std::unique_ptr<engine::Evolution>& evo,
                         std::vector<engine::EnsembleMember>& islandBests, std::vector<fs::path>& written) {
    if (inputs.islands == 1) {  // cfg.creator is the run's --creator, or the member's
        evo = std::make_unique<engine::Evolution>(inputs.tasks, cfg);
        return evolveOne(*evo, dir, resume && hasCheckpoint(dir), display, label);
    }
    // The islands run side by side where there are threads enough and no progress is drawn (one bar per island
    // would overwrite each other, and the Python module's observer sees this thread only); otherwise one after the
    // other (engine::islandConfigs). Each island's result is the same either way, so only the wall time differs.
    std::size_t const n = inputs.islands;
    bool const together = cfg.threads >= n && !display.bar && !ProgressBar::observed();
    auto const configs = engine::islandConfigs(cfg, n, creators, together);
    std::vector<std::unique_ptr<engine::Evolution>> evos(n);
    std::vector<Outcome> parts(n);
    for (std::size_t j = 0; j < n; ++j) {
        fs::path const island = dir / fmt::format("island-{}", j);
        written.push_back(island);
        fs::create_directories(island);
    }
    auto const runIsland = [&](std::size_t j) {
        fs::path const island = dir / fmt::format("island-{}", j);
        evos[j] = std::make_unique<engine::Evolution>(inputs.tasks, configs[j]);
        auto& e = *evos[j];
        auto const islandLabel = fmt::format("{}[island {}/{}] ", label, j + 1, n);
        // an island that finished its generations before a resume is reused; one cut short continues
        bool finished = false;
        if (resume && fs::exists(island / "result.json")) {
            parts[j] = loadOutcome(island / "result.json", e);
            finished = parts[j].generations >= configs[j].generations;
        }
        if (finished) {
            if (!display.quiet) std::cerr << fmt::format("{}finished before the resume: {}\n", islandLabel, e.format(parts[j].tree));
        } else {
            parts[j] = evolveOne(e, island, resume && hasCheckpoint(island), display, islandLabel);
            writeAtomically(island / "result.json", engine::toJsonText(report(e, parts[j].tree, parts[j], inputs)));
        }
    };
    if (together) {
        std::vector<std::future<void>> running;
        for (std::size_t j = 0; j < n; ++j) running.push_back(std::async(std::launch::async, runIsland, j));
        std::exception_ptr failure;
        for (auto& f : running) {  // every island ends before the first failure is rethrown
            try {
                f.get();
            } catch (...) {
                if (!failure) failure = std::current_exception();
            }
        }
        if (failure) std::rethrow_exception(failure);
    } else {
        for (std::size_t j = 0; j < n; ++j) runIsland(j);
    }
    std::vector<engine::Tree> bests;
    double slowest = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        auto const a = evos[j]->assess(parts[j].tree);
        islandBests.push_back({configs[j].seed, evos[j]->format(parts[j].tree), parts[j].tree.size(), a.train, a.test,
                               fmt::format("island-{}", j), configs[j].creator});
        bests.push_back(parts[j].tree);
        slowest = std::max(slowest, parts[j].seconds);
    }
    evo = std::move(evos.back());
    auto total = combinedOutcome(parts);
    if (together) total.seconds = slowest;  // the loop's wall time: the islands ran at once
    if (evo->costed()) {
        std::vector<std::pair<engine::Tree, double>> costs;
        for (auto const& p : parts) costs.insert(costs.end(), p.costPareto.begin(), p.costPareto.end());
        total.costPareto = engine::costFront(std::move(costs), *evo);
    }
    total.tree = engine::islandCombination(bests, *evo);
    auto const assessed = evo->assess(total.tree);
    total.penalisedFitness = assessed.train - cfg.parsimony * static_cast<double>(total.tree.size()) -
                             (evo->costed() ? cfg.costWeight * evo->cost(total.tree) : 0.0);
    return total;
}

// The report of a run (or member) of one population or of islands: the run's own seed and population, not its
// last island's.
engine::RunReport populationReport(engine::Evolution const& evo, Outcome const& o, evolve::RunInputs const& in,
                                   engine::EvolutionConfig const& cfg,
                                   std::vector<engine::EnsembleMember> islandBests) {
    auto r = report(evo, o.tree, o, in);
    r.seed = cfg.seed;
    r.population = cfg.populationSize;
    r.islands = in.islands;
    r.islandBests = std::move(islandBests);
    return r;
}

// The files a run writes into its directory (and nothing else there is ours).
bool isRunFile(fs::path const& p) {
    auto const name = p.filename().string();
    return name == "options.json" || name == "log.jsonl" || name.rfind("checkpoint.", 0) == 0 ||
           name == "result.json" || name.rfind("member-", 0) == 0 || name.rfind("island-", 0) == 0;
}

// --out DIR for a new run: refused if it holds anything unless --force (which then clears the run's files).
void claimOutput(fs::path const& out, bool force) {
    std::error_code ec;
    if (!fs::exists(out, ec)) return;
    if (!fs::is_directory(out, ec)) throw UsageError(fmt::format("--out {}: exists and is not a directory", out.string()));
    if (fs::is_empty(out, ec) || force) return;
    throw UsageError(fmt::format("--out {}: already holds files{}; pass --force to replace the run there, or "
                                 "--resume {} to continue it",
                                 out.string(), fs::exists(out / "result.json") ? " (a finished run)" : "", out.string()));
}

int runEvolve(std::vector<std::string> const& argsIn) {
    auto const options = evolve::options();
    // --resume DIR: the run's saved arguments, plus the runtime flags given now
    std::vector<std::string> args = argsIn;
    {
        po::options_description any("");
        any.add_options()("resume", po::value<std::string>())("help,h", "");
        po::variables_map probe;
        po::store(po::command_line_parser(argsIn).options(any).allow_unregistered().run(), probe);
        if (probe.count("resume") != 0U && probe.count("help") == 0U) {
            fs::path const dir = probe["resume"].as<std::string>();
            std::vector<std::string> given;
            for (std::size_t i = 0; i < argsIn.size(); ++i) {
                if (argsIn[i] == "--resume") { ++i; continue; }
                if (argsIn[i].rfind("--resume=", 0) == 0) continue;
                given.push_back(argsIn[i]);
            }
            args = evolve::resumeArguments(dir, given);
        }
    }
    po::variables_map vm;
    if (!parseArguments("evolve", evolve::usage(), options, args, vm, nullptr, evolve::ranges())) return 0;
    bool const resume = vm.count("resume") != 0U;
    // without --out the run works in a private scratch folder that is removed when the command ends: the result is
    // printed (and --json written), but nothing is kept to export or resume
    bool const keep = vm.count("out") != 0U;
    fs::path const out = keep ? fs::path(vm["out"].as<std::string>())
                              : fs::temp_directory_path() / fmt::format("zcgp-evolve-{}", ::getpid());
    struct Scratch {
        fs::path dir;
        ~Scratch() {
            std::error_code ec;
            if (!dir.empty()) fs::remove_all(dir, ec);
        }
    } const scratch{keep ? fs::path() : out};
    Display display;
    display.quiet = vm["quiet"].as<bool>();
    display.verbose = vm["verbose"].as<bool>() && !display.quiet;
    display.bar = !display.quiet && !display.verbose && ProgressBar::stderrIsTerminal();
    display.checkpointEvery = vm["checkpoint-every"].as<std::size_t>();
    display.checkpointSeconds = vm["checkpoint-seconds"].as<double>();
    if (!resume) claimOutput(out, vm["force"].as<bool>());

    // every check happens before anything is written
    auto const inputs = evolve::prepareRun(vm);
    if (!display.quiet) {
        for (auto const& note : inputs.notes) std::cerr << note << '\n';
        if (!keep) std::cerr << "no --out: the run's files (result.json, log.jsonl, checkpoints) are not kept\n";
    }
    if (resume && !hasCheckpoint(out) && inputs.ensemble == 1 && inputs.islands == 1 && !display.quiet) {
        std::cerr << fmt::format("{}: no checkpoint yet (killed before the first one, or --checkpoint-every 0): "
                                 "starting again from generation 0 with the saved options\n", out.string());
    }

    bool const created = !fs::exists(out);
    std::vector<fs::path> written;
    auto const cleanUp = [&] {  // a fresh run that fails leaves nothing behind
        if (resume) return;
        std::error_code ec;
        if (created) fs::remove_all(out, ec);
        else for (auto const& p : written) fs::remove_all(p, ec);
    };
    try {
        if (!resume) {
            fs::create_directories(out);
            for (auto const& entry : fs::directory_iterator(out)) {
                if (isRunFile(entry.path())) fs::remove_all(entry.path());  // --force
            }
            written = {out / "options.json", out / "log.jsonl", out / engine::CheckpointFileName,
                       out / (std::string(engine::CheckpointFileName) + ".tmp"), out / "result.json"};
            // the terminal default is saved too, so a later default cannot change what --resume or export rebuild
            auto saved = argsIn;
            if (vm["islands"].defaulted()) saved.insert(saved.end(), {"--islands", std::to_string(inputs.islands)});
            if (vm["terminals"].defaulted()) saved.insert(saved.end(), {"--terminals", "auto"});
            writeAtomically(out / "options.json", json(saved).dump());
        }
        if (inputs.ensemble == 1) {
            std::unique_ptr<engine::Evolution> evo;
            std::vector<engine::EnsembleMember> islands;
            auto outcome = evolvePopulation(inputs, inputs.config, inputs.creators, out, resume, display, "", evo,
                                            islands, written);
            finish(populationReport(*evo, outcome, inputs, inputs.config, std::move(islands)), out,
                   vm["json"].as<bool>(), display.quiet);
            return 0;
        }

        // ---- ensemble: members with their own seeds on the same train split, combined into one formula ----
        engine::EvolutionConfig memberCfg = inputs.config;
        memberCfg.splitSeed = inputs.config.seed;
        std::vector<Outcome> members;
        std::vector<engine::EnsembleMember> memberReports;
        std::unique_ptr<engine::Evolution> evo;
        for (std::size_t k = 0; k < inputs.ensemble; ++k) {
            memberCfg.seed = engine::ensembleMemberSeed(inputs.config.seed, k);
            auto const creators = std::span(inputs.creators).subspan(k * inputs.islands, inputs.islands);
            memberCfg.creator = creators[0];
            fs::path const dir = out / fmt::format("member-{}", k);
            written.push_back(dir);
            fs::create_directories(dir);
            auto const label = fmt::format("[member {}/{}] ", k + 1, inputs.ensemble);
            Outcome outcome;
            // a member that finished its generations before a resume is reused; one that was cut short (killed, a
            // time limit) continues from its checkpoint (or its islands' ones)
            bool finished = false;
            if (resume && fs::exists(dir / "result.json")) {
                evo = std::make_unique<engine::Evolution>(inputs.tasks, memberCfg);
                outcome = loadOutcome(dir / "result.json", *evo);
                finished = outcome.generations >= memberCfg.generations;
            }
            if (finished) {
                if (!display.quiet) std::cerr << fmt::format("{}finished before the resume: {}\n", label, evo->format(outcome.tree));
            } else {
                std::vector<engine::EnsembleMember> islands;
                outcome = evolvePopulation(inputs, memberCfg, creators, dir, resume, display, label, evo, islands,
                                           written);
                writeAtomically(dir / "result.json",
                                engine::toJsonText(populationReport(*evo, outcome, inputs, memberCfg, std::move(islands))));
            }
            auto a = evo->assess(outcome.tree);
            std::vector<std::string> used(creators.begin(), creators.end());
            memberReports.push_back({memberCfg.seed, evo->format(outcome.tree), outcome.tree.size(), a.train, a.test,
                                     dir.filename().string(), fmt::format("{}", fmt::join(used, ","))});
            members.push_back(std::move(outcome));
        }
        std::vector<engine::Tree> trees;
        for (auto const& m : members) trees.push_back(m.tree);
        Outcome total = combinedOutcome(members);  // an ensemble reports its size front only
        total.tree = engine::combineEnsemble(trees, *evo);
        auto const assessed = evo->assess(total.tree);
        total.penalisedFitness = assessed.train - inputs.config.parsimony * static_cast<double>(total.tree.size());
        auto result = populationReport(*evo, total, inputs, inputs.config, {});
        result.ensemble = inputs.ensemble;
        result.members = memberReports;
        finish(result, out, vm["json"].as<bool>(), display.quiet);
        return 0;
    } catch (...) {
        cleanUp();
        throw;
    }
}

ZCGP_REGISTER_COMMAND("evolve", "evolve a zero-cost proxy formula by genetic programming", runEvolve);

}  // namespace
}  // namespace zcgp::cli
