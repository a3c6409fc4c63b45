#include "zcgp/engine/Tree.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include <fmt/core.h>

namespace zcgp::engine {

Node Node::function(Opcode op) {
    Node n;
    n.op = op;
    n.type = primitives::primitive(op).result;
    return n;
}

bool Node::operator==(Node const& o) const {
    if (op != o.op || type != o.type || length != o.length) return false;
    if (op == Opcode::Constant) return std::bit_cast<std::uint64_t>(value) == std::bit_cast<std::uint64_t>(o.value);
    if (op == Opcode::Variable || op == Opcode::LayerVar) return index == o.index;
    return true;
}

void Tree::updateLengths() {
    if (nodes_.size() > MaxTreeSize) {
        throw std::invalid_argument(
            fmt::format("a tree of {} nodes exceeds the maximum of {} nodes", nodes_.size(), MaxTreeSize));
    }
    // subtree depths in the same postfix pass (a reused buffer: trees are built in the GP's inner loop)
    thread_local std::vector<std::uint16_t> depths;
    depths.clear();
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        auto& n = nodes_[i];
        std::size_t const arity = n.arity();
        if (depths.size() < arity) throw std::logic_error("malformed postfix tree");
        std::uint16_t deepest = 0;
        for (std::size_t a = 0; a < arity; ++a) {
            deepest = std::max(deepest, depths.back());
            depths.pop_back();
        }
        if (deepest + 1U > MaxTreeDepth) {
            throw std::invalid_argument(fmt::format("a tree deeper than {} levels", MaxTreeDepth));
        }
        depths.push_back(static_cast<std::uint16_t>(deepest + 1));
        n.type = n.op == Opcode::Constant || n.op == Opcode::Variable ? ValueType::Scalar
                 : n.op == Opcode::LayerVar                          ? ValueType::LayerVector
                                                                      : primitives::primitive(n.op).result;
        std::size_t len = 0;
        std::size_t j = i;
        for (int a = 0; a < n.arity(); ++a) {
            if (j == 0) throw std::logic_error("malformed postfix tree");
            --j;
            len += nodes_[j].length + 1U;
            j -= nodes_[j].length;
        }
        n.length = static_cast<std::uint16_t>(len);
    }
}

std::vector<std::size_t> Tree::children(std::size_t i) const {
    std::vector<std::size_t> out(nodes_[i].arity());
    std::size_t j = i - 1;
    for (std::size_t a = out.size(); a-- > 0;) {
        out[a] = j;
        if (a > 0) j -= nodes_[j].length + 1U;
    }
    return out;
}

std::size_t Tree::depthOf(std::size_t i) const {
    // one postfix pass with a stack of subtree depths; the buffer is reused, so no allocation per call
    thread_local std::vector<std::size_t> stack;
    stack.clear();
    for (std::size_t k = subtreeStart(i); k <= i; ++k) {
        std::size_t arity = nodes_[k].arity();
        std::size_t best = 0;
        for (std::size_t a = 0; a < arity; ++a) {
            best = std::max(best, stack.back());
            stack.pop_back();
        }
        stack.push_back(best + 1);
    }
    return stack.back();
}

std::size_t Tree::depth() const { return nodes_.empty() ? 0 : depthOf(nodes_.size() - 1); }

std::size_t Tree::level(std::size_t i) const {
    std::size_t lvl = 1;
    // every ancestor j > i has its span covering i
    for (std::size_t j = i + 1; j < nodes_.size(); ++j) {
        if (j - nodes_[j].length <= i) ++lvl;
    }
    return lvl;
}

std::size_t Tree::complexity() const {
    std::size_t c = 0;
    for (auto const& n : nodes_) c += primitives::primitive(n.op).complexity;
    return c;
}

std::vector<Node> Tree::subtree(std::size_t i) const {
    return {nodes_.begin() + static_cast<std::ptrdiff_t>(subtreeStart(i)),
            nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1};
}

Tree Tree::replaced(std::size_t i, std::span<Node const> with) const {
    std::vector<Node> out;
    out.reserve(nodes_.size() - nodes_[i].length - 1 + with.size());
    auto start = subtreeStart(i);
    out.insert(out.end(), nodes_.begin(), nodes_.begin() + static_cast<std::ptrdiff_t>(start));
    out.insert(out.end(), with.begin(), with.end());
    out.insert(out.end(), nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1, nodes_.end());
    return Tree(std::move(out));
}

Tree Tree::replaced(std::size_t i, Tree const& donor, std::size_t j) const {
    auto const& from = donor.nodes();
    auto const with = std::span<Node const>(from).subspan(donor.subtreeStart(j), from[j].length + 1u);
    auto const start = subtreeStart(i);
    auto const removed = i + 1 - start;
    auto const size = nodes_.size() - removed + with.size();
    if (size > MaxTreeDepth) return replaced(i, with);  // a tree this large may be too deep: the full check
    Tree t;
    t.nodes_.reserve(size);
    t.nodes_.insert(t.nodes_.end(), nodes_.begin(), nodes_.begin() + static_cast<std::ptrdiff_t>(start));
    t.nodes_.insert(t.nodes_.end(), with.begin(), with.end());
    t.nodes_.insert(t.nodes_.end(), nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1, nodes_.end());
    // only the ancestors of node i (the later nodes whose span covers it) change length, by what the donor adds
    auto const grow = static_cast<std::ptrdiff_t>(with.size()) - static_cast<std::ptrdiff_t>(removed);
    for (std::size_t k = i + 1; k < nodes_.size(); ++k) {
        if (k - nodes_[k].length > i) continue;
        t.nodes_[static_cast<std::size_t>(static_cast<std::ptrdiff_t>(k) + grow)].length =
            static_cast<std::uint16_t>(static_cast<std::ptrdiff_t>(nodes_[k].length) + grow);
    }
    return t;
}

Tree Tree::withNode(std::size_t i, Node n) const {
    if (n.arity() != nodes_[i].arity()) {
        auto nodes = nodes_;
        nodes[i] = n;
        return Tree(std::move(nodes));
    }
    // what updateLengths would set: the same subtree length, and the type from the opcode
    n.length = nodes_[i].length;
    n.type = n.op == Opcode::Constant || n.op == Opcode::Variable ? ValueType::Scalar
             : n.op == Opcode::LayerVar                          ? ValueType::LayerVector
                                                                  : primitives::primitive(n.op).result;
    Tree t;
    t.nodes_ = nodes_;
    t.nodes_[i] = n;
    return t;
}

bool Tree::hasTerminal(Opcode op) const {
    return std::any_of(nodes_.begin(), nodes_.end(), [op](Node const& n) { return n.op == op; });
}

std::string Tree::validate() const {
    if (nodes_.empty()) return "empty tree";
    if (nodes_.size() > MaxTreeSize) return fmt::format("{} nodes exceed the maximum of {}", nodes_.size(), MaxTreeSize);
    std::vector<ValueType> stack;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        auto const& n = nodes_[i];
        auto const& p = primitives::primitive(n.op);
        if (stack.size() < p.arity) return fmt::format("node {} ({}) lacks arguments", i, p.name);
        for (std::size_t a = 0; a < p.arity; ++a) {
            auto t = stack[stack.size() - p.arity + a];
            if (t != p.args[a]) {
                return fmt::format("node {} ({}) argument {} is {}, expected {}", i, p.name, a,
                                   primitives::toString(t), primitives::toString(p.args[a]));
            }
        }
        stack.resize(stack.size() - p.arity);
        auto expected = n.op == Opcode::LayerVar ? ValueType::LayerVector : p.result;
        if (n.type != expected) return fmt::format("node {} ({}) has the wrong type", i, p.name);
        stack.push_back(expected);
    }
    if (stack.size() != 1) return fmt::format("{} values left on the stack", stack.size());
    if (depth() > MaxTreeDepth) return fmt::format("depth {} exceeds the maximum of {}", depth(), MaxTreeDepth);
    Tree copy = *this;
    copy.updateLengths();
    if (!(copy == *this)) return "subtree lengths are stale";
    return {};
}

}  // namespace zcgp::engine
