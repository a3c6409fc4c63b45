// The native FlexiBERT network and proxies against the LM benchmark (data/lm): parameter counts equal the stored
// `Number of Parameters`, bad IDs and op types are one clear error, the same seed gives the same scores, and the
// statistics have one value per encoder layer.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace pc = zcgp::proxy_cache;

namespace {

pc::ProxyTable flexibertTable() {
    return pc::loadFlexiBert(zcgp::test::requireData("lm/BERT_results_activation_lpzero.csv"),
                             zcgp::test::requireData("lm/BERT_benchmark.json"));
}

pc::ScorerOptions flexibertOptions() {
    pc::ScorerOptions o;
    o.space = "flexibert";
    o.dataset = "glue";
    o.dataDir = zcgp::test::dataDir();
    o.device = "cpu";
    o.batchSize = 2;
    o.sequenceLength = 16;
    o.statistics = false;
    return o;
}

// The kinds of operation a layer can have: SA/SDP, SA/WMA, LT/DFT, LT/DCT, DSC/5, DSC/9.
std::string kind(pc::FlexiBertLayer const& l) { return l.operationType + "/" + l.operationParameter; }

// Checks the native parameter count of every stride-th architecture against the benchmark's; returns how many.
std::size_t checkParameterCounts(std::size_t stride, std::set<std::string>* kinds) {
    auto const table = flexibertTable();
    auto const stored = table.column("Number_of_Parameters");
    auto o = flexibertOptions();
    o.proxies = {"params"};
    pc::ArchitectureScorer scorer(o);
    std::size_t equal = 0;
    for (std::size_t i = 0; i < table.size(); i += stride) {
        auto const m = scorer.measure(table.archs[i].key);
        INFO("ID " << table.archs[i].key);
        CHECK(m.proxies.at("params") == stored[i]);
        equal += m.proxies.at("params") == stored[i] ? 1 : 0;
        if (kinds != nullptr) {
            for (auto const& l : table.archs[i].flexibert->layers) kinds->insert(kind(l));
        }
    }
    return equal;
}

}  // namespace

TEST_CASE("FlexiBERT parameter counts equal the benchmark's Number of Parameters", "[proxy_cache][torch][flexibert]") {
    std::set<std::string> kinds;
    CHECK(checkParameterCounts(25, &kinds) == 20);  // IDs 0, 25, ..., 475
    // the sample covers every operation kind (and so every parameter rule)
    CHECK(kinds == std::set<std::string>{"DSC/5", "DSC/9", "LT/DCT", "LT/DFT", "SA/SDP", "SA/WMA"});
}

TEST_CASE("FlexiBERT parameter counts equal the benchmark's for all 500 architectures",
          "[proxy_cache][torch][flexibert][.]") {
    CHECK(checkParameterCounts(1, nullptr) == 500);
}

TEST_CASE("FlexiBERT: an unknown ID or operation type is one clear error naming it", "[proxy_cache][torch][flexibert]") {
    auto o = flexibertOptions();
    o.proxies = {"params"};
    pc::ArchitectureScorer scorer(o);
    CHECK_THROWS_WITH(scorer.measure("500"), Catch::Contains("flexibert arch '500'") &&
                                                 Catch::Contains("no architecture with ID 500"));
    CHECK_THROWS_WITH(scorer.measure("x7"), Catch::Contains("'x7'") && Catch::Contains("benchmark ID"));
    CHECK_THROWS_WITH(pc::parseProxyList("nwot", "flexibert"), Catch::Contains("activation_distance"));

    // a copy of the benchmark whose architecture 3 has a layer of an unknown operation type
    zcgp::test::TempDir dir;
    std::filesystem::create_directories(dir.path / "lm");
    std::ifstream in(zcgp::test::requireData("lm/BERT_benchmark.json"));
    std::stringstream text;
    text << in.rdbuf();
    auto json = text.str();
    auto const at = json.find("\"DSC\"", json.find("\"id\": 3,"));
    REQUIRE(at != std::string::npos);
    json.replace(at, 5, "\"MLP\"");
    zcgp::test::writeFile(dir.path / "lm", "BERT_benchmark.json", json);
    o.dataDir = dir.path;
    pc::ArchitectureScorer broken(o);
    CHECK_THROWS_WITH(broken.measure("3"), Catch::Contains("flexibert arch '3'") &&
                                               Catch::Contains("unknown operation_type 'MLP'"));
    CHECK(broken.measure("2").proxies.at("params") > 0);  // the others still build

    // through the CLI: one line, exit 2
    auto const r = zcgp::test::runCommand(zcgp::test::cliPath().string() + " score --space flexibert --arch 1234 --data " +
                                          zcgp::test::dataDir().string());
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("no architecture with ID 1234"));

    // gather --archs FILE names the file and line of an unknown ID before measuring anything
    auto const list = zcgp::test::writeFile(dir.path, "ids.txt", "# FlexiBERT IDs\n3\n17\n777\n");
    auto const out = dir.path / "never.zcstats";
    auto const g = zcgp::test::runCommand(zcgp::test::cliPath().string() + " gather --task flexibert/glue --archs " +
                                          list.string() + " --out " + out.string() + " --data " +
                                          zcgp::test::dataDir().string());
    CHECK(g.exitCode == 2);
    CHECK_THAT(g.err, Catch::Contains("ids.txt:4") && Catch::Contains("777"));
    CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("FlexiBERT scores are a function of the seed, and statistics have one value per encoder layer",
          "[proxy_cache][torch][flexibert]") {
    auto o = flexibertOptions();
    o.statistics = true;
    auto const table = flexibertTable();
    // ID 3: two DSC layers; ID 0: SA/WMA, LT/DCT and two SA/SDP (four layers)
    for (auto const* id : {"3", "0"}) {
        INFO("ID " << id);
        auto const a = pc::ArchitectureScorer(o).measure(id);
        auto const b = pc::ArchitectureScorer(o).measure(id);
        REQUIRE(a.proxies.size() == 15);
        CHECK(a.proxies == b.proxies);
        auto const layers = table.archs[*table.findArchitecture(id)].flexibert->layers.size();
        REQUIRE(!a.statistics.empty());
        for (std::size_t s = 0; s < a.statistics.size(); ++s) {
            INFO(a.statistics[s].name);
            CHECK(a.statistics[s].values.size() == layers);
            CHECK(a.statistics[s].values == b.statistics[s].values);
        }
        for (auto const& [name, value] : a.proxies) {
            INFO(name);
            CHECK(std::isfinite(value));
            CHECK(value != -1e8);
        }
        // head confidence of a Linear output is a mean of maxima over tokens: positive at N(0, 0.02) weights; the
        // softmax confidences are means of probabilities
        CHECK(a.proxies.at("head_confidence") > 0.0);
        CHECK(a.proxies.at("head_softmax_confidence_normalized") > 0.0);
        CHECK(a.proxies.at("head_softmax_confidence_normalized") <= 1.0);
        // activation distance: per GELU output at most tokens^2 * units agreements (16 tokens, 1024 units)
        CHECK(a.proxies.at("activation_distance_normalized") > 0.0);
        CHECK(a.proxies.at("activation_distance_normalized") <= 16.0 * 16.0 * 1024.0);
    }
    o.seed = 1;
    auto const c = pc::ArchitectureScorer(o).measure("0");
    o.seed = 0;
    auto const a = pc::ArchitectureScorer(o).measure("0");
    CHECK(c.proxies.at("params") == a.proxies.at("params"));
    CHECK(c.proxies.at("head_confidence") != a.proxies.at("head_confidence"));
}
