// End-to-end: the zcgp binary reproduces the NAS-Bench-Suite-Zero correlation table on the real data.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

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
    auto const md = runCommand(zcgpCli("correlate --metric spearman --task nb301/cifar10 --format markdown"));
    REQUIRE(md.exitCode == 0);
    CHECK_THAT(md.out, Catch::Contains("| nwot | 0.555 |"));
}

TEST_CASE("zcgp tasks lists every task with missing counts", "[experiments]") {
    auto const r = runCommand(zcgpCli("tasks --format json"));
    REQUIRE(r.exitCode == 0);
    auto const tasks = nlohmann::json::parse(r.out);
    // ../shared/nbsz/README.md: 12 tasks in the zc_*.json files, 9 in nb360/, 2 in nb201_full/; lm/: flexibert/glue
    REQUIRE(tasks.size() == 12 + 9 + 2 + 1);
    std::map<std::string, nlohmann::json> byId;
    for (auto const& t : tasks) byId[t.at("task").get<std::string>()] = t;
    auto const& seg = byId.at("tnb101_micro/segmentsemantic");
    CHECK(seg["archs"] == 711);
    CHECK(seg["missing"]["jacov"] == 20);
    // epe_nas holds the sentinel on every architecture: absent, not present with 711 missing
    CHECK(seg["absent"] == nlohmann::json::array({"epe_nas"}));
    CHECK_FALSE(seg["missing"].contains("epe_nas"));
    for (auto const* id : {"nb201/ninapro", "nb201/scifar100", "nb201/svhn", "nb301/ninapro", "nb301/scifar100",
                           "nb301/svhn", "tnb101_micro/ninapro", "tnb101_micro/scifar100", "tnb101_micro/svhn"}) {
        CHECK(byId.at(id)["proxies"].size() == 13);
    }
    for (auto const* id : {"nb201/cifar10", "nb201/cifar100", "nb201/ImageNet16-120"}) {
        auto const proxies = byId.at(id)["proxies"].get<std::vector<std::string>>();
        CHECK(std::find(proxies.begin(), proxies.end(), "zen") != proxies.end());
    }
    CHECK(byId.at("nb201_full/cifar10")["archs"] == 9445);
    CHECK(byId.at("nb201_full/ImageNet16-120")["archs"] == 9445);
    CHECK(byId.at("flexibert/glue")["proxies"].size() == 16);

    // --format csv: task,space,archs,proxies,present,missing with proxies the count of present ones
    auto const csv = runCommand(zcgpCli("tasks --format csv"));
    REQUIRE(csv.exitCode == 0);
    CHECK(csv.out.rfind("task,space,archs,proxies,present,missing\n", 0) == 0);
    CHECK_THAT(csv.out, Catch::Contains("tnb101_micro/segmentsemantic,tnb101_micro,711,11,"));
}

TEST_CASE("zcgp correlate on NAS-Bench-360 agrees with scipy on the raw NASLib files", "[experiments]") {
    // three cells, each recomputed by scripts/nb360_kendall.py (json + scipy.stats.kendalltau, tau-b)
    auto const data = zcgp::test::requireData("nbsz").parent_path().string();
    struct Cell {
        char const* task;
        char const* space;
        char const* dataset;
        char const* proxy;
    };
    auto const k = correlateJson("--metric kendall --task nb201/ninapro --task nb301/svhn --task tnb101_micro/scifar100");
    for (auto const& c : {Cell{"nb201/ninapro", "nasbench201", "ninapro", "jacov"},
                          Cell{"nb301/svhn", "nasbench301", "svhn", "zen"},
                          Cell{"tnb101_micro/scifar100", "transbench101_micro", "scifar100", "fisher"}}) {
        // Debian's interpreter, where python3-scipy lives (a pyenv python3 on PATH may lack it)
        auto const r = runCommand(std::string("/usr/bin/python3 ") + ZCGP_SOURCE_DIR + "/scripts/nb360_kendall.py " + data +
                                  " " + c.space + " " + c.dataset + " " + c.proxy);
        INFO(c.task << " " << c.proxy << ": " << r.err);
        REQUIRE(r.exitCode == 0);
        double const reference = std::stod(r.out);
        CHECK(k.at(c.proxy).at(c.task).get<double>() == Approx(reference).margin(1e-12));
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
