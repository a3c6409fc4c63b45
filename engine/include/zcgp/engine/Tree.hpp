#pragma once
// A typed expression tree stored as a contiguous postfix array of small nodes (after Operon): the root is the
// last node and node i's subtree is the span [i - length, i], so subtree operations are plain copies.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "zcgp/primitives/Primitive.hpp"

namespace zcgp::engine {

using primitives::Opcode;
using primitives::ValueType;

// The most nodes a tree may have, and its greatest depth (docs/engine.md). Every Tree is built through
// updateLengths(), which refuses larger or deeper ones, so parse, variation, checkpoints and ensembles all stop
// here. Node::length is 16 bits (so the 16-byte node stays small); format, simplify and the parser recurse once
// per level. 4096 nodes leave room for ensembles (40 members of 40 nodes combine into about 1,900, depth ~55);
// format() nests parentheses depth - 1 deep, so with MaxTreeDepth equal to the parser's nesting limit
// (MaxFormulaNesting, Infix.hpp) every tree's formula parses back.
inline constexpr std::size_t MaxTreeSize = 4096;
inline constexpr std::size_t MaxTreeDepth = 256;

struct Node {
    double value{0.0};        // Constant: its value
    std::uint32_t index{0};   // Variable / LayerVar: terminal column
    std::uint16_t length{0};  // number of nodes in the subtree below this one (0 for terminals)
    Opcode op{Opcode::Constant};
    ValueType type{ValueType::Scalar};

    [[nodiscard]] static Node constant(double v) { return Node{v, 0, 0, Opcode::Constant, ValueType::Scalar}; }
    [[nodiscard]] static Node variable(std::uint32_t i) { return Node{0.0, i, 0, Opcode::Variable, ValueType::Scalar}; }
    [[nodiscard]] static Node layerVariable(std::uint32_t i) {
        return Node{0.0, i, 0, Opcode::LayerVar, ValueType::LayerVector};
    }
    [[nodiscard]] static Node function(Opcode op);  // length filled in by Tree::updateLengths
    [[nodiscard]] bool isTerminal() const { return op == Opcode::Constant || op == Opcode::Variable || op == Opcode::LayerVar; }
    [[nodiscard]] std::uint8_t arity() const { return primitives::primitive(op).arity; }
    bool operator==(Node const& o) const;
};

class Tree {
public:
    Tree() = default;
    explicit Tree(std::vector<Node> nodes) : nodes_(std::move(nodes)) { updateLengths(); }

    [[nodiscard]] std::vector<Node> const& nodes() const { return nodes_; }
    [[nodiscard]] std::vector<Node>& nodes() { return nodes_; }
    [[nodiscard]] std::size_t size() const { return nodes_.size(); }
    [[nodiscard]] bool empty() const { return nodes_.empty(); }
    [[nodiscard]] Node const& root() const { return nodes_.back(); }
    [[nodiscard]] Node const& operator[](std::size_t i) const { return nodes_[i]; }

    // Recomputes every node's subtree length from the arities (postfix). Throws std::invalid_argument for a
    // tree over MaxTreeSize nodes or MaxTreeDepth levels, std::logic_error for a malformed one.
    void updateLengths();
    [[nodiscard]] std::size_t depth() const;       // a single terminal has depth 1
    [[nodiscard]] std::size_t depthOf(std::size_t i) const;  // depth of the subtree rooted at i
    [[nodiscard]] std::size_t level(std::size_t i) const;    // distance of node i from the root (root: 1)
    [[nodiscard]] std::size_t complexity() const;  // sum of primitive complexities
    // Child indices of node i, left to right.
    [[nodiscard]] std::vector<std::size_t> children(std::size_t i) const;
    [[nodiscard]] std::size_t subtreeStart(std::size_t i) const { return i - nodes_[i].length; }
    // A copy of the subtree rooted at i.
    [[nodiscard]] std::vector<Node> subtree(std::size_t i) const;
    // Replaces subtree i with the given postfix nodes.
    [[nodiscard]] Tree replaced(std::size_t i, std::span<Node const> with) const;
    // Replaces subtree i with the subtree rooted at node j of donor (crossover, mutation): the same tree as
    // replaced(i, donor.subtree(j)), without the copy, and with only the lengths of node i's ancestors updated
    // (every other node keeps its length), so no full updateLengths pass when the result has at most
    // MaxTreeDepth nodes (then it cannot be too deep or too large).
    [[nodiscard]] Tree replaced(std::size_t i, Tree const& donor, std::size_t j) const;
    // Node i replaced by n, which has the same arity (point mutation): the same tree as rebuilding it through
    // updateLengths, whose lengths such a change cannot alter. Any other n goes through updateLengths.
    [[nodiscard]] Tree withNode(std::size_t i, Node n) const;
    [[nodiscard]] bool hasTerminal(Opcode op) const;
    // Checks size and depth (MaxTreeSize, MaxTreeDepth), arities, lengths and types; returns an empty string when
    // well-formed, else the reason.
    [[nodiscard]] std::string validate() const;

    bool operator==(Tree const& o) const { return nodes_ == o.nodes_; }

private:
    std::vector<Node> nodes_;
};

}  // namespace zcgp::engine
