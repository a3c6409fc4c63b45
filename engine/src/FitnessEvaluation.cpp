// Fitness of a candidate: the tree on the train architectures, linear scaling, rank hash and Kendall tau;
// finiteness on every architecture, held-out tau and formula cost (sequential phase).
#include "zcgp/engine/Evolution.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "zcgp/engine/FiniteFormula.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/fitness/RankStatistics.hpp"

#include "EvolutionInternal.hpp"

namespace zcgp::engine {

void Evolution::evaluate(Individual& ind, Worker& w, std::optional<PruneRule>& rejected) {
    ind.valid = false;
    ind.trainTau = Rejected;
    ind.fitness = Rejected;
    rejected = structuralRule(ind.tree, ctx_, &ind.hash);
    if (rejected) return;
    // a clone of a tree evaluated in an earlier generation has its ranking: reject it without evaluating
    // (seenTrees_ only changes between parallel phases: race-free and deterministic)
    if (seenTrees_.contains(ind.hash)) {
        rejected = PruneRule::DuplicateRanking;
        return;
    }
    // 1. the tree on the train architectures of every task (finiteness on all of them is checked in
    // finishGeneration, for the individuals that would enter the best or the hall of fame)
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        ++w.evaluations;
        w.nodeEvaluations += ind.tree.size() * train_[t].size();
        if (!trainInterpreters_[t].evaluate(ind.tree, w.scratch[t], w.train[t])) {
            rejected = PruneRule::NonFinite;
            return;
        }
    }
    // LPZero's early stop on the tree's first train values (the interpreter evaluates every train row in one
    // vectorised pass, as cheap as a few rows; what the rule saves is what follows: linear scaling, hashing, Kendall)
    if (config_.earlyStop > 0) {
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            auto const n = std::min(config_.earlyStop, train_[t].size());
            if (earlyStopFires(std::span<double const>(w.train[t]).first(n))) {
                rejected = PruneRule::EarlyStop;
                return;
            }
        }
    }
    // 2. linear scaling: ridge weights of the additive terms on the train ranks, and their weighted sum
    ind.terms = additiveTerms(ind.tree, config_.linearTerms);
    if (ind.terms.count > 1) {
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            for (std::size_t k = 0; k < ind.terms.count; ++k) {
                w.terms[t][k] = trainInterpreters_[t].column(w.scratch[t], ind.terms.roots[k]).first(train_[t].size());
            }
        }
        if (!ridge_->fit(w.terms, ind.terms, ind.tree, w.ridgeCache)) {
            rejected = PruneRule::Constant;
            return;
        }
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            auto out = std::span<double>(w.train[t]).first(train_[t].size());
            combineTerms(ind.terms, w.terms[t], out);
            if (!std::isfinite(std::accumulate(out.begin(), out.end(), 0.0))) {
                rejected = PruneRule::NonFinite;
                return;
            }
        }
    }
    // 3. rank hash and Kendall tau on the train architectures
    double sum = 0.0;
    double worst = 2.0;
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        auto const out = std::span<double const>(w.train[t]).first(train_[t].size());
        if (t == 0) {
            ind.ranks = rankHash(out.first(probeSize_));
            // a ranking seen in an earlier generation adds nothing: reject before Kendall, and breed retries.
            // seenRanks_ only changes between parallel phases, so this read is race-free and deterministic.
            if (seenRanks_.contains(ind.ranks)) {
                rejected = PruneRule::DuplicateRanking;
                return;
            }
        }
        double tau = config_.fitness == FitnessMetric::WeightedTau ? w.weighted[t](out) : w.kendall[t](out);
        if (!std::isfinite(tau)) {
            rejected = PruneRule::Constant;  // constant on the train sample
            return;
        }
        sum += tau;
        worst = std::min(worst, tau);
    }
    ind.trainTau = config_.aggregate == Aggregate::Mean ? sum / static_cast<double>(tasks_.size()) : worst;
    ind.cost = costed_ ? cost(ind.tree, ind.terms) : 0.0;
    ind.fitness = ind.trainTau - config_.parsimony * static_cast<double>(weightedSize(ind.tree, ind.terms)) -
                  config_.costWeight * ind.cost;
    ind.valid = true;
    // 4. a would-be best, hall-of-fame or cost-front member must be finite on every architecture of every task
    // (held-out ones included): checked here, in parallel, instead of in the sequential end of the generation
    if (mayEnterFronts(ind)) {
        ind.allFinite = finiteEverywhere(ind, w);
    }
}

bool Evolution::mayEnterFronts(Individual const& ind) const {
    if (!best_.valid || ind.fitness > best_.fitness) return true;
    auto const it = hallOfFame_.find(weightedSize(ind.tree, ind.terms));
    if (it == hallOfFame_.end() || ind.trainTau > it->second.trainTau) return true;
    if (!costed_) return false;
    auto const cit = costFront_.find(ind.cost);
    return cit == costFront_.end() || ind.trainTau > cit->second.trainTau;
}

Individual Evolution::formulaOf(Individual const& ind) {
    Individual formula = ind;
    if (ind.terms.count > 1) {
        formula.tree = weightedTree(ind.tree, ind.terms);
        formula.terms = additiveTerms(formula.tree, 1);
    }
    return formula;
}

bool Evolution::finiteEverywhere(Individual const& ind, Worker& w) const {
    // counted as the formula's evaluation on each task, as before the memo: the counts stay independent of the
    // threads (each worker has its own memo) and of a resume
    auto const size = ind.terms.count > 1 ? weightedSize(ind.tree, ind.terms) : ind.tree.size();
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        ++w.evaluations;
        w.nodeEvaluations += size * tasks_[t].data.rows();
        FiniteCheckWork work;  // what the memo left to evaluate (not reported)
        if (!weightedFormulaFinite(interpreters_[t], ind.tree, ind.terms, w.finiteTerms[t], w.verifyScratch[t],
                                   w.verifyBuffer, work)) {
            return false;
        }
    }
    return true;
}

bool Evolution::evaluateAll(Tree const& tree, std::size_t task) {
    verifyBuffer_.resize(tasks_[task].data.rows());
    return interpreters_[task].evaluate(tree, verifyScratch_[task], verifyBuffer_);
}

double Evolution::heldOutTau(Tree const& tree) {
    double sum = 0.0;
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        if (!evaluateAll(tree, t)) return std::nan("");
        heldOutBuffer_.resize(test_[t].size());
        for (std::size_t k = 0; k < test_[t].size(); ++k) heldOutBuffer_[k] = verifyBuffer_[test_[t][k]];
        sum += testKendall_[t](heldOutBuffer_);
    }
    return sum / static_cast<double>(tasks_.size());
}

Assessment Evolution::assess(Tree const& tree) const {
    Assessment a;
    a.finite = true;
    double worst = 2.0;
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        auto values = interpreters_[t].evaluate(tree);
        a.finite = a.finite && std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
        auto pick = [&](std::vector<std::size_t> const& rows, bool truth) {
            std::vector<double> v;
            for (auto r : rows) v.push_back(truth ? tasks_[t].data.target()[r] : values[r]);
            return v;
        };
        auto trX = pick(train_[t], false), trY = pick(train_[t], true);
        auto teX = pick(test_[t], false), teY = pick(test_[t], true);
        a.trainTau.push_back(fitness::kendallTau(trX, trY));
        a.testTau.push_back(fitness::kendallTau(teX, teY));
        a.testSpearman.push_back(fitness::spearman(teX, teY));
        a.train += a.trainTau.back();
        worst = std::min(worst, a.trainTau.back());
        a.test += a.testTau.back();
        a.spearman += a.testSpearman.back();
    }
    auto n = static_cast<double>(tasks_.size());
    a.train = config_.aggregate == Aggregate::Mean ? a.train / n : worst;
    a.test /= n;
    a.spearman /= n;
    return a;
}

double Evolution::cost(Tree const& tree, LinearTerms const& terms) const {
    double total = 0.0;
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        std::uint64_t used = 0;
        auto mark = [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                auto const& n = tree[i];
                if (n.op != Opcode::Variable) continue;
                auto const g = costGroup_[t][n.index];
                if (g >= 0) used |= std::uint64_t{1} << g;
            }
        };
        if (terms.count <= 1) {
            mark(0, tree.size());
        } else {
            for (std::size_t k = 0; k < terms.count; ++k) {
                if (terms.weights[k] != 0.0) mark(terms.roots[k] - tree[terms.roots[k]].length, terms.roots[k] + 1u);
            }
        }
        for (std::size_t g = 0; g < groupSeconds_[t].size(); ++g) {
            if ((used >> g) & 1U) total += groupSeconds_[t][g];
        }
    }
    return total / static_cast<double>(tasks_.size());
}

double Evolution::cost(Tree const& tree) const { return cost(tree, additiveTerms(tree, 1)); }

}  // namespace zcgp::engine
