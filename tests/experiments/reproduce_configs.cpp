// zcgp reproduce: config validation, --set overrides and the reduced correlations config on real data.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;
using zcgp::test::experimentConfig;
using zcgp::test::scratchDir;
namespace fs = std::filesystem;

namespace {
std::string readText(fs::path const& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("reproduce nbsz_correlations (reduced) writes CSV, Markdown and plots", "[experiments]") {
    auto const out = scratchDir("corr");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("nbsz_correlations") +
                                      " --set tasks=nb201 --set 'metrics=[\"kendall\"]' --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "nbsz_correlations";
    REQUIRE(fs::exists(dir / "kendall.csv"));
    CHECK_FALSE(fs::exists(dir / "spearman.csv"));  // the override removed it
    auto const csv = readText(dir / "kendall.csv");
    // the three suite tasks, then the three NAS-Bench-360 ones (nb201_full/* is another collection)
    CHECK_THAT(csv, Catch::StartsWith("proxy,nb201/cifar10,nb201/cifar100,nb201/ImageNet16-120,nb201/ninapro,"
                                      "nb201/scifar100,nb201/svhn\n"));
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 14);  // header + 13 proxies (zen merged from nb201_zen_full/)
    CHECK_THAT(csv, Catch::Contains("nwot,0.593,"));
    CHECK_THAT(readText(dir / "config.toml"), Catch::Contains("metrics = [ 'kendall' ]"));
    CHECK_THAT(r.out, Catch::Contains("| nwot | 0.593 |"));
    if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
        CHECK(fs::file_size(dir / "heatmap_kendall.png") > 10000);
        CHECK(fs::exists(dir / "scatter_nb201_cifar10.png"));
    }
    // no partial folder is left behind
    for (auto const& e : fs::directory_iterator(out)) CHECK(e.path().filename() == "nbsz_correlations");
}

TEST_CASE("reproduce nbsz_correlations: the Kendall heat map over every task", "[experiments]") {
    auto const out = scratchDir("corr_all");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("nbsz_correlations") +
                                      " --set 'metrics=[\"kendall\"]' --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "nbsz_correlations";
    auto const csv = readText(dir / "kendall.csv");
    auto const header = csv.substr(0, csv.find('\n'));
    // 12 suite tasks, 9 NAS-Bench-360 tasks, 2 full NB201 tables, FlexiBERT (../shared/nbsz/README.md, lm/README.md)
    CHECK(std::count(header.begin(), header.end(), ',') == 24);
    for (auto const* id : {"nb101/cifar10", "nb201/ninapro", "nb301/svhn", "tnb101_micro/scifar100",
                           "tnb101_micro/segmentsemantic", "nb201_full/cifar10", "flexibert/glue"}) {
        CHECK_THAT(header, Catch::Contains(id));
    }
    // lm/README.md: Kendall tau against GLUE Score over all 500, lpzero 0.480, Head Confidence 0.478
    CHECK_THAT(csv, Catch::Contains("\nlpzero,") && Catch::Contains(",0.480\n"));
    if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
        CHECK(fs::file_size(dir / "heatmap_kendall.png") > 10000);
    }
}

TEST_CASE("reproduce rejects unknown keys, bad types and malformed TOML, naming key and file", "[experiments]") {
    auto const dir = scratchDir("bad");
    auto const write = [&](std::string const& name, std::string const& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    auto r = runCommand(zcgpCli("reproduce " + write("a.toml", "name = \"a\"\nexperiment = \"correlations\"\nmetricz = [\"kendall\"]\n") +
                                " --results " + dir.string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("a.toml") && Catch::Contains("'metricz'") && Catch::Contains("metrics"));
    r = runCommand(zcgpCli("reproduce " + write("b.toml", "name = \"b\"\nexperiment = \"correlations\"\ntasks = 3\n") +
                           " --results " + dir.string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("b.toml") && Catch::Contains("'tasks'") && Catch::Contains("list of strings"));
    r = runCommand(zcgpCli("reproduce " + write("c.toml", "name = \"c\"\nexperiment = [\n") + " --results " + dir.string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("c.toml:") && Catch::Contains("malformed TOML"));
    r = runCommand(zcgpCli("reproduce " + experimentConfig("nbsz_correlations") + " --set seeds=3 --results " + dir.string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("'seeds'"));
    r = runCommand(zcgpCli("reproduce " + write("d.toml", "name = \"d\"\nexperiment = \"nonsense\"\n") + " --results " + dir.string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("nonsense") && Catch::Contains("correlations"));
    // a failing run leaves nothing behind
    r = runCommand(zcgpCli("reproduce " + write("e.toml", "name = \"e\"\nexperiment = \"correlations\"\ntasks = [\"nb999\"]\n") +
                           " --results " + dir.string()));
    CHECK(r.exitCode != 0);
    CHECK_THAT(r.err, Catch::Contains("nb999"));
    CHECK_FALSE(fs::exists(dir / "e"));
    for (auto const& e : fs::directory_iterator(dir)) CHECK(e.path().extension() == ".toml");
}

namespace {
std::vector<std::string> csvLines(fs::path const& p) {
    std::vector<std::string> lines;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

// The cells of one CSV line (double-quoted cells may contain commas).
std::vector<std::string> csvCells(std::string const& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) cells.emplace_back();
        else cells.back() += c;
    }
    return cells;
}

// The cells of the column named `name` (below the header line) parsed as doubles.
std::vector<double> csvNamedColumn(std::vector<std::string> const& lines, std::string const& name) {
    auto const header = csvCells(lines.at(0));
    auto const c = static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    REQUIRE(c < header.size());
    std::vector<double> values;
    for (std::size_t i = 1; i < lines.size(); ++i) values.push_back(std::stod(csvCells(lines[i]).at(c)));
    return values;
}

// Every number in a CSV cell range [-1, 1] check: returns the cells of column `c` parsed as doubles.
std::vector<double> csvColumn(std::vector<std::string> const& lines, std::size_t c) {
    std::vector<double> values;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::stringstream row(lines[i]);
        std::string cell;
        for (std::size_t k = 0; k <= c; ++k) std::getline(row, cell, ',');
        values.push_back(std::stod(cell));
    }
    return values;
}
}  // namespace

TEST_CASE("reproduce evolved_vs_handcrafted (reduced) writes a sane per-task table", "[experiments]") {
    auto const out = scratchDir("evolve");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("evolved_vs_handcrafted") +
                                      " --set tasks=nb201/cifar10,tnb101_micro/normal --set seeds=2 --set generations=3"
                                      " --set population=20 --set baselines=handcrafted --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "evolved_vs_handcrafted";
    auto const runs = csvLines(dir / "runs.csv");
    REQUIRE(runs.size() == 5);  // header + 2 tasks x 2 seeds
    for (std::size_t i = 1; i < runs.size(); ++i) CHECK_THAT(runs[i], Catch::Contains(",true,"));  // finite everywhere
    auto const summary = csvLines(dir / "summary.csv");
    REQUIRE(summary.size() == 4);  // header, 2 tasks, mean
    CHECK_THAT(summary[1], Catch::StartsWith("nb201/cifar10,"));
    CHECK_THAT(summary[3], Catch::StartsWith("mean over tasks,"));
    // Evolved quality relative to the best hand-crafted proxy chosen on the same train architectures (same split,
    // same run). A single proxy is a tree the GP can always reach, so on train the evolved formula is at least as
    // good up to the parsimony term (0.002 per node; measured: equal or better on all 4 runs). Held out, a formula
    // picked on 100 architectures may lose a little: measured mean 0.578 against 0.561 for the hand-crafted proxy;
    // 0.03 of slack. A GP whose selection or fitness broke ranks near chance (tau ~0), far below the 0.56.
    auto const train = csvNamedColumn(runs, "train_tau");
    auto const test = csvNamedColumn(runs, "test_tau");
    auto const handTrain = csvNamedColumn(runs, "handcrafted_train_tau");
    auto const handTest = csvNamedColumn(runs, "handcrafted_test_tau");
    double evolvedMean = 0.0, handMean = 0.0;
    for (std::size_t i = 0; i < train.size(); ++i) {
        INFO(runs[i + 1]);
        CHECK(train[i] >= handTrain[i] - 0.02);
        CHECK(test[i] <= 1.0);
        evolvedMean += test[i] / static_cast<double>(test.size());
        handMean += handTest[i] / static_cast<double>(test.size());
    }
    CHECK(evolvedMean >= handMean - 0.03);
    // the summary's mean row reports the same mean
    auto const meanRow = summary[3];
    CHECK(std::stod(meanRow.substr(meanRow.find(',') + 1)) == Approx(evolvedMean).margin(5e-4));
    CHECK(fs::exists(dir / "runs" / "nb201_cifar10" / "seed1" / "result.json"));
    if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
        CHECK(fs::exists(dir / "summary.png"));
        CHECK(fs::exists(dir / "fitness_nb201_cifar10.png"));
        CHECK(fs::exists(dir / "pareto_tnb101_micro_normal.png"));
    }
}

TEST_CASE("reproduce evolved_vs_handcrafted runs the random-forest anchor side by side", "[experiments]") {
    // setup.sh installs python3-sklearn; the forest (scripts/rf_baseline.py) ranks nb201/cifar10's held-out
    // architectures at Kendall ~0.76 (docs/engine.md), far from chance
    auto const out = scratchDir("evolve_rf");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("evolved_vs_handcrafted") +
                                      " --set tasks=nb201/cifar10 --set seeds=2 --set generations=2"
                                      " --set population=10 --set baselines=handcrafted,rf --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "evolved_vs_handcrafted";
    auto const runs = csvLines(dir / "runs.csv");
    REQUIRE(runs.size() == 3);
    for (double tau : csvNamedColumn(runs, "rf_test_tau")) {
        CHECK(tau > 0.6);
        CHECK(tau < 0.9);
    }
    auto const summary = csvLines(dir / "summary.csv");
    REQUIRE(summary.size() == 3);
    CHECK_THAT(summary[0], Catch::Contains("random forest (held-out tau)"));
}

TEST_CASE("reproduce evolved_vs_handcrafted: paired graph columns, forests and ridge on nb301", "[experiments][graph]") {
    // issue 13's anchors on nb301/cifar10 (100 train, 5 seeds): RF on proxies 0.402, RF on proxies + graph 0.504,
    // ridge on signed-log proxies + graph 0.624. Measured here on seeds 0 and 1: about 0.41, 0.51 and 0.65.
    auto const out = scratchDir("evolve_graph");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("evolved_vs_handcrafted") +
                                      " --set tasks=nb301/cifar10 --set seeds=2 --set generations=2 --set population=10"
                                      " --set ensemble_args= --set baselines=handcrafted,rf,rf_graph,ridge --results " +
                                      out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "evolved_vs_handcrafted";
    auto const runs = csvLines(dir / "runs.csv");
    REQUIRE(runs.size() == 3);
    auto const rf = csvNamedColumn(runs, "rf_test_tau");
    auto const rfGraph = csvNamedColumn(runs, "rf_graph_test_tau");
    auto const ridge = csvNamedColumn(runs, "ridge_test_tau");
    for (std::size_t i = 0; i < 2; ++i) {
        INFO(runs[i + 1]);
        CHECK(rf[i] == Approx(0.40).margin(0.06));
        CHECK(rfGraph[i] > rf[i] + 0.05);  // the graph features carry what the proxies miss on NB301
        CHECK(ridge[i] > 0.58);
    }
    // the default evolved column has graph terminals (auto); the second column (graph_args) the cached proxies
    // alone, on the same train architectures
    for (auto const* seed : {"seed0", "seed1"}) {
        auto const dflt = nlohmann::json::parse(std::ifstream(dir / "runs" / "nb301_cifar10" / seed / "result.json"));
        auto const cached = nlohmann::json::parse(std::ifstream(dir / "runs" / "nb301_cifar10" / (std::string(seed) + "-graph") / "result.json"));
        CHECK(dflt.at("terminal_set") == "cached,graph");
        CHECK(cached.at("terminal_set") == "cached");
        CHECK(cached.at("per_task").at(0).at("train_keys") == dflt.at("per_task").at(0).at("train_keys"));
    }
    auto const summary = csvLines(dir / "summary.csv");
    REQUIRE(summary.size() == 3);
    CHECK_THAT(summary[0], Catch::Contains("evolved, --terminals cached (held-out tau)"));
    CHECK_THAT(summary[0], Catch::Contains("random forest, proxies + graph (held-out tau)"));
    CHECK_THAT(summary[0], Catch::Contains("non-finite runs"));
    CHECK_THAT(summary[2], Catch::Contains("0 / 0 / - (total)"));
}

TEST_CASE("reproduce evolved_vs_handcrafted adds the ensemble column on the same tasks and seeds", "[experiments]") {
    auto const out = scratchDir("evolve_ensemble");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("evolved_vs_handcrafted") +
                                      " --set tasks=tnb101_micro/normal --set seeds=2 --set generations=3 --set population=20"
                                      " --set baselines=handcrafted --set ensemble_args=--ensemble,3,--normalize,logz+robust"
                                      " --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "evolved_vs_handcrafted";
    auto const runs = csvLines(dir / "runs.csv");
    REQUIRE(runs.size() == 3);
    auto const single = csvNamedColumn(runs, "test_tau");
    auto const ensemble = csvNamedColumn(runs, "ensemble_test_tau");
    auto const ensembleSize = csvNamedColumn(runs, "ensemble_size");
    auto const handTest = csvNamedColumn(runs, "handcrafted_test_tau");
    for (std::size_t i = 0; i < 2; ++i) {
        INFO(runs[i + 1]);
        // relative to the best hand-crafted proxy on the same split: the ensemble of three beats it held out
        // (measured +0.054 and +0.113, where the single formula here is jacov itself)
        CHECK(ensemble[i] > handTest[i]);
        CHECK(ensemble[i] != single[i]);
        CHECK(ensembleSize[i] >= 3 * 4);  // three members, each wrapped in tanh((f - m) * s)
    }
    for (std::size_t i = 1; i < runs.size(); ++i) CHECK_THAT(runs[i], Catch::Contains(",true,"));
    // the ensemble runs are complete evolve runs of their own, members included
    auto const seed1 = dir / "runs" / "tnb101_micro_normal" / "seed1-ensemble";
    CHECK(fs::exists(seed1 / "result.json"));
    CHECK(fs::exists(seed1 / "member-2" / "result.json"));
    auto const summary = csvLines(dir / "summary.csv");
    REQUIRE(summary.size() == 3);
    CHECK_THAT(summary[0], Catch::Contains("evolved, --ensemble 3 --normalize logz+robust (held-out tau)"));
}

TEST_CASE("reproduce transfer (reduced) writes the matrix and the multi-task table", "[experiments]") {
    auto const out = scratchDir("transfer");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("transfer") +
                                      " --set tasks=nb201/cifar10,tnb101_micro/normal --set seeds=1 --set generations=3"
                                      " --set population=20 --set multitask_train=nb201/cifar10,tnb101_micro/normal"
                                      " --set multitask_test=nb201/cifar100 --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "transfer";
    auto const matrix = csvLines(dir / "transfer.csv");
    REQUIRE(matrix.size() == 5);  // header + 2 x 2
    for (double tau : csvColumn(matrix, 2)) {
        CHECK(tau > 0.0);  // every proxy evolved here ranks the other task positively
        CHECK(tau <= 1.0);
    }
    auto const multitask = csvLines(dir / "multitask.csv");
    REQUIRE(multitask.size() == 4);  // header, nb201/cifar100, 2 train tasks (held-out)
    CHECK_THAT(r.out, Catch::Contains("nb201/cifar100"));
}
