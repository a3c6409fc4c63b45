#pragma once
// The generational GP loop: typed trees, tournament selection, subtree crossover, mixed mutation, elitism,
// rule-based pruning, Kendall tau-b fitness on a per-seed sample of train architectures (held-out tau on
// the rest), multi-task aggregation, a size/train-tau hall of fame, and atomic checkpoints (Checkpoint.hpp).
//
// Determinism: individual slot s owns RNG s (seeded from the master seed); offspring depend only on that
// RNG and the previous population, and the one order-dependent step (the duplicate-ranking check) runs
// sequentially in slot order, so the result is identical for any thread count.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/LinearScaling.hpp"
#include "zcgp/engine/Operators.hpp"
#include "zcgp/engine/Pruning.hpp"
#include "zcgp/engine/Tree.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::engine {

struct CheckpointRun;
struct CheckpointView;
class CheckpointWriter;

// One task: features (and accuracy) for all architectures. The train/test split is drawn by Evolution.
struct Task {
    std::string id;
    primitives::Dataset data;
    // Median seconds to compute each raw proxy for one architecture (the suite's `time`); a terminal reads the
    // proxy of its name, or its transform's `source`. Terminals of proxies not listed are free (graph features).
    std::map<std::string, double> proxySeconds{};
};

enum class Aggregate { Mean, Worst };
// The rank correlation fitness maximises on the train architectures (held-out tau is always Kendall's):
// Kendall: tau-b over all pairs; WeightedTau: fitness::WeightedTau, pairs weighted towards the best architectures
// (for a search that keeps its best cell), with the linear-scaling ridge fitted to -log(1 + truth rank) instead of
// the ranks, so the weights also serve the top.
enum class FitnessMetric { Kendall, WeightedTau };

struct EvolutionConfig {
    std::size_t populationSize{100};
    std::size_t generations{50};
    std::size_t trainArchs{100};
    std::uint64_t seed{0};                   // every slot's RNG (and the train sample unless splitSeed is set)
    std::optional<std::uint64_t> splitSeed;  // draws the train sample instead of seed (ensemble members share one)
    std::size_t threads{0};  // 0: all hardware threads
    std::size_t elites{1};
    double crossoverProbability{0.9};
    double mutationProbability{0.3};
    double parsimony{0.002};          // penalised fitness = raw tau - parsimony * size (zcgp evolve: 0.0025)
    std::size_t maxRetries{8};        // regenerate a pruned offspring this many times before keeping it rejected
    std::size_t probeSize{64};        // architectures whose ranking is hashed for duplicate detection
    Aggregate aggregate{Aggregate::Mean};
    FitnessMetric fitness{FitnessMetric::Kendall};
    std::string selector{"tournament:5"};
    std::string creator{"rhh:2:5"};
    std::string crossover{"subtree:0.9"};  // name:probability
    std::string mutation{"subtree:1,point:1,hoist:0.5,shrink:0.5"};
    std::string functions{"all"};
    std::size_t maxSize{20};
    std::size_t maxDepth{8};
    double constantProbability{0.1};
    double timeLimitSeconds{0.0};  // 0: none
    // Linear scaling (LinearScaling.hpp): the top-level additive chain is split into at most this many terms,
    // weighted by ridge on the train ranks; 1: off (the tree is the formula).
    std::size_t linearTerms{1};
    double ridgeLambda{1e-3};
    // Cost-aware fitness: penalised fitness -= costWeight * cost, the formula's seconds per architecture (sum of
    // the median times of the distinct proxies it reads, mean over tasks). 0: cost is only reported.
    double costWeight{0.0};
    // LPZero's early stop (PruneRule::EarlyStop): reject a candidate whose values on the first earlyStop train
    // architectures of any task are identical, or hold a 0 or -1 (NaN/Inf are non_finite), before linear scaling,
    // the rank hash and Kendall. 0: off.
    std::size_t earlyStop{0};
};

struct Individual {
    Tree tree;
    double trainTau{-2.0};  // raw fitness: aggregate of train Kendall tau-b over tasks
    double fitness{-2.0};   // penalised fitness (used for selection)
    bool valid{false};
    std::uint64_t ranks{0};  // rankHash of the first train architectures (duplicate-ranking rule)
    std::uint64_t hash{0};   // structuralHash of the tree (exact clones are rejected before evaluation)
    // additive terms and their fitted weights (set by evaluation; not checkpointed: only the generation that
    // evaluated the individual reads them). best() and the hall of fame hold the weighted formula itself.
    LinearTerms terms{};
    double cost{0.0};  // seconds per architecture of the formula (Evolution::cost); recomputed on resume
    // set by evaluation (not checkpointed) for a would-be best, hall-of-fame or cost-front member: whether its
    // weighted formula is finite on every architecture of every task (Evolution::evaluate); unset otherwise
    std::optional<bool> allFinite;
};

// Quality of a formula on every task: train and held-out rank correlation.
struct Assessment {
    std::vector<double> trainTau, testTau, testSpearman;  // per task
    double train{0}, test{0}, spearman{0};                // aggregates (mean over tasks; train uses the config)
    bool finite{false};                                   // finite on every architecture of every task
};

struct GenerationStats {
    std::size_t generation{0};
    double bestTrainTau{0}, meanTrainTau{0}, bestTestTau{0}, meanSize{0};  // bestTrainTau: this population's best
    double bestSoFarTrainTau{0};  // train tau of best() (the run's best penalised fitness), with bestTestTau/Size
    std::size_t bestSize{0};
    double evaluationsPerSecond{0}, nodeEvaluationsPerSecond{0}, seconds{0};
    std::uint64_t evaluations{0}, nodeEvaluations{0};
    PruneCounts pruned{};
    std::string bestFormula;
};

class Evolution {
public:
    Evolution(std::vector<Task> tasks, EvolutionConfig config);
    ~Evolution();
    Evolution(Evolution const&) = delete;
    Evolution& operator=(Evolution const&) = delete;

    // Runs until the generation budget or time limit; calls onGeneration after each generation (and after
    // initialisation, as generation 0), and writes a checkpoint every checkpointEvery generations if set.
    void run(std::function<void(GenerationStats const&)> const& onGeneration = {});
    void initialize();
    void step();
    [[nodiscard]] bool done() const;

    // run() writes a checkpoint (Checkpoint.hpp) to file every `every` generations, skipping those that come less
    // than `minSeconds` of run time after the last one written (or the start, or the resume), and always after the
    // last generation; the bytes are encoded between generations and written off the loop's thread, and are on
    // disk when run() returns.
    void setCheckpoint(std::filesystem::path file, std::size_t every, double minSeconds = 0.0);
    // Checkpoints written by this object (run() and saveCheckpoint), for reports and tests.
    [[nodiscard]] std::size_t checkpointsWritten() const { return checkpointsWritten_; }
    // Writes the current state now (temp file + rename), unless this generation is already in that file.
    void saveCheckpoint(std::filesystem::path const& file);
    void loadCheckpoint(std::filesystem::path const& file);  // throws if it does not match the config or version

    [[nodiscard]] std::size_t generation() const { return generation_; }
    [[nodiscard]] std::vector<Individual> const& population() const { return population_; }
    [[nodiscard]] Individual const& best() const { return best_; }  // best penalised fitness so far
    // size -> best train tau individual of that size seen so far; pareto() filters the dominated ones
    [[nodiscard]] std::map<std::size_t, Individual> const& hallOfFame() const { return hallOfFame_; }
    [[nodiscard]] std::vector<Individual> pareto() const;
    // Whether any terminal has a cost (Task::proxySeconds); if so, the cost front is kept.
    [[nodiscard]] bool costed() const { return costed_; }
    // Seconds per architecture to compute the formula's proxies: each distinct proxy once, mean over tasks.
    [[nodiscard]] double cost(Tree const& tree) const;
    // cost -> best train tau individual of that cost seen so far; costPareto() keeps the non-dominated ones
    // (ascending cost, each strictly better train tau than every cheaper one)
    [[nodiscard]] std::map<double, Individual> const& costFront() const { return costFront_; }
    [[nodiscard]] std::vector<Individual> costPareto() const;
    [[nodiscard]] PruneCounts const& pruned() const { return pruned_; }
    [[nodiscard]] std::uint64_t evaluations() const { return evaluations_; }
    [[nodiscard]] std::uint64_t nodeEvaluations() const { return nodeEvaluations_; }
    [[nodiscard]] double seconds() const;
    [[nodiscard]] GenerationStats stats() const;

    [[nodiscard]] Assessment assess(Tree const& tree) const;
    [[nodiscard]] std::vector<Task> const& tasks() const { return tasks_; }
    [[nodiscard]] std::vector<std::size_t> const& train(std::size_t task) const { return train_[task]; }
    [[nodiscard]] std::vector<std::size_t> const& test(std::size_t task) const { return test_[task]; }
    [[nodiscard]] EvolutionConfig const& config() const { return config_; }
    [[nodiscard]] TreeContext const& context() const { return ctx_; }
    [[nodiscard]] std::string format(Tree const& tree) const;

    struct Worker;  // per-thread scratch (defined in Evolution.cpp)

private:
    void evaluate(Individual& ind, Worker& w, std::optional<PruneRule>& rejected);
    Individual breed(std::size_t slot, Worker& w, PruneCounts& counts);
    Individual create(std::size_t slot, Worker& w, PruneCounts& counts);
    void finishGeneration(std::vector<Individual> next, std::vector<PruneCounts> const& counts);
    // Sequential phase only (they share verifyScratch_/verifyBuffer_):
    bool evaluateAll(Tree const& tree, std::size_t task);  // into verifyBuffer_, every architecture; false if non-finite
    double heldOutTau(Tree const& tree);                  // = assess(tree).test, without allocating
    // Whether an evaluated individual's formula (its weighted terms) is finite on every architecture of every
    // task (parallel phase: the worker's scratch, memo of terms and counters; weightedFormulaFinite)
    bool finiteEverywhere(Individual const& ind, Worker& w) const;
    // Whether an evaluated individual could become the best, a hall-of-fame or a cost-front member, judged against
    // the state at the start of the generation (read-only while the slots run). That state only improves within a
    // generation, so these are a superset of the individuals finishGeneration admits.
    [[nodiscard]] bool mayEnterFronts(Individual const& ind) const;
    // The formula a user gets from an individual: the weighted sum of its terms (the tree itself when one term)
    [[nodiscard]] static Individual formulaOf(Individual const& ind);
    template <typename F> void parallelSlots(std::size_t begin, std::size_t end, F&& f);
    [[nodiscard]] CheckpointView checkpointView() const;
    void writeCheckpoint(std::filesystem::path const& file);  // encodes now, writes on writer_'s thread

    std::vector<Task> tasks_;
    EvolutionConfig config_;
    TreeContext ctx_;
    std::vector<std::vector<std::size_t>> train_, test_;
    std::size_t probeSize_{0};  // the first probeSize_ train architectures of task 0 are rank-hashed
    std::vector<Interpreter> interpreters_;                        // all architectures, per task
    std::vector<std::unique_ptr<primitives::Dataset>> trainData_;  // train architectures only, per task
    std::vector<Interpreter> trainInterpreters_;                   // over trainData_ (fitness)
    std::vector<Interpreter::Scratch> verifyScratch_;  // for interpreters_ (sequential phase only)
    std::vector<double> verifyBuffer_, heldOutBuffer_;
    std::unique_ptr<RidgeWeights> ridge_;  // train accuracy ranks per task (linear scaling)
    std::vector<fitness::KendallTau> testKendall_;  // held-out truth per task (allocation-free log tau)
    double bestTestTau_{0.0};
    std::string bestFormula_;  // format(best_.tree), updated when best_ changes
    std::unique_ptr<Selector> selector_;
    std::unique_ptr<Creator> creator_;
    std::unique_ptr<Crossover> crossover_;
    std::unique_ptr<MultiMutation> mutation_;
    std::vector<Random> rngs_;
    std::vector<Individual> population_;
    std::vector<double> fitnessCache_;  // population fitness, read by the selectors during a generation
    Individual best_;
    std::map<std::size_t, Individual> hallOfFame_;
    std::map<double, Individual> costFront_;
    bool costed_{false};
    std::vector<std::vector<std::int32_t>> costGroup_;  // per task, per scalar terminal: cost group, -1 free
    std::vector<std::vector<double>> groupSeconds_;     // per task, per cost group
    [[nodiscard]] double cost(Tree const& tree, LinearTerms const& terms) const;
    HashSet seenRanks_;  // rankings of earlier generations
    HashSet seenTrees_;  // structural hashes of every tree evaluated before
    std::vector<std::uint64_t> seenRanksLog_, seenTreesLog_;  // the same, in insertion order (checkpoints)
    PruneCounts pruned_{};
    std::uint64_t evaluations_{0}, nodeEvaluations_{0};
    std::size_t generation_{0};
    bool initialized_{false};
    double priorSeconds_{0.0};  // time spent before a resume
    std::chrono::steady_clock::time_point start_;
    std::filesystem::path checkpointFile_;
    std::size_t checkpointEvery_{0};
    double checkpointMinSeconds_{0.0};
    double lastCheckpointSeconds_{0.0};  // seconds() when the last checkpoint was written, the run started or resumed
    std::size_t checkpointsWritten_{0};
    std::unique_ptr<CheckpointRun> checkpointRun_;  // this run's identity, as checkpoints record it
    std::unique_ptr<CheckpointWriter> writer_;
    std::optional<std::pair<std::filesystem::path, std::size_t>> lastCheckpoint_;  // file and generation written
    std::unique_ptr<struct WorkerPool> workers_;
};

[[nodiscard]] Aggregate parseAggregate(std::string_view name);  // mean | worst
[[nodiscard]] FitnessMetric parseFitnessMetric(std::string_view name);  // kendall | weighted-tau
[[nodiscard]] std::string_view toString(FitnessMetric metric);

}  // namespace zcgp::engine
