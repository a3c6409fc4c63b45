// The per-worker memos of terms (issue 14). The ridge's cache (RidgeCache): fits that reuse stored term statistics
// and Gram entries give the weights of a fresh fit, and of the ridge as it was before the cache (kept below
// verbatim as the reference), bit for bit, on the real NB201 proxies, over one and two tasks, with and without
// evictions. The finiteness check of a weighted formula from its memo of terms (weightedFormulaFinite) answers
// what evaluating the formula answers, on those proxies scaled to the edge of overflow.
#include <bit>
#include <cmath>
#include <random>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <Eigen/Dense>

#include "RunCommand.hpp"
#include "zcgp/engine/Infix.hpp"
#include "TestData.hpp"
#include "zcgp/engine/FiniteFormula.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/LinearScaling.hpp"
#include "zcgp/engine/Operators.hpp"
#include "zcgp/fitness/RankStatistics.hpp"

using namespace zcgp;
using namespace zcgp::engine;

namespace {
using Columns = std::array<std::span<double const>, MaxLinearTerms>;

// RidgeWeights::fit before the cache (commit 23bc549), with its target computed the same way: what every cached
// fit must reproduce exactly
bool referenceFit(std::vector<std::vector<double>> const& y_, double lambda_, std::span<Columns const> columns,
                  LinearTerms& terms) {
    auto const K = static_cast<Eigen::Index>(terms.count);
    using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, MaxLinearTerms, 1>;
    using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, MaxLinearTerms, MaxLinearTerms>;
    Vec mean = Vec::Zero(K), sd = Vec::Zero(K);
    double N = 0.0;
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = y_[t].size();
        N += static_cast<double>(n);
        for (Eigen::Index k = 0; k < K; ++k) {
            Eigen::Map<Eigen::ArrayXd const> x(columns[t][static_cast<std::size_t>(k)].data(), static_cast<Eigen::Index>(n));
            mean[k] += x.sum();
        }
    }
    mean /= N;
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = static_cast<Eigen::Index>(y_[t].size());
        for (Eigen::Index k = 0; k < K; ++k) {
            Eigen::Map<Eigen::ArrayXd const> x(columns[t][static_cast<std::size_t>(k)].data(), n);
            sd[k] += (x - mean[k]).square().sum();
        }
    }
    for (Eigen::Index k = 0; k < K; ++k) sd[k] = std::sqrt(sd[k] / N);
    Mat G = Mat::Zero(K, K);
    Vec b = Vec::Zero(K);
    std::array<bool, MaxLinearTerms> used{};
    double maxSd = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) maxSd = std::max(maxSd, std::abs(mean[k]) + sd[k]);
    for (Eigen::Index k = 0; k < K; ++k) used[static_cast<std::size_t>(k)] = sd[k] > 1e-12 * std::max(maxSd, 1e-300);
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = static_cast<Eigen::Index>(y_[t].size());
        Eigen::Map<Eigen::ArrayXd const> y(y_[t].data(), n);
        for (Eigen::Index i = 0; i < K; ++i) {
            if (!used[static_cast<std::size_t>(i)]) continue;
            Eigen::Map<Eigen::ArrayXd const> xi(columns[t][static_cast<std::size_t>(i)].data(), n);
            b[i] += ((xi - mean[i]) * y).sum() / sd[i];
            for (Eigen::Index j = 0; j <= i; ++j) {
                if (!used[static_cast<std::size_t>(j)]) continue;
                Eigen::Map<Eigen::ArrayXd const> xj(columns[t][static_cast<std::size_t>(j)].data(), n);
                G(i, j) += ((xi - mean[i]) * (xj - mean[j])).sum() / (sd[i] * sd[j]);
            }
        }
    }
    for (Eigen::Index i = 0; i < K; ++i) {
        for (Eigen::Index j = 0; j < i; ++j) G(j, i) = G(i, j);
        G(i, i) = used[static_cast<std::size_t>(i)] ? G(i, i) / N + lambda_ : 1.0;
        for (Eigen::Index j = 0; j < K; ++j) {
            if (j != i) G(i, j) /= N;
        }
        b[i] /= N;
    }
    Vec w = G.ldlt().solve(b);
    double largest = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) {
        w[k] = used[static_cast<std::size_t>(k)] && std::isfinite(w[k]) ? w[k] / sd[k] : 0.0;
        largest = std::max(largest, std::abs(w[k]));
    }
    bool any = false;
    for (Eigen::Index k = 0; k < K; ++k) {
        double c = largest > 0.0 ? w[k] / largest : 0.0;
        c = std::abs(c) < 1e-4 ? 0.0 : roundSignificant(c, 4);
        terms.weights[static_cast<std::size_t>(k)] = c;
        any = any || c != 0.0;
    }
    return any;
}

// The real proxies of nb201/cifar10 (zcgp features), log-transformed where positive, as zcgp's logz would
primitives::Dataset realProxies() {
    auto const r = test::runCommand(test::cliPath().string() + " features --data " +
                                    test::requireData("nbsz").parent_path().string() +
                                    " --task nb201/cifar10 --kind proxies --format json");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = nlohmann::json::parse(r.out);
    std::vector<std::string> keys;
    std::map<std::string, std::vector<double>> columns;
    std::vector<double> target;
    for (auto const& [key, record] : j.items()) {
        keys.push_back(key);
        for (auto const& [name, value] : record.items()) {
            if (name == "target") target.push_back(value.get<double>());
            else columns[name].push_back(value.is_number() ? value.get<double>() : 0.0);
        }
    }
    primitives::Dataset d(keys);
    for (auto& [name, values] : columns) {
        if (values.size() != keys.size()) continue;
        bool const positive = std::all_of(values.begin(), values.end(), [](double v) { return v > 0.0; });
        if (positive) for (auto& v : values) v = std::log(v);
        d.addScalar(name, values);
    }
    d.setTarget(target);
    return d;
}

bool sameBits(LinearTerms const& a, LinearTerms const& b) {
    for (std::size_t k = 0; k < a.count; ++k) {
        if (std::bit_cast<std::uint64_t>(a.weights[k]) != std::bit_cast<std::uint64_t>(b.weights[k])) return false;
    }
    return true;
}
// The trees of the memo tests: scalar functions over `scalars` terminals, at most 40 nodes and depth 10.
TreeContext scalarContext(std::size_t scalars) {
    TreeContext ctx;
    ctx.functions = primitives::PrimitiveSet::parse("scalar");
    ctx.scalarTerminals = scalars;
    ctx.maxSize = 40;
    ctx.maxDepth = 10;
    ctx.prepare();
    return ctx;
}

// `count` grown terms of depth 3, drawn from rng (which the tests go on drawing from).
std::vector<Tree> termPool(TreeContext const& ctx, Random& rng, int count) {
    std::vector<Tree> pool;
    for (int i = 0; i < count; ++i) pool.push_back(growTree(ctx, rng, ValueType::Scalar, 3, false));
    return pool;
}

}  // namespace

TEST_CASE("ridge cache: cached fits equal fresh fits and the pre-cache ridge bit for bit on the real NB201 proxies",
          "[engine]") {
    auto const all = realProxies();
    REQUIRE(all.rows() > 300);
    REQUIRE(all.scalarCount() >= 10);
    // two "tasks": disjoint train samples of 100 architectures (the GP's train size), and one of them alone
    std::vector<std::size_t> rowsA, rowsB;
    for (std::size_t i = 0; i < 100; ++i) rowsA.push_back(3 * i), rowsB.push_back(3 * i + 1);
    std::vector<primitives::Dataset> tasks{all.subset(rowsA), all.subset(rowsB)};
    std::vector<Interpreter> interpreters;
    for (auto const& task : tasks) interpreters.emplace_back(task);

    auto const ctx = scalarContext(all.scalarCount());
    // a pool of terms, so that trees share terms in other positions and orders (as a population does); a few
    // terms are constant (weight 0) to exercise the unused-term path
    Random rng(2026);
    auto pool = termPool(ctx, rng, 40);
    pool.push_back(Tree({Node::constant(1.5)}));

    for (std::size_t taskCount : {std::size_t{1}, std::size_t{2}}) {
        std::vector<std::vector<double>> targets;
        for (std::size_t t = 0; t < taskCount; ++t) {
            targets.emplace_back(tasks[t].target().begin(), tasks[t].target().end());
        }
        RidgeWeights ridge(targets, 0.01);
        // the target as RidgeWeights builds it (centred ranks / n), for the reference
        std::vector<std::vector<double>> y;
        for (std::size_t t = 0; t < taskCount; ++t) y.push_back(ridge.target(t));
        RidgeCache large(32), tiny(32, 4, 8);  // tiny: 4 term slots and 8 pair slots, constant evictions
        std::size_t fits = 0, constantFits = 0;
        for (int trial = 0; trial < 400; ++trial) {
            std::size_t const K = 2 + static_cast<std::size_t>(trial % 4);
            std::vector<Node> nodes;
            for (std::size_t k = 0; k < K; ++k) {
                auto const& term = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
                nodes.insert(nodes.end(), term.nodes().begin(), term.nodes().end());
                if (k > 0) nodes.push_back(Node::function(trial % 3 == 0 ? Opcode::Sub : Opcode::Add));
            }
            Tree const tree(std::move(nodes));
            auto terms = additiveTerms(tree, K);
            REQUIRE(terms.count == K);
            std::vector<Columns> columns(taskCount);
            std::vector<Interpreter::Scratch> scratch;
            bool finite = true;
            for (std::size_t t = 0; t < taskCount; ++t) {
                scratch.push_back(interpreters[t].makeScratch(tree.size()));
                std::vector<double> out(tasks[t].rows());
                finite = finite && interpreters[t].evaluate(tree, scratch.back(), out);
            }
            for (std::size_t t = 0; finite && t < taskCount; ++t) {
                for (std::size_t k = 0; k < K; ++k) columns[t][k] = interpreters[t].column(scratch[t], terms.roots[k]);
            }
            if (!finite) continue;
            auto fresh = terms, reference = terms, cached = terms, evicted = terms;
            bool const any = ridge.fit(columns, fresh);
            REQUIRE(referenceFit(y, 0.01, columns, reference) == any);
            REQUIRE(ridge.fit(columns, cached, tree, large) == any);
            REQUIRE(ridge.fit(columns, evicted, tree, tiny) == any);
            INFO("trial " << trial << ", " << taskCount << " task(s)");
            REQUIRE(sameBits(fresh, reference));
            REQUIRE(sameBits(cached, reference));
            REQUIRE(sameBits(evicted, reference));
            ++fits;
            for (std::size_t k = 0; k < K; ++k) constantFits += cached.weights[k] == 0.0 ? 1 : 0;
        }
        CHECK(fits > 300);
        CHECK(constantFits > 0);
        // the large cache mostly hits (41 distinct terms), the tiny one mostly misses: both paths ran
        CHECK(large.counts().termHits > 5 * large.counts().termMisses);
        CHECK(large.counts().gramHits > large.counts().gramMisses);
        CHECK(tiny.counts().termMisses > large.counts().termMisses * 3);
        CHECK(tiny.counts().gramMisses > large.counts().gramMisses);
        // the stored statistics are the recomputed ones: a cache shared with another ridge is emptied first
        RidgeWeights other({std::vector<double>(targets[0].rbegin(), targets[0].rend())}, 0.01);
        auto const before = large.counts().termMisses;
        std::vector<Columns> one(1);
        auto tree = pool[0];
        std::vector<Node> two(tree.nodes());
        two.insert(two.end(), pool[1].nodes().begin(), pool[1].nodes().end());
        two.push_back(Node::function(Opcode::Add));
        Tree const pair(two);
        auto terms = additiveTerms(pair, 2);
        auto s = interpreters[0].makeScratch(pair.size());
        std::vector<double> out(tasks[0].rows());
        if (interpreters[0].evaluate(pair, s, out)) {
            for (std::size_t k = 0; k < 2; ++k) one[0][k] = interpreters[0].column(s, terms.roots[k]);
            auto a = terms, b = terms;
            other.fit(one, a);
            other.fit(one, b, pair, large);
            CHECK(sameBits(a, b));
            CHECK(large.counts().termMisses == before + 2);
        }
    }
}

TEST_CASE("ridge cache: the table of powers of ten is what std::pow gives", "[engine]") {
    for (int p = 0; p < static_cast<int>(ExactPowersOfTen.size()); ++p) {
        CHECK(std::bit_cast<std::uint64_t>(ExactPowersOfTen[static_cast<std::size_t>(p)]) ==
              std::bit_cast<std::uint64_t>(std::pow(10.0, p)));
    }
}

TEST_CASE("finite formulas: the memo of terms answers what evaluating the weighted formula answers, near overflow",
          "[engine]") {
    auto const real = realProxies();
    // every proxy, and copies scaled towards overflow and underflow: products, squares and sums then overflow on
    // some architectures only, and column sums overflow while every value is finite
    primitives::Dataset d(real.archKeys());
    for (std::size_t c = 0; c < real.scalarCount(); ++c) {
        auto const x = real.scalar(c);
        for (double scale : {1.0, 1e150, 1e306, 1e-300}) {
            std::vector<double> v(x.begin(), x.end());
            for (auto& e : v) e *= scale;
            d.addScalar(real.scalarNames()[c] + "_" + std::to_string(static_cast<int>(std::log10(scale))), v);
        }
    }
    d.setTarget(real.target());
    Interpreter interp(d);
    auto const ctx = scalarContext(d.scalarCount());
    Random rng(14);
    auto const pool = termPool(ctx, rng, 60);
    FiniteTermMemo memo(32, 1024), tiny(32, 4);
    auto scratch = interp.makeScratch(64);
    std::vector<double> buffer, out(d.rows());
    std::size_t finite = 0, infinite = 0;
    FiniteCheckWork work, tinyWork;
    double const weights[] = {1.0, -1.0, 0.25, 1e-3, 0.0, -1e-9, 1e9};
    for (int trial = 0; trial < 1500; ++trial) {
        std::size_t const K = 1 + static_cast<std::size_t>(trial % 5);
        std::vector<Node> nodes;
        for (std::size_t k = 0; k < K; ++k) {
            auto const& term = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
            nodes.insert(nodes.end(), term.nodes().begin(), term.nodes().end());
            if (k > 0) nodes.push_back(Node::function(Opcode::Add));
        }
        Tree const tree(std::move(nodes));
        auto terms = additiveTerms(tree, K);
        for (std::size_t k = 0; k < terms.count; ++k) terms.weights[k] = weights[(trial + 3 * k) % 7];
        if (terms.count > 1 && std::all_of(terms.weights.begin(), terms.weights.begin() + terms.count,
                                           [](double w) { return w == 0.0; })) {
            terms.weights[0] = 1.0;
        }
        auto const formula = terms.count > 1 ? weightedTree(tree, terms) : tree;
        auto s = interp.makeScratch(formula.size());
        bool const expected = interp.evaluate(formula, s, out);
        INFO("trial " << trial);
        REQUIRE(weightedFormulaFinite(interp, tree, terms, memo, scratch, buffer, work) == expected);
        REQUIRE(weightedFormulaFinite(interp, tree, terms, tiny, scratch, buffer, tinyWork) == expected);
        (expected ? finite : infinite) += 1;
    }
    CHECK(finite > 200);
    CHECK(infinite > 200);
    // the memo saved most evaluations; the tiny one (4 slots) almost none
    CHECK(work.evaluations < tinyWork.evaluations / 2);

    // a term that fails alone (its column sum overflows; min is not checked until the root) but passes inside
    // the formula, where its weight shrinks it: the formula is evaluated, not the memo believed
    std::vector<double> big(d.rows(), 1.5e308);
    primitives::Dataset e(d.archKeys());
    e.addScalar("big", big);
    e.addScalar("small", std::vector<double>(d.rows(), 1.0));
    e.setTarget(d.target());
    Interpreter edge(e);
    auto const v = Vocabulary::of(e);
    auto tree = parse("min(big, big) + small", v);
    auto terms = additiveTerms(tree, 2);
    terms.weights = {1e-3, 1.0, 0.0, 0.0, 0.0};
    auto s = edge.makeScratch(16);
    REQUIRE_FALSE(edge.evaluate(parse("min(big, big)", v), s, out));
    REQUIRE(edge.evaluate(weightedTree(tree, terms), s, out));
    FiniteTermMemo fresh(32, 64);
    FiniteCheckWork w;
    CHECK(weightedFormulaFinite(edge, tree, terms, fresh, scratch, buffer, w));
    CHECK(weightedFormulaFinite(edge, tree, terms, fresh, scratch, buffer, w));  // from the memo: still evaluated
    terms.weights[0] = 1.0;  // unshrunk: the formula overflows
    CHECK_FALSE(weightedFormulaFinite(edge, tree, terms, fresh, scratch, buffer, w));
}

TEST_CASE("ldltSolve equals Eigen's LDLT solve bit for bit, pivoting, ties, zeros and indefinite matrices included",
          "[engine]") {
    using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, MaxLinearTerms, MaxLinearTerms>;
    using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, MaxLinearTerms, 1>;
    std::mt19937_64 rng(1405);
    std::normal_distribution<double> g(0.0, 1.0);
    std::uniform_int_distribution<int> kind(0, 7);
    std::size_t cases = 0, pivoted = 0;
    for (int trial = 0; trial < 60000; ++trial) {
        auto const K = static_cast<Eigen::Index>(1 + trial % 5);
        Mat G(K, K);
        int const shape = kind(rng);
        if (shape <= 3) {  // a ridge Gram matrix of standardised columns, as the fit builds (some collinear)
            Eigen::MatrixXd X(20, K);
            for (Eigen::Index r = 0; r < 20; ++r) {
                for (Eigen::Index c = 0; c < K; ++c) X(r, c) = g(rng) * std::pow(10.0, shape - 1);
            }
            if (K > 2 && shape == 3) X.col(1) = X.col(0) * 2.0;
            G = X.transpose() * X / 20.0;
            G.diagonal().array() += shape == 0 ? 0.0 : 0.01;
            if (shape == 2 && K > 1) G(K - 1, K - 1) = 1.0, G(K - 1, 0) = G(0, K - 1) = 0.0;  // an unused term
        } else if (shape == 4) {  // equal diagonals: ties in the pivot search
            G.setConstant(0.3);
            G.diagonal().setConstant(1.0);
        } else if (shape == 5) {  // indefinite
            for (Eigen::Index i = 0; i < K; ++i) {
                for (Eigen::Index j = 0; j <= i; ++j) G(i, j) = G(j, i) = g(rng);
            }
        } else if (shape == 6) {  // a zero diagonal
            G.setZero();
            if (K > 1) G(1, 0) = G(0, 1) = g(rng);
        } else {  // rank one, no ridge: zero pivots after the first
            Vec v(K);
            for (auto& e : v) e = g(rng);
            G = v * v.transpose();
        }
        Vec b(K);
        for (Eigen::Index i = 0; i < K; ++i) b[i] = trial % 3 == 0 && i == 0 ? 0.0 : g(rng);
        Vec const expected = G.ldlt().solve(b);
        std::array<std::array<double, MaxLinearTerms>, MaxLinearTerms> A{};
        std::array<double, MaxLinearTerms> x{};
        for (Eigen::Index i = 0; i < K; ++i) {
            for (Eigen::Index j = 0; j <= i; ++j) A[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = G(i, j);
            x[static_cast<std::size_t>(i)] = b[i];
        }
        ldltSolve(A, static_cast<std::size_t>(K), x);
        auto const transpositions = G.ldlt().transpositionsP();
        for (Eigen::Index i = 0; i < K; ++i) pivoted += transpositions.indices()[i] != i ? 1 : 0;
        for (Eigen::Index i = 0; i < K; ++i) {
            INFO("trial " << trial << " K " << K << " shape " << shape << " i " << i);
            REQUIRE(std::bit_cast<std::uint64_t>(x[static_cast<std::size_t>(i)]) == std::bit_cast<std::uint64_t>(expected[i]));
        }
        ++cases;
    }
    CHECK(cases == 60000);
    CHECK(pivoted > 10000);
}
