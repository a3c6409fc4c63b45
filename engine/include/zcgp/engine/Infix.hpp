#pragma once
// Infix formatting and parsing of typed trees (round-trip: parse(format(t)) == t), the Merkle structural
// hash (commutative children sorted first) and algebraic simplification.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zcgp/engine/Tree.hpp"
#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::engine {

// The terminal names a formula may use.
struct Vocabulary {
    std::vector<std::string> scalars;  // Variable index -> name
    std::vector<std::string> layers;   // LayerVar index -> name
    [[nodiscard]] static Vocabulary of(primitives::Dataset const& data);
};

// Binary infix operators fully parenthesised; functions as name(args); constants in shortest round-trip form.
[[nodiscard]] std::string format(Tree const& tree, Vocabulary const& vocabulary);
// Parentheses, function calls and unary minus nest at most this deep in a formula (docs/engine.md); equal to
// MaxTreeDepth, so that every tree's formula parses back.
inline constexpr std::size_t MaxFormulaNesting = MaxTreeDepth;

// Throws std::invalid_argument naming the unknown proxy/function or the position of a syntax/type error, a
// formula over MaxTreeSize nodes, MaxTreeDepth levels or nested deeper than MaxFormulaNesting.
[[nodiscard]] Tree parse(std::string_view formula, Vocabulary const& vocabulary);

// Structural hash: equal for trees equal up to the order of commutative children.
[[nodiscard]] std::uint64_t structuralHash(Tree const& tree);
// Per-node subtree hashes (same convention).
[[nodiscard]] std::vector<std::uint64_t> subtreeHashes(Tree const& tree);
void subtreeHashes(Tree const& tree, std::vector<std::uint64_t>& out);  // reuses out's storage

// Constant folding; x-x -> 0, x/x -> 1, neg(neg x) -> x, abs(abs x), abs(neg x) -> abs x, sqrt(square x) ->
// abs x, min(x,x), max(x,x) -> x, x+0, x-0, x*1, x/1 -> x, x*0 -> 0, 0-x -> neg x; flattens nested commutative
// operators (+, *, min, max), folds their constants and sorts their operands by structural hash.
[[nodiscard]] Tree simplify(Tree const& tree);

}  // namespace zcgp::engine
