// Hostile inputs found by the first fuzzing campaign (issue 11): deep nesting, trees over the node limit,
// subnormal constants, layer terminals on architectures without layers.
#include <cmath>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include "RunCommand.hpp"
#include "Synthetic.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"

using namespace zcgp;
using namespace zcgp::engine;

namespace {
Vocabulary vocabulary() { return {{"alpha", "beta", "gamma"}, {"act_mean", "grad_norm_l"}}; }

// "alpha + beta + alpha + ..." with `terms` terms: 2 * terms - 1 nodes, depth `terms`.
std::string sumOf(std::size_t terms) {
    std::string s = "alpha";
    for (std::size_t k = 1; k < terms; ++k) s += k % 2 == 1 ? " + beta" : " + alpha";
    return s;
}

// A balanced sum of `leaves` terminals (alpha, beta, alpha, ...): 2 * leaves - 1 nodes, depth 1 + ceil(log2 leaves).
std::string balancedSum(std::size_t first, std::size_t leaves) {
    if (leaves == 1) return first % 2 == 0 ? "alpha" : "beta";
    auto const left = leaves / 2;
    return "(" + balancedSum(first, left) + " + " + balancedSum(first + left, leaves - left) + ")";
}

// Three architectures whose LayerVector terminals exist but hold no layer at all.
primitives::Dataset layerlessDataset() {
    primitives::Dataset d({"a0", "a1", "a2"});
    d.addScalar("alpha", std::vector<double>{1.0, 2.0, 3.0});
    d.setTarget(std::vector<double>{0.1, 0.2, 0.3});
    std::vector<std::size_t> counts(3, 0);
    d.setLayerCounts(counts);
    d.addLayerVector("act_mean", std::vector<double>{});
    return d;
}
}  // namespace

TEST_CASE("parse refuses nesting deeper than MaxFormulaNesting with the position, and no crash", "[engine]") {
    std::string const deep = std::string(15000, '(') + "alpha" + std::string(15000, ')');
    try {
        (void)parse(deep, vocabulary());
        FAIL("15,000 nested parentheses parsed");
    } catch (std::invalid_argument const& e) {
        std::string const what = e.what();
        CHECK_THAT(what, Catch::Contains("nesting deeper than 256") && Catch::Contains("at position 256"));
        CHECK(what.size() < 400);  // the formula is cut in the message
    }
    std::string minus(10000, '-');
    CHECK_THROWS_WITH(parse(minus + "alpha", vocabulary()), Catch::Contains("nesting deeper than"));
    std::string calls;
    for (int k = 0; k < 5000; ++k) calls += "tanh(";
    CHECK_THROWS_WITH(parse(calls + "alpha" + std::string(5000, ')'), vocabulary()), Catch::Contains("nesting deeper than"));
    // the limit itself parses, and the tree is the terminal (parentheses add no nodes)
    auto const atLimit = parse(std::string(MaxFormulaNesting, '(') + "alpha" + std::string(MaxFormulaNesting, ')'), vocabulary());
    CHECK(atLimit.size() == 1);
    CHECK_THROWS_AS(parse(std::string(MaxFormulaNesting + 1, '(') + "alpha" + std::string(MaxFormulaNesting + 1, ')'),
                        vocabulary()),
                    std::invalid_argument);
}

TEST_CASE("zcgp evaluate --formula with 15,000 nested parentheses reports the nesting instead of crashing", "[engine]") {
    auto const formula = std::string(15000, '(') + "nwot" + std::string(15000, ')');
    auto const r = test::runCommand(test::zcgpCli("evaluate --task nb201/cifar10 --formula '" + formula + "'"));
    INFO(r.err);
    CHECK(r.exitCode == 2);  // a formula no task can parse is a usage error, with the parser's message
    CHECK_THAT(r.err, Catch::Contains("nesting deeper than 256"));
}

TEST_CASE("trees over MaxTreeSize or MaxTreeDepth are refused by parse, the Tree constructor, validate and the evolution config",
          "[engine]") {
    STATIC_REQUIRE(MaxTreeSize < 65535);
    auto const vocab = vocabulary();
    // 65,539 nodes: before the limit this parsed and validated, with Node::length wrapped at 2^16
    auto const huge = sumOf(32770);
    CHECK_THROWS_WITH(parse(huge, vocab), Catch::Contains("a tree deeper than 256 levels"));

    std::vector<Node> nodes{Node::variable(0)};
    for (std::size_t k = 0; k < 32769; ++k) {
        nodes.push_back(Node::variable(1));
        nodes.push_back(Node::function(Opcode::Add));
    }
    CHECK_THROWS_WITH(Tree(nodes), Catch::Contains("65539 nodes exceeds the maximum of 4096"));

    CHECK_THROWS_WITH(parse(balancedSum(0, MaxTreeSize / 2 + 1), vocab), Catch::Contains("more than 4096 nodes"));

    // the largest allowed tree: parses, validates, round-trips and evaluates like the scalar sum it is
    auto const data = test::syntheticDataset(40);
    auto const big = parse(balancedSum(0, MaxTreeSize / 2), vocab);  // 4095 nodes
    REQUIRE(big.size() == MaxTreeSize - 1);
    CHECK(big.depth() == 12);
    CHECK(big.validate().empty());
    CHECK(structuralHash(parse(format(big, vocab), vocab)) == structuralHash(big));
    auto const values = Interpreter(data).evaluate(big);
    for (std::size_t r = 0; r < data.rows(); ++r) {
        double expected = 0.0;
        for (std::size_t k = 0; k < MaxTreeSize / 2; ++k) expected += data.scalar(k % 2)[r];
        CHECK(values[r] == Approx(expected).epsilon(1e-12));
    }
    // simplify flattens the sum; its chain of 2048 terms would be too deep, so the terms are paired instead
    auto const flat = simplify(big);
    CHECK(flat.validate().empty());
    CHECK(flat.depth() <= big.depth());
    CHECK(Interpreter(data).evaluate(flat)[0] == Approx(values[0]).epsilon(1e-12));
    // and a short sum keeps its canonical left-nested chain
    CHECK(format(simplify(parse("alpha + (beta + gamma)", vocab)), vocab).find("((") == 0);

    // a tree grown past the limit through nodes() is reported by validate
    auto grown = big;
    grown.nodes().insert(grown.nodes().begin(), 2, Node::variable(0));
    grown.nodes().push_back(Node::function(Opcode::Add));
    grown.nodes().push_back(Node::function(Opcode::Add));
    CHECK_THAT(grown.validate(), Catch::Contains("exceed the maximum of 4096"));

    // depth: a chain of 256 additions is as deep as a tree may be, and its fully parenthesised formula
    // (255 levels of parentheses) parses back; one more is refused everywhere
    auto const deepest = parse(sumOf(MaxTreeDepth), vocab);
    CHECK(deepest.depth() == MaxTreeDepth);
    CHECK(parse(format(deepest, vocab), vocab) == deepest);
    CHECK_THROWS_WITH(parse(sumOf(MaxTreeDepth + 1), vocab), Catch::Contains("a tree deeper than 256 levels"));
    auto chain = deepest.nodes();
    chain.push_back(Node::function(Opcode::Neg));
    CHECK_THROWS_WITH(Tree(chain), Catch::Contains("a tree deeper than 256 levels"));
    std::vector<Node> deep{Node::variable(0)};
    for (int k = 0; k < 256; ++k) deep.push_back(Node::function(Opcode::Tanh));
    CHECK_THROWS_AS(Tree(deep), std::invalid_argument);

    // evolution configs cannot ask for larger trees
    EvolutionConfig cfg;
    cfg.maxSize = MaxTreeSize + 1;
    cfg.trainArchs = 10;
    std::vector<Task> tasks{Task{"synthetic", data}};
    CHECK_THROWS_WITH(Evolution(tasks, cfg), Catch::Contains("--max-size must be in [1, 4096]"));
    cfg.maxSize = 20;
    cfg.maxDepth = MaxTreeDepth + 1;
    CHECK_THROWS_WITH(Evolution(tasks, cfg), Catch::Contains("--max-depth must be in [1, 256]"));
}

TEST_CASE("subnormal constants survive format and parse, and overflow and total underflow are errors", "[engine]") {
    auto const vocab = vocabulary();
    auto const simplified = simplify(parse("alpha + 2/1e308", vocab));
    auto const text = format(simplified, vocab);
    CHECK_THAT(text, Catch::Contains("2e-308"));
    auto const back = parse(text, vocab);
    CHECK(structuralHash(back) == structuralHash(simplified));
    CHECK(back == simplified);
    CHECK(parse("4.9e-324", vocab).root().value == std::numeric_limits<double>::denorm_min());
    CHECK(parse("-2e-308", vocab).root().value == -2e-308);
    CHECK_THROWS_WITH(parse("alpha + 1e400", vocab), Catch::Contains("'1e400' is out of the range of a double") &&
                                                         Catch::Contains("at position 8"));
    CHECK_THROWS_WITH(parse("alpha * 1e-400", vocab), Catch::Contains("out of the range"));
    CHECK_THROWS_WITH(parse("1.2.3", vocab), Catch::Contains("malformed number '1.2.3'"));
}

TEST_CASE("layer terminals evaluate on architectures with no layers at all", "[engine]") {
    auto const data = layerlessDataset();
    REQUIRE(data.totalLayers() == 0);
    Vocabulary const vocab{{"alpha"}, {"act_mean"}};
    Interpreter const interpreter(data);
    // reductions of an empty layer list are 0 (as for a single architecture without layers), the rest follows
    for (auto const* formula : {"sum(act_mean)", "alpha + mean(normalize(act_mean))",
                                "lmax(act_mean * alpha) + std(softmax(act_mean + 1))", "norm(minmax(act_mean))",
                                "lmin(logsoftmax(act_mean / act_mean))"}) {
        INFO(formula);
        auto const values = interpreter.evaluate(parse(formula, vocab));
        REQUIRE(values.size() == 3);
        bool const withAlpha = std::string(formula).rfind("alpha +", 0) == 0;
        for (std::size_t r = 0; r < 3; ++r) CHECK(values[r] == (withAlpha ? data.scalar(0)[r] : 0.0));
    }
}
