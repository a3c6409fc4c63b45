// The sequential end of a generation: within-generation duplicates, the full finiteness check, the run's best,
// the size hall of fame and the cost front (deterministic: slot order), and the fronts read from them.
#include "zcgp/engine/Evolution.hpp"

#include <optional>
#include <stdexcept>

#include "EvolutionInternal.hpp"

namespace zcgp::engine {

void Evolution::finishGeneration(std::vector<Individual> next, std::vector<PruneCounts> const& counts) {
    for (auto const& c : counts) {
        for (std::size_t r = 0; r < PruneRuleCount; ++r) pruned_[r] += c[r];
    }
    auto reject = [&](Individual& ind, PruneRule rule) {
        ind.valid = false;
        ind.trainTau = Rejected;
        ind.fitness = Rejected;
        ++pruned_[static_cast<std::size_t>(rule)];
    };
    // The order-dependent rules run sequentially in slot order: deterministic for any thread count.
    // An individual that would become the best or enter the hall of fame or the cost front must first be finite
    // on every architecture of every task, held-out ones included (fitness only evaluated the train ones). Only
    // those few are checked (in the parallel phase, evaluate()): the rest only act as parents, and any formula
    // reported comes from the best, the hall or the cost front.
    bool bestChanged = false;
    for (std::size_t i = 0; i < next.size(); ++i) {
        auto& ind = next[i];
        if (!ind.valid) continue;
        bool const elite = generation_ > 0 && i < config_.elites;  // carried over: already checked
        if (!elite && seenTrees_.insert(ind.hash)) seenTreesLog_.push_back(ind.hash);
        if (!elite && seenRanks_.contains(ind.ranks)) {
            reject(ind, PruneRule::DuplicateRanking);
            continue;
        }
        if (elite) continue;  // carried over: already checked, and in the best and the hall if it belongs there
        // the formula a user gets: the weighted sum of the terms (the tree itself when it is one term)
        auto const size = weightedSize(ind.tree, ind.terms);
        auto it = hallOfFame_.find(size);
        bool const better = !best_.valid || ind.fitness > best_.fitness;
        bool const famous = it == hallOfFame_.end() || ind.trainTau > it->second.trainTau;
        auto const cit = costed_ ? costFront_.find(ind.cost) : costFront_.end();
        bool const cheap = costed_ && (cit == costFront_.end() || ind.trainTau > cit->second.trainTau);
        std::optional<Individual> formula;
        if (better || famous || cheap) {
            // evaluate() checked every individual that can get here (mayEnterFronts: a superset)
            if (!ind.allFinite) throw std::logic_error("evolution: a would-be best or front member was not checked");
            if (!*ind.allFinite) {
                reject(ind, PruneRule::NonFinite);
                continue;
            }
            formula = formulaOf(ind);
        }
        if (seenRanks_.insert(ind.ranks)) seenRanksLog_.push_back(ind.ranks);
        if (better) {
            best_ = *formula;
            bestChanged = true;
        }
        if (cheap) costFront_[ind.cost] = *formula;
        if (famous) hallOfFame_[size] = std::move(*formula);
    }
    for (auto const& w : workers_->all) {
        evaluations_ += w->evaluations;
        nodeEvaluations_ += w->nodeEvaluations;
        w->evaluations = 0;
        w->nodeEvaluations = 0;
    }
    if (bestChanged) {
        bestTestTau_ = heldOutTau(best_.tree);
        bestFormula_ = format(best_.tree);
    }
    population_ = std::move(next);
}

std::vector<Individual> Evolution::pareto() const {
    std::vector<Individual> front;
    double bestSoFar = -2.0;
    for (auto const& [size, ind] : hallOfFame_) {
        if (ind.trainTau > bestSoFar) {
            front.push_back(ind);
            bestSoFar = ind.trainTau;
        }
    }
    return front;
}

std::vector<Individual> Evolution::costPareto() const {
    std::vector<Individual> front;
    double bestSoFar = -2.0;
    for (auto const& [c, ind] : costFront_) {
        if (ind.trainTau > bestSoFar) {
            front.push_back(ind);
            bestSoFar = ind.trainTau;
        }
    }
    return front;
}

}  // namespace zcgp::engine
