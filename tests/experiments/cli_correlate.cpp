// End-to-end: the zcgp binary reproduces the NAS-Bench-Suite-Zero correlation table on the real data.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;
using zcgp::test::experimentConfig;
using zcgp::test::scratchDir;

namespace {
nlohmann::json correlateJson(std::string const& args) {
    auto const r = runCommand(zcgpCli("correlate --format json " + args));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return nlohmann::json::parse(r.out);
}
}  // namespace

TEST_CASE("zcgp correlate --metric spearman reproduces the independently computed values", "[experiments]") {
    auto const s = correlateJson("--metric spearman");
    auto const at = [&](char const* proxy, char const* task) { return s.at(proxy).at(task).get<double>(); };
    CHECK(at("nwot", "nb201/cifar10") == Approx(0.786).margin(0.005));
    CHECK(at("jacov", "nb201/cifar10") == Approx(0.765).margin(0.005));
    CHECK(at("synflow", "nb201/cifar10") == Approx(0.736).margin(0.005));
    CHECK(at("params", "nb201/cifar10") == Approx(0.738).margin(0.005));
    CHECK(at("nwot", "nb201/cifar100") == Approx(0.813).margin(0.005));
    CHECK(at("nwot", "nb301/cifar10") == Approx(0.555).margin(0.005));
    CHECK(at("params", "nb301/cifar10") == Approx(0.523).margin(0.005));
    CHECK(at("params", "nb101/cifar10") == Approx(0.716).margin(0.005));
    CHECK(at("jacov", "tnb101_micro/segmentsemantic") == Approx(0.765).margin(0.005));
    // proxies a task lacks are null, not zero
    CHECK(s.at("nwot").at("nb101/cifar10").is_null());
    CHECK(s.at("synflow").at("tnb101_micro/jigsaw").is_null());
}

TEST_CASE("zcgp correlate --metric kendall on nb201/cifar10", "[experiments]") {
    auto const k = correlateJson("--metric kendall --task nb201/cifar10");
    CHECK(k.at("nwot").at("nb201/cifar10").get<double>() == Approx(0.593).margin(0.0005));
    REQUIRE(k.at("nwot").size() == 1);  // only the selected task
}

TEST_CASE("zcgp correlate formats: csv and markdown carry the same table", "[experiments]") {
    auto const csv = runCommand(zcgpCli("correlate --metric spearman --task nb301/cifar10 --format csv"));
    REQUIRE(csv.exitCode == 0);
    CHECK_THAT(csv.out, Catch::Contains("nwot,0.555"));
    auto const md = runCommand(zcgpCli("correlate --metric spearman --task nb301 --format markdown"));
    REQUIRE(md.exitCode == 0);
    CHECK_THAT(md.out, Catch::Contains("| nwot | 0.555 |"));
}

TEST_CASE("zcgp tasks lists every task with missing counts", "[experiments]") {
    auto const r = runCommand(zcgpCli("tasks --format json"));
    REQUIRE(r.exitCode == 0);
    auto const tasks = nlohmann::json::parse(r.out);
    REQUIRE(tasks.size() == 12);
    for (auto const& t : tasks) {
        if (t["space"] == "tnb101_micro" && t["task"] == "segmentsemantic") {
            CHECK(t["archs"] == 711);
            CHECK(t["missing"]["jacov"] == 20);
            CHECK(t["missing"]["epe_nas"] == 711);
        }
    }
}

TEST_CASE("bad flags, metrics, tasks and data directories are clear errors", "[experiments]") {
    auto r = runCommand(zcgpCli("correlate --metric foo"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("foo") && Catch::Contains("kendall, spearman, pearson, topk"));
    r = runCommand(zcgpCli("correlate --bogus"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--bogus") && Catch::Contains("--metric"));
    r = runCommand(zcgpCli("correlate --task nb201/cifar11"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("cifar11") && Catch::Contains("nb201/cifar100"));
    r = runCommand(zcgpCli("correlate --format xml"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("xml") && Catch::Contains("markdown"));
    r = runCommand(zcgp::test::cliPath().string() + " tasks --data /nonexistent/zcgp");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("/nonexistent/zcgp"));
    r = runCommand(zcgp::test::cliPath().string() + " no-such-command");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("no-such-command") && Catch::Contains("correlate"));
    r = runCommand(zcgpCli("correlate --help"));
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("--metric"));
}

TEST_CASE("ZCGP_DATA selects the data directory", "[experiments]") {
    auto const data = zcgp::test::requireData("nbsz").parent_path().string();
    auto const r = runCommand("ZCGP_DATA=" + data + " " + zcgp::test::cliPath().string() + " tasks --format csv");
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("nb201/cifar10"));
}
