#pragma once
// Exports a formula as a self-contained C++ header: one inline function taking the named raw proxy scores
// (and layer vectors, where used) and returning the proxy value, with the terminal transforms and the
// protected-operator semantics of the engine spelled out, plus a provenance comment.
#include <string>
#include <vector>

#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Tree.hpp"
#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::engine {

struct ExportOptions {
    std::string functionName{"zc_proxy"};
    std::string provenance;  // free text placed in the header comment (task, seed, tau, ...)
    // what the inputs are, in the header's "Inputs (...)" line: the suite's scores, or a researcher's table
    std::string inputs{"raw NAS-Bench-Suite-Zero scores"};
};

// transforms: per scalar terminal (Vocabulary index), applied to the raw score before the formula.
[[nodiscard]] std::string exportCpp(Tree const& tree, Vocabulary const& vocabulary,
                                    std::vector<primitives::ColumnTransform> const& transforms,
                                    ExportOptions const& options);

}  // namespace zcgp::engine
