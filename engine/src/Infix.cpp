#include "zcgp/engine/Infix.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cmath>
#include <functional>
#include <memory>
#include <queue>
#include <tuple>
#include <stdexcept>

#include <fmt/core.h>

#include "zcgp/primitives/Kernels.hpp"

namespace zcgp::engine {

using primitives::Notation;
using primitives::primitive;

Vocabulary Vocabulary::of(primitives::Dataset const& data) { return {data.scalarNames(), data.layerNames()}; }

// ---------------------------------------------------------------- format
namespace {
void formatNode(Tree const& t, std::size_t i, Vocabulary const& v, std::string& out) {
    auto const& n = t[i];
    auto const& p = primitive(n.op);
    switch (n.op) {
        case Opcode::Constant: out += fmt::format("{}", n.value); return;
        case Opcode::Variable: out += n.index < v.scalars.size() ? v.scalars[n.index] : fmt::format("x{}", n.index); return;
        case Opcode::LayerVar: out += n.index < v.layers.size() ? v.layers[n.index] : fmt::format("v{}", n.index); return;
        default: break;
    }
    auto ch = t.children(i);
    if (p.notation == Notation::Infix) {
        out += '(';
        formatNode(t, ch[0], v, out);
        out += fmt::format(" {} ", p.symbol);
        formatNode(t, ch[1], v, out);
        out += ')';
        return;
    }
    out += p.symbol;
    out += '(';
    for (std::size_t a = 0; a < ch.size(); ++a) {
        if (a > 0) out += ", ";
        formatNode(t, ch[a], v, out);
    }
    out += ')';
}
}  // namespace

std::string format(Tree const& tree, Vocabulary const& vocabulary) {
    std::string out;
    if (!tree.empty()) formatNode(tree, tree.size() - 1, vocabulary, out);
    return out;
}

// ---------------------------------------------------------------- parse
namespace {
class Parser {
public:
    Parser(std::string_view text, Vocabulary const& v) : s_(text), v_(v) {}

    Tree run() {
        auto nodes = expr();
        skip();
        if (pos_ != s_.size()) fail(fmt::format("unexpected '{}'", s_[pos_]));
        Tree t(std::move(nodes));
        if (t.root().type != ValueType::Scalar) fail("the formula must produce a Scalar, not a LayerVector");
        return t;
    }

private:
    using Nodes = std::vector<Node>;
    std::string_view s_;
    Vocabulary const& v_;
    std::size_t pos_{0};

    std::size_t nesting_{0};

    [[noreturn]] void fail(std::string const& why) const {
        // a long formula is cut in the message; the position says where
        constexpr std::size_t Shown = 200;
        std::string shown(s_.substr(0, Shown));
        if (s_.size() > Shown) shown += fmt::format("... ({} characters)", s_.size());
        throw std::invalid_argument(fmt::format("formula '{}': {} at position {}", shown, why, pos_));
    }
    // Parentheses, function calls and unary minus recurse; each level holds one of these.
    struct Nested {
        Parser& p;
        explicit Nested(Parser& parser) : p(parser) {
            if (++p.nesting_ > MaxFormulaNesting) {
                --p.nesting_;
                p.fail(fmt::format("nesting deeper than {} levels", MaxFormulaNesting));
            }
        }
        ~Nested() { --p.nesting_; }
        Nested(Nested const&) = delete;
        Nested& operator=(Nested const&) = delete;
    };
    void skip() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])) != 0) ++pos_;
    }
    bool accept(char c) {
        skip();
        if (pos_ < s_.size() && s_[pos_] == c) { ++pos_; return true; }
        return false;
    }
    static ValueType typeOf(Nodes const& n) { return n.back().type; }

    Nodes combine(std::string_view symbol, std::vector<Nodes> args) {
        std::vector<ValueType> types;
        for (auto const& a : args) types.push_back(typeOf(a));
        auto op = primitives::resolve(symbol, types);
        if (!op && args.size() == 2 && (symbol == "+" || symbol == "*") && types[0] == ValueType::Scalar &&
            types[1] == ValueType::LayerVector) {
            std::swap(args[0], args[1]);  // Scalar + LayerVector: broadcast is commutative
            std::swap(types[0], types[1]);
            op = primitives::resolve(symbol, types);
        }
        if (!op) {
            std::string sig;
            for (auto t : types) sig += (sig.empty() ? "" : ", ") + std::string(primitives::toString(t));
            if (!primitives::isSymbol(symbol)) fail(fmt::format("unknown function '{}'", symbol));
            fail(fmt::format("no operator '{}' takes ({})", symbol, sig));
        }
        Nodes out;
        std::size_t size = 1;
        for (auto const& a : args) size += a.size();
        if (size > MaxTreeSize) fail(fmt::format("the formula has more than {} nodes", MaxTreeSize));
        for (auto& a : args) out.insert(out.end(), a.begin(), a.end());
        out.push_back(Node::function(*op));
        try {
            Tree t(std::move(out));  // fills lengths and types; refuses trees deeper than MaxTreeDepth
            return t.nodes();
        } catch (std::invalid_argument const& e) {
            fail(e.what());
        }
    }

    Nodes expr() {
        auto lhs = term();
        for (;;) {
            if (accept('+')) lhs = combine("+", {lhs, term()});
            else if (accept('-')) lhs = combine("-", {lhs, term()});
            else return lhs;
        }
    }
    Nodes term() {
        auto lhs = unary();
        for (;;) {
            if (accept('*')) lhs = combine("*", {lhs, unary()});
            else if (accept('/')) lhs = combine("/", {lhs, unary()});
            else return lhs;
        }
    }
    Nodes unary() {
        skip();
        if (accept('-')) {
            skip();
            if (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) != 0 || s_[pos_] == '.')) {
                return {Node::constant(-number())};
            }
            Nested level(*this);
            return combine("neg", {unary()});
        }
        return primary();
    }
    double number() {
        std::size_t start = pos_;
        while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) != 0 || s_[pos_] == '.')) ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])) != 0) ++pos_;
        }
        std::string text(s_.substr(start, pos_ - start));
        // strtod, not std::stod: stod throws on subnormal results, which format() prints (2/1e308 simplifies to
        // 2e-308), so they must read back. Overflow and underflow to zero are errors.
        errno = 0;
        char* end = nullptr;
        double const v = std::strtod(text.c_str(), &end);
        bool const whole = !text.empty() && end == text.c_str() + text.size();
        if (!whole) {
            pos_ = start;
            fail(fmt::format("malformed number '{}'", text));
        }
        if (errno == ERANGE && (std::isinf(v) || v == 0.0)) {
            pos_ = start;
            fail(fmt::format("number '{}' is out of the range of a double", text));
        }
        return v;
    }
    Nodes primary() {
        skip();
        if (pos_ >= s_.size()) fail("unexpected end of formula");
        char c = s_[pos_];
        if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.') return {Node::constant(number())};
        if (c == '(') {
            Nested level(*this);
            ++pos_;
            auto e = expr();
            if (!accept(')')) fail("expected ')'");
            return e;
        }
        if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') {
            std::size_t start = pos_;
            while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) != 0 || s_[pos_] == '_' ||
                                        s_[pos_] == '.')) {
                ++pos_;
            }
            std::string word(s_.substr(start, pos_ - start));
            if (accept('(')) {
                Nested level(*this);
                std::vector<Nodes> args;
                if (!accept(')')) {
                    do { args.push_back(expr()); } while (accept(','));
                    if (!accept(')')) fail(fmt::format("expected ')' after the arguments of '{}'", word));
                }
                return combine(word, std::move(args));
            }
            for (std::size_t k = 0; k < v_.scalars.size(); ++k) {
                if (v_.scalars[k] == word) return {Node::variable(static_cast<std::uint32_t>(k))};
            }
            for (std::size_t k = 0; k < v_.layers.size(); ++k) {
                if (v_.layers[k] == word) return {Node::layerVariable(static_cast<std::uint32_t>(k))};
            }
            std::string known;
            for (auto const& n : v_.scalars) known += (known.empty() ? "" : ", ") + n;
            for (auto const& n : v_.layers) known += (known.empty() ? "" : ", ") + n;
            pos_ = start;
            fail(fmt::format("unknown proxy '{}' (known terminals: {})", word, known));
        }
        fail(fmt::format("unexpected '{}'", c));
    }
};
}  // namespace

Tree parse(std::string_view formula, Vocabulary const& vocabulary) { return Parser(formula, vocabulary).run(); }

// ---------------------------------------------------------------- hash
namespace {
constexpr std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    v += 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    v ^= v >> 30; v *= 0xbf58476d1ce4e5b9ULL;
    v ^= v >> 27; v *= 0x94d049bb133111ebULL;
    v ^= v >> 31;
    return h ^ v;
}
}  // namespace

void subtreeHashes(Tree const& tree, std::vector<std::uint64_t>& h) {
    h.resize(tree.size());
    auto const& nodes = tree.nodes();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto const& n = nodes[i];
        std::uint64_t x = mix(0x1234567ULL, static_cast<std::uint64_t>(n.op) + 1);
        if (n.op == Opcode::Constant) {
            x = mix(x, std::bit_cast<std::uint64_t>(n.value));
        } else if (n.isTerminal()) {
            x = mix(x, n.index);
        } else if (n.arity() == 1) {
            x = mix(x, h[i - 1]);
        } else {
            auto right = h[i - 1];
            auto left = h[i - 2 - nodes[i - 1].length];
            if (primitive(n.op).commutative && right < left) std::swap(left, right);
            x = mix(mix(x, left), right);
        }
        h[i] = x;
    }
}

std::vector<std::uint64_t> subtreeHashes(Tree const& tree) {
    std::vector<std::uint64_t> h;
    subtreeHashes(tree, h);
    return h;
}

std::uint64_t structuralHash(Tree const& tree) { return tree.empty() ? 0 : subtreeHashes(tree).back(); }

// ---------------------------------------------------------------- simplify
namespace {
struct Expr {
    Node node;
    std::vector<Expr> args;
    [[nodiscard]] bool isConst() const { return node.op == Opcode::Constant; }
    [[nodiscard]] bool isConst(double v) const { return isConst() && node.value == v; }
};

Expr toExpr(Tree const& t, std::size_t i) {
    Expr e{t[i], {}};
    for (auto c : t.children(i)) e.args.push_back(toExpr(t, c));
    return e;
}
void toNodes(Expr const& e, std::vector<Node>& out) {
    for (auto const& a : e.args) toNodes(a, out);
    out.push_back(e.node);
}
std::uint64_t hashOf(Expr const& e) {
    std::vector<Node> nodes;
    toNodes(e, nodes);
    return structuralHash(Tree(std::move(nodes)));
}
bool sameExpr(Expr const& a, Expr const& b) {
    std::vector<Node> x, y;
    toNodes(a, x);
    toNodes(b, y);
    return Tree(x) == Tree(y);
}
Expr constant(double v) { return Expr{Node::constant(v), {}}; }
Expr make(Opcode op, std::vector<Expr> args) { return Expr{Node::function(op), std::move(args)}; }

std::optional<double> fold(Opcode op, double a, double b) {
    namespace k = primitives::kernels;
    switch (op) {
        case Opcode::Add: return k::add(a, b);
        case Opcode::Sub: return k::sub(a, b);
        case Opcode::Mul: return k::mul(a, b);
        case Opcode::Div: return k::div(a, b);
        case Opcode::AQ: return k::aq(a, b);
        case Opcode::Min: return k::min(a, b);
        case Opcode::Max: return k::max(a, b);
        case Opcode::Neg: return k::neg(a);
        case Opcode::Abs: return k::abs(a);
        case Opcode::Log: return k::log(a);
        case Opcode::Sqrt: return k::sqrt(a);
        case Opcode::Square: return k::square(a);
        case Opcode::Exp: return k::exp(a);
        case Opcode::Tanh: return k::tanh(a);
        case Opcode::Sigmoid: return k::sigmoid(a);
        case Opcode::Inv: return k::inv(a);
        case Opcode::Relu: return k::relu(a);
        default: return std::nullopt;
    }
}

void flatten(Opcode op, Expr const& e, std::vector<Expr>& out) {
    if (e.node.op == op) {
        for (auto const& a : e.args) flatten(op, a, out);
    } else {
        out.push_back(e);
    }
}

std::size_t depthOf(Expr const& e) {
    std::size_t d = 0;
    for (auto const& a : e.args) d = std::max(d, depthOf(a));
    return d + 1;
}

// The operands of a flattened commutative operator, in hash order, as one expression: the left-nested chain
// (the canonical form). Flattening a balanced sum of many terms would make that chain deeper than MaxTreeDepth;
// then the operands are paired shallowest first instead, which reaches the least depth any pairing can, so
// never more than the input had.
Expr combineSorted(Opcode op, std::vector<std::pair<std::uint64_t, Expr>> keyed) {
    std::vector<std::size_t> depths;
    for (auto const& k : keyed) depths.push_back(depthOf(k.second));
    std::size_t chain = depths[0];
    for (std::size_t k = 1; k < depths.size(); ++k) chain = 1 + std::max(chain, depths[k]);
    if (chain <= MaxTreeDepth) {
        Expr acc = std::move(keyed[0].second);
        for (std::size_t k = 1; k < keyed.size(); ++k) acc = make(op, {std::move(acc), std::move(keyed[k].second)});
        return acc;
    }
    // (depth, sequence) keeps the pairing deterministic; the queue's top is the shallowest, earliest operand
    using Item = std::tuple<std::size_t, std::size_t, std::size_t>;  // depth, sequence, slot in `parts`
    std::vector<Expr> parts;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    for (std::size_t k = 0; k < keyed.size(); ++k) {
        parts.push_back(std::move(keyed[k].second));
        queue.emplace(depths[k], k, k);
    }
    std::size_t sequence = keyed.size();
    while (queue.size() > 1) {
        auto [da, sa, a] = queue.top();
        queue.pop();
        auto [db, sb, b] = queue.top();
        queue.pop();
        parts.push_back(make(op, {std::move(parts[a]), std::move(parts[b])}));
        queue.emplace(1 + std::max(da, db), sequence++, parts.size() - 1);
    }
    return std::move(parts[std::get<2>(queue.top())]);
}

Expr simplifyExpr(Expr e) {
    for (auto& a : e.args) a = simplifyExpr(std::move(a));
    auto op = e.node.op;
    if (e.node.isTerminal()) return e;
    // constant folding
    bool allConst = std::all_of(e.args.begin(), e.args.end(), [](Expr const& a) { return a.isConst(); });
    if (allConst && e.node.type == ValueType::Scalar) {
        double a = e.args[0].node.value;
        double b = e.args.size() > 1 ? e.args[1].node.value : 0.0;
        if (auto v = fold(op, a, b); v && std::isfinite(*v)) return constant(*v);
    }
    auto unaryOf = [&](Opcode inner) { return e.args.size() == 1 && e.args[0].node.op == inner; };
    switch (op) {
        case Opcode::Neg: if (unaryOf(Opcode::Neg)) return e.args[0].args[0]; break;
        case Opcode::VNeg: if (unaryOf(Opcode::VNeg)) return e.args[0].args[0]; break;
        case Opcode::Abs:
            if (unaryOf(Opcode::Abs)) return e.args[0];
            if (unaryOf(Opcode::Neg)) return make(Opcode::Abs, {e.args[0].args[0]});
            break;
        case Opcode::VAbs:
            if (unaryOf(Opcode::VAbs)) return e.args[0];
            if (unaryOf(Opcode::VNeg)) return make(Opcode::VAbs, {e.args[0].args[0]});
            break;
        case Opcode::Sqrt: if (unaryOf(Opcode::Square)) return make(Opcode::Abs, {e.args[0].args[0]}); break;
        case Opcode::VSqrt: if (unaryOf(Opcode::VSquare)) return make(Opcode::VAbs, {e.args[0].args[0]}); break;
        case Opcode::Sub:
            if (sameExpr(e.args[0], e.args[1])) return constant(0.0);
            if (e.args[1].isConst(0.0)) return e.args[0];
            if (e.args[0].isConst(0.0)) return make(Opcode::Neg, {e.args[1]});
            break;
        case Opcode::Div:
            if (sameExpr(e.args[0], e.args[1])) return constant(1.0);
            if (e.args[1].isConst(1.0)) return e.args[0];
            break;
        default: break;
    }
    // flatten + sort commutative scalar/vector operators, folding their constants
    if (op == Opcode::Add || op == Opcode::Mul || op == Opcode::Min || op == Opcode::Max || op == Opcode::VAdd ||
        op == Opcode::VMul) {
        std::vector<Expr> items;
        flatten(op, e, items);
        std::optional<double> c;
        std::vector<Expr> rest;
        for (auto& it : items) {
            if (it.isConst()) c = c ? *fold(op, *c, it.node.value) : it.node.value;
            else rest.push_back(std::move(it));
        }
        if (op == Opcode::Min || op == Opcode::Max) {
            // min(x, x) = x
            std::vector<Expr> unique;
            for (auto& it : rest) {
                if (std::none_of(unique.begin(), unique.end(), [&](Expr const& u) { return sameExpr(u, it); })) {
                    unique.push_back(std::move(it));
                }
            }
            rest = std::move(unique);
        }
        if (op == Opcode::Mul && c && *c == 0.0 && !rest.empty()) return constant(0.0);
        bool identity = c && ((op == Opcode::Add && *c == 0.0) || (op == Opcode::Mul && *c == 1.0));
        if (c && !identity && std::isfinite(*c)) rest.push_back(constant(*c));
        if (c && !std::isfinite(*c)) return e;  // leave overflowing constants alone
        if (rest.empty()) return constant(c ? *c : 0.0);
        std::vector<std::pair<std::uint64_t, Expr>> keyed;
        for (auto& r : rest) keyed.emplace_back(hashOf(r), std::move(r));
        std::stable_sort(keyed.begin(), keyed.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
        return combineSorted(op, std::move(keyed));
    }
    return e;
}
}  // namespace

Tree simplify(Tree const& tree) {
    if (tree.empty()) return tree;
    auto e = simplifyExpr(toExpr(tree, tree.size() - 1));
    std::vector<Node> nodes;
    toNodes(e, nodes);
    return Tree(std::move(nodes));
}

}  // namespace zcgp::engine
