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

// 1.4826 * the median absolute deviation of the formula's values on `evo`'s train architectures (pooled over tasks;
// never the held-out ones): a robust standard deviation. Where over half of the values tie (MAD 0), their standard
// deviation; 1 if that is 0 or non-finite as well.
[[nodiscard]] double trainScale(Tree const& tree, Evolution const& evo);

// One flat formula equal to sum_m weights[m] * members[m] up to a positive factor (and the rounding): each member's
// additive chain (a + b, a - b, -a, a constant times a) is expanded into weighted terms, a term that occurs in
// several members is written once with the sum of its weights, constant terms are dropped (an offset orders
// nothing), and the weights are divided by the largest magnitude and rounded to 4 significant digits like linear
// scaling's (LinearScaling.hpp); a weight below 1e-4 after that drops its term. Weights of 1 are not written, and a
// negative one is subtracted, so the result is smaller than the members side by side. Islands (zcgp evolve
// --islands) combine their bests this way, each weighted by 1 / trainScale.
[[nodiscard]] Tree linearCombination(std::span<Tree const> members, std::span<double const> weights);

// Islands (zcgp evolve --islands N): the run's population split into N independent populations that never
// interbreed, each with its own seed and initial trees, on the run's one train split; their bests are combined
// into one formula by islandCombination. The total budget (population x generations) is the run's.
// Island j: population populationSize / N (the first populationSize mod N islands one more), seed
// ensembleMemberSeed(seed, j) (island 0 keeps the run's), the run's split (splitSeed, or seed), creator
// creators[j]. One after the other (sideBySide false), each island has the run's threads and timeLimitSeconds / N;
// side by side, threads / N (at least 1) and the whole time limit. Throws std::invalid_argument when an island
// would have no more individuals than --elites, or fewer than 2, or creators.size() != islands.
[[nodiscard]] std::vector<EvolutionConfig> islandConfigs(EvolutionConfig const& run, std::size_t islands,
                                                         std::span<std::string const> creators,
                                                         bool sideBySide = false);

// The islands' best formulas as one: linearCombination weighted by 1 / trainScale of each, so each island's
// formula counts the same on the train architectures (the weights are fitted on them, without labels).
[[nodiscard]] Tree islandCombination(std::span<Tree const> bests, Evolution const& evo);

// Pareto front of size against train tau of (tree, train tau) pairs: ascending size, each strictly better than
// every smaller one (ties in size: the best tau first; the first of equal pairs kept).
[[nodiscard]] std::vector<std::pair<Tree, double>> sizeFront(std::vector<std::pair<Tree, double>> all);
// The same front for cost (Evolution::cost) against train tau: ascending cost, each strictly better than every
// cheaper one (ties in cost: the best tau first; the first of equal pairs kept).
[[nodiscard]] std::vector<std::pair<Tree, double>> costFront(std::vector<std::pair<Tree, double>> all,
                                                             Evolution const& evo);

}  // namespace zcgp::engine
