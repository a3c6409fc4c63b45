// result.json as a typed RunReport: a round trip keeps every field, non-finite values survive as null -> NaN
// (reproduce used to die on them with a bare nlohmann type_error), and a broken file names itself and the field.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "TempDir.hpp"
#include "zcgp/engine/RunReport.hpp"

using namespace zcgp::engine;

TEST_CASE("RunReport round-trips result.json and reads non-finite taus as NaN", "[engine]") {
    RunReport r;
    r.formula = "(nwot + jacov)";
    r.simplified = r.formula;
    r.size = 3;
    r.depth = 2;
    r.trainTau = 0.7;
    r.testTau = std::nan("");  // e.g. a constant formula on a tiny held-out set
    r.testSpearman = 0.5;
    r.tasks = {"nb201/cifar10"};
    r.perTask = {{"nb201/cifar10", 0.7, std::nan(""), 0.5, 5, 3, {"(0, 1, 2, 3, 4, 0)"}}};
    r.seed = 18446744073709551615ULL;
    r.generations = 7;
    r.generationsPlanned = 50;
    r.stopped = "time_limit";
    r.bestHandcrafted = HandcraftedQuality{"jacov", 0.6, 0.5, 0.4};
    r.pruned = {{"duplicate", 4}};
    r.pareto = {{1, "nwot", 0.5, 0.4}};
    r.normalize = "logz";
    r.terminals = {{"nwot", "log", 1.0, 2.0, 3.0, std::nullopt, std::nullopt}};
    r.stats = "/abs/c10.zcstats";
    auto const back = parseRunReport(toJsonText(r), "result.json");
    CHECK(back.formula == r.formula);
    CHECK(std::isnan(back.testTau));
    CHECK(std::isnan(back.perTask.at(0).testTau));
    CHECK(back.perTask.at(0).trainKeys == r.perTask[0].trainKeys);
    CHECK(back.seed == r.seed);
    CHECK(back.stopped == "time_limit");
    CHECK(back.generationsPlanned == 50);
    CHECK(back.bestHandcrafted->name == "jacov");
    CHECK(back.stats == r.stats);
    CHECK(toJsonText(back) == toJsonText(r));
}

TEST_CASE("RunReport errors name the file and the field", "[engine]") {
    CHECK_THROWS_WITH(parseRunReport("{not json", "runs/x/result.json"), Catch::Contains("runs/x/result.json"));
    CHECK_THROWS_WITH(parseRunReport(R"({"formula": 3})", "r.json"),
                      Catch::Contains("r.json") && Catch::Contains("'formula'") && Catch::Contains("string"));
    CHECK_THROWS_WITH(parseRunReport(R"({"formula": "nwot"})", "r.json"), Catch::Contains("'size': missing"));
    zcgp::test::TempDir dir("run_report_dir");
    std::filesystem::create_directories(dir.path / "result.json");  // a directory where the file is expected
    CHECK_THROWS_WITH(readRunReport(dir.path), Catch::Contains("is a directory"));
    CHECK_THROWS_WITH(readRunReport(dir.path / "missing"), Catch::Contains("missing"));
}
