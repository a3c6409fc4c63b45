#include "zcgp/engine/Operators.hpp"

#include <algorithm>
#include <numeric>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/core.h>

namespace zcgp::engine {

using primitives::primitive;

namespace {
std::size_t uniformIndex(Random& rng, std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
double uniform01(Random& rng) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }
}  // namespace

void TreeContext::prepare() {
    scalarFunctions_ = functions.functions(ValueType::Scalar, layerTerminals > 0);
    vectorFunctions_ = functions.functions(ValueType::LayerVector, layerTerminals > 0);
    if (scalarTerminals == 0 && layerTerminals == 0) throw std::invalid_argument("no terminals to build trees from");
}

std::vector<Opcode> const& TreeContext::functionsOf(ValueType type) const {
    return type == ValueType::Scalar ? scalarFunctions_ : vectorFunctions_;
}

Node TreeContext::randomTerminal(ValueType type, Random& rng) const {
    if (type == ValueType::LayerVector) return Node::layerVariable(static_cast<std::uint32_t>(uniformIndex(rng, layerTerminals)));
    if (scalarTerminals == 0 || uniform01(rng) < constantProbability) {
        double v = std::uniform_real_distribution<double>(-constantRange, constantRange)(rng);
        return Node::constant(std::round(v * 1000.0) / 1000.0);  // short, readable constants
    }
    return Node::variable(static_cast<std::uint32_t>(uniformIndex(rng, scalarTerminals)));
}

// ---------------------------------------------------------------- creation
namespace {
// A prototype tree built top-down, emitted in postfix.
struct Proto {
    Node node;
    std::vector<std::size_t> kids;
};
void emit(std::vector<Proto> const& p, std::size_t i, std::vector<Node>& out) {
    for (auto k : p[i].kids) emit(p, k, out);
    out.push_back(p[i].node);
}
// Scalar trees need a Scalar terminal somewhere: with no scalar terminals, a Scalar leaf is a constant, which
// is allowed; a LayerVector leaf always exists when layer functions are enabled (functionsOf checks data).
void growInto(TreeContext const& ctx, Random& rng, ValueType type, std::size_t depthLeft, bool full,
              std::vector<Node>& out) {
    auto const& fs = ctx.functionsOf(type);
    bool terminal = depthLeft <= 1 || fs.empty();
    if (!terminal && !full) {
        std::size_t nt = type == ValueType::Scalar ? ctx.scalarTerminals + 1 : ctx.layerTerminals;
        terminal = uniform01(rng) < static_cast<double>(nt) / static_cast<double>(nt + fs.size());
    }
    if (type == ValueType::LayerVector && ctx.layerTerminals == 0) terminal = false;
    if (terminal) {
        out.push_back(ctx.randomTerminal(type, rng));
        return;
    }
    auto op = fs[uniformIndex(rng, fs.size())];
    auto const& p = primitive(op);
    for (std::size_t a = 0; a < p.arity; ++a) growInto(ctx, rng, p.args[a], depthLeft - 1, full, out);
    out.push_back(Node::function(op));
}
}  // namespace

Tree growTree(TreeContext const& ctx, Random& rng, ValueType type, std::size_t maxDepth, bool full) {
    std::vector<Node> out;
    growInto(ctx, rng, type, std::max<std::size_t>(maxDepth, 1), full, out);
    return Tree(std::move(out));
}

Tree RampedHalfAndHalf::create(TreeContext const& ctx, Random& rng, std::size_t slot) const {
    std::size_t span = maxDepth_ >= minDepth_ ? maxDepth_ - minDepth_ + 1 : 1;
    std::size_t depth = std::min(minDepth_ + (slot / 2) % span, ctx.maxDepth);
    for (int attempt = 0; attempt < 20; ++attempt) {
        auto t = growTree(ctx, rng, ValueType::Scalar, depth, slot % 2 == 0);
        if (ctx.fits(t)) return t;
    }
    return growTree(ctx, rng, ValueType::Scalar, 2, false);
}

Tree AdditiveSeed::create(TreeContext const& ctx, Random& rng, std::size_t slot) const {
    std::size_t const k = std::min({terms_, ctx.scalarTerminals, (ctx.maxSize + 1) / 2});
    bool const additive = k >= 2 && ctx.functions.enabled(Opcode::Add) &&
                          std::uniform_real_distribution<double>(0.0, 1.0)(rng) < fraction_;
    if (!additive) return rest_->create(ctx, rng, slot);
    // k distinct terminals (partial Fisher-Yates), left-nested: v1 v2 + v3 + ... in postfix
    std::vector<std::uint32_t> pool(ctx.scalarTerminals);
    std::iota(pool.begin(), pool.end(), std::uint32_t{0});
    std::vector<Node> nodes;
    for (std::size_t i = 0; i < k; ++i) {
        std::swap(pool[i], pool[i + uniformIndex(rng, pool.size() - i)]);
        nodes.push_back(Node::variable(pool[i]));
        if (i > 0) nodes.push_back(Node::function(Opcode::Add));
    }
    Tree t(std::move(nodes));
    return ctx.fits(t) ? t : rest_->create(ctx, rng, slot);
}

Tree Ptc2::create(TreeContext const& ctx, Random& rng, std::size_t slot) const {
    for (int attempt = 0; attempt < 10; ++attempt) {
        auto t = createOnce(ctx, rng, slot);
        if (ctx.fits(t)) return t;
    }
    return Tree({ctx.randomTerminal(ValueType::Scalar, rng)});
}

Tree Ptc2::createOnce(TreeContext const& ctx, Random& rng, std::size_t /*slot*/) const {
    std::size_t target = 1 + uniformIndex(rng, std::min(maxSize_, ctx.maxSize));
    struct Open { std::size_t parent; std::size_t argument; std::size_t depth; ValueType type; };
    std::vector<Proto> p;
    std::vector<Open> queue;
    auto addFunction = [&](ValueType type, std::size_t depth) -> std::optional<std::size_t> {
        auto const& fs = ctx.functionsOf(type);
        if (fs.empty() || depth >= ctx.maxDepth) return std::nullopt;
        auto op = fs[uniformIndex(rng, fs.size())];
        p.push_back(Proto{Node::function(op), std::vector<std::size_t>(primitive(op).arity, 0)});
        auto id = p.size() - 1;
        for (std::size_t a = 0; a < primitive(op).arity; ++a) queue.push_back({id, a, depth + 1, primitive(op).args[a]});
        return id;
    };
    if (target == 1 || !addFunction(ValueType::Scalar, 1)) {
        return Tree({ctx.randomTerminal(ValueType::Scalar, rng)});
    }
    while (!queue.empty()) {
        auto pick = uniformIndex(rng, queue.size());
        Open slot = queue[pick];
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(pick));
        // expand while the tree (with one terminal per open slot) stays under the target size; a LayerVector
        // slot without LayerVector terminals can only be expanded
        bool expand = p.size() + queue.size() + 1 + 2 <= target ||
                      (slot.type == ValueType::LayerVector && ctx.layerTerminals == 0);
        std::optional<std::size_t> id;
        if (expand) id = addFunction(slot.type, slot.depth);
        if (!id) {
            p.push_back(Proto{ctx.randomTerminal(slot.type, rng), {}});
            id = p.size() - 1;
        }
        p[slot.parent].kids[slot.argument] = *id;
    }
    std::vector<Node> out;
    emit(p, 0, out);
    return Tree(std::move(out));
}

// ---------------------------------------------------------------- crossover
namespace {
std::size_t pickNode(Tree const& t, Random& rng, double internalBias) {
    bool wantInternal = t.size() > 1 && uniform01(rng) < internalBias;
    for (int attempt = 0; attempt < 16; ++attempt) {
        auto i = uniformIndex(rng, t.size());
        if ((t[i].arity() > 0) == wantInternal) return i;
    }
    return uniformIndex(rng, t.size());
}
}  // namespace

std::optional<Tree> SubtreeCrossover::operator()(Tree const& a, Tree const& b, TreeContext const& ctx,
                                                 Random& rng) const {
    for (int attempt = 0; attempt < 8; ++attempt) {
        auto i = pickNode(a, rng, internalBias_);
        auto type = a[i].type;
        auto level = a.level(i);
        std::size_t sizeLeft = ctx.maxSize - (a.size() - a[i].length - 1);
        auto fits = [&](std::size_t j) { return b[j].type == type && b[j].length + 1U <= sizeLeft; };
        // counted, then the drawn one found by a second pass (no candidate lists: this runs for every child)
        std::size_t candidates = 0, internal = 0;
        for (std::size_t j = 0; j < b.size(); ++j) {
            if (!fits(j)) continue;
            ++candidates;
            internal += b[j].arity() > 0 ? 1 : 0;
        }
        if (candidates == 0) continue;
        // prefer internal nodes in the donor too
        bool const useInternal = internal > 0 && uniform01(rng) < internalBias_;
        auto pick = uniformIndex(rng, useInternal ? internal : candidates);
        std::size_t j = 0;
        for (;; ++j) {
            if (!fits(j) || (useInternal && b[j].arity() == 0)) continue;
            if (pick-- == 0) break;
        }
        if (level - 1 + b.depthOf(j) > ctx.maxDepth) continue;
        return a.replaced(i, b, j);
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- mutation
std::optional<Tree> SubtreeMutation::operator()(Tree const& t, TreeContext const& ctx, Random& rng) const {
    auto i = uniformIndex(rng, t.size());
    auto level = t.level(i);
    if (level > ctx.maxDepth) return std::nullopt;
    std::size_t depth = std::min(maxDepth_, ctx.maxDepth - level + 1);
    auto sub = growTree(ctx, rng, t[i].type, depth, false);
    if (t.size() - t[i].length - 1 + sub.size() > ctx.maxSize) return std::nullopt;
    return t.replaced(i, sub, sub.size() - 1);
}

std::optional<Tree> PointMutation::operator()(Tree const& t, TreeContext const& ctx, Random& rng) const {
    auto i = uniformIndex(rng, t.size());
    auto n = t[i];
    if (n.op == Opcode::Constant) {
        if (uniform01(rng) < 0.5) {
            n.value += std::normal_distribution<double>(0.0, 0.1 * std::max(1.0, std::abs(n.value)))(rng);
        } else {
            n = ctx.randomTerminal(ValueType::Scalar, rng);
        }
    } else if (n.isTerminal()) {
        n = ctx.randomTerminal(n.type, rng);
    } else {
        auto const& p = primitive(n.op);
        auto same = [&](Opcode op) {
            auto const& q = primitive(op);
            return op != n.op && q.arity == p.arity && q.args[0] == p.args[0] && (q.arity < 2 || q.args[1] == p.args[1]);
        };
        auto const& fs = ctx.functionsOf(p.result);
        auto const count = static_cast<std::size_t>(std::count_if(fs.begin(), fs.end(), same));
        if (count == 0) return std::nullopt;
        auto pick = uniformIndex(rng, count);
        n.op = *std::find_if(fs.begin(), fs.end(), [&](Opcode op) { return same(op) && pick-- == 0; });
    }
    return t.withNode(i, n);
}

std::optional<Tree> HoistMutation::operator()(Tree const& t, TreeContext const& /*ctx*/, Random& rng) const {
    std::vector<std::size_t> internal;
    for (std::size_t i = 0; i < t.size(); ++i) if (t[i].arity() > 0) internal.push_back(i);
    if (internal.empty()) return std::nullopt;
    auto i = internal[uniformIndex(rng, internal.size())];
    std::vector<std::size_t> inside;
    for (auto j = t.subtreeStart(i); j < i; ++j) if (t[j].type == t[i].type) inside.push_back(j);
    if (inside.empty()) return std::nullopt;
    auto j = inside[uniformIndex(rng, inside.size())];
    return t.replaced(i, t, j);
}

std::optional<Tree> ShrinkMutation::operator()(Tree const& t, TreeContext const& ctx, Random& rng) const {
    std::vector<std::size_t> internal;
    for (std::size_t i = 0; i < t.size(); ++i) if (t[i].arity() > 0) internal.push_back(i);
    if (internal.empty()) return std::nullopt;
    auto i = internal[uniformIndex(rng, internal.size())];
    if (t[i].type == ValueType::LayerVector && ctx.layerTerminals == 0) return std::nullopt;
    Node leaf = ctx.randomTerminal(t[i].type, rng);
    return t.replaced(i, std::span<Node const>(&leaf, 1));
}

void MultiMutation::add(std::unique_ptr<Mutation> m, double weight) {
    if (weight <= 0.0) return;
    ops_.push_back(std::move(m));
    weights_.push_back(weight);
}

std::optional<Tree> MultiMutation::operator()(Tree const& t, TreeContext const& ctx, Random& rng) const {
    if (ops_.empty()) return std::nullopt;
    // cumulative weights by hand: std::discrete_distribution would allocate on every call
    double total = 0.0;
    for (double w : weights_) total += w;
    double u = uniform01(rng) * total;
    std::size_t k = 0;
    while (k + 1 < weights_.size() && u >= weights_[k]) u -= weights_[k++];
    return (*ops_[k])(t, ctx, rng);
}

// ---------------------------------------------------------------- selection
std::size_t TournamentSelector::operator()(std::span<double const> fitness, Random& rng) const {
    auto best = uniformIndex(rng, fitness.size());
    for (std::size_t k = 1; k < size_; ++k) {
        auto c = uniformIndex(rng, fitness.size());
        if (fitness[c] > fitness[best]) best = c;
    }
    return best;
}

std::size_t RandomSelector::operator()(std::span<double const> fitness, Random& rng) const {
    return uniformIndex(rng, fitness.size());
}

// ---------------------------------------------------------------- specs
std::vector<Spec> parseSpecs(std::string_view flag, std::string_view text) {
    std::vector<Spec> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        auto item = text.substr(start, end - start);
        Spec s;
        auto colon = item.find(':');
        s.name = std::string(item.substr(0, colon));
        while (colon != std::string_view::npos) {
            auto next = item.find(':', colon + 1);
            auto num = item.substr(colon + 1, (next == std::string_view::npos ? item.size() : next) - colon - 1);
            double v = 0.0;
            auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
            if (ec != std::errc() || ptr != num.data() + num.size() || !std::isfinite(v)) {
                throw std::invalid_argument(fmt::format("{}: malformed parameter '{}' in '{}'", flag, num, text));
            }
            s.params.push_back(v);
            colon = next;
        }
        if (s.name.empty()) throw std::invalid_argument(fmt::format("{}: empty operator name in '{}'", flag, text));
        out.push_back(std::move(s));
        start = end + 1;
    }
    if (out.empty()) throw std::invalid_argument(fmt::format("{}: empty specification", flag));
    return out;
}

std::unique_ptr<Selector> makeSelector(std::string_view spec) {
    auto s = parseSpecs("--selector", spec).front();
    if (s.name == "tournament") {
        double k = s.params.empty() ? 5.0 : s.params[0];
        if (k < 1.0) throw std::invalid_argument(fmt::format("--selector: tournament size must be >= 1, got {}", k));
        return std::make_unique<TournamentSelector>(static_cast<std::size_t>(k));
    }
    if (s.name == "random") return std::make_unique<RandomSelector>();
    throw std::invalid_argument(fmt::format("--selector: unknown selector '{}' (valid: tournament:K, random)", s.name));
}

std::unique_ptr<Creator> makeCreator(std::string_view spec, std::size_t maxSize) {
    auto s = parseSpecs("--creator", spec).front();
    if (s.name == "ptc2") return std::make_unique<Ptc2>(s.params.empty() ? maxSize : static_cast<std::size_t>(s.params[0]));
    if (s.name == "rhh") {
        auto lo = s.params.size() > 0 ? static_cast<std::size_t>(s.params[0]) : 2;
        auto hi = s.params.size() > 1 ? static_cast<std::size_t>(s.params[1]) : 6;
        if (lo < 1 || hi < lo) throw std::invalid_argument(fmt::format("--creator: rhh:MIN:MAX needs 1 <= MIN <= MAX"));
        return std::make_unique<RampedHalfAndHalf>(lo, hi);
    }
    if (s.name == "additive") {
        if (s.params.size() != 2 && s.params.size() != 4) {
            throw std::invalid_argument("--creator: additive:K:FRACTION[:MIN:MAX] needs K and FRACTION");
        }
        if (!(s.params[0] >= 2.0) || !(s.params[1] >= 0.0 && s.params[1] <= 1.0)) {
            throw std::invalid_argument("--creator: additive:K:FRACTION needs K >= 2 and FRACTION in [0, 1]");
        }
        auto const rest = s.params.size() == 4 ? fmt::format("rhh:{}:{}", s.params[2], s.params[3]) : std::string("rhh:2:5");
        return std::make_unique<AdditiveSeed>(static_cast<std::size_t>(s.params[0]), s.params[1], makeCreator(rest, maxSize));
    }
    throw std::invalid_argument(fmt::format("--creator: unknown creator '{}' (valid: ptc2[:SIZE], rhh:MIN:MAX, "
                                            "additive:K:FRACTION[:MIN:MAX])", s.name));
}

std::unique_ptr<MultiMutation> makeMutation(std::string_view spec) {
    auto m = std::make_unique<MultiMutation>();
    for (auto const& s : parseSpecs("--mutation", spec)) {
        double w = s.params.empty() ? 1.0 : s.params[0];
        if (w < 0.0) throw std::invalid_argument(fmt::format("--mutation: negative weight for '{}'", s.name));
        if (s.name == "subtree") m->add(std::make_unique<SubtreeMutation>(), w);
        else if (s.name == "point") m->add(std::make_unique<PointMutation>(), w);
        else if (s.name == "hoist") m->add(std::make_unique<HoistMutation>(), w);
        else if (s.name == "shrink") m->add(std::make_unique<ShrinkMutation>(), w);
        else throw std::invalid_argument(fmt::format("--mutation: unknown mutation '{}' (valid: subtree, point, hoist, shrink)", s.name));
    }
    return m;
}

}  // namespace zcgp::engine
