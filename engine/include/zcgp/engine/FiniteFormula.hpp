#pragma once
// Whether a linearly scaled formula sum_k c_k f_k (weightedTree) evaluates finitely on every row of an
// interpreter's data, answered mostly from a memo of its terms (issue 14): a would-be best, hall-of-fame or
// cost-front member must be finite on every architecture (docs/engine.md, "Finiteness guarantee"), and its terms
// are mostly terms met before. The answer is always that of Interpreter::evaluate on the formula itself.
#include <cstdint>
#include <vector>

#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/LinearScaling.hpp"
#include "zcgp/engine/TermMemo.hpp"

namespace zcgp::engine {

// One term evaluated on its own over every row: whether the interpreter found it finite, and its largest |value|.
struct FiniteTerm {
    bool finite{false};
    double maxAbs{0.0};
};
using FiniteTermMemo = TermMemo<FiniteTerm>;

// The work a check did: trees evaluated over every row, and their nodes times rows.
struct FiniteCheckWork {
    std::uint64_t evaluations{0}, nodeEvaluations{0};
};

// interpreter.evaluate(weightedTree(tree, terms), ...) == true, decided thus: if every kept term (c_k != 0)
// evaluates finitely on its own (its nodes compute the same columns inside the formula, under the same checks)
// and rows * sum_k |c_k| max|f_k| <= 2^1000, no product c_k f_k, partial sum or column sum can overflow, so the
// formula is finite. Otherwise (a term that fails alone may still pass inside the formula, e.g. one whose column
// sum overflows until its weight shrinks it) the formula itself is evaluated. One memo per interpreter (task) and
// worker; scratch and buffer are the caller's, for this interpreter.
[[nodiscard]] bool weightedFormulaFinite(Interpreter const& interpreter, Tree const& tree, LinearTerms const& terms,
                                         FiniteTermMemo& memo, Interpreter::Scratch& scratch,
                                         std::vector<double>& buffer, FiniteCheckWork& work);

}  // namespace zcgp::engine
