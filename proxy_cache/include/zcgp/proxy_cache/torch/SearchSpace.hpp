#pragma once
// Architecture keys and datasets of the search spaces zcgp can build natively (LibTorch-free part).
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace zcgp::proxy_cache {

// NAS-Bench-201 cell: one op index per edge in NASLib's tuple order, which lists edges by source node:
// (1<-0), (2<-0), (3<-0), (2<-1), (3<-1), (3<-2) (NASLib's edge_list ((1,2),(1,3),(1,4),(2,3),(2,4),(3,4))).
// The NB201 string lists them by target node instead: (1<-0) | (2<-0) (2<-1) | (3<-0) (3<-1) (3<-2), so tuple
// positions 2 and 3 swap between the two. Checked on the data: the suite's val_accuracy agrees with NB201's
// test accuracy at Spearman 0.98 under this mapping and 0.75 under the by-target reading (see docs/proxies.md).
// Op indices: 0 skip_connect, 1 none, 2 nor_conv_3x3, 3 nor_conv_1x1, 4 avg_pool_3x3.
using Nb201Cell = std::array<int, 6>;
inline constexpr std::array<int, 6> kNb201EdgeFrom = {0, 0, 0, 1, 1, 2};
inline constexpr std::array<int, 6> kNb201EdgeTo = {1, 2, 3, 2, 3, 3};
// Tuple position of the k-th edge of the NB201 string (a self-inverse permutation).
inline constexpr std::array<int, 6> kNb201StringToTuple = {0, 1, 3, 2, 4, 5};

inline constexpr std::array<std::string_view, 5> kNb201OpNames = {"skip_connect", "none", "nor_conv_3x3",
                                                                  "nor_conv_1x1", "avg_pool_3x3"};

// Parses the NASLib tuple "(0, 2, 3, 2, 3, 1)" or the NB201 string "|nor_conv_3x3~0|+|...|".
// Throws std::invalid_argument naming the key for a wrong length, an unknown op or a malformed key.
[[nodiscard]] Nb201Cell parseNb201Cell(std::string const& key);
[[nodiscard]] std::string nb201TupleKey(Nb201Cell const& cell);   // "(0, 2, 3, 2, 3, 1)"
[[nodiscard]] std::string nb201ArchString(Nb201Cell const& cell); // "|skip_connect~0|+|...|"

// Image dataset a network is scored on. Throws std::invalid_argument naming the dataset if unknown.
struct DatasetSpec {
    std::string name;       // cifar10 | cifar100 | ImageNet16-120
    int numClasses = 10;
    int resolution = 32;    // input height = width
};
[[nodiscard]] DatasetSpec datasetSpec(std::string const& name);

// The pass that computes a proxy (one function per family in the space's pipeline, sharing a pass context).
enum class ProxyFamily { Counting, ForwardRecords, Kernels, Jacobian, GradientTerms, Synflow, Zen };
[[nodiscard]] std::string_view familyName(ProxyFamily family);

// One native proxy: its name, the family that computes it, and the spaces it applies to.
struct ProxySpec {
    std::string_view name;
    ProxyFamily family;
    std::vector<std::string_view> spaces;
};
// Every native proxy of every space.
[[nodiscard]] std::vector<ProxySpec> const& proxyCatalogue();

// The 13 NAS-Bench-Suite-Zero proxies (NB201), in alphabetical order.
[[nodiscard]] std::vector<std::string> const& proxyNames();
// The proxies that apply to a native space, in alphabetical order; throws std::invalid_argument for another space.
[[nodiscard]] std::vector<std::string> const& proxyNames(std::string_view space);
// Splits "a,b" (or "all") into proxy names of the space; throws std::invalid_argument naming an unknown proxy, or
// one that does not apply to the space (saying what replaces it there, where something does).
[[nodiscard]] std::vector<std::string> parseProxyList(std::string const& list, std::string_view space = "nb201");
// Search spaces with a native network ("nb201", "flexibert").
[[nodiscard]] std::vector<std::string> const& nativeSpaces();
// The datasets (task names) of a native space: nb201 cifar10, cifar100, ImageNet16-120; flexibert glue.
[[nodiscard]] std::vector<std::string> const& spaceDatasets(std::string_view space);
// The canonical key of an architecture of a native space: the NASLib tuple for nb201, the decimal benchmark ID for
// flexibert ("017" -> "17"). Checks the form only (whether the ID exists is the scorer's check); throws
// std::invalid_argument naming the key.
[[nodiscard]] std::string canonicalSpaceKey(std::string_view space, std::string const& key);

// FlexiBERT: the native proxies' columns in the benchmark's BERT_results_activation_lpzero.csv.
[[nodiscard]] std::string_view flexibertStoredColumn(std::string_view proxy);

}  // namespace zcgp::proxy_cache
