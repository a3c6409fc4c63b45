// Fitness of a candidate: the tree on the train architectures, linear scaling, rank hash and Kendall tau;
// finiteness on every architecture, held-out tau and formula cost (sequential phase).
#include "zcgp/engine/Evolution.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "zcgp/engine/Infix.hpp"
#include "zcgp/fitness/RankStatistics.hpp"

#include "EvolutionInternal.hpp"

namespace zcgp::engine {

FitnessCv parseFitnessCv(std::string_view name) {
    if (name == "off") return FitnessCv::Off;
    if (name == "loo") return FitnessCv::Loo;
    throw std::invalid_argument(fmt::format("--fitness-cv: unknown '{}' (valid: off, loo)", name));
}

FinalPick parseFinalPick(std::string_view name) {
    if (name == "best") return FinalPick::Best;
    if (name == "loo") return FinalPick::Loo;
    if (name == "inner") return FinalPick::Inner;
    throw std::invalid_argument(fmt::format("--pick: unknown '{}' (valid: best, loo, inner)", name));
}

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
        w.nodeEvaluations += ind.tree.size() * fit_[t].size();
        if (!trainInterpreters_[t].evaluate(ind.tree, w.scratch[t], w.train[t])) {
            rejected = PruneRule::NonFinite;
            return;
        }
    }
    // LPZero's early stop on the tree's first train values (the interpreter evaluates every train row in one
    // vectorised pass, as cheap as a few rows; what the rule saves is what follows: linear scaling, hashing, Kendall)
    if (config_.earlyStop > 0) {
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            auto const n = std::min(config_.earlyStop, fit_[t].size());
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
                w.terms[t][k] = trainInterpreters_[t].column(w.scratch[t], ind.terms.roots[k]).first(fit_[t].size());
            }
        }
        if (!ridge_->fit(w.terms, ind.terms, w.loo)) {
            rejected = PruneRule::Constant;
            return;
        }
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            auto out = std::span<double>(w.train[t]).first(fit_[t].size());
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
    std::array<std::span<double const>, 64> ranked{};  // per task: the values tau ranked (lexicase cases)
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        auto const out = std::span<double const>(w.train[t]).first(fit_[t].size());
        if (t == 0) {
            ind.ranks = rankHash(out.first(probeSize_));
            // a ranking seen in an earlier generation adds nothing: reject before Kendall, and breed retries.
            // seenRanks_ only changes between parallel phases, so this read is race-free and deterministic.
            if (seenRanks_.contains(ind.ranks)) {
                rejected = PruneRule::DuplicateRanking;
                return;
            }
        }
        // validated fitness: the tau of the leave-one-out predictions (the rank hash above stays the formula's)
        bool const validated = !w.loo.empty() && ind.terms.count > 1;
        if (t < ranked.size()) ranked[t] = validated ? std::span<double const>(w.loo[t]) : out;
        double tau = w.kendall[t](validated ? std::span<double const>(w.loo[t]) : out);
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
    if (lexicase_) fillCases(ind, std::span<std::span<double const> const>(ranked.data(), tasks_.size()));
}

void Evolution::fillCases(Individual& ind, std::span<std::span<double const> const> values) const {
    std::size_t total = 0;
    for (auto const& rows : fit_) total += rows.size();
    ind.cases.resize(total);
    std::size_t offset = 0;
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        auto const n = fit_[t].size();
        concordanceCases(values[t], trainData_[t]->target().first(n), std::span<float>(ind.cases).subspan(offset, n));
        offset += n;
    }
}

void Evolution::rescoreCases(Individual& ind, Worker& w) {
    ind.cases.clear();
    if (!ind.valid) return;
    std::array<std::span<double const>, 64> values{};
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        if (!trainInterpreters_[t].evaluate(ind.tree, w.scratch[t], w.train[t])) return;
        values[t] = std::span<double const>(w.train[t]).first(fit_[t].size());
    }
    auto terms = additiveTerms(ind.tree, config_.linearTerms);
    if (terms.count > 1) {
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            for (std::size_t k = 0; k < terms.count; ++k) {
                w.terms[t][k] = trainInterpreters_[t].column(w.scratch[t], terms.roots[k]).first(fit_[t].size());
            }
        }
        if (!ridge_->fit(w.terms, terms, w.loo)) return;
        for (std::size_t t = 0; t < tasks_.size(); ++t) {
            auto out = std::span<double>(w.train[t]).first(fit_[t].size());
            combineTerms(terms, w.terms[t], out);
            values[t] = w.loo.empty() ? std::span<double const>(out) : std::span<double const>(w.loo[t]);
        }
    }
    fillCases(ind, std::span<std::span<double const> const>(values.data(), tasks_.size()));
}

bool Evolution::evaluateAll(Tree const& tree, std::size_t task) {
    verifyBuffer_.resize(tasks_[task].data.rows());
    return interpreters_[task].evaluate(tree, verifyScratch_[task], verifyBuffer_);
}

bool Evolution::finiteEverywhere(Tree const& tree) {
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        ++evaluations_;
        nodeEvaluations_ += tree.size() * tasks_[t].data.rows();
        if (!evaluateAll(tree, t)) return false;
    }
    return true;
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

namespace zcgp::engine {

double Evolution::validatedTrainTau(Tree const& tree) const {
    auto terms = additiveTerms(tree, config_.linearTerms);
    std::vector<std::array<std::vector<double>, MaxLinearTerms>> values(tasks_.size());
    std::vector<std::array<std::span<double const>, MaxLinearTerms>> columns(tasks_.size());
    std::vector<std::vector<double>> predictions(tasks_.size());
    auto const& nodes = tree.nodes();
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        auto const n = fit_[t].size();
        for (std::size_t k = 0; k < terms.count; ++k) {
            auto const r = terms.roots[k];
            auto const term = terms.count == 1 ? tree
                                               : Tree(std::vector<Node>(nodes.begin() + (r - nodes[r].length),
                                                                        nodes.begin() + r + 1));
            auto v = trainInterpreters_[t].evaluate(term);
            v.resize(n);  // drop the padding rows
            if (!std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); })) return std::nan("");
            values[t][k] = std::move(v);
            columns[t][k] = values[t][k];
        }
        if (terms.count == 1) predictions[t] = values[t][0];
    }
    if (terms.count > 1 && !ridge_->fit(columns, terms, predictions)) return std::nan("");
    double sum = 0.0, worst = 2.0;
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        auto const& target = trainData_[t]->target();
        double const tau = fitness::kendallTau(predictions[t], target.first(fit_[t].size()));
        if (!std::isfinite(tau)) return std::nan("");
        sum += tau;
        worst = std::min(worst, tau);
    }
    return config_.aggregate == Aggregate::Mean ? sum / static_cast<double>(tasks_.size()) : worst;
}

double Evolution::innerValidationTau(Tree const& tree) const {
    double sum = 0.0, worst = 2.0;
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
        std::vector<std::size_t> rows;
        std::set_difference(train_[t].begin(), train_[t].end(), fit_[t].begin(), fit_[t].end(), std::back_inserter(rows));
        if (rows.size() < 2) return std::nan("");
        auto const all = interpreters_[t].evaluate(tree);
        std::vector<double> x, y;
        for (auto r : rows) {
            if (!std::isfinite(all[r])) return std::nan("");
            x.push_back(all[r]);
            y.push_back(tasks_[t].data.target()[r]);
        }
        double const tau = fitness::kendallTau(x, y);
        if (!std::isfinite(tau)) return std::nan("");
        sum += tau;
        worst = std::min(worst, tau);
    }
    return config_.aggregate == Aggregate::Mean ? sum / static_cast<double>(tasks_.size()) : worst;
}

Individual Evolution::reported() const {
    if (config_.finalPick == FinalPick::Best || !best_.valid) return best_;
    Individual chosen = best_;
    double bestScore = -2.0;
    auto consider = [&](Individual const& ind) {
        double const tau = config_.finalPick == FinalPick::Inner ? innerValidationTau(ind.tree) : validatedTrainTau(ind.tree);
        double const score = tau - config_.parsimony * static_cast<double>(ind.tree.size()) -
                             config_.costWeight * ind.cost;
        if (std::isfinite(score) && score > bestScore) {
            bestScore = score;
            chosen = ind;
        }
    };
    consider(best_);
    for (auto const& ind : pareto()) consider(ind);
    return chosen;
}

}  // namespace zcgp::engine
