// The generational loop: set-up, initialisation, breeding in parallel slots, generations, the run and its
// statistics. Fitness is in FitnessEvaluation.cpp, the end of a generation (best, hall of fame, cost front) in
// HallOfFame.cpp, checkpoints in EvolutionCheckpoint.cpp.
#include "zcgp/engine/Evolution.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <numeric>
#include <stdexcept>

#include <fmt/core.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "zcgp/engine/Checkpoint.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "EvolutionInternal.hpp"

namespace zcgp::engine {

FitnessMetric parseFitnessMetric(std::string_view name) {
    if (name == "kendall") return FitnessMetric::Kendall;
    if (name == "weighted-tau") return FitnessMetric::WeightedTau;
    throw std::invalid_argument(fmt::format("--fitness: unknown '{}' (valid: kendall, weighted-tau)", name));
}

std::string_view toString(FitnessMetric metric) {
    return metric == FitnessMetric::Kendall ? "kendall" : "weighted-tau";
}

Aggregate parseAggregate(std::string_view name) {
    if (name == "mean") return Aggregate::Mean;
    if (name == "worst" || name == "min") return Aggregate::Worst;
    throw std::invalid_argument(fmt::format("--aggregate: unknown '{}' (valid: mean, worst)", name));
}

namespace {
std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
}  // namespace

Evolution::Evolution(std::vector<Task> tasks, EvolutionConfig config) : tasks_(std::move(tasks)), config_(std::move(config)) {
    if (tasks_.empty()) throw std::invalid_argument("evolve: at least one task is needed");
    if (config_.populationSize < 2) throw std::invalid_argument("--population must be at least 2");
    if (config_.generations == 0) throw std::invalid_argument("--generations must be at least 1");
    if (config_.elites >= config_.populationSize) throw std::invalid_argument("--elites must be below --population");
    if (config_.trainArchs < 3) throw std::invalid_argument("--train-archs must be at least 3");
    if (config_.maxSize == 0 || config_.maxSize > MaxTreeSize) {
        throw std::invalid_argument(fmt::format("--max-size must be in [1, {}], not {}", MaxTreeSize, config_.maxSize));
    }
    if (config_.maxDepth == 0 || config_.maxDepth > MaxTreeDepth) {
        throw std::invalid_argument(fmt::format("--max-depth must be in [1, {}], not {}", MaxTreeDepth, config_.maxDepth));
    }
    auto const& vocab = tasks_[0].data;
    for (auto const& t : tasks_) {
        if (t.data.scalarNames() != vocab.scalarNames() || t.data.layerNames() != vocab.layerNames()) {
            throw std::invalid_argument(fmt::format("task {} has different terminals than task {}", t.id, tasks_[0].id));
        }
        if (config_.trainArchs >= t.data.rows()) {
            throw std::invalid_argument(fmt::format(
                "--train-archs {} must be smaller than the {} usable architectures of task {} (the rest are held out)",
                config_.trainArchs, t.data.rows(), t.id));
        }
    }
    ctx_.functions = primitives::PrimitiveSet::parse(config_.functions);
    ctx_.scalarTerminals = vocab.scalarCount();
    ctx_.layerTerminals = vocab.layerVectorCount();
    ctx_.maxSize = config_.maxSize;
    ctx_.maxDepth = config_.maxDepth;
    ctx_.constantProbability = config_.constantProbability;
    ctx_.prepare();
    selector_ = makeSelector(config_.selector);
    creator_ = makeCreator(config_.creator, config_.maxSize);
    auto cx = parseSpecs("--crossover", config_.crossover).front();
    if (cx.name != "subtree") throw std::invalid_argument(fmt::format("--crossover: unknown '{}' (valid: subtree:P)", cx.name));
    if (!cx.params.empty()) config_.crossoverProbability = cx.params[0];
    crossover_ = std::make_unique<SubtreeCrossover>();
    mutation_ = makeMutation(config_.mutation);

    // train sample per task, drawn from the split seed (default: the seed); the rest is held out
    std::uint64_t const splitSeed = config_.splitSeed.value_or(config_.seed);
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        std::vector<std::size_t> idx(tasks_[t].data.rows());
        std::iota(idx.begin(), idx.end(), std::size_t{0});
        std::mt19937_64 rng(splitSeed * 1000003ULL + t);
        std::shuffle(idx.begin(), idx.end(), rng);
        std::vector<std::size_t> tr(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(config_.trainArchs));
        std::vector<std::size_t> te(idx.begin() + static_cast<std::ptrdiff_t>(config_.trainArchs), idx.end());
        std::sort(tr.begin(), tr.end());
        std::sort(te.begin(), te.end());
        train_.push_back(std::move(tr));
        test_.push_back(std::move(te));
    }
    if (config_.linearTerms == 0 || config_.linearTerms > MaxLinearTerms) {
        throw std::invalid_argument(fmt::format("--terms must be in [1, {}], not {}", MaxLinearTerms, config_.linearTerms));
    }
    probeSize_ = std::min(config_.probeSize, train_[0].size());
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        interpreters_.emplace_back(tasks_[t].data);
        // train rows, padded to a multiple of 8 with copies of the first: the interpreter's vector kernels then
        // run without a scalar tail (scalar libm exp/log are far slower); the padding is never ranked
        auto rows = train_[t];
        while (rows.size() % 8 != 0) rows.push_back(train_[t].front());
        trainData_.push_back(std::make_unique<primitives::Dataset>(tasks_[t].data.subset(rows)));
        trainInterpreters_.emplace_back(*trainData_.back());
        verifyScratch_.push_back(interpreters_[t].makeScratch(config_.maxSize));
        std::vector<double> truth;
        for (auto r : test_[t]) truth.push_back(tasks_[t].data.target()[r]);
        testKendall_.emplace_back(truth);
    }
    std::vector<std::vector<double>> trainTargets;
    for (auto const& d : trainData_) trainTargets.emplace_back(d->target().begin(), d->target().begin() + static_cast<std::ptrdiff_t>(train_[trainTargets.size()].size()));
    ridge_ = std::make_unique<RidgeWeights>(trainTargets, config_.ridgeLambda,
                                            config_.fitness == FitnessMetric::WeightedTau ? RidgeTarget::Top
                                                                                          : RidgeTarget::Ranks);
    if (!(config_.costWeight >= 0.0) || !std::isfinite(config_.costWeight)) {
        throw std::invalid_argument(fmt::format("--cost-weight must be finite and >= 0, not {}", config_.costWeight));
    }
    // cost groups: the distinct raw proxies the terminals read (a NAME_r view costs what NAME costs, once)
    for (auto const& task : tasks_) {
        std::map<std::string, std::int32_t> groups;
        std::vector<std::int32_t> group;
        std::vector<double> seconds;
        for (std::size_t c = 0; c < task.data.scalarCount(); ++c) {
            auto const& source = task.data.transforms()[c].source;
            auto const& proxy = source.empty() ? task.data.scalarNames()[c] : source;
            auto it = task.proxySeconds.find(proxy);
            if (it == task.proxySeconds.end() || !(it->second > 0.0)) {
                group.push_back(-1);
                continue;
            }
            auto [g, fresh] = groups.emplace(proxy, static_cast<std::int32_t>(seconds.size()));
            if (fresh) seconds.push_back(it->second);
            group.push_back(g->second);
        }
        if (seconds.size() > 64) throw std::invalid_argument(fmt::format("task {}: more than 64 costed proxies", task.id));
        costed_ = costed_ || !seconds.empty();
        costGroup_.push_back(std::move(group));
        groupSeconds_.push_back(std::move(seconds));
    }

    std::uint64_t s = config_.seed;
    for (std::size_t i = 0; i < config_.populationSize; ++i) rngs_.emplace_back(splitmix(s));
    checkpointRun_ = std::make_unique<CheckpointRun>(CheckpointRun{config_.seed, splitSeed, config_.populationSize,
                                                                   config_.trainArchs, {}});
    for (auto const& t : tasks_) checkpointRun_->tasks.push_back(t.id);

    int threads = config_.threads == 0 ? tbb::this_task_arena::max_concurrency() : static_cast<int>(config_.threads);
    workers_ = std::make_unique<WorkerPool>(threads);
    // start the arena's threads now (setup, ~5 ms), not inside the first generation's timing
    workers_->arena.initialize();
    workers_->arena.execute([] { tbb::parallel_for(0, 64, [](int) {}); });
    for (int k = 0; k < threads; ++k) {
        auto w = std::make_unique<Worker>(std::min<std::size_t>(config_.maxSize, 32));
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            w->scratch.push_back(trainInterpreters_[t].makeScratch(config_.maxSize));
            w->train.emplace_back(trainData_[t]->rows());
            w->kendall.emplace_back(trainData_[t]->target().first(train_[t].size()));
            if (config_.fitness == FitnessMetric::WeightedTau) {
                w->weighted.emplace_back(trainData_[t]->target().first(train_[t].size()));
            }
            w->verifyScratch.push_back(interpreters_[t].makeScratch(config_.maxSize));
            w->finiteTerms.emplace_back(w->maxTermNodes, 1024);
        }
        w->terms.resize(tasks_.size());
        workers_->all.push_back(std::move(w));
    }
    start_ = std::chrono::steady_clock::now();
}

Evolution::~Evolution() = default;

std::string Evolution::format(Tree const& tree) const { return engine::format(tree, Vocabulary::of(tasks_[0].data)); }

template <typename F>
void Evolution::parallelSlots(std::size_t begin, std::size_t end, F&& f) {
    // Each arena thread takes a fixed worker by its arena slot index; results depend only on the slot.
    workers_->arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(begin, end, 2), [&](tbb::blocked_range<std::size_t> const& r) {
            auto idx = static_cast<std::size_t>(tbb::this_task_arena::current_thread_index());
            auto& w = *workers_->all[idx % workers_->all.size()];
            for (auto i = r.begin(); i != r.end(); ++i) f(i, w);
        });
    });
}

Individual Evolution::create(std::size_t slot, Worker& w, PruneCounts& counts) {
    auto& rng = rngs_[slot];
    Individual ind;
    for (std::size_t attempt = 0; attempt <= config_.maxRetries; ++attempt) {
        ind.tree = creator_->create(ctx_, rng, slot);
        std::optional<PruneRule> rule;
        evaluate(ind, w, rule);
        if (!rule) return ind;
        ++counts[static_cast<std::size_t>(*rule)];
    }
    return ind;
}

Individual Evolution::breed(std::size_t slot, Worker& w, PruneCounts& counts) {
    auto& rng = rngs_[slot];
    auto const& fit = fitnessCache_;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Individual ind;
    for (std::size_t attempt = 0; attempt <= config_.maxRetries; ++attempt) {
        auto const& p1 = population_[(*selector_)(fit, rng)].tree;
        std::optional<Tree> child;
        if (u(rng) < config_.crossoverProbability) {
            auto const& p2 = population_[(*selector_)(fit, rng)].tree;
            child = (*crossover_)(p1, p2, ctx_, rng);
        }
        // a child that would be a clone is always mutated: clones add no information
        if (!child || u(rng) < config_.mutationProbability) {
            auto m = (*mutation_)(child ? *child : p1, ctx_, rng);
            if (m) child = std::move(m);
        }
        ind.tree = child ? std::move(*child) : p1;
        std::optional<PruneRule> rule;
        evaluate(ind, w, rule);
        if (!rule) return ind;
        ++counts[static_cast<std::size_t>(*rule)];
    }
    return ind;
}

void Evolution::initialize() {
    std::vector<Individual> next(config_.populationSize);
    std::vector<PruneCounts> counts(config_.populationSize);
    parallelSlots(0, next.size(), [&](std::size_t slot, Worker& w) { next[slot] = create(slot, w, counts[slot]); });
    generation_ = 0;
    finishGeneration(std::move(next), counts);
    initialized_ = true;
}

void Evolution::step() {
    if (!initialized_) {
        initialize();
        return;
    }
    std::vector<Individual> next(config_.populationSize);
    std::vector<PruneCounts> counts(config_.populationSize);
    // elites: best penalised fitness, ties by slot
    std::vector<std::size_t> order(population_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return population_[a].fitness > population_[b].fitness; });
    for (std::size_t e = 0; e < config_.elites; ++e) next[e] = population_[order[e]];
    fitnessCache_.resize(population_.size());
    for (std::size_t i = 0; i < population_.size(); ++i) fitnessCache_[i] = population_[i].fitness;
    ++generation_;
    parallelSlots(config_.elites, next.size(),
                  [&](std::size_t slot, Worker& w) { next[slot] = breed(slot, w, counts[slot]); });
    finishGeneration(std::move(next), counts);
}

double Evolution::seconds() const {
    return priorSeconds_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool Evolution::done() const {
    if (!initialized_) return false;
    if (generation_ >= config_.generations) return true;
    return config_.timeLimitSeconds > 0.0 && seconds() >= config_.timeLimitSeconds;
}

void Evolution::setCheckpoint(std::filesystem::path file, std::size_t every, double minSeconds) {
    if (!(minSeconds >= 0.0)) throw std::invalid_argument("the checkpoints' minimum interval must be >= 0 seconds");
    checkpointFile_ = std::move(file);
    checkpointEvery_ = every;
    checkpointMinSeconds_ = minSeconds;
}

void Evolution::run(std::function<void(GenerationStats const&)> const& onGeneration) {
    if (!initialized_) {
        initialize();
        if (onGeneration) onGeneration(stats());
    }
    while (!done()) {
        step();
        if (onGeneration) onGeneration(stats());
        if (checkpointEvery_ == 0 || checkpointFile_.empty()) continue;
        if (generation_ >= config_.generations) {
            saveCheckpoint(checkpointFile_);  // the last one is written here: run() would only wait for the writer's thread
        } else if (generation_ % checkpointEvery_ == 0 && seconds() - lastCheckpointSeconds_ >= checkpointMinSeconds_) {
            writeCheckpoint(checkpointFile_);
        }
    }
    if (writer_) writer_->wait();  // the last checkpoint is on disk when run() returns (or its error thrown)
}

GenerationStats Evolution::stats() const {
    GenerationStats s;
    s.generation = generation_;
    double sumTau = 0.0, sumSize = 0.0;
    std::size_t valid = 0;
    s.bestTrainTau = -2.0;
    for (auto const& ind : population_) {
        sumSize += static_cast<double>(ind.tree.size());
        if (!ind.valid) continue;
        ++valid;
        sumTau += ind.trainTau;
        s.bestTrainTau = std::max(s.bestTrainTau, ind.trainTau);
    }
    s.meanTrainTau = valid > 0 ? sumTau / static_cast<double>(valid) : std::nan("");
    s.meanSize = population_.empty() ? 0.0 : sumSize / static_cast<double>(population_.size());
    if (best_.valid) {
        s.bestTestTau = bestTestTau_;
        s.bestSoFarTrainTau = best_.trainTau;
        s.bestSize = best_.tree.size();
        s.bestFormula = bestFormula_;
    }
    s.seconds = seconds();
    s.evaluations = evaluations_;
    s.nodeEvaluations = nodeEvaluations_;
    s.evaluationsPerSecond = s.seconds > 0 ? static_cast<double>(evaluations_) / s.seconds : 0.0;
    s.nodeEvaluationsPerSecond = s.seconds > 0 ? static_cast<double>(nodeEvaluations_) / s.seconds : 0.0;
    s.pruned = pruned_;
    return s;
}

}  // namespace zcgp::engine
