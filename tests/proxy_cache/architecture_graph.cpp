// Architecture decoding, graph features, bias properties and encodings (ArchitectureGraph.hpp) on real keys of
// ../shared. Expected feature values are derived by hand from the key, as each case states; the edge orders are
// checked against the data itself (cells without a path to the output have grad_norm exactly 0), and the bias
// properties against issue 15's independently computed correlations on nb201/cifar10.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "TestData.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/ArchitectureGraph.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using namespace zcgp::proxy_cache;

namespace {
Benchmark const& realBenchmark() {
    static const Benchmark benchmark = Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    return benchmark;
}

Architecture const& archOf(ProxyTable const& table, std::string const& key) {
    auto const row = table.findArchitecture(key);
    REQUIRE(row.has_value());
    return table.archs[*row];
}

std::map<std::string, double> featuresByName(ArchitectureGraph const& graph) {
    auto const& names = graphFeatureNames(graph.space);
    auto const values = graphFeatures(graph);
    REQUIRE(values.size() == names.size());
    std::map<std::string, double> out;
    for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = values[i];
    return out;
}

std::string errorOf(auto&& f) {
    try {
        f();
    } catch (DataError const& e) {
        return e.what();
    }
    return "(no DataError)";
}

Architecture keyOnly(std::string key) { return Architecture{std::move(key), {}, std::nullopt}; }

double bias(ArchitectureGraph const& g, BiasProperty p) {
    auto const v = biasProperty(g, p);
    REQUIRE(v.has_value());
    return *v;
}
}  // namespace

TEST_CASE("nb360's TransNAS micro keys are NASLib op indices, by source node", "[proxy_cache][graph]") {
    auto const& table = realBenchmark().task("tnb101_micro/svhn");
    CHECK(table.keyEncoding == KeyEncoding::Naslib);
    // (0, 1, 2, 3, ...) in NASLib's indices: skip, none, conv3x3, conv1x1 on (1<-0), (2<-0), (3<-0), (2<-1)
    auto const g = decodeArchitecture(SearchSpace::TNB101Micro, keyOnly("(0, 1, 2, 3, 1, 1)"), "t", KeyEncoding::Naslib);
    CHECK(std::get<MicroCell>(g.structure).ops ==
          std::array{CellOp::Skip, CellOp::None, CellOp::Conv3x3, CellOp::Conv1x1, CellOp::None, CellOp::None});
    auto const suite = decodeArchitecture(SearchSpace::TNB101Micro, keyOnly("(0, 1, 2, 3, 1, 1)"), "t");
    // TransNAS codes, by target node: none, skip, conv1x1 on (1<-0), (2<-0), (2<-1); conv3x3 on (3<-0)
    CHECK(std::get<MicroCell>(suite.structure).ops ==
          std::array{CellOp::None, CellOp::Skip, CellOp::Conv3x3, CellOp::Conv1x1, CellOp::Skip, CellOp::Skip});
}

TEST_CASE("NB201 cell: features of (4, 0, 3, 1, 4, 3), derived by hand", "[proxy_cache][graph]") {
    // data/nbsz/README.md's example (not one of the 725 cells of nb201/cifar10).
    auto const g = decodeArchitecture(SearchSpace::NB201, keyOnly("(4, 0, 3, 1, 4, 3)"), "nb201/cifar10");
    // By source node (data/nbsz/README.md): (1<-0) avg_pool, (2<-0) skip, (3<-0) conv1x1, (2<-1) none,
    // (3<-1) avg_pool, (3<-2) conv1x1.
    auto const& cell = std::get<MicroCell>(g.structure);
    CHECK(cell.ops == std::array{CellOp::AvgPool3x3, CellOp::Skip, CellOp::Conv1x1, CellOp::None, CellOp::AvgPool3x3,
                                 CellOp::Conv1x1});
    auto f = featuresByName(g);
    CHECK(f.size() == 25);
    CHECK(f["count_none"] == 1);
    CHECK(f["count_skip"] == 1);
    CHECK(f["count_conv1x1"] == 2);
    CHECK(f["count_conv3x3"] == 0);
    CHECK(f["count_avgpool3x3"] == 2);
    // paths 0-3 [conv1], 0-1-3 [pool, pool], 0-2-3 [skip, conv1], 0-1-2-3 [pool, none, conv1]
    CHECK(f["paths_conv3"] == 0);
    CHECK(f["minlen_conv3"] == 4);  // no path: one more than the longest possible
    CHECK(f["maxlen_conv3"] == 0);
    CHECK(f["paths_conv1"] == 1);
    CHECK(f["paths_conv"] == 1);
    CHECK(f["paths_conv_skip"] == 2);
    CHECK(f["minlen_conv_skip"] == 1);
    CHECK(f["maxlen_conv_skip"] == 2);
    CHECK(f["paths_nonzero"] == 3);
    CHECK(f["maxlen_nonzero"] == 2);
    CHECK(f["paths_pool"] == 1);
    CHECK(f["minlen_pool"] == 2);
    CHECK(f["input_outdegree"] == 3);
    CHECK(f["output_indegree"] == 3);
    CHECK(bias(g, BiasProperty::CellSize) == 5);
    CHECK(bias(g, BiasProperty::NumSkip) == 1);
    CHECK(bias(g, BiasProperty::ConvMinusPool) == 0);
    CHECK(bias(g, BiasProperty::LargeKernels) == 0);
    CHECK(bias(g, BiasProperty::UniqueOps) == 3);
    auto const enc = encodeArchitecture(g);
    REQUIRE(enc);
    CHECK(enc->size() == 30);
    CHECK(enc->size() == encodingNames(SearchSpace::NB201)->size());
    // edge (1<-0) is avg_pool: one-hot over none, skip, conv1x1, conv3x3, avgpool3x3
    CHECK(std::vector<double>(enc->begin(), enc->begin() + 5) == std::vector<double>{0, 0, 0, 0, 1});
}

TEST_CASE("TransNAS micro cell: keys list edges by target node, (1, 0, 0, 2, 1, 0) by hand", "[proxy_cache][graph]") {
    auto const& table = realBenchmark().task("tnb101_micro/class_scene");
    auto const g = decodeArchitecture(table.space, archOf(table, "(1, 0, 0, 2, 1, 0)"), table.id());
    // (1<-0) skip, (2<-0) none, (2<-1) none, (3<-0) conv1x1, (3<-1) skip, (3<-2) none
    auto f = featuresByName(g);
    CHECK(f.size() == 18);  // 4 op counts, 4 op subsets x 3, 2 degrees
    CHECK(f["count_none"] == 3);
    CHECK(f["count_skip"] == 2);
    CHECK(f["count_conv1x1"] == 1);
    CHECK(f["paths_conv1"] == 1);  // 0-3 directly
    CHECK(f["paths_nonzero"] == 2);  // 0-3 and 0-1-3
    CHECK(f["minlen_nonzero"] == 1);
    CHECK(f["maxlen_nonzero"] == 2);
    CHECK(f["input_outdegree"] == 2);
    CHECK(f["output_indegree"] == 2);
    CHECK(!f.contains("paths_pool"));  // TransNAS micro has no pooling op
    CHECK(encodeArchitecture(g)->size() == 24);
}

TEST_CASE("edge orders agree with the data: a cell without a path to the output has grad_norm exactly 0",
          "[proxy_cache][graph]") {
    // The gradient of a network whose cells have no path to their output is zero; under the other edge order the
    // two sets disagree (TransNAS class_scene: 32 "dead" cells, only 7 with grad_norm 0).
    for (auto const* id : {"nb201/cifar10", "tnb101_micro/class_scene", "tnb101_micro/ninapro"}) {
        auto const& table = realBenchmark().task(id);
        auto const features = graphFeatureTable(table);
        auto const paths = std::find(features.names.begin(), features.names.end(), "paths_nonzero") - features.names.begin();
        auto const grad = table.column("grad_norm");
        std::size_t dead = 0;
        std::size_t mismatches = 0;
        for (std::size_t r = 0; r < table.size(); ++r) {
            bool const noPath = features.values(static_cast<Eigen::Index>(r), paths) == 0;
            dead += noPath ? 1 : 0;
            mismatches += noPath != (grad[r] == 0.0) ? 1 : 0;
        }
        INFO(id << ": " << dead << " cells without a path");
        CHECK(dead > 0);
        CHECK(mismatches == 0);
    }
}

TEST_CASE("NB101: features of the first zc_nasbench101 cell, derived by hand", "[proxy_cache][graph]") {
    auto const& table = realBenchmark().task("nb101/cifar10");
    // rows: 0->{1,2,3,4,6}, 1->{5,6}, 2->{6}, 3->{4,5}, 4->{5,6}; ops input, maxpool, maxpool, conv3, conv3, conv3, output
    auto const g = decodeArchitecture(table.space,
                                      archOf(table, "(0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, "
                                                    "0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 4, 4, 4, 1)"),
                                      table.id());
    auto f = featuresByName(g);
    CHECK(f["count_conv3x3"] == 3);
    CHECK(f["count_conv1x1"] == 0);
    CHECK(f["count_maxpool3x3"] == 2);
    CHECK(f["edges"] == 12);
    CHECK(f["longest_path"] == 3);  // 0-3-4-6 (node 5 does not reach the output)
    CHECK(f["shortest_path"] == 1);
    CHECK(f["paths"] == 5);  // 0-6, 0-1-6, 0-2-6, 0-4-6, 0-3-4-6
    CHECK(bias(g, BiasProperty::CellSize) == 12);
    CHECK(bias(g, BiasProperty::ConvMinusPool) == 1);
    CHECK(bias(g, BiasProperty::UniqueOps) == 2);
    CHECK_FALSE(biasProperty(g, BiasProperty::NumSkip).has_value());
    CHECK(encodeArchitecture(g)->size() == 36);
}

TEST_CASE("NB301: features of the first zc_nasbench301 genotype, derived by hand", "[proxy_cache][graph]") {
    auto const& table = realBenchmark().task("nb301/cifar10");
    auto const g = decodeArchitecture(table.space,
                                      archOf(table, "(((0, 0), (1, 5), (1, 1), (0, 1), (1, 3), (0, 3), (1, 3), (3, 2)), "
                                                    "((1, 0), (0, 2), (1, 3), (0, 3), (3, 0), (0, 1), (2, 0), (3, 6)))"),
                                      table.id());
    auto f = featuresByName(g);
    CHECK(f.size() == 28);
    // normal: ops max, dil3, avg, avg, sep3, sep3, sep3, skip
    CHECK(f["normal_count_avg_pool_3x3"] == 2);
    CHECK(f["normal_count_sep_conv_3x3"] == 3);
    CHECK(f["normal_count_dil_conv_3x3"] == 1);
    CHECK(f["normal_use_c_km2"] == 3);
    CHECK(f["normal_use_c_km1"] == 4);
    CHECK(f["normal_use_node1"] == 1);  // node 3 (intermediate 1) feeds node 5
    CHECK(f["normal_depth_max"] == 2);
    CHECK(f["normal_depth_mean"] == 1.25);
    // reduce: node 4 is fed by node 3, node 5 by nodes 2 and 3
    CHECK(f["reduce_count_max_pool_3x3"] == 3);
    CHECK(f["reduce_use_node0"] == 1);
    CHECK(f["reduce_use_node1"] == 2);
    CHECK(f["reduce_depth_mean"] == 1.5);
    CHECK(bias(g, BiasProperty::NumSkip) == 2);
    CHECK(bias(g, BiasProperty::ConvMinusPool) == 0);  // 7 convs, 7 pools
    CHECK(bias(g, BiasProperty::LargeKernels) == 1);
    CHECK(bias(g, BiasProperty::UniqueOps) == 6);
    CHECK_FALSE(biasProperty(g, BiasProperty::CellSize).has_value());
    CHECK(encodeArchitecture(g)->size() == encodingNames(SearchSpace::NB301)->size());
}

TEST_CASE("TransNAS macro and FlexiBERT features", "[proxy_cache][graph]") {
    auto const m = decodeArchitecture(SearchSpace::TNB101Macro, keyOnly("(1, 2, 4, 3, 0, 0)"), "tnb101_macro/x");
    auto f = featuresByName(m);
    CHECK(f["modules"] == 4);
    CHECK(f["count_code4"] == 1);
    CHECK(f["first_downsample"] == 3);
    CHECK(f["first_channel_double"] == 2);
    auto const flat = featuresByName(decodeArchitecture(SearchSpace::TNB101Macro, keyOnly("(1, 1, 0, 0, 0, 0)"), "t"));
    CHECK(flat.at("first_downsample") == 7);

    // BERT_benchmark.json id 0: hidden 256; SA/WMA 4 heads FFN 1024, LT/DCT 2 heads 512, SA/SDP 4 512, SA/SDP 4 1024
    auto const& bert = realBenchmark().task("flexibert/glue");
    auto const b = decodeArchitecture(bert.space, archOf(bert, "0"), bert.id());
    auto fb = featuresByName(b);
    CHECK(fb["hidden_size"] == 256);
    CHECK(fb["layers"] == 4);
    CHECK(fb["count_sa"] == 3);
    CHECK(fb["count_lt"] == 1);
    CHECK(fb["heads_total"] == 14);
    CHECK(fb["ffn_mean"] == 768);
    CHECK(fb["ffn_max"] == 1024);
    CHECK(bias(b, BiasProperty::UniqueOps) == 3);
    CHECK_FALSE(encodeArchitecture(b).has_value());
}

TEST_CASE("graph features decode every architecture of every real task", "[proxy_cache][graph]") {
    for (auto const* t : realBenchmark().tasks()) {
        if (t->collection == "nb201_full") continue;  // 9,445 cells of the same space as nb201/cifar10
        auto const features = graphFeatureTable(*t);
        CHECK(features.values.rows() == static_cast<Eigen::Index>(t->size()));
        CHECK(features.values.allFinite());
    }
}

TEST_CASE("bias properties reproduce issue 15's reference correlations on nb201/cifar10", "[proxy_cache][graph]") {
    auto const& table = realBenchmark().task("nb201/cifar10");
    std::vector<double> cellSize;
    for (auto const& arch : table.archs) cellSize.push_back(bias(decodeArchitecture(table.space, arch, table.id()), BiasProperty::CellSize));
    auto const synflow = table.column("synflow");
    std::vector<double> acc(table.accuracy.begin(), table.accuracy.end());
    CHECK(table.size() == 725);
    CHECK(zcgp::fitness::pearson(synflow, cellSize) == Approx(0.527).margin(0.01));
    CHECK(zcgp::fitness::pearson(acc, cellSize) == Approx(0.146).margin(0.01));
    CHECK(zcgp::fitness::kendallTau(synflow, cellSize) == Approx(0.417).margin(0.01));
}

TEST_CASE("a malformed key is one error naming the task and the key", "[proxy_cache][graph]") {
    auto const err = [](SearchSpace s, std::string key) { return errorOf([&] { (void)decodeArchitecture(s, keyOnly(key), "nb201/mine"); }); };
    CHECK(err(SearchSpace::NB201, "(0, 1, 2)") == "task nb201/mine: architecture '(0, 1, 2)': 3 op codes, a cell has 6 edges");
    CHECK(err(SearchSpace::NB201, "(0, 1, 2, 3, 4, 5)") ==
          "task nb201/mine: architecture '(0, 1, 2, 3, 4, 5)': op code 5 at position 5 (valid: 0..4)");
    CHECK(err(SearchSpace::TNB101Micro, "(0, 1, 2, 3, 3, 4)").find("op code 4 at position 5 (valid: 0..3)") != std::string::npos);
    CHECK(err(SearchSpace::NB201, "abc").find("not a flat tuple") != std::string::npos);
    CHECK(err(SearchSpace::NB301, "(((0, 0), (1, 5)), ((1, 0), (0, 2)))").find("not a DARTS genotype") != std::string::npos);
    CHECK(err(SearchSpace::NB301, "(((0, 0), (2, 5), (1, 1), (0, 1), (1, 3), (0, 3), (1, 3), (3, 2)), "
                                  "((1, 0), (0, 2), (1, 3), (0, 3), (3, 0), (0, 1), (2, 0), (3, 6)))")
              .find("normal cell edge 1 feeds node 2 from node 2") != std::string::npos);
    CHECK(err(SearchSpace::NB101, "(0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1)").find("below the diagonal") != std::string::npos);
    CHECK(err(SearchSpace::TNB101Macro, "(1, 2, 5, 0, 0, 0)").find("block code 5") != std::string::npos);
    CHECK(err(SearchSpace::Table, "17").find("a known search space") != std::string::npos);
    CHECK(err(SearchSpace::FlexiBERT, "17").find("no layer configuration") != std::string::npos);
}

TEST_CASE("undefined bias properties and encodings are reported as such", "[proxy_cache][graph]") {
    for (auto p : kBiasProperties) {
        CHECK(biasPropertyDefined(SearchSpace::NB201, p));
        CHECK_FALSE(biasPropertyDefined(SearchSpace::Table, p));
    }
    CHECK_FALSE(biasPropertyDefined(SearchSpace::NB101, BiasProperty::NumSkip));
    CHECK_FALSE(encodingNames(SearchSpace::Table).has_value());
    CHECK(graphFeatureNames(SearchSpace::Table).empty());
}
