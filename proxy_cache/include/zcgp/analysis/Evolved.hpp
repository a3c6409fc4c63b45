#pragma once
// An evolved proxy as a feature: the engine's GP run on the train architectures of one split only, its best
// formula evaluated on every architecture. The held-out architectures never reach the evolution: it gets a
// dataset of the train rows alone (and, since Evolution keeps at least one row out of its train sample, it
// fits on all of them but one).
#include <cstdint>
#include <string>
#include <vector>

#include "zcgp/engine/Evolution.hpp"
#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::analysis {

struct EvolvedFormula {
    std::string formula;
    std::vector<double> values;  // on every row of the full dataset; NaN everywhere if not finite somewhere
    double trainTau{0};
};

// config.trainArchs and config.seed are set from trainRows and seed; the rest (population, generations, ...) is
// the caller's. Needs at least 4 train rows.
[[nodiscard]] EvolvedFormula evolveOnRows(primitives::Dataset const& terminals, std::vector<std::size_t> const& trainRows,
                                          std::uint64_t seed, engine::EvolutionConfig config);

}  // namespace zcgp::analysis
