// Evolution state to and from checkpoints (the format is in Checkpoint.hpp).
#include "zcgp/engine/Evolution.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/core.h>

#include "zcgp/engine/Checkpoint.hpp"

#include "EvolutionInternal.hpp"

namespace zcgp::engine {

CheckpointView Evolution::checkpointView() const {
    return CheckpointView{*checkpointRun_,
                          CheckpointProgress{generation_, evaluations_, nodeEvaluations_, seconds(), pruned_},
                          rngs_, population_, best_, hallOfFame_, costFront_, seenRanksLog_, seenTreesLog_};
}

void Evolution::writeCheckpoint(std::filesystem::path const& file) {
    // encoded here (the state changes in the next generation); written and renamed on the writer's thread
    if (!writer_) writer_ = std::make_unique<CheckpointWriter>();
    writer_->wait();
    auto bytes = writer_->spare();  // the last checkpoint's buffer: no new allocation at every checkpoint
    encodeCheckpoint(checkpointView(), bytes);
    writer_->write(file, std::move(bytes));
    lastCheckpoint_ = {file, generation_};
    lastCheckpointSeconds_ = seconds();
    ++checkpointsWritten_;
}

void Evolution::saveCheckpoint(std::filesystem::path const& file) {
    if (writer_) writer_->wait();
    if (lastCheckpoint_ && lastCheckpoint_->first == file && lastCheckpoint_->second == generation_) return;  // on disk
    auto bytes = writer_ ? writer_->spare() : std::string{};
    encodeCheckpoint(checkpointView(), bytes);
    writeCheckpointFile(file, bytes);
    lastCheckpoint_ = {file, generation_};
    lastCheckpointSeconds_ = seconds();
    ++checkpointsWritten_;
}

void Evolution::loadCheckpoint(std::filesystem::path const& file) {
    auto s = readCheckpoint(file);
    if (s.run != *checkpointRun_) {
        throw std::runtime_error(fmt::format("checkpoint '{}' was written by a run with another seed, train split, "
                                             "population, train size or task list", file.string()));
    }
    if (s.rngs.size() != rngs_.size() || s.population.size() != config_.populationSize) {
        throw std::runtime_error(fmt::format("checkpoint '{}': wrong number of individuals", file.string()));
    }
    generation_ = static_cast<std::size_t>(s.progress.generation);
    evaluations_ = s.progress.evaluations;
    nodeEvaluations_ = s.progress.nodeEvaluations;
    priorSeconds_ = s.progress.seconds;
    start_ = std::chrono::steady_clock::now();
    pruned_ = s.progress.pruned;
    for (std::size_t i = 0; i < rngs_.size(); ++i) rngs_[i].setState(s.rngs[i]);
    population_ = std::move(s.population);
    best_ = std::move(s.best);
    hallOfFame_.clear();
    for (auto& ind : s.hallOfFame) {
        auto const size = ind.tree.size();
        hallOfFame_[size] = std::move(ind);
    }
    costFront_.clear();
    for (auto& ind : s.costFront) {
        ind.cost = cost(ind.tree);
        auto const key = ind.cost;
        costFront_[key] = std::move(ind);
    }
    for (auto& ind : population_) ind.cost = std::nan("");  // only the generation that evaluated it reads it
    if (best_.valid) best_.cost = cost(best_.tree);
    for (auto& [size, ind] : hallOfFame_) ind.cost = cost(ind.tree);
    seenRanksLog_ = std::move(s.seenRanks);
    seenTreesLog_ = std::move(s.seenTrees);
    seenRanks_.clear();
    for (auto h : seenRanksLog_) seenRanks_.insert(h);
    seenTrees_.clear();
    for (auto h : seenTreesLog_) seenTrees_.insert(h);
    if (best_.valid) {
        bestTestTau_ = heldOutTau(best_.tree);
        bestFormula_ = format(best_.tree);
    }
    lastCheckpoint_ = {file, generation_};
    lastCheckpointSeconds_ = priorSeconds_;
    initialized_ = true;
}

}  // namespace zcgp::engine
