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
    EarlyStop,         // LPZero's early stop: its first K train scores are identical, or one of them is 0 or -1
    Count_
};
inline constexpr std::size_t PruneRuleCount = static_cast<std::size_t>(PruneRule::Count_);
[[nodiscard]] std::string_view toString(PruneRule rule);

using PruneCounts = std::array<std::uint64_t, PruneRuleCount>;

// The structural rules (NoTerminal, Limit, Redundant), which need no evaluation; nullopt if none fires.
// If none fires and hash is given, *hash is set to structuralHash(tree) (computed on the way, for free).
[[nodiscard]] std::optional<PruneRule> structuralRule(Tree const& tree, TreeContext const& ctx,
                                                      std::uint64_t* hash = nullptr);
// Returns true if the tree contains a cancelling or redundant pattern; sets *hash as above if given.
[[nodiscard]] bool hasRedundantPattern(Tree const& tree, std::uint64_t* hash = nullptr);

// LPZero's early-stop rule (its evo_search: `is_anomaly` and `all_same`) on a candidate's first scores: true if they
// are all identical (more than one of them) or any is 0, -1, NaN or infinite. An empty span never fires.
[[nodiscard]] bool earlyStopFires(std::span<double const> firstScores);

// Hash of the ranking (weak order, ties included) of the values: invariant to strictly increasing transforms.
// O(n^2) and allocation-free; the GP hashes its first 64 train architectures.
[[nodiscard]] std::uint64_t rankHash(std::span<double const> values);

// A set of 64-bit hashes (rankings, trees seen): open addressing with linear probing in one flat array, so a
// lookup is one or two cache lines (std::unordered_set chases a node pointer per lookup, which showed up in
// profiles once a run had seen ~10^4 trees). The keys are already hashes; they are mixed once more for the
// slot. Grows at 50% load. contains() is safe to call from many threads while nobody inserts.
class HashSet {
public:
    [[nodiscard]] bool contains(std::uint64_t key) const;
    bool insert(std::uint64_t key);  // false if already present
    [[nodiscard]] std::size_t size() const { return size_ + (hasZero_ ? 1 : 0); }
    void clear();

private:
    void grow();
    std::vector<std::uint64_t> slots_;  // 0 marks an empty slot; key 0 is kept in hasZero_
    std::size_t size_{0};
    bool hasZero_{false};
};

}  // namespace zcgp::engine
