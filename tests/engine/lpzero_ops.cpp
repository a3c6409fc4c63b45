// LPZero's operators that zcgp's table lacked (issue 16): l1_norm (mean of |v| over an architecture's layers) and
// matrix_multiplication of two layer vectors (their inner product), against hand-computed values, through the
// parser, the pruning rules and the exported C++ (compiled and run); and LPZero's early-stop rule, on its own, in
// the evolution loop and through `zcgp evolve` on real data.
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "Synthetic.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"
#include "zcgp/engine/Checkpoint.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/engine/Export.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/Pruning.hpp"

using namespace zcgp;
using namespace zcgp::engine;

namespace {
// Three architectures of 2, 4 and 3 layers (ragged, as FlexiBERT's 2- and 4-layer models are).
primitives::Dataset handDataset() {
    using V = std::vector<double>;
    primitives::Dataset d({"a0", "a1", "a2"});
    d.addScalar("depth", V{2.0, 4.0, 3.0});
    d.setTarget(V{0.1, 0.2, 0.3});
    d.setLayerCounts(std::vector<std::size_t>{2, 4, 3});
    d.addLayerVector("act", V{1, -2, /**/ 0.5, -0.5, 3, -4, /**/ 2, 2, -5});
    d.addLayerVector("grad", V{3, 4, /**/ 1, 2, 1, 0.25, /**/ -1, 0.5, 2});
    return d;
}
}  // namespace

TEST_CASE("LPZero's l1_norm and matrix multiplication on layer vectors: hand-computed values", "[engine]") {
    auto const d = handDataset();
    auto const vocab = Vocabulary::of(d);
    Interpreter interp(d);
    auto values = [&](std::string const& f) { return interp.evaluate(parse(f, vocab)); };
    // l1_norm = sum |a| / numel (LPZero's unary_ops.py): (1+2)/2, (0.5+0.5+3+4)/4, (2+2+5)/3
    CHECK(values("l1norm(act)") == std::vector<double>{1.5, 2.0, 3.0});
    // a layer vector as a 1xL matrix times another as Lx1: 3-8, 0.5-1+3-1, -2+1-10
    CHECK(values("dot(act, grad)") == std::vector<double>{-5.0, 1.5, -11.0});
    CHECK(values("dot(grad, act)") == values("dot(act, grad)"));
    // and equal to the compositions they replace (one node instead of two)
    CHECK(values("l1norm(act)") == values("mean(abs(act))"));
    CHECK(values("dot(act, grad)") == values("sum(act * grad)"));
    // types: both reduce to a Scalar; dot of a Scalar is a type error naming the operator
    CHECK(parse("l1norm(act)", vocab).root().type == primitives::ValueType::Scalar);
    CHECK_THROWS_WITH(parse("dot(act, depth)", vocab), Catch::Contains("dot"));
    // round trip through infix, and a commutative hash: dot(a, b) and dot(b, a) are one tree to the GP
    for (std::string const f : {"l1norm(act)", "dot(act, grad)", "(dot(normalize(act), softmax(grad)) + l1norm(grad))"}) {
        INFO(f);
        CHECK(format(parse(f, vocab), vocab) == f);
    }
    CHECK(structuralHash(parse("dot(act, grad)", vocab)) == structuralHash(parse("dot(grad, act)", vocab)));
    // pruning: l1norm of abs or neg is l1norm itself
    TreeContext ctx;
    ctx.scalarTerminals = d.scalarCount();
    ctx.layerTerminals = d.layerVectorCount();
    ctx.maxSize = 20;
    ctx.maxDepth = 8;
    ctx.prepare();
    CHECK(structuralRule(parse("l1norm(abs(act))", vocab), ctx) == PruneRule::Redundant);
    CHECK(structuralRule(parse("l1norm(neg(act))", vocab), ctx) == PruneRule::Redundant);
    CHECK_FALSE(structuralRule(parse("l1norm(act) + dot(act, grad)", vocab), ctx));
}

TEST_CASE("LPZero's l1_norm and matrix multiplication: the exported C++ computes the hand-computed values", "[engine]") {
    auto const d = handDataset();
    auto const vocab = Vocabulary::of(d);
    auto const tree = parse("l1norm(act) + dot(act, grad)", vocab);
    test::TempDir dir("zcgp_lpzero_export_");
    std::ofstream(dir.path / "proxy.hpp") << exportCpp(tree, vocab, d.transforms(), ExportOptions{});
    // -3.5 = 1.5 - 5, 3.5 = 2 + 1.5, -8 = 3 - 11
    std::ofstream(dir.path / "driver.cpp")
        << "#include \"proxy.hpp\"\n#include <cstdio>\nint main() {\n"
           "  double a = zc_proxy({1, -2}, {3, 4});\n"
           "  double b = zc_proxy({0.5, -0.5, 3, -4}, {1, 2, 1, 0.25});\n"
           "  double c = zc_proxy({2, 2, -5}, {-1, 0.5, 2});\n"
           "  std::printf(\"%.17g %.17g %.17g\\n\", a, b, c);\n"
           "  try { zc_proxy({1, 2}, {1, 2, 3}); } catch (std::invalid_argument const&) { std::printf(\"refused\\n\"); }\n"
           "}\n";
    auto const compile = test::runCommand("c++ -std=c++17 -O2 -I" + dir.path.string() + " " +
                                          (dir.path / "driver.cpp").string() + " -o " + (dir.path / "driver").string());
    INFO(compile.err);
    REQUIRE(compile.exitCode == 0);
    auto const run = test::runCommand((dir.path / "driver").string());
    CHECK(run.exitCode == 0);
    CHECK(run.out == "-3.5 3.5 -8\nrefused\n");  // layer vectors of different lengths are an error, not garbage
}

TEST_CASE("LPZero's early stop: identical first scores, or a 0, -1, NaN or inf among them", "[engine]") {
    using V = std::vector<double>;
    auto fires = [](V const& v) { return earlyStopFires(v); };
    double const nan = std::numeric_limits<double>::quiet_NaN();
    double const inf = std::numeric_limits<double>::infinity();
    CHECK(fires(V{0.3, 0.3, 0.3, 0.3}));   // LPZero's all_same
    CHECK_FALSE(fires(V{0.3, 0.3, 0.3, 0.31}));
    CHECK(fires(V{1.0, 0.0, 2.0, 3.0}));   // LPZero's is_anomaly: 0, -1, NaN, inf
    CHECK(fires(V{1.0, -0.0, 2.0, 3.0}));
    CHECK(fires(V{1.0, 2.0, -1.0, 3.0}));
    CHECK(fires(V{1.0, nan, 2.0, 3.0}));
    CHECK(fires(V{1.0, 2.0, 3.0, -inf}));
    CHECK_FALSE(fires(V{1.0, -1.0000001, 2.0, 1e-300}));
    CHECK_FALSE(fires(V{0.7}));  // one score is not "identical scores"
    CHECK(fires(V{-1.0}));
    CHECK_FALSE(fires(V{}));
}

TEST_CASE("LPZero's early stop in the loop: candidates that fire are rejected and counted as early_stop", "[engine]") {
    // Scalar operators only, so a tree's values on the train rows are bit-identical to its values on the whole
    // task (element-wise kernels), and the rule can be recomputed here from Evolution's train split. No retries:
    // every bred slot makes one attempt per generation and the population shows every rejection.
    EvolutionConfig cfg;
    cfg.populationSize = 40;
    cfg.generations = 6;
    cfg.trainArchs = 30;
    cfg.seed = 11;
    cfg.threads = 2;
    cfg.maxRetries = 0;
    cfg.functions = "scalar";
    cfg.constantProbability = 0.3;
    auto tasks = [] { return std::vector<Task>{{"synthetic/0", test::syntheticDataset(80, 7)}}; };
    Evolution off(tasks(), cfg);
    off.run();
    CHECK(off.pruned()[static_cast<std::size_t>(PruneRule::EarlyStop)] == 0);  // 0: the rule is off

    cfg.earlyStop = 4;
    Evolution evo(tasks(), cfg);
    Interpreter interp(evo.tasks()[0].data);
    auto const& train = evo.train(0);
    auto firstFour = [&](Tree const& t) {
        auto const all = interp.evaluate(t);
        return std::vector<double>{all[train[0]], all[train[1]], all[train[2]], all[train[3]]};
    };
    PruneCounts before{};
    std::uint64_t fired = 0;
    for (std::size_t g = 0; g <= cfg.generations; ++g) {
        if (g == 0) evo.initialize();
        else evo.step();
        INFO("generation " << g);
        std::uint64_t firedNow = 0;
        for (std::size_t i = g == 0 ? 0 : cfg.elites; i < evo.population().size(); ++i) {
            auto const& ind = evo.population()[i];
            if (structuralRule(ind.tree, evo.context())) continue;
            auto const values = interp.evaluate(ind.tree);
            if (!std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); })) continue;
            if (earlyStopFires(firstFour(ind.tree))) {
                INFO(format(ind.tree, Vocabulary::of(evo.tasks()[0].data)));
                CHECK_FALSE(ind.valid);  // never accepted
                ++firedNow;
            }
        }
        auto const delta = [&](PruneRule r) { return evo.pruned()[static_cast<std::size_t>(r)] - before[static_cast<std::size_t>(r)]; };
        // each firing tree was counted as early_stop, unless it was an exact clone of an earlier tree (rejected
        // unevaluated as duplicate_ranking)
        CHECK(delta(PruneRule::EarlyStop) <= firedNow);
        CHECK(firedNow <= delta(PruneRule::EarlyStop) + delta(PruneRule::DuplicateRanking));
        fired += firedNow;
        before = evo.pruned();
    }
    CHECK(fired > 0);
    CHECK(evo.pruned()[static_cast<std::size_t>(PruneRule::EarlyStop)] > 0);
    CHECK(evo.best().valid);
    CHECK_FALSE(earlyStopFires(firstFour(evo.best().tree)));
}

TEST_CASE("zcgp evolve --early-stop on nb201/cifar10: counted per rule in result.json and the log", "[engine]") {
    test::TempDir dir("zcgp_early_stop_");
    auto const cli = test::cliPath().string() + " evolve --data " + test::requireData("nbsz").parent_path().string() +
                     " --task nb201/cifar10 --population 40 --generations 6 --seed 2 --quiet ";
    auto const on = test::runCommand(cli + "--early-stop 4 --json --out " + (dir.path / "on").string());
    INFO(on.err);
    REQUIRE(on.exitCode == 0);
    auto const result = nlohmann::json::parse(on.out);
    CHECK(result["pruned"]["early_stop"].get<std::uint64_t>() > 0);
    CHECK(result["finite_on_all_archs"] == true);
    std::ifstream log(dir.path / "on" / "log.jsonl");
    std::uint64_t last = 0;
    for (std::string line; std::getline(log, line);) last = nlohmann::json::parse(line)["pruned"]["early_stop"];
    CHECK(last == result["pruned"]["early_stop"].get<std::uint64_t>());  // the log's counters are cumulative
    auto const off = test::runCommand(cli + "--json --out " + (dir.path / "off").string());
    REQUIRE(off.exitCode == 0);
    CHECK(nlohmann::json::parse(off.out)["pruned"]["early_stop"] == 0);  // off by default
    auto const bad = test::runCommand(cli + "--early-stop -4 --out " + (dir.path / "bad").string());
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("--early-stop"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "bad"));
}


TEST_CASE("checkpoint: one written before the early_stop rule (six pruning counters) reads with 0 for it", "[engine]") {
    EvolutionConfig cfg;
    cfg.populationSize = 20;
    cfg.generations = 2;
    cfg.trainArchs = 30;
    cfg.earlyStop = 4;
    cfg.threads = 1;
    std::vector<Task> tasks;
    tasks.push_back({"synthetic/0", test::syntheticDataset(80, 7)});
    Evolution evo(std::move(tasks), cfg);
    evo.run();
    test::TempDir dir("zcgp_ckpt_counters_");
    auto const file = dir.path / "checkpoint.bin";
    evo.saveCheckpoint(file);
    auto bytes = test::readBytes(file);
    // walk to the pruning counters: magic, version, length, checksum; the primitive names; seed, split seed,
    // population, train size; the task ids; generation, evaluations, node evaluations, seconds
    std::size_t at = 8 + 4 + 8 + 8;
    auto const u32 = [&](std::size_t pos) { std::uint32_t v = 0; std::memcpy(&v, bytes.data() + pos, 4); return v; };
    auto const skipTexts = [&]() { auto const n = u32(at); at += 4; for (std::uint32_t k = 0; k < n; ++k) at += 4 + u32(at); };
    skipTexts();
    at += 4 * 8;
    skipTexts();
    at += 4 * 8;
    REQUIRE(u32(at) == PruneRuleCount);
    auto const old = decodeCheckpoint(bytes, file);
    // what a zcgp of six rules wrote: early_stop (the last counter) did not exist
    std::uint32_t const six = PruneRuleCount - 1;
    std::memcpy(bytes.data() + at, &six, 4);
    bytes.erase(at + 4 + 8 * six, 8);
    auto const total = static_cast<std::uint64_t>(bytes.size());
    std::memcpy(bytes.data() + 12, &total, 8);
    auto const sum = checkpointChecksum(std::string_view(bytes).substr(28));
    std::memcpy(bytes.data() + 20, &sum, 8);
    auto const back = decodeCheckpoint(bytes, file);
    for (std::size_t r = 0; r + 1 < PruneRuleCount; ++r) CHECK(back.progress.pruned[r] == old.progress.pruned[r]);
    CHECK(back.progress.pruned[static_cast<std::size_t>(PruneRule::EarlyStop)] == 0);
    CHECK(back.population.size() == old.population.size());
    // more counters than this zcgp has rules is an error naming the file
    std::uint32_t const eight = PruneRuleCount + 1;
    std::memcpy(bytes.data() + at, &eight, 4);
    auto const resum = checkpointChecksum(std::string_view(bytes).substr(28));
    std::memcpy(bytes.data() + 20, &resum, 8);
    CHECK_THROWS_WITH(decodeCheckpoint(bytes, file),
                      Catch::Contains("checkpoint.bin") && Catch::Contains("pruning counters"));
}
