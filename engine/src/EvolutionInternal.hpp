#pragma once
// What the parts of Evolution share (Evolution.cpp: the loop; FitnessEvaluation.cpp; HallOfFame.cpp;
// EvolutionCheckpoint.cpp): the per-thread worker scratch and the rejected-fitness marker.
#include <array>
#include <memory>
#include <span>
#include <vector>

#include <tbb/task_arena.h>

#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/FiniteFormula.hpp"
#include "zcgp/fitness/RankStatistics.hpp"

namespace zcgp::engine {

inline constexpr double Rejected = -1e9;  // fitness of a rejected individual

// Per-thread scratch: everything the hot loop writes, sized once.
struct Evolution::Worker {
    std::vector<Interpreter::Scratch> scratch;
    std::vector<std::vector<double>> train;  // per task: values of the train architectures
    std::vector<fitness::KendallTau> kendall;
    std::vector<fitness::WeightedTau> weighted;  // per task, only with FitnessMetric::WeightedTau
    std::vector<std::array<std::span<double const>, MaxLinearTerms>> terms;  // per task: the term columns
    std::vector<Interpreter::Scratch> verifyScratch;  // per task: for the interpreter over every architecture
    std::vector<double> verifyBuffer;                 // every architecture's value (the finiteness check)
    RidgeCache ridgeCache;                            // statistics of the terms this worker met (linear scaling)
    std::vector<FiniteTermMemo> finiteTerms;          // per task: the terms of checked formulas (FiniteFormula.hpp)
    std::size_t maxTermNodes;
    explicit Worker(std::size_t maxTermNodes_) : ridgeCache(maxTermNodes_), maxTermNodes(maxTermNodes_) {}
    std::uint64_t evaluations{0}, nodeEvaluations{0};
};

struct WorkerPool {
    tbb::task_arena arena;
    std::vector<std::unique_ptr<Evolution::Worker>> all;
    explicit WorkerPool(int threads) : arena(threads) {}
};

}  // namespace zcgp::engine
