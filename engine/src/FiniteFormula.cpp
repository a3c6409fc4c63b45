#include "zcgp/engine/FiniteFormula.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Core>

namespace zcgp::engine {

bool weightedFormulaFinite(Interpreter const& interpreter, Tree const& tree, LinearTerms const& terms,
                           FiniteTermMemo& memo, Interpreter::Scratch& scratch, std::vector<double>& buffer,
                           FiniteCheckWork& work) {
    auto const rows = interpreter.rows();
    buffer.resize(rows);
    auto evaluate = [&](Tree const& t) {
        ++work.evaluations;
        work.nodeEvaluations += t.size() * rows;
        return interpreter.evaluate(t, scratch, buffer);
    };
    if (terms.count <= 1) return evaluate(tree);
    double bound = 0.0;
    bool known = true;
    for (std::size_t k = 0; known && k < terms.count; ++k) {
        double const c = terms.weights[k];
        if (c == 0.0) continue;
        auto const root = terms.roots[k];
        bool hit = false;
        auto* slot = memo.find(tree, root, hit);
        FiniteTerm term;
        if (hit) {
            term = slot->value;
        } else {
            auto const& nodes = tree.nodes();
            Tree const alone(std::vector<Node>(nodes.begin() + (root - tree[root].length), nodes.begin() + root + 1));
            term.finite = evaluate(alone);
            // every value is finite here, so the largest magnitude is exact in any order (one vectorised pass)
            if (term.finite) term.maxAbs = Eigen::Map<Eigen::ArrayXd const>(buffer.data(), static_cast<Eigen::Index>(rows)).abs().maxCoeff();
            if (slot != nullptr) slot->value = term;
        }
        known = term.finite;
        bound += std::abs(c) * term.maxAbs;
    }
    if (known && static_cast<double>(rows) * bound <= 0x1p1000) return true;
    return evaluate(weightedTree(tree, terms));
}

}  // namespace zcgp::engine
