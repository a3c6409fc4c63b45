// End-to-end tests of `zcgp evolve` and `zcgp export` on the real NAS-Bench-Suite-Zero data.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
std::string cli() { return zcgp::test::cliPath().string() + " "; }
std::string dataFlag() { return "--data " + zcgp::test::requireData("nbsz").parent_path().string() + " "; }
fs::path tempDir(std::string const& name) {
    auto d = fs::temp_directory_path() / ("zcgp_engine_cli_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}
json runJson(std::string const& args) {
    auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + args + " --json --quiet");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return json::parse(r.out);
}
}  // namespace

TEST_CASE("zcgp evolve on nb201/cifar10: report fields, finiteness, determinism with 1 and 2 threads", "[engine]") {
    auto d = tempDir("det");
    std::string const common = "--task nb201/cifar10 --population 60 --generations 12 --seed 5 ";
    auto one = runJson(common + "--threads 1 --out " + (d / "t1").string());
    auto two = runJson(common + "--threads 2 --out " + (d / "t2").string());
    for (auto key : {"formula", "size", "train_tau", "test_tau", "test_spearman", "best_handcrafted", "seconds",
                     "evaluations", "node_evaluations", "pruned", "pareto"}) {
        INFO(key);
        CHECK(one.contains(key));
    }
    CHECK(one["formula"] == two["formula"]);
    CHECK(one["train_tau"] == two["train_tau"]);
    CHECK(one["test_tau"] == two["test_tau"]);
    CHECK(one["evaluations"] == two["evaluations"]);
    CHECK(one["pruned"] == two["pruned"]);
    CHECK(one["pareto"] == two["pareto"]);
    CHECK(one["finite_on_all_archs"] == true);
    CHECK(one["best_handcrafted"]["name"].is_string());
    CHECK(one["train_tau"].get<double>() > one["best_handcrafted"]["train_tau"].get<double>());
    // a population of 60 is split into two islands of 30 by default, each with its log: one line per generation
    // (0 = initial population) with the curve fields
    CHECK(one["islands"] == 2);
    CHECK(one["population"] == 60);
    CHECK(one["island_bests"] == two["island_bests"]);
    for (std::string island : {"island-0", "island-1"}) {
        INFO(island);
        std::ifstream log(d / "t1" / island / "log.jsonl");
        std::string line;
        std::size_t lines = 0;
        while (std::getline(log, line)) {
            auto j = json::parse(line);
            CHECK(j.contains("best_train_tau"));
            CHECK(j.contains("mean_train_tau"));
            CHECK(j.contains("best_test_tau"));
            ++lines;
        }
        CHECK(lines == 13);
        CHECK(json::parse(std::ifstream(d / "t1" / island / "result.json"))["population"] == 30);
    }
    fs::remove_all(d);
}

TEST_CASE("zcgp evolve --ensemble: members share the train split and combine into one finite formula", "[engine]") {
    auto d = tempDir("ensemble");
    std::string const common = "--task tnb101_micro/normal --population 30 --generations 6 --seed 4 ";
    auto plain = runJson(common + "--out " + (d / "plain").string());
    auto ens = runJson(common + "--ensemble 3 --out " + (d / "ens").string());
    REQUIRE(ens["members"].size() == 3);
    CHECK(ens["ensemble"] == 3);
    // member 0 keeps the master seed, so it is the plain run; the others have seeds of their own
    CHECK(ens["members"][0]["seed"] == 4);
    CHECK(ens["members"][0]["formula"] == plain["formula"]);
    CHECK(ens["members"][1]["seed"] != 4);
    CHECK(ens["members"][1]["formula"] != ens["members"][2]["formula"]);
    // one train split for all: each member's own result reports the plain run's split and hand-crafted proxy
    for (int k = 0; k < 3; ++k) {
        auto member = json::parse(std::ifstream(d / "ens" / ("member-" + std::to_string(k)) / "result.json"));
        CHECK(member["best_handcrafted"] == plain["best_handcrafted"]);
        CHECK(member["per_task"][0]["train_archs"] == plain["per_task"][0]["train_archs"]);
        CHECK(member["formula"] == ens["members"][k]["formula"]);
        CHECK(fs::exists(d / "ens" / ("member-" + std::to_string(k)) / "log.jsonl"));
    }
    // the combination is a formula of its own: a sum of one squashed term per member, finite everywhere
    auto const formula = ens["formula"].get<std::string>();
    for (int k = 0; k < 3; ++k) CHECK_THAT(formula, Catch::Contains(ens["members"][k]["formula"].get<std::string>()));
    std::size_t tanhs = 0;
    for (auto p = formula.find("tanh(("); p != std::string::npos; p = formula.find("tanh((", p + 1)) ++tanhs;
    CHECK(tanhs >= 3);
    CHECK(ens["finite_on_all_archs"] == true);
    CHECK(ens["test_tau"].get<double>() > 0.4);
    CHECK(ens["evaluations"].get<double>() > 2.5 * plain["evaluations"].get<double>());
    auto const bad = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + common + "--ensemble 0 --out " + (d / "bad").string());
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("--ensemble"));
    fs::remove_all(d);
}

TEST_CASE("zcgp evolve rejects bad input clearly and leaves no result claiming success", "[engine]") {
    auto d = tempDir("bad");
    auto run = [&](std::string const& args) { return zcgp::test::runCommand(cli() + "evolve " + dataFlag() + args); };
    auto r = run("--task nb201/cifar10 --train-archs 100000 --out " + (d / "x").string());
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--train-archs") && Catch::Contains("nb201/cifar10"));
    CHECK_FALSE(fs::exists(d / "x" / "result.json"));
    r = run("--task nb201/cifar10 --generations 0 --out " + (d / "y").string());
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--generations"));
    CHECK_FALSE(fs::exists(d / "y" / "result.json"));
    r = run("--task nb201/nosuchtask --out " + (d / "z").string());
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("nosuchtask"));
    r = run("--task nb201/cifar10 --selector roulette --out " + (d / "w").string());
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("roulette"));
    auto e = zcgp::test::runCommand(cli() + "export " + dataFlag() + "--formula \"synflow + nwott\" --out " +
                                    (d / "p.hpp").string());
    CHECK(e.exitCode == 2);
    CHECK_THAT(e.err, Catch::Contains("unknown proxy 'nwott'"));
    CHECK_FALSE(fs::exists(d / "p.hpp"));
    fs::remove_all(d);
}

namespace {
// Compiles the exported header with the system C++ compiler together with a driver that reads the raw proxy
// scores of every architecture and compares the header's value with the engine's.
void checkExportedHeader(fs::path const& dir, std::string const& exportArgs, std::string const& callArgs,
                         std::vector<std::string> const& columns) {
    auto header = dir / "proxy.hpp";
    auto csv = dir / "values.csv";
    auto r = zcgp::test::runCommand(cli() + "export " + dataFlag() + exportArgs + " --out " + header.string() +
                                    " --values-csv " + csv.string());
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::ostringstream driver;
    driver << "#include \"proxy.hpp\"\n#include <cstdio>\n#include <fstream>\n#include <sstream>\n#include <string>\n"
              "#include <map>\nint main() {\n  std::ifstream in(\"" << csv.string() << "\");\n  std::string line;\n"
              "  std::getline(in, line);\n  std::vector<std::string> names; {\n    std::stringstream h(line); std::string c;\n"
              "    while (std::getline(h, c, ',')) names.push_back(c); }\n  int n = 0, bad = 0; double worst = 0;\n"
              "  while (std::getline(in, line)) {\n    auto q = line.find('\"', 1);\n    std::stringstream s(line.substr(q + 2));\n"
              "    std::map<std::string, double> v; std::string c; std::size_t k = 1;\n"
              "    while (std::getline(s, c, ',')) v[names[k++]] = std::stod(c);\n";
    driver << "    double got = zc_proxy(" << callArgs << ");\n";
    driver << "    double want = v[\"value\"];\n    double err = std::abs(got - want) / std::max(1.0, std::abs(want));\n"
              "    if (!(err <= 1e-9) || !std::isfinite(got)) ++bad;\n    worst = std::max(worst, err); ++n;\n  }\n"
              "  std::printf(\"%d %d %.3g\\n\", n, bad, worst);\n  return bad == 0 && n > 0 ? 0 : 1;\n}\n";
    std::ofstream(dir / "driver.cpp") << driver.str();
    auto compile = zcgp::test::runCommand("c++ -std=c++17 -O2 -I" + dir.string() + " " + (dir / "driver.cpp").string() +
                                          " -o " + (dir / "driver").string());
    INFO(compile.err);
    REQUIRE(compile.exitCode == 0);
    auto run = zcgp::test::runCommand((dir / "driver").string());
    INFO(run.out);
    CHECK(run.exitCode == 0);
    CHECK(run.out.rfind("723 0", 0) == 0);  // every usable nb201/cifar10 architecture, none off
    (void)columns;
}
}  // namespace

TEST_CASE("exported C++ header reproduces the engine on every nb201/cifar10 architecture", "[engine]") {
    auto d = tempDir("export");
    SECTION("a hand-written formula over the normalised terminals, exercising many operators") {
        checkExportedHeader(d,
                            "--task nb201/cifar10 --normalize logz --formula \"(synflow + log(nwot)) / "
                            "max(params, sigmoid(jacov)) - aq(sqrt(snip), tanh(grad_norm)) + inv(square(flops)) * "
                            "exp(min(fisher, 1.5)) + relu(neg(abs(grasp)))\"",
                            "v[\"fisher\"], v[\"flops\"], v[\"grad_norm\"], v[\"grasp\"], v[\"jacov\"], v[\"nwot\"], "
                            "v[\"params\"], v[\"snip\"], v[\"synflow\"]",
                            {});
    }
    SECTION("a formula over both terminal views (logz+robust): NAME_r columns read the raw NAME, -log(-x), knee") {
        checkExportedHeader(d,
                            "--task nb201/cifar10 --normalize logz+robust --formula \"jacov_r + tanh(fisher_r) * synflow - "
                            "min(grad_norm_r, jacov) + square(jacov_r)\"",
                            "v[\"fisher\"], v[\"grad_norm\"], v[\"jacov\"], v[\"synflow\"]", {});
        std::ifstream h(d / "proxy.hpp");
        std::string text((std::istreambuf_iterator<char>(h)), std::istreambuf_iterator<char>());
        CHECK_THAT(text, Catch::Contains("-std::log(-jacov)") && Catch::Contains("d::compress("));
    }
    // Exports a finished run and checks it on every architecture, called with the raw scores of the proxies its
    // formula reads (a NAME_r column reads NAME), in the header's (alphabetical) order.
    auto const exportRun = [&](fs::path const& run) {
        auto result = json::parse(std::ifstream(run / "result.json"));
        std::vector<std::string> used;
        for (auto const& t : result["terminals"]) {
            auto name = t["name"].get<std::string>();
            auto source = t.value("source", name);
            auto f = result["formula"].get<std::string>();
            for (std::size_t pos = f.find(name); pos != std::string::npos; pos = f.find(name, pos + 1)) {
                bool left = pos == 0 || !(std::isalnum(static_cast<unsigned char>(f[pos - 1])) || f[pos - 1] == '_');
                auto end = pos + name.size();
                bool right = end >= f.size() || !(std::isalnum(static_cast<unsigned char>(f[end])) || f[end] == '_');
                if (left && right) {
                    if (std::find(used.begin(), used.end(), source) == used.end()) used.push_back(source);
                    break;
                }
            }
        }
        std::sort(used.begin(), used.end());
        std::string call;
        for (auto const& u : used) call += (call.empty() ? "" : ", ") + std::string("v[\"") + u + "\"]";
        checkExportedHeader(d, "--run " + run.string(), call, used);
        std::ifstream h(d / "proxy.hpp");
        return std::string((std::istreambuf_iterator<char>(h)), std::istreambuf_iterator<char>());
    };
    SECTION("the best formula of an evolve run (export --run)") {
        auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() +
                                        "--task nb201/cifar10 --population 40 --generations 5 --seed 1 --quiet --out " +
                                        (d / "run").string());
        REQUIRE(r.exitCode == 0);
        auto text = exportRun(d / "run");
        CHECK_THAT(text, Catch::Contains("nb201/cifar10") && Catch::Contains("seed: 1") && Catch::Contains("tau"));
    }
    SECTION("an ensemble run over both terminal views (export --run)") {
        auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() +
                                        "--task nb201/cifar10 --population 30 --generations 4 --seed 3 --ensemble 3 "
                                        "--normalize logz+robust --quiet --out " + (d / "ens").string());
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
        auto text = exportRun(d / "ens");
        CHECK_THAT(text, Catch::Contains("tanh"));
    }
    fs::remove_all(d);
}
