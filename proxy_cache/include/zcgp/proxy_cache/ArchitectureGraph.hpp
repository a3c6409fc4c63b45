#pragma once
// Architecture keys decoded into typed structures, and what is computed from the structure alone: GRAF-style graph
// features (Kadlecova et al., ICML 2024), the NAS-Bench-Suite-Zero bias properties and NASLib-style encodings.
// Torch-free; the encodings are those of ../shared/nbsz/README.md and docs/data.md ("Architecture graphs").
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <Eigen/Core>

#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::proxy_cache {

// ---- NB201 and TransNAS-Bench-101 micro: ops on the 6 edges of a 4-node DAG (node 0 input, node 3 output) ----
enum class CellOp { None, Skip, Conv1x1, Conv3x3, AvgPool3x3 };
[[nodiscard]] std::string_view toString(CellOp op);  // "none", "skip", "conv1x1", "conv3x3", "avgpool3x3"

struct CellEdge {
    int from{0};
    int to{0};
};
// The edges in one fixed order, (1<-0), (2<-0), (3<-0), (2<-1), (3<-1), (3<-2); MicroCell::ops follows it whatever
// the order of the space's key.
inline constexpr std::array<CellEdge, 6> kCellEdges{{{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}};

struct MicroCell {
    std::array<CellOp, 6> ops{};  // by kCellEdges
    friend bool operator==(MicroCell const&, MicroCell const&) = default;
};
// The NAS-Bench-201 arch string of a cell, "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|...|" (the key of
// nb201/nb201_test_accuracy_200ep.csv). Throws std::invalid_argument for an op NB201 lacks (none here).
[[nodiscard]] std::string nb201ArchString(MicroCell const& cell);

// ---- NB101: a DAG of up to 7 nodes with ops on the nodes (node 0 input, the last node output) ----
enum class Nb101Op { Input, Output, MaxPool3x3, Conv1x1, Conv3x3 };  // NASLib's codes 0..4
[[nodiscard]] std::string_view toString(Nb101Op op);

struct Nb101Cell {
    std::vector<std::vector<bool>> adjacency;  // adjacency[i][j]: an edge i -> j (upper triangular)
    std::vector<Nb101Op> ops;                  // one per node
    friend bool operator==(Nb101Cell const&, Nb101Cell const&) = default;
};

// ---- NB301 (DARTS): two cells of 4 intermediate nodes, each fed by two (input node, op) edges ----
enum class DartsOp { MaxPool3x3, AvgPool3x3, Skip, SepConv3x3, SepConv5x5, DilConv3x3, DilConv5x5 };  // codes 0..6
inline constexpr std::size_t kDartsOpCount = 7;
[[nodiscard]] std::string_view toString(DartsOp op);

struct DartsEdge {
    int input{0};  // 0 = c_{k-2}, 1 = c_{k-1}, 2..5 = intermediate node input-2
    DartsOp op{DartsOp::Skip};
    friend bool operator==(DartsEdge const&, DartsEdge const&) = default;
};
// edges[2k] and edges[2k+1] feed intermediate node k+2; every intermediate node is concatenated into the output.
struct DartsCell {
    std::array<DartsEdge, 8> edges{};
    friend bool operator==(DartsCell const&, DartsCell const&) = default;
};
struct DartsGenotype {
    DartsCell normal;
    DartsCell reduce;
    friend bool operator==(DartsGenotype const&, DartsGenotype const&) = default;
};

// ---- TransNAS-Bench-101 macro: six block codes; 0 no module, 1 keep, 2 double channels, 3 halve resolution,
//      4 both ----
struct MacroNet {
    std::array<int, 6> codes{};
    friend bool operator==(MacroNet const&, MacroNet const&) = default;
};

// One architecture of a known space. FlexiBERT's is the layer configuration of BERT_benchmark.json.
struct ArchitectureGraph {
    SearchSpace space{SearchSpace::NB201};
    std::variant<MicroCell, Nb101Cell, DartsGenotype, MacroNet, FlexiBertConfig> structure;
};

// Whether zcgp can decode the architectures of a space (every space but Table, whose ids mean nothing to it).
[[nodiscard]] bool hasArchitectureGraph(SearchSpace space);

// Decodes one architecture. Throws DataError, one line naming the task and the key, for a malformed key (wrong
// length, an unknown op code, an NB101 matrix that is not upper triangular, an NB301 edge from a later node), a
// FlexiBERT architecture without its layer configuration, or a Table space.
[[nodiscard]] ArchitectureGraph decodeArchitecture(SearchSpace space, Architecture const& arch, std::string_view task,
                                                   KeyEncoding encoding = KeyEncoding::Suite);
// The same for one row of a table (its space, key encoding and id).
[[nodiscard]] ArchitectureGraph decodeArchitecture(ProxyTable const& table, std::size_t row);

// ---- Graph features ----
// The names of a space's features, in the order graphFeatures returns them: the same for every architecture of the
// space (empty for Table). Documented in docs/data.md ("Graph features").
[[nodiscard]] std::vector<std::string> const& graphFeatureNames(SearchSpace space);
[[nodiscard]] std::vector<double> graphFeatures(ArchitectureGraph const& graph);

// Every architecture of a table decoded and featurised: archs x graphFeatureNames(table.space). Throws DataError
// naming the task for a Table space (ids only) or for the first malformed key.
struct GraphFeatureTable {
    std::vector<std::string> names;
    Eigen::MatrixXd values;
};
[[nodiscard]] GraphFeatureTable graphFeatureTable(ProxyTable const& table);

// ---- NAS-Bench-Suite-Zero bias properties (num_params is the table's params column, not computed here) ----
enum class BiasProperty { CellSize, NumSkip, ConvMinusPool, LargeKernels, UniqueOps };
inline constexpr std::array<BiasProperty, 5> kBiasProperties{BiasProperty::CellSize, BiasProperty::NumSkip,
                                                            BiasProperty::ConvMinusPool, BiasProperty::LargeKernels,
                                                            BiasProperty::UniqueOps};
[[nodiscard]] std::string_view toString(BiasProperty property);  // "cell_size", "num_skip", ...
// Whether a property is defined for a space (documented per space in docs/data.md); biasProperty is then nullopt.
[[nodiscard]] bool biasPropertyDefined(SearchSpace space, BiasProperty property);
[[nodiscard]] std::optional<double> biasProperty(ArchitectureGraph const& graph, BiasProperty property);
// Every architecture's properties: archs x kBiasProperties (names toString), NaN where undefined for the space.
// Throws DataError as graphFeatureTable.
[[nodiscard]] GraphFeatureTable biasPropertyTable(ProxyTable const& table);

// ---- NASLib-style encodings: one-hot ops per edge (NB201, TNB micro), adjacency + one-hot ops (NB101, NB301),
//      one-hot block codes (TNB macro). nullopt for FlexiBERT and Table, which NASLib does not encode. ----
[[nodiscard]] std::optional<std::vector<std::string>> encodingNames(SearchSpace space);
[[nodiscard]] std::optional<std::vector<double>> encodeArchitecture(ArchitectureGraph const& graph);
// Every architecture's encoding: archs x encodingNames. Throws DataError naming the task where the space has none.
[[nodiscard]] GraphFeatureTable encodingTable(ProxyTable const& table);

}  // namespace zcgp::proxy_cache
