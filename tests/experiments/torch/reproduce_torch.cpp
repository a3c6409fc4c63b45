// Reduced runs of the LibTorch experiments: raw_statistics (on a small real gather) and zero_shot_search,
// plus zcgp search itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <tuple>
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

namespace {
// E[max of n standard normals] by Simpson's rule on [-12, 12] (independent of the library's trapezoid)
double expectedMax(std::size_t n) {
    if (n <= 1) return 0.0;
    int const steps = 24000;
    double const h = 24.0 / steps, m = static_cast<double>(n);
    double sum = 0.0;
    for (int i = 0; i <= steps; ++i) {
        double const x = -12.0 + h * i;
        double const cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
        double const f = cdf <= 0 ? 0.0 : x * m * std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI) * std::pow(cdf, m - 1.0);
        sum += f * (i == 0 || i == steps ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0));
    }
    return sum * h / 3.0;
}

// The raw proxies a formula reads, from its text (a NAME_r column reads NAME; graph_* terminals are none)
std::vector<std::string> proxiesRead(std::string const& formula, std::vector<std::string> const& proxies) {
    std::vector<std::string> out;
    for (auto const& p : proxies) {
        for (auto const& name : {p, p + "_r"}) {
            for (std::size_t at = formula.find(name); at != std::string::npos; at = formula.find(name, at + 1)) {
                auto const end = at + name.size();
                bool const whole = (at == 0 || !(std::isalnum(static_cast<unsigned char>(formula[at - 1])) || formula[at - 1] == '_')) &&
                                   (end == formula.size() || !(std::isalnum(static_cast<unsigned char>(formula[end])) || formula[end] == '_'));
                if (whole && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

TEST_CASE("zcgp search --pick: a formula of the cost front, graph terminals from the cell, only the proxies it reads",
          "[experiments][torch]") {
    auto const dir = scratchDir("search_pick");
    // a real run with graph terminals and three proxies of different recorded cost
    auto const evolve = runCommand(zcgpCli("evolve --task nb201/cifar10 --seed 0 --generations 15 --population 60 "
                                           "--terminals cached,graph --proxies synflow,jacov,params --quiet --force --out " +
                                           (dir / "run").string()));
    INFO(evolve.err);
    REQUIRE(evolve.exitCode == 0);
    auto const report = nlohmann::json::parse(std::ifstream(dir / "run" / "result.json"));
    // synflow's recorded time, from a second run whose only terminal is synflow (no graph terminals, which are free)
    auto const single = runCommand(zcgpCli("evolve --task nb201/cifar10 --seed 0 --generations 2 --population 10 "
                                           "--terms 1 --normalize logz --terminals cached --proxies synflow --quiet --force --out " +
                                           (dir / "synflow").string()));
    REQUIRE(single.exitCode == 0);
    double const synflowSeconds = nlohmann::json::parse(std::ifstream(dir / "synflow" / "result.json"))["cost"];
    REQUIRE(synflowSeconds > 0.0);
    // the candidates: the reported formula and the cost front, each with its recorded cost and train tau
    std::vector<std::tuple<std::string, double, double>> candidates{{report["formula"], report["cost"], report["train_tau"]}};
    for (auto const& p : report["cost_pareto"]) {
        bool const known = std::any_of(candidates.begin(), candidates.end(), [&](auto const& c) { return std::get<0>(c) == p["formula"]; });
        if (!known) candidates.emplace_back(p["formula"], p["cost"], p["train_tau"]);
    }
    REQUIRE(candidates.size() >= 2);

    SECTION("cost-of:synflow: the best train tau among the formulas at most as costly as synflow") {
        std::string expected;
        double bestTau = -2.0;
        for (auto const& [f, cost, tau] : candidates) {
            if (cost <= synflowSeconds * (1 + 1e-9) && tau > bestTau) {
                bestTau = tau;
                expected = f;
            }
        }
        REQUIRE(!expected.empty());
        auto const r = runCommand(zcgpCli("search --objective evolved --run " + (dir / "run").string() +
                                          " --pick cost-of:synflow --algorithm random --archs 3 --batch 8 --json"));
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
        auto const j = nlohmann::json::parse(r.out);
        CHECK(j["formula"] == expected);
        CHECK(j["candidates"].size() == candidates.size());
        CHECK(j["archs_scored"] == 3);
        // it reads at most synflow, so the scorer built nothing else (no network at all when it reads none)
        auto const read = proxiesRead(expected, {"synflow", "jacov", "params"});
        CHECK((read.empty() || read == std::vector<std::string>{"synflow"} || read == std::vector<std::string>{"params"} ||
               read == std::vector<std::string>{"params", "synflow"}));
        CHECK((j["device"] == "none") == read.empty());
    }

    SECTION("search-value: the model's argmax, each candidate measuring only the proxies its formula reads") {
        auto const r = runCommand(zcgpCli("search --objective evolved --run " + (dir / "run").string() +
                                          " --pick search-value --algorithm random --archs 400 --time-limit 4 --batch 8 --json"));
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
        auto const j = nlohmann::json::parse(r.out);
        double const timeLeft = 4.0 - j["pick_seconds"].get<double>();
        REQUIRE(timeLeft > 0.0);
        double bestValue = -1e300;
        std::string expected;
        for (auto const& c : j["candidates"]) {
            std::string const f = c["formula"];
            CHECK(c["proxies"].get<std::vector<std::string>>() == proxiesRead(f, {"synflow", "jacov", "params"}));
            double const spc = c["seconds_per_cell"];
            auto const cells = static_cast<std::size_t>(std::clamp(std::floor(timeLeft / spc), 1.0, 400.0));
            CHECK(c["cells"] == cells);
            double const value = std::sin(M_PI * c["train_tau"].get<double>() / 2.0) * expectedMax(cells);
            CHECK(c["value"].get<double>() == Approx(value).epsilon(1e-4));
            if (value > bestValue) {
                bestValue = value;
                expected = f;
            }
        }
        CHECK(j["formula"] == expected);
        CHECK(j["seconds"].get<double>() <= 4.0 + 1.5);  // the pick's timing counts in the limit (one cell may overrun)
        // without a time limit every candidate scores the same cells, so the best train tau is chosen
        auto const untimed = nlohmann::json::parse(runCommand(zcgpCli("search --objective evolved --run " +
            (dir / "run").string() + " --pick search-value --algorithm random --archs 2 --batch 8 --json")).out);
        double maxTau = -2.0;
        for (auto const& [f, cost, tau] : candidates) maxTau = std::max(maxTau, tau);
        for (auto const& c : untimed["candidates"]) {
            if (c["chosen"].get<bool>()) CHECK(c["train_tau"].get<double>() == Approx(maxTau).margin(1e-12));
        }
    }

    SECTION("graph terminals come from the cell: an exhaustive search on graph_count_conv3x3 ends at the all-3x3 cell") {
        auto const edited = dir / "graph_only";
        fs::create_directories(edited);
        fs::copy_file(dir / "run" / "options.json", edited / "options.json", fs::copy_options::overwrite_existing);
        auto r = report;
        r["formula"] = "graph_count_conv3x3";
        r["cost_pareto"] = nlohmann::json::array();
        std::ofstream(edited / "result.json") << r.dump();
        auto const out = runCommand(zcgpCli("search --objective evolved --run " + edited.string() +
                                            " --algorithm random --archs 15625 --json"));
        INFO(out.err);
        REQUIRE(out.exitCode == 0);
        auto const j = nlohmann::json::parse(out.out);
        CHECK(j["archs_scored"] == 15625);
        CHECK(j["device"] == "none");  // no proxy read, no network built
        CHECK(j["best"]["tuple"] == "(2, 2, 2, 2, 2, 2)");  // NB201 op 2 is nor_conv_3x3; the only cell with six
        CHECK(j["failed_cells"] == 0);
    }

    SECTION("bad --pick values and config objectives: one line, exit 2") {
        auto const unknown = runCommand(zcgpCli("search --objective evolved --run " + (dir / "run").string() + " --pick cheap"));
        CHECK(unknown.exitCode == 2);
        CHECK_THAT(unknown.err, Catch::Contains("--pick: unknown 'cheap'"));
        auto const noTime = runCommand(zcgpCli("search --objective evolved --run " + (dir / "run").string() + " --pick cost-of:nosuch"));
        CHECK(noTime.exitCode == 2);
        CHECK_THAT(noTime.err, Catch::Contains("no time for 'nosuch'"));
        auto const notEvolved = runCommand(zcgpCli("search --objective synflow --pick search-value --archs 2"));
        CHECK(notEvolved.exitCode == 2);
        CHECK_THAT(notEvolved.err, Catch::Contains("needs --objective evolved"));
        auto const config = runCommand(zcgpCli("reproduce " + experimentConfig("zero_shot_search_equal_time") +
                                               " --set objectives=evolved@cheap,synflow --results " + (dir / "repro").string()));
        CHECK(config.exitCode == 2);
        CHECK_THAT(config.err, Catch::Contains("objectives: 'evolved@cheap' has an unknown pick"));
        CHECK(std::count(config.err.begin(), config.err.end(), '\n') <= 1);
    }
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
    CHECK(terminals.size() == 30);  // the benchmark's 15 training-free columns, in both views (NAME, NAME_r)
    CHECK(std::find(terminals.begin(), terminals.end(), "lpzero") == terminals.end());
    CHECK(std::find(terminals.begin(), terminals.end(), "lpzero_r") == terminals.end());
    // the config's LPZero early stop reaches every run, and its rejections are counted
    for (auto const* set : {"raw", "cached", "both"}) {
        INFO(set);
        auto const run = out / "runs" / set / "seed0";
        auto const options = nlohmann::json::parse(std::ifstream(run / "options.json")).dump();
        CHECK(options.find("--early-stop") != std::string::npos);
        CHECK(nlohmann::json::parse(std::ifstream(run / "result.json"))["pruned"].contains("early_stop"));
    }
    // LPZero's operators on the real gathered statistics: dot(normalize(w), normalize(w)) is the sum of the squared
    // z-scores over the layers, i.e. the layer count; l1norm(w) is the mean |w| over the layers, against the cache
    auto const values = [&](std::string const& formula) {
        auto const csvPath = dir / "values.csv";
        auto const e = runCommand(zcgpCli("export --task flexibert/glue --stats " + stats.string() + " --formula '" + formula +
                                          "' --out " + (dir / "f.hpp").string() + " --values-csv " + csvPath.string()));
        INFO(e.err);
        REQUIRE(e.exitCode == 0);
        std::map<std::string, double> byKey;
        std::ifstream in(csvPath);
        std::string row;
        std::getline(in, row);
        while (std::getline(in, row)) {
            auto const key = row.substr(1, row.find('"', 1) - 1);
            byKey[key] = std::stod(row.substr(row.rfind(',') + 1));
        }
        return byKey;
    };
    auto const depth = values("dot(normalize(weight_l2), normalize(weight_l2))");
    auto const l1 = values("l1norm(weight_l2)");
    REQUIRE(depth.size() == archs);
    for (std::size_t i = 0; i < archs; ++i) {
        auto const key = cache.architectures()[i];
        INFO("ID " << key);
        auto const row = weights.row(i);
        CHECK(depth.at(key) == Approx(static_cast<double>(row.size())).epsilon(1e-9));
        double mean = 0.0;
        for (double w : row) mean += std::abs(w) / static_cast<double>(row.size());
        CHECK(l1.at(key) == Approx(mean).epsilon(1e-12));
        CHECK(mean > 0.0);
    }
}
