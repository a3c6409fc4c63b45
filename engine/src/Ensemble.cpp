#include "zcgp/engine/Ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"

namespace zcgp::engine {

std::uint64_t ensembleMemberSeed(std::uint64_t seed, std::size_t member) {
    if (member == 0) return seed;
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(member);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

std::vector<std::string> ensembleMemberCreators(std::string const& spec, std::string const& runCreator,
                                                std::size_t members) {
    std::vector<std::string> cycle;
    if (spec == "auto") {
        cycle = {runCreator};
        if (runCreator != "rhh:2:5") cycle.emplace_back("rhh:2:5");
    } else {
        std::size_t start = 0;
        while (true) {
            auto const comma = spec.find(',', start);
            auto item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (item.empty()) throw std::invalid_argument("an empty entry (a comma list of --creator specs, or auto)");
            cycle.push_back(std::move(item));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    std::vector<std::string> out;
    for (std::size_t k = 0; k < members; ++k) out.push_back(cycle[k % cycle.size()]);
    return out;
}

namespace {

double median(std::vector<double> x) {
    auto mid = x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2);
    std::nth_element(x.begin(), mid, x.end());
    return *mid;
}

// One weighted term of a linear combination: coefficient and the term's postfix nodes.
struct Term {
    double weight;
    std::vector<Node> nodes;
};

// Expands the additive chain rooted at node i of `tree` into terms: a + b, a - b, -a and c * a (a constant c on
// either side) distribute `weight`; anything else is one term. A constant term is dropped (an offset orders
// nothing). A term already met is merged by adding its weight.
void expand(Tree const& tree, std::size_t i, double weight, std::vector<Term>& out) {
    auto const& n = tree[i];
    auto const kids = n.isTerminal() ? std::vector<std::size_t>{} : tree.children(i);
    switch (n.op) {
    case Opcode::Add: expand(tree, kids[0], weight, out); expand(tree, kids[1], weight, out); return;
    case Opcode::Sub: expand(tree, kids[0], weight, out); expand(tree, kids[1], -weight, out); return;
    case Opcode::Neg: expand(tree, kids[0], -weight, out); return;
    case Opcode::Mul:
        if (tree[kids[0]].op == Opcode::Constant) { expand(tree, kids[1], weight * tree[kids[0]].value, out); return; }
        if (tree[kids[1]].op == Opcode::Constant) { expand(tree, kids[0], weight * tree[kids[1]].value, out); return; }
        break;
    case Opcode::Constant: return;
    default: break;
    }
    auto nodes = tree.subtree(i);
    for (auto& t : out) {
        if (t.nodes == nodes) { t.weight += weight; return; }
    }
    out.push_back({weight, std::move(nodes)});
}

// The formula's values on the train architectures, pooled over tasks.
std::vector<double> trainValues(Tree const& tree, Evolution const& evo) {
    std::vector<double> v;
    for (std::size_t t = 0; t < evo.tasks().size(); ++t) {
        auto all = Interpreter(evo.tasks()[t].data).evaluate(tree);
        for (auto r : evo.train(t)) v.push_back(all[r]);
    }
    return v;
}

// trainScale of these values
double robustScale(std::vector<double> const& v) {
    double const med = median(v);
    std::vector<double> dev;
    for (double x : v) dev.push_back(std::abs(x - med));
    double scale = 1.4826 * median(dev);
    if (!(scale > 0.0) || !std::isfinite(scale)) {  // over half the train values tie: fall back to the std
        double mean = 0, ss = 0;
        for (double x : v) mean += x / static_cast<double>(v.size());
        for (double x : v) ss += (x - mean) * (x - mean);
        scale = std::sqrt(ss / static_cast<double>(v.size()));
    }
    if (!(scale > 0.0) || !std::isfinite(scale)) scale = 1.0;
    return scale;
}

}  // namespace

double trainScale(Tree const& tree, Evolution const& evo) { return robustScale(trainValues(tree, evo)); }

Tree combineEnsemble(std::span<Tree const> members, Evolution const& evo) {
    std::vector<std::string> terms;
    for (auto const& tree : members) {
        auto const v = trainValues(tree, evo);
        terms.push_back(fmt::format("tanh(({} - {}) * {})", evo.format(tree), median(v), 1.0 / (3.0 * robustScale(v))));
    }
    return parse(fmt::format("{}", fmt::join(terms, " + ")), Vocabulary::of(evo.tasks()[0].data));
}

std::vector<EvolutionConfig> islandConfigs(EvolutionConfig const& run, std::size_t islands,
                                           std::span<std::string const> creators, bool sideBySide) {
    if (islands == 0 || creators.size() != islands) {
        throw std::invalid_argument("islandConfigs: one creator per island, at least one island");
    }
    std::size_t const smallest = run.populationSize / islands;
    if (smallest < 2 || smallest <= run.elites) {
        throw std::invalid_argument(fmt::format(
            "{} islands of a population of {} would hold {} individuals each; an island needs at least 2 and more than "
            "the {} elite(s)", islands, run.populationSize, smallest, run.elites));
    }
    std::vector<EvolutionConfig> out;
    for (std::size_t j = 0; j < islands; ++j) {
        EvolutionConfig c = run;
        c.populationSize = smallest + (j < run.populationSize % islands ? 1 : 0);
        c.seed = ensembleMemberSeed(run.seed, j);
        c.splitSeed = run.splitSeed.value_or(run.seed);
        c.creator = creators[j];
        if (sideBySide) c.threads = std::max<std::size_t>(1, run.threads / islands);
        else c.timeLimitSeconds = run.timeLimitSeconds / static_cast<double>(islands);
        out.push_back(std::move(c));
    }
    return out;
}

Tree islandCombination(std::span<Tree const> bests, Evolution const& evo) {
    std::vector<double> weights;
    for (auto const& tree : bests) weights.push_back(1.0 / trainScale(tree, evo));
    return linearCombination(bests, weights);
}

namespace {

// The terms as one formula: weights divided by the largest magnitude and rounded to 4 significant digits, a term
// whose weight falls below 1e-4 dropped, a positive term first and the others added or subtracted. Empty: no term.
std::vector<Node> writeTerms(std::vector<Term> terms) {
    double largest = 0.0;
    for (auto const& t : terms) largest = std::max(largest, std::abs(t.weight));
    std::erase_if(terms, [&](Term const& t) { return !(std::abs(t.weight) >= 1e-4 * largest); });
    std::vector<Node> nodes;
    if (terms.empty()) return nodes;
    for (auto& t : terms) t.weight = roundSignificant(t.weight / largest, 4);
    auto const firstPositive = std::find_if(terms.begin(), terms.end(), [](Term const& t) { return t.weight > 0.0; });
    if (firstPositive != terms.end()) std::rotate(terms.begin(), firstPositive, firstPositive + 1);
    for (std::size_t k = 0; k < terms.size(); ++k) {
        double const w = k == 0 ? terms[k].weight : std::abs(terms[k].weight);
        if (w != 1.0) nodes.push_back(Node::constant(w));
        nodes.insert(nodes.end(), terms[k].nodes.begin(), terms[k].nodes.end());
        if (w != 1.0) nodes.push_back(Node::function(Opcode::Mul));
        if (k > 0) nodes.push_back(Node::function(terms[k].weight < 0.0 ? Opcode::Sub : Opcode::Add));
    }
    return nodes;
}

}  // namespace

Tree linearCombination(std::span<Tree const> members, std::span<double const> weights) {
    if (members.size() != weights.size() || members.empty()) {
        throw std::invalid_argument("linearCombination: one weight per member, at least one member");
    }
    for (double w : weights) {
        if (!std::isfinite(w) || w == 0.0) throw std::invalid_argument("linearCombination: a weight is 0 or not finite");
    }
    std::vector<Term> terms;
    for (std::size_t m = 0; m < members.size(); ++m) expand(members[m], members[m].size() - 1, weights[m], terms);
    auto flat = writeTerms(terms);
    if (flat.empty()) return members[0];  // every member is constant: nothing to combine
    // expanding a constant times a chain writes a weight per term: where that gives more nodes than the members
    // side by side (each times its weight), those are written instead
    std::vector<Term> sideBySide;
    for (std::size_t m = 0; m < members.size(); ++m) sideBySide.push_back({weights[m], members[m].nodes()});
    auto plain = writeTerms(sideBySide);
    return Tree(flat.size() <= plain.size() ? std::move(flat) : std::move(plain));
}

std::vector<std::pair<Tree, double>> costFront(std::vector<std::pair<Tree, double>> all, Evolution const& evo) {
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i = 0; i < all.size(); ++i) order.emplace_back(evo.cost(all[i].first), i);
    std::stable_sort(order.begin(), order.end(), [&](auto const& a, auto const& b) {
        return a.first != b.first ? a.first < b.first : all[a.second].second > all[b.second].second;
    });
    std::vector<std::pair<Tree, double>> front;
    for (auto const& [cost, i] : order) {
        if (front.empty() || all[i].second > front.back().second) front.push_back(std::move(all[i]));
    }
    return front;
}

std::vector<std::pair<Tree, double>> sizeFront(std::vector<std::pair<Tree, double>> all) {
    std::stable_sort(all.begin(), all.end(), [](auto const& a, auto const& b) {
        return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.second > b.second;
    });
    std::vector<std::pair<Tree, double>> front;
    for (auto& p : all) {
        if (front.empty() || p.second > front.back().second) front.push_back(std::move(p));
    }
    return front;
}

}  // namespace zcgp::engine
