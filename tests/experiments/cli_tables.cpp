// End-to-end on the real zcgp binary: zcgp tasks with a broken data file, a researcher's own table (--table) and
// the errors on broken copies of real files (each exit 2, nothing written).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
namespace fs = std::filesystem;

namespace {
std::string cli(std::string const& args, fs::path const& data) {
    return zcgp::test::cliPath().string() + " " + args + " --data " + data.string();
}
}  // namespace

TEST_CASE("zcgp tasks lists a broken file with its error and every other task", "[experiments]") {
    zcgp::test::TempDir dir;
    fs::create_directories(dir.path / "nbsz");
    fs::copy_file(zcgp::test::requireData("nbsz/zc_nasbench301.json"), dir.path / "nbsz" / "zc_nasbench301.json");
    std::ofstream(dir.path / "nbsz" / "zc_nasbench201.json") << "{\"cifar10\": {\"(0, 1, 2, 3, 4, 0)\": [";
    auto const r = runCommand(cli("tasks --format csv", dir.path));
    INFO(r.err);
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("nb301/cifar10,nb301,725,12,"));
    CHECK_THAT(r.out, Catch::Contains("nb201/*,nb201,,,,error: ") && Catch::Contains("zc_nasbench201.json:1:"));
    CHECK_THAT(r.err, Catch::Contains("warning") && Catch::Contains("zc_nasbench201.json"));
    // the NB301 task evolves; the NB201 one is an error naming the file
    auto const out = dir.path / "run";
    auto const ok = runCommand(cli("evolve --task nb301/cifar10 --generations 2 --population 10 --quiet --out " + out.string(),
                                   dir.path));
    INFO(ok.err);
    CHECK(ok.exitCode == 0);
    CHECK(fs::exists(out / "result.json"));
    auto const bad = runCommand(cli("evolve --task nb201/cifar10 --generations 2 --quiet --out " + (dir.path / "r2").string(),
                                    dir.path));
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("zc_nasbench201.json"));
    CHECK_FALSE(fs::exists(dir.path / "r2"));
}

namespace {
std::string readAll(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::string const kBert = "lm/BERT_results_activation_lpzero.csv";
}  // namespace

TEST_CASE("zcgp evolve --table on the FlexiBERT CSV: held-out tau over the 400 architectures not trained on",
          "[experiments]") {
    zcgp::test::TempDir dir;
    auto const data = zcgp::test::requireData("nbsz").parent_path();
    auto const csv = zcgp::test::requireData(kBert).string();
    auto const viaTable = runCommand(cli("evolve --table '" + csv + "' --target 'GLUE Score' --id ID --exclude lpzero "
                                         "--generations 5 --population 30 --seed 3 --quiet --json --out " +
                                         (dir.path / "table").string(), data));
    INFO(viaTable.err);
    REQUIRE(viaTable.exitCode == 0);
    auto const a = nlohmann::json::parse(viaTable.out);
    CHECK(a.at("tasks") == nlohmann::json::array({"table:BERT_results_activation_lpzero"}));
    CHECK(a.at("per_task").at(0).at("test_archs") == 400);
    CHECK(a.at("per_task").at(0).at("train_archs") == 100);
    CHECK(a.at("formula").get<std::string>().find("lpzero") == std::string::npos);
    std::vector<std::string> terminals;
    for (auto const& t : a.at("terminals")) terminals.push_back(t.at("name").get<std::string>());
    CHECK(terminals.size() == 30);  // the 15 proxies, in both default views (logz NAME and robust NAME_r)
    CHECK(std::find(terminals.begin(), terminals.end(), "Head_Confidence") != terminals.end());
    CHECK(std::find(terminals.begin(), terminals.end(), "Head_Confidence_r") != terminals.end());

    // the built-in task with the table's terminals (its space is known, so the default adds graph features):
    // same architectures, proxies and train split for the same seed, so the same result
    auto const viaTask = runCommand(cli("evolve --task flexibert/glue --exclude lpzero --generations 5 --population 30 "
                                        "--terminals cached --seed 3 --quiet --json --out " + (dir.path / "task").string(), data));
    INFO(viaTask.err);
    REQUIRE(viaTask.exitCode == 0);
    auto const b = nlohmann::json::parse(viaTask.out);
    CHECK(b.at("tasks") == nlohmann::json::array({"flexibert/glue"}));
    CHECK(b.at("formula") == a.at("formula"));
    CHECK(b.at("test_tau") == a.at("test_tau"));
    CHECK(b.at("per_task").at(0).at("train_keys") == a.at("per_task").at(0).at("train_keys"));
    CHECK(b.at("terminals") == a.at("terminals"));

    // the run exports; the header names the table, not NAS-Bench-Suite-Zero
    auto const header = dir.path / "proxy.hpp";
    auto const exported = runCommand(cli("export --run " + (dir.path / "table").string() + " --out " + header.string(), data));
    INFO(exported.err);
    REQUIRE(exported.exitCode == 0);
    auto const text = readAll(header);
    CHECK_THAT(text, Catch::Contains("raw scores from the columns of " + csv) && Catch::Contains("'GLUE Score'"));
    CHECK_THAT(text, !Catch::Contains("NAS-Bench-Suite-Zero"));
    // and evaluates on both forms of the task
    auto const evaluated = runCommand(cli("evaluate --run " + (dir.path / "table").string() + " --task flexibert/glue --table '" +
                                          csv + "' --target 'GLUE Score' --id ID --format json", data));
    INFO(evaluated.err);
    REQUIRE(evaluated.exitCode == 0);
    auto const e = nlohmann::json::parse(evaluated.out);
    CHECK(e.at("flexibert/glue").at("kendall") == e.at("table:BERT_results_activation_lpzero").at("kendall"));
}

TEST_CASE("a lower-is-better target (--target-order lower): tau against the negated target, and the output says so", "[experiments]") {
    zcgp::test::TempDir dir;
    auto const data = zcgp::test::requireData("nbsz").parent_path();
    // GLUE as a "loss": the negated column ranks the architectures in reverse
    auto const csv = zcgp::test::requireData(kBert).string();
    auto const higher = runCommand(cli("correlate --table '" + csv + "' --target 'GLUE Score' --id ID --format json", data));
    auto const lower = runCommand(cli("correlate --table '" + csv + "' --target 'GLUE Score' --id ID --target-order lower "
                                      "--format json", data));
    INFO(higher.err << lower.err);
    REQUIRE(higher.exitCode == 0);
    REQUIRE(lower.exitCode == 0);
    auto const h = nlohmann::json::parse(higher.out).at("lpzero").at("table:BERT_results_activation_lpzero").get<double>();
    auto const l = nlohmann::json::parse(lower.out).at("lpzero").at("table:BERT_results_activation_lpzero").get<double>();
    CHECK(h == Approx(0.480).margin(0.0005));  // lm/README.md: lpzero 0.480 over all 500
    CHECK(l == Approx(-h).margin(1e-12));
    CHECK_THAT(lower.err, Catch::Contains("negated"));
}

TEST_CASE("broken copies of a real table: each error is one line, exit 2, nothing written", "[experiments]") {
    zcgp::test::TempDir dir;
    auto const data = zcgp::test::requireData("nbsz").parent_path();
    auto const text = readAll(zcgp::test::requireData(kBert));
    auto const write = [&](std::string const& name, std::string const& body) {
        std::ofstream(dir.path / name, std::ios::binary) << body;
        return (dir.path / name).string();
    };
    auto const lineStart = [&](std::string const& s, int line) {  // 1-based
        std::size_t pos = 0;
        for (int i = 1; i < line; ++i) pos = s.find('\n', pos) + 1;
        return pos;
    };
    std::string nonNumeric = text;
    {
        auto const start = lineStart(nonNumeric, 5);
        auto const comma = nonNumeric.find(',', nonNumeric.find(',', start) + 1);  // after ID and GLUE Score
        nonNumeric.replace(comma + 1, nonNumeric.find(',', comma + 1) - comma - 1, "oops");
    }
    std::string duplicate = text;
    duplicate.replace(lineStart(duplicate, 4), 1, "0");  // ID 2 becomes 0, as on line 2
    struct Case {
        std::string file, target, expect;
    };
    for (auto const& c : {Case{write("truncated.csv", text.substr(0, lineStart(text, 300) + 40)), "GLUE Score",
                               "truncated.csv:300:"},
                          Case{write("nonnumeric.csv", nonNumeric), "GLUE Score", "nonnumeric.csv:5: column 'Synaptic Diversity'"},
                          Case{zcgp::test::requireData(kBert).string(), "GLUE", "no target column 'GLUE'"},
                          Case{write("duplicate.csv", duplicate), "GLUE Score", "duplicate.csv:4: id '0'"},
                          Case{write("empty.csv", ""), "GLUE Score", "empty.csv: empty file"}}) {
        auto const out = dir.path / ("out_" + fs::path(c.file).stem().string());
        auto const r = runCommand(cli("evolve --table '" + c.file + "' --target '" + c.target + "' --id ID --quiet --out " +
                                      out.string(), data));
        INFO(c.file << ": " << r.err);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains(c.expect));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
        CHECK(r.out.empty());
        CHECK_FALSE(fs::exists(out));
    }
    // fewer usable rows than --train-archs + 1
    auto const few = write("few.csv", text.substr(0, lineStart(text, 51)));  // header + 50 rows
    auto const out = dir.path / "out_few";
    auto const r = runCommand(cli("evolve --table " + few + " --target 'GLUE Score' --id ID --train-archs 50 --quiet --out " +
                                  out.string(), data));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("few.csv") && Catch::Contains("--train-archs 50"));
    CHECK_FALSE(fs::exists(out));
    // a non-finite target
    std::string nanTarget = text;
    {
        auto const start = lineStart(nanTarget, 7);
        auto const comma = nanTarget.find(',', start);
        nanTarget.replace(comma + 1, nanTarget.find(',', comma + 1) - comma - 1, "inf");
    }
    auto const r2 = runCommand(cli("evolve --table " + write("naninf.csv", nanTarget) +
                                   " --target 'GLUE Score' --id ID --quiet --out " + (dir.path / "o2").string(), data));
    CHECK(r2.exitCode == 2);
    CHECK_THAT(r2.err, Catch::Contains("naninf.csv:7: target column 'GLUE Score'"));
    CHECK_FALSE(fs::exists(dir.path / "o2"));
}

TEST_CASE("reproduce correlations takes a researcher's table from the config", "[experiments]") {
    auto const out = zcgp::test::scratchDir("corr_table");
    auto const csv = zcgp::test::requireData(kBert).string();
    auto const r = runCommand(zcgp::test::zcgpCli("reproduce " + zcgp::test::experimentConfig("nbsz_correlations") +
                                                  " --set tasks=nb301/cifar10 --set 'metrics=[\"kendall\"]' --set 'tables=[\"" +
                                                  csv + "\"]' --set 'targets=[\"GLUE Score\"]' --set 'ids=[\"ID\"]' "
                                                  "--set 'outputs=[\"csv\"]' --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const text = readAll(out / "nbsz_correlations" / "kendall.csv");
    CHECK_THAT(text, Catch::StartsWith("proxy,nb301/cifar10,table:BERT_results_activation_lpzero\n"));
    CHECK_THAT(text, Catch::Contains("\nlpzero,,0.480\n"));
}

TEST_CASE("the issue's FlexiBERT command, without --out, prints the held-out tau over 400 and keeps no files",
          "[experiments]") {
    auto const scratchFolders = [] {
        std::size_t n = 0;
        for (auto const& e : fs::directory_iterator(fs::temp_directory_path())) {
            n += e.path().filename().string().rfind("zcgp-evolve-", 0) == 0 ? 1 : 0;
        }
        return n;
    };
    auto const before = scratchFolders();
    auto const csv = zcgp::test::requireData(kBert);
    auto const r = runCommand(zcgp::test::zcgpCli("evolve --table " + csv.string() +
                                                  " --target \"GLUE Score\" --id ID --exclude lpzero"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.err, Catch::Contains("held-out tau over the other 400") && Catch::Contains("not kept"));
    CHECK(scratchFolders() == before);
}
