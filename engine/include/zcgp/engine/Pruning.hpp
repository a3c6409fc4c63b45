#pragma once
// Rule-based pruning before fitness evaluation, after LPZero's rule-based pruning strategy (RPS). A tree
// that breaks a rule is rejected (worst fitness) and the rule's counter is incremented.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "zcgp/engine/Operators.hpp"
#include "zcgp/engine/Tree.hpp"

namespace zcgp::engine {

enum class PruneRule : std::uint8_t {
    NoTerminal,        // no proxy / layer-statistic terminal: the formula is a constant
    Limit,             // size or depth above the limits
    Redundant,         // cancelling/redundant pattern (x-x, x/x, min(x,x), neg(neg x), log(exp x), ...)
    Constant,          // the same value on every architecture
    NonFinite,         // NaN/Inf on some architecture of some task (all architectures, not only train)
    DuplicateRanking,  // ranks the probe architectures exactly like an already evaluated tree
    Count_
};
inline constexpr std::size_t PruneRuleCount = static_cast<std::size_t>(PruneRule::Count_);
[[nodiscard]] std::string_view toString(PruneRule rule);

using PruneCounts = std::array<std::uint64_t, PruneRuleCount>;

// The structural rules (NoTerminal, Limit, Redundant), which need no evaluation; nullopt if none fires.
[[nodiscard]] std::optional<PruneRule> structuralRule(Tree const& tree, TreeContext const& ctx);
// Returns true if the tree contains a cancelling or redundant pattern.
[[nodiscard]] bool hasRedundantPattern(Tree const& tree);

// Hash of the ranking (weak order, ties included) of the values: invariant to strictly increasing transforms.
// O(n^2) and allocation-free; the GP hashes its first 64 train architectures.
[[nodiscard]] std::uint64_t rankHash(std::span<double const> values);

}  // namespace zcgp::engine
