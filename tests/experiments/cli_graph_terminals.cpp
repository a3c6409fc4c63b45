// --terminals groups (cached, graph, raw) of zcgp evolve, --table-space, and zcgp features, on the real binary and data.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;

namespace {
nlohmann::json evolveJson(std::string const& args) {
    auto const r = runCommand(zcgpCli("evolve --quiet --json --population 20 --generations 3 --train-archs 50 " + args));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return nlohmann::json::parse(r.out);
}

std::vector<std::string> terminalNames(nlohmann::json const& result) {
    std::vector<std::string> names;
    for (auto const& t : result.at("terminals")) names.push_back(t.at("name").get<std::string>());
    return names;
}

// The first `n` architectures of nb201/cifar10 as a researcher's CSV: key, accuracy, two proxies.
std::filesystem::path nb201Csv(std::string const& name, std::size_t n) {
    auto const dir = zcgp::test::scratchDir(name);
    auto const benchmark = zcgp::proxy_cache::Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    auto const& t = benchmark.task("nb201/cifar10");
    std::ofstream out(dir / "mine.csv");
    out << "arch,acc,synflow,jacov\n";
    for (std::size_t r = 0; r < n; ++r) {
        out << '"' << t.archs[r].key << "\"," << t.accuracy[static_cast<Eigen::Index>(r)] << ',' << t.column("synflow")[r]
            << ',' << t.column("jacov")[r] << '\n';
    }
    return dir / "mine.csv";
}
}  // namespace

TEST_CASE("evolve --terminals cached,graph adds the graph terminals and keeps the seed's train split", "[experiments][graph]") {
    auto const cached = evolveJson("--task tnb101_micro/class_scene --seed 3 --normalize logz --terminals cached");
    auto const both = evolveJson("--task tnb101_micro/class_scene --seed 3 --normalize logz --terminals graph,cached");
    CHECK(cached.at("terminal_set") == "cached");
    CHECK(both.at("terminal_set") == "cached,graph");
    auto const names = terminalNames(both);
    CHECK(std::count_if(names.begin(), names.end(), [](auto const& n) { return n.rfind("graph_", 0) == 0; }) == 18);
    CHECK(std::find(names.begin(), names.end(), "graph_paths_conv3") != names.end());
    CHECK(terminalNames(cached).size() + 18 == names.size());
    // paired: the same architectures train, whatever the terminals
    CHECK(cached.at("per_task").at(0).at("train_keys") == both.at("per_task").at(0).at("train_keys"));
    // the hand-crafted baseline stays a proxy
    CHECK(both.at("best_handcrafted").at("name").get<std::string>().rfind("graph_", 0) != 0);
    auto const graphOnly = evolveJson("--task nb301/cifar10 --terminals graph");
    for (auto const& n : terminalNames(graphOnly)) CHECK(n.rfind("graph_", 0) == 0);
}

TEST_CASE("evolve --terminals validates its groups, and graph on a table needs --table-space", "[experiments][graph]") {
    auto r = runCommand(zcgpCli("evolve --task nb201/cifar10 --terminals cached,grpah"));
    CHECK(r.exitCode == 2);
    CHECK(r.err == "zcgp: error: --terminals: unknown group 'grpah' (valid: auto, cached, graph, raw; a comma list)\n");
    r = runCommand(zcgpCli("evolve --task nb201/cifar10 --terminals graph,raw"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--terminals graph,raw needs --stats FILE") != std::string::npos);

    auto const csv = nb201Csv("table_space", 80).string();
    r = runCommand(zcgpCli("evolve --table " + csv + " --target acc --id arch --terminals cached,graph"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("task table:mine has no known search space") != std::string::npos);
    r = runCommand(zcgpCli("evolve --table " + csv + " --target acc --id arch --table-space nb301 --terminals graph"));
    CHECK(r.exitCode == 2);  // NB201 keys read as DARTS genotypes: one error naming the task and the key
    CHECK(r.err.find("task table:mine: architecture '(") != std::string::npos);
    r = runCommand(zcgpCli("evolve --table " + csv + " --target acc --table-space nb201 --terminals graph"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--table-space nb201 needs --id COLUMN") != std::string::npos);
    r = runCommand(zcgpCli("evolve --table " + csv + " --target acc --id arch --table-space nb999"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--table-space: unknown 'nb999'") != std::string::npos);

    auto const table = evolveJson("--table " + csv + " --target acc --id arch --table-space nb201 --terminals cached,graph --normalize logz");
    CHECK(table.at("tasks").at(0) == "table:mine");
    CHECK(terminalNames(table).size() == 2 + 25);
}

TEST_CASE("evolve's default terminals (auto) add the graph features where the search space is known", "[experiments][graph]") {
    // a built-in task: the same terminals and formula as --terminals cached,graph, and one line saying so
    auto r = runCommand(zcgpCli("evolve --json --population 20 --generations 3 --train-archs 50 --threads 1 "
                                "--task tnb101_micro/class_scene --seed 3"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dflt = nlohmann::json::parse(r.out);
    CHECK(dflt.at("terminal_set") == "cached,graph");
    CHECK(r.err.find("terminals: cached,graph (--terminals auto, the default:") != std::string::npos);
    auto const explicitGraph = evolveJson("--task tnb101_micro/class_scene --seed 3 --threads 1 --terminals cached,graph");
    CHECK(terminalNames(dflt) == terminalNames(explicitGraph));
    CHECK(dflt.at("formula") == explicitGraph.at("formula"));
    CHECK(dflt.at("test_tau") == explicitGraph.at("test_tau"));

    // a researcher's table without --table-space: cached only, with the reason; with it: graph too
    auto const csv = nb201Csv("auto_terminals", 80).string();
    r = runCommand(zcgpCli("evolve --json --population 20 --generations 3 --train-archs 50 --table " + csv +
                           " --target acc --id arch"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const table = nlohmann::json::parse(r.out);
    CHECK(table.at("terminal_set") == "cached");
    CHECK(terminalNames(table) == std::vector<std::string>{"jacov", "synflow", "jacov_r", "synflow_r"});
    CHECK(r.err.find("terminals: cached (--terminals auto, the default: no graph features, task table:mine has no "
                     "known search space") != std::string::npos);
    auto const spaced = evolveJson("--table " + csv + " --target acc --id arch --table-space nb201");
    CHECK(spaced.at("terminal_set") == "cached,graph");
    CHECK(terminalNames(spaced).size() == 2 * (2 + 25));  // logz+robust: both views of every terminal
    // tasks whose spaces share no graph feature (NB201 and DARTS cells): cached, with the reason
    r = runCommand(zcgpCli("evolve --json --population 20 --generations 2 --train-archs 50 --task nb201/cifar10 "
                           "--task nb301/cifar10"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(r.out).at("terminal_set") == "cached");
    CHECK(r.err.find("no graph features, the selected tasks' search spaces share no graph feature") != std::string::npos);
    r = runCommand(zcgpCli("evolve --task nb201/cifar10 --terminals auto,raw"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--terminals: auto stands alone") != std::string::npos);
}

TEST_CASE("a run saves its terminal default, and a run saved without --terminals had cached", "[experiments][graph]") {
    auto const dir = zcgp::test::scratchDir("auto_terminals_saved");
    auto const run = (dir / "run").string();
    auto r = runCommand(zcgpCli("evolve --quiet --population 20 --generations 3 --train-archs 50 --threads 1 "
                                "--task nb201/cifar10 --out " + run));
    REQUIRE(r.exitCode == 0);
    auto saved = nlohmann::json::parse(std::ifstream(dir / "run" / "options.json"));
    REQUIRE(saved.size() >= 2);
    CHECK(saved[saved.size() - 2] == "--terminals");
    CHECK(saved[saved.size() - 1] == "auto");
    // a run of the old default (cached) whose options.json has no --terminals still rebuilds with cached
    auto const old = (dir / "old").string();
    r = runCommand(zcgpCli("evolve --quiet --population 20 --generations 3 --train-archs 50 --threads 1 "
                           "--task nb201/cifar10 --terminals cached --out " + old));
    REQUIRE(r.exitCode == 0);
    saved = nlohmann::json::parse(std::ifstream(dir / "old" / "options.json"));
    nlohmann::json stripped = nlohmann::json::array();
    for (std::size_t i = 0; i < saved.size(); ++i) {
        if (saved[i] == "--terminals") { ++i; continue; }
        stripped.push_back(saved[i]);
    }
    std::ofstream(dir / "old" / "options.json") << stripped.dump();
    auto const result = nlohmann::json::parse(std::ifstream(dir / "old" / "result.json"));
    auto const ev = runCommand(zcgpCli("evaluate --run " + old + " --task nb201/cifar10 --format json"));
    INFO(ev.err);
    REQUIRE(ev.exitCode == 0);
    CHECK(ev.out.find("non-finite") == std::string::npos);
    auto const exported = runCommand(zcgpCli("export --run " + old + " --lang cpp"));
    INFO(exported.err);
    CHECK(exported.exitCode == 0);
    CHECK(exported.out.find("graph_") == std::string::npos);
    CHECK(result.at("terminal_set") == "cached");
}

TEST_CASE("zcgp features prints the library's features per architecture", "[experiments][graph]") {
    auto const r = runCommand(zcgpCli("features --task nb201/cifar10"));
    REQUIRE(r.exitCode == 0);
    // (0, 2, 3, 2, 3, 1) by source node: (1<-0) skip, (2<-0) conv3x3, (3<-0) conv1x1, (2<-1) conv3x3, (3<-1) conv1x1,
    // (3<-2) none. Paths 0-3 [conv1], 0-1-3 [skip, conv1], 0-2-3 [conv3, none], 0-1-2-3 [skip, conv3, none].
    auto const line = r.out.substr(r.out.find("\"(0, 2, 3, 2, 3, 1)\""));
    CHECK(line.substr(0, line.find('\n')) ==
          "\"(0, 2, 3, 2, 3, 1)\",1,1,2,2,0,"  // none skip conv1 conv3 pool
          "0,4,0,"                             // conv3: no path
          "1,1,1,1,1,1,"                       // conv1, conv: 0-3
          "2,1,2,2,1,2,"                       // conv_skip, nonzero: 0-3, 0-1-3
          "0,4,0,3,2");                        // pool; degrees
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1 + 725);
    auto const bias = runCommand(zcgpCli("features --task nb101/cifar10 --kind bias --format json"));
    REQUIRE(bias.exitCode == 0);
    auto const j = nlohmann::json::parse(bias.out);
    CHECK(j.size() == 500);
    CHECK(j.begin()->at("num_skip").is_null());  // NB101 has no skip op: not applicable
    // --kind proxies: exactly the rows and raw terminal values zcgp evolve reads (synflow of the first cell as stored)
    auto const proxies = runCommand(zcgpCli("features --task nb201/cifar10 --kind proxies --format json"));
    REQUIRE(proxies.exitCode == 0);
    auto const pj = nlohmann::json::parse(proxies.out);
    CHECK(pj.size() == 723);  // 725 less the 2 cells without zen or another proxy (zcgp evolve: 723 kept)
    auto const benchmark = zcgp::proxy_cache::Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    auto const& t = benchmark.task("nb201/cifar10");
    CHECK(pj.at(t.archs[0].key).at("synflow").get<double>() == t.column("synflow")[0]);
    CHECK(pj.at(t.archs[0].key).at("target").get<double>() == t.accuracy[0]);
    auto const enc = runCommand(zcgpCli("features --task flexibert/glue --kind encoding"));
    CHECK(enc.exitCode == 2);
    CHECK(enc.err == "zcgp: error: task flexibert/glue: NASLib has no encoding of flexibert architectures\n");
}
