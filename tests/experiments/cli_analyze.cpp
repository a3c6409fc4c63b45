// End-to-end: zcgp analyze on the real data and on a researcher's own table; its usage errors.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;

namespace {
std::string const kFixture = std::string(ZCGP_SOURCE_DIR) + "/tests/fixtures/information_fixture.csv";
}

TEST_CASE("zcgp analyze information on a researcher's table equals the numpy script", "[experiments]") {
    auto const r = runCommand(zcgpCli("analyze information --table " + kFixture + " --target acc --id arch --format json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = nlohmann::json::parse(r.out).at("table:information_fixture");
    // scripts/entropy_reference.py tests/fixtures/information_fixture.csv acc p1 p2 p3
    CHECK(j.at("single").at("p1").at("H(acc | z)").get<double>() == Approx(1.5969694286392886).margin(1e-9));
    CHECK(j.at("pair_conditional_entropy").at("p2").at("p3").get<double>() == Approx(1.8775826330134078).margin(1e-9));
    CHECK(j.at("greedy").at("1").at("added") == "p1");
    CHECK(j.at("greedy").at("2").at("added") == "p3");
}

TEST_CASE("zcgp analyze bias on a table: its own property columns, and the suite's properties are undefined there", "[experiments]") {
    auto const r = runCommand(zcgpCli("analyze bias --table " + kFixture +
                                      " --target acc --id arch --property p3 --metric spearman --format json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = nlohmann::json::parse(r.out).at("table:information_fixture");
    auto const& bias = j.at("bias");
    CHECK(bias.contains("p1"));
    CHECK_FALSE(bias.contains("p3"));  // a property, not a proxy
    CHECK(bias.at("val_accuracy").at("p3").is_number());
    CHECK(bias.at("p1").at("cell_size").is_null());
    auto const notes = j.at("notes").dump();
    CHECK_THAT(notes, Catch::Contains("cell_size is undefined"));
    CHECK_THAT(notes, Catch::Contains("no bias correction"));
}

TEST_CASE("zcgp analyze usage errors exit 2 with one line naming the flag or word", "[experiments]") {
    auto const check = [](std::string const& args, std::string const& needle) {
        auto const r = runCommand(zcgpCli("analyze " + args));
        INFO(args << "\n" << r.err);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains(needle));
        CHECK(r.out.empty());
    };
    check("", "name an analysis");
    check("biass", "unknown analysis 'biass'");
    check("bias --metric topk --task nb201/cifar10", "--metric 'topk'");
    check("surrogate --train-sizes 10,x --task nb201/cifar10", "--train-sizes '10,x'");
    check("surrogate --feature-sets zc,adjacency --task nb201/cifar10", "unknown 'adjacency'");
    check("information --task nb999/x", "nb999");
    check("bias --table " + kFixture + " --target acc --property depth", "no column 'depth'");
    auto const help = runCommand(zcgpCli("--help"));
    CHECK_THAT(help.out, Catch::Contains("analyze"));
}

TEST_CASE("zcgp analyze bias reproduces the independent reference values on nb201/cifar10", "[experiments]") {
    // computed independently with scipy.stats on zc_nasbench201.json (725 architectures, pairwise complete)
    auto const pearson = runCommand(zcgpCli("analyze bias --task nb201/cifar10 --format json"));
    INFO(pearson.err);
    REQUIRE(pearson.exitCode == 0);
    auto const p = nlohmann::json::parse(pearson.out).at("nb201/cifar10");
    CHECK(p.at("bias").at("synflow").at("cell_size").get<double>() == Approx(0.527).margin(0.01));
    CHECK(p.at("bias").at("val_accuracy").at("cell_size").get<double>() == Approx(0.146).margin(0.01));
    auto const kendall = runCommand(zcgpCli("analyze bias --task nb201/cifar10 --metric kendall --format json"));
    REQUIRE(kendall.exitCode == 0);
    auto const k = nlohmann::json::parse(kendall.out).at("nb201/cifar10");
    CHECK(k.at("bias").at("synflow").at("cell_size").get<double>() == Approx(0.417).margin(0.01));
    // the corrected proxy no longer correlates with cell size, and its tau is reported next to the raw one
    auto const& c = p.at("correction_cell_size").at("synflow");
    CHECK(c.at("kendall").get<double>() == Approx(0.537).margin(0.005));
    CHECK(c.at("kendall corrected").is_number());
}

TEST_CASE("zcgp analyze bias runs on every task and says where a property is undefined", "[experiments]") {
    auto const r = runCommand(zcgpCli("analyze bias --format json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = nlohmann::json::parse(r.out);
    CHECK(j.size() == 24);
    CHECK(j.at("nb301/cifar10").at("bias").at("synflow").at("cell_size").is_null());
    CHECK_THAT(j.at("nb301/cifar10").at("notes").dump(), Catch::Contains("cell_size is undefined for nb301/cifar10"));
    CHECK(j.at("nb301/cifar10").at("bias").at("synflow").at("num_skip").is_number());
    CHECK_THAT(j.at("flexibert/glue").at("notes").dump(), Catch::Contains("num_params is undefined"));
}

TEST_CASE("zcgp analyze surrogate: encoding+zc beats encoding on nb201/cifar10 at 100 train", "[experiments]") {
    auto const r = runCommand(zcgpCli("analyze surrogate --task nb201/cifar10 --train-sizes 100 --seeds 3 "
                                      "--feature-sets encoding,zc,encoding+zc --format json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const k = nlohmann::json::parse(r.out).at("nb201/cifar10").at("kendall").at("100");
    double const enc = k.at("encoding").get<double>();
    double const both = k.at("encoding+zc").get<double>();
    CHECK(enc > 0.3);
    CHECK(both > enc + 0.1);  // measured: 0.497 -> 0.735 (3 seeds)
    // columns are the feature-set names exactly
    CHECK(k.size() == 3);
}

TEST_CASE("zcgp analyze search (reduced): the surrogate-guided searches beat random search on NB201", "[experiments]") {
    auto const r = runCommand(zcgpCli("analyze search --budget 60 --seeds 2 --methods random,encoding,encoding+zc "
                                      "--rounds 100 --format json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = nlohmann::json::parse(r.out).at("nb201_search/cifar10");
    auto const& best = j.at("best_test_accuracy");
    // the first 10 cells are the same random ones for every method
    CHECK(best.at("10").at("random") == best.at("10").at("encoding"));
    double const optimum = 94.37;  // best 200-epoch CIFAR-10 test accuracy of the 15,625 cells (nb201/)
    for (auto const* m : {"random", "encoding", "encoding+zc"}) {
        CHECK(best.at("60").at(m).get<double>() <= optimum);
        CHECK(best.at("60").at(m).get<double>() >= best.at("10").at(m).get<double>());
    }
    CHECK(best.at("60").at("encoding+zc").get<double>() > best.at("60").at("random").get<double>());
    CHECK(j.at("regret").at("60").at("random").get<double>() > 0.0);
    auto const bad = runCommand(zcgpCli("analyze search --dataset cifar100"));
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("cifar100"));
}
