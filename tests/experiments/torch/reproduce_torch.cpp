// Reduced runs of the LibTorch experiments: raw_statistics (on a small real gather) and zero_shot_search,
// plus zcgp search itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;
using zcgp::test::experimentConfig;
using zcgp::test::scratchDir;
namespace fs = std::filesystem;

namespace {

std::size_t lineCount(fs::path const& p) {
    std::ifstream in(p);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
    return n;
}

// CIFAR-10 200-epoch test accuracy of an NB201 cell string, read straight from the NB201 table
// (data/nb201/nb201_test_accuracy_200ep.csv: CIFAR10TestAccuracy200Epochs first, ArchitectureString fourth).
double nb201Cifar10Accuracy(std::string const& archString) {
    std::ifstream in(zcgp::test::requireData("nb201/nb201_test_accuracy_200ep.csv"));
    std::string line;
    std::getline(in, line);
    REQUIRE(line.rfind("CIFAR10TestAccuracy200Epochs,", 0) == 0);
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        if (cells.size() > 3 && cells[3] == archString) return std::stod(cells[0]);
    }
    FAIL("no NB201 accuracy for " << archString);
    return 0.0;
}

// The LayerVector terminals `zcgp evolve --stats` can build from a cache, counted from the cache itself: the
// per-layer statistics, i.e. those with 1 + 15 * (conv edges) + 6 + 1 values on every architecture (one per
// conv/linear layer: stem, 15 cells, two reduction blocks of three convs, classifier; docs/proxies.md), that are
// finite on every architecture (evolve skips the others and names them).
struct ExpectedTerminals {
    std::vector<std::string> kept, otherLayout, nonFinite;
};
ExpectedTerminals expectedLayerTerminals(zcgp::proxy_cache::StatisticsCache const& cache) {
    ExpectedTerminals e;
    for (auto const& s : cache.statistics()) {
        bool perLayer = true, finite = true;
        for (std::size_t a = 0; a < cache.size(); ++a) {
            auto const& key = cache.architectures()[a];  // NASLib tuple "(0, 2, 3, 2, 3, 1)"; ops 2 and 3 are convs
            auto const convs = static_cast<std::size_t>(std::count_if(key.begin(), key.end(), [](char c) { return c == '2' || c == '3'; }));
            auto const row = s.row(a);
            perLayer = perLayer && row.size() == 1 + 15 * convs + 6 + 1;
            finite = finite && std::all_of(row.begin(), row.end(), [](double v) { return std::isfinite(v); });
        }
        (perLayer ? (finite ? e.kept : e.nonFinite) : e.otherLayout).push_back(s.name);
    }
    return e;
}

std::string joined(std::vector<std::string> const& names) {
    std::string out;
    for (auto const& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}
}  // namespace

TEST_CASE("zcgp search: regularized evolution scores exactly the budget, reproducibly", "[experiments][torch]") {
    auto const cmd = zcgpCli("search --objective synflow --algorithm evolution --archs 6 --population 3 --sample 2 "
                             "--batch 8 --seed 4 --json");
    auto const a = runCommand(cmd);
    INFO(a.err);
    REQUIRE(a.exitCode == 0);
    auto const j = nlohmann::json::parse(a.out);
    CHECK(j["archs_scored"] == 6);
    CHECK(j["trajectory"].size() == 6);
    // the reported cell: its accuracy is the NB201 table's, its score what zcgp score gives it (the search's
    // --init-seed defaults to 0), and the trajectory ends at it (best so far)
    auto const& best = j["best"];
    double const acc = best["test_accuracy"]["cifar10"];
    CHECK(acc == Approx(nb201Cifar10Accuracy(best["arch"])).margin(1e-9));
    CHECK(j["trajectory"].back()[1].get<double>() == Approx(acc).margin(1e-9));
    auto const scored = runCommand(zcgpCli("score --arch '" + best["tuple"].get<std::string>() +
                                           "' --proxies synflow --batch 8 --seed 0 --device cpu --json"));
    REQUIRE(scored.exitCode == 0);
    auto const s = nlohmann::json::parse(scored.out);
    CHECK(s["arch_string"] == best["arch"]);
    CHECK(s["proxies"]["synflow"].get<double>() == Approx(best["score"].get<double>()).epsilon(1e-12));
    auto const b = nlohmann::json::parse(runCommand(cmd).out);
    CHECK(b["best"]["arch"] == j["best"]["arch"]);
    auto const bad = runCommand(zcgpCli("search --objective synflw --archs 2"));
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("synflw"));
}

TEST_CASE("reproduce raw_statistics (reduced) on a real statistics cache", "[experiments][torch]") {
    auto const dir = scratchDir("raw");
    auto const stats = dir / "nb201_cifar10.zcstats";
    std::size_t const archs = 14;
    auto const g = runCommand(zcgpCli("gather --task nb201/cifar10 --archs " + std::to_string(archs) +
                                      " --batch 8 --out " + stats.string()));
    INFO(g.err);
    REQUIRE(g.exitCode == 0);
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("raw_statistics") + " --set stats=" + stats.string() +
                                      " --set seeds=1 --set generations=2 --set population=10 --set train_archs=7"
                                      " --results " + dir.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const out = dir / "raw_statistics";
    CHECK(lineCount(out / "runs.csv") == 4);     // header + raw, cached, both
    CHECK(lineCount(out / "summary.csv") == 5);  // header + 3 sets + hand-crafted
    CHECK_THAT(r.out, Catch::Contains("raw LayerVector statistics only") && Catch::Contains("best hand-crafted"));
    auto const raw = nlohmann::json::parse(std::ifstream(out / "runs" / "raw" / "seed0" / "result.json"));
    CHECK(raw["data"][0]["archs"] == archs);  // the run used every gathered architecture
    CHECK(raw["finite_on_all_archs"] == true);
    CHECK(raw["best_handcrafted"].is_null());  // no scalar terminals in the raw set
    // the cached set uses the cache only to pick the architectures: no LayerVector terminal may appear
    auto const cached = runCommand(zcgpCli("evolve --task nb201/cifar10 --stats " + stats.string() +
                                           " --terminals cached --train-archs 7 --generations 2 --population 10 --out " +
                                           (dir / "cached_run").string()));
    INFO(cached.err);
    REQUIRE(cached.exitCode == 0);
    CHECK_THAT(cached.err, Catch::Contains("0 LayerVector terminals"));
    auto const both = runCommand(zcgpCli("evolve --task nb201/cifar10 --stats " + stats.string() +
                                         " --terminals both --train-archs 7 --generations 2 --population 10 --out " +
                                         (dir / "both_run").string()));
    REQUIRE(both.exitCode == 0);
    // the terminal count (15 here: 16 per-layer statistics less input_code_logdet, -inf on a singular kernel) is
    // derived from the cache, with the skipped ones named
    auto const cache = zcgp::proxy_cache::StatisticsCache::read(stats);
    REQUIRE(cache.size() == archs);
    auto const expected = expectedLayerTerminals(cache);
    CHECK(expected.otherLayout.size() == 4);  // the per-node statistics (45 values)
    INFO(both.err);
    CHECK_THAT(both.err, Catch::Contains(std::to_string(expected.kept.size()) + " LayerVector terminals"));
    CHECK_THAT(both.err, Catch::Contains("other layer layout, skipped: " + joined(expected.otherLayout)));
    if (!expected.nonFinite.empty()) {
        CHECK_THAT(both.err, Catch::Contains("non-finite, skipped: " + joined(expected.nonFinite)));
    } else {
        CHECK_THAT(both.err, !Catch::Contains("non-finite, skipped"));
    }
}

TEST_CASE("reproduce zero_shot_search (reduced): every objective and algorithm, with the optimum row", "[experiments][torch]") {
    auto const dir = scratchDir("zero");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("zero_shot_search") +
                                      " --set archs=3 --set seeds=1 --set batch=8 --set population=2 --set sample=2"
                                      " --set objectives=evolved,synflow,random --set 'evolve_args=[\"--generations\", \"2\", \"--population\", \"10\", \"--proxies\", \"synflow,params\", \"--normalize\", \"logz+robust\"]'"
                                      " --results " + dir.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const out = dir / "zero_shot_search";
    CHECK(lineCount(out / "searches.csv") == 6);  // header + evolved x2, synflow x2, random x1
    CHECK(lineCount(out / "summary.csv") == 7);   // header + 5 + optimum
    CHECK_THAT(r.out, Catch::Contains("optimum (NAS-Bench-201) | 94.37 | 73.51 | 47.31"));
    CHECK(fs::exists(out / "evolved" / "result.json"));
    // the evolved objective was fitted on both terminal views of the proxies and of the cell's graph features (the
    // default terminals): its NAME_r columns read the raw proxies computed for each candidate (synflow, params), its
    // graph_* columns the features of the candidate's cell; the searches above ran with it
    auto const result = nlohmann::json::parse(std::ifstream(out / "evolved" / "result.json"));
    CHECK(result["terminal_set"] == "cached,graph");
    std::map<std::string, std::string> source;
    for (auto const& t : result["terminals"]) source[t["name"]] = t.value("source", t["name"].get<std::string>());
    CHECK(source.size() == 2 * (2 + 25));
    CHECK(source.at("synflow_r") == "synflow");
    CHECK(source.at("params_r") == "params");
    CHECK(source.at("graph_paths_conv3_r") == "graph_paths_conv3");
}

TEST_CASE("reproduce lpzero_flexibert (reduced) on a real FlexiBERT gather", "[experiments][torch]") {
    auto const dir = scratchDir("lpzero_flexibert");
    auto const stats = dir / "flexibert.zcstats";
    // OpenBLAS where setup.sh installed it (the documented way to gather FlexiBERT; netlib works, slower)
    std::string const blas = fs::exists("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3")
                                 ? "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1 "
                                 : "";
    std::size_t const archs = 5;
    auto const g = runCommand(blas + zcgpCli("gather --task flexibert/glue --archs " + std::to_string(archs) +
                                             " --batch 2 --device cpu --out " + stats.string()));
    INFO(g.err);
    REQUIRE(g.exitCode == 0);
    // the cache holds the benchmark's parameter counts for the sampled IDs, and one value per encoder layer
    auto const cache = zcgp::proxy_cache::StatisticsCache::read(stats);
    REQUIRE(cache.size() == archs);
    CHECK(cache.options().space == "flexibert");
    std::ifstream csv(zcgp::test::requireData("lm/BERT_results_activation_lpzero.csv"));
    std::string line;
    std::getline(csv, line);
    std::map<std::string, double> stored;  // ID -> Number of Parameters (the 11th column)
    while (std::getline(csv, line)) {
        std::stringstream fields(line);
        std::vector<std::string> f;
        for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
        stored[f[0]] = std::stod(f[10]);
    }
    auto const params = cache.proxyColumn("params");
    auto const& weights = cache.statistic("weight_l2");
    for (std::size_t i = 0; i < archs; ++i) {
        INFO("ID " << cache.architectures()[i]);
        CHECK(params[i] == stored.at(cache.architectures()[i]));
        auto const layers = weights.row(i).size();
        CHECK((layers == 2 || layers == 4));
    }
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("lpzero_flexibert") + " --set stats=" +
                                      stats.string() + " --set seeds=1 --set generations=2 --set population=10"
                                      " --set train_archs=3 --results " + dir.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const out = dir / "lpzero_flexibert";
    CHECK(lineCount(out / "runs.csv") == 4);  // header + raw, cached, both
    auto const raw = nlohmann::json::parse(std::ifstream(out / "runs" / "raw" / "seed0" / "result.json"));
    CHECK(raw["data"][0]["archs"] == archs);
    CHECK(raw["finite_on_all_archs"] == true);
    auto const cached = nlohmann::json::parse(std::ifstream(out / "runs" / "cached" / "seed0" / "result.json"));
    // LPZero's own column is the competitor, never a terminal
    CHECK(cached["formula"].get<std::string>().find("lpzero") == std::string::npos);
    std::vector<std::string> terminals;
    for (auto const& t : cached["terminals"]) terminals.push_back(t["name"]);
    CHECK(terminals.size() == 15);  // the benchmark's 15 training-free columns
    CHECK(std::find(terminals.begin(), terminals.end(), "lpzero") == terminals.end());
}
