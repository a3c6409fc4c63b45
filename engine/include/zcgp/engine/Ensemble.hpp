#pragma once
// Ensembles of evolved formulas (zcgp evolve --ensemble B): the members' seeds, their combination into one
// formula, and the union of their size fronts. docs/engine.md, "Ensembles".
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Tree.hpp"

namespace zcgp::engine {

// Seed of ensemble member `member` (splitmix64 of the master seed); member 0 keeps the master seed, so an
// ensemble of one is the plain run.
[[nodiscard]] std::uint64_t ensembleMemberSeed(std::uint64_t seed, std::size_t member);

// The initial-tree creators of an ensemble's members, one --creator spec per member. spec "auto": the run's creator
// and ramped half-and-half (rhh:2:5) in turn, member 0 first (so an ensemble of one is the plain run; where the run's
// creator is rhh:2:5 every member uses it). Otherwise a comma list of specs, member k taking entry k mod n. Members
// that differ in their starting trees, not only in their seeds, average more of the GP's variance away
// (docs/results.md section 2d). Throws std::invalid_argument for an empty list entry; the specs themselves are
// checked by makeCreator.
[[nodiscard]] std::vector<std::string> ensembleMemberCreators(std::string const& spec, std::string const& runCreator,
                                                              std::size_t members);

// The members combined into one formula: the sum over members of tanh((f - median) / (3 * 1.4826 * MAD)), each
// member's median and MAD taken over its values on `evo`'s train architectures (pooled over tasks; never the
// held-out ones). The squash keeps one member's outlying architectures from outvoting the others. Where over half
// of a member's train values tie (MAD 0), its standard deviation scales it instead (1 if that is 0 as well).
[[nodiscard]] Tree combineEnsemble(std::span<Tree const> members, Evolution const& evo);

// Pareto front of size against train tau of (tree, train tau) pairs: ascending size, each strictly better than
// every smaller one (ties in size: the best tau first; the first of equal pairs kept).
[[nodiscard]] std::vector<std::pair<Tree, double>> sizeFront(std::vector<std::pair<Tree, double>> all);

}  // namespace zcgp::engine
