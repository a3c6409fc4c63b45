#pragma once
// One task: architectures, cached proxy scores (column-major) and ground truth. A task comes from a suite file,
// a NASLib benchmark-list folder, a CSV table (the full NB201 tables, FlexiBERT, a researcher's own) or a merge.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

namespace zcgp::proxy_cache {

// The architecture space of a task. FlexiBERT is the language-model space of ../shared/lm; Table is a
// researcher's own table, whose architectures zcgp knows only by their ids.
enum class SearchSpace { NB101, NB201, NB301, TNB101Micro, TNB101Macro, FlexiBERT, Table };

[[nodiscard]] std::string_view toString(SearchSpace space);
// Accepts the short names nb101, nb201, nb301, tnb101_micro, tnb101_macro, flexibert, table; throws listing them.
[[nodiscard]] SearchSpace parseSearchSpace(std::string_view name);
[[nodiscard]] std::vector<std::string> allSearchSpaceNames();

// The 13 proxies of NAS-Bench-Suite-Zero, in alphabetical order.
[[nodiscard]] std::vector<std::string> const& suiteProxyNames();

// One encoder layer of a FlexiBERT architecture (BERT_benchmark.json's nas_config.encoder_layers).
struct FlexiBertLayer {
    std::string operationType;       // SA self-attention, LT linear transform, DSC dynamic span convolution
    std::string operationParameter;  // e.g. SDP, WMA (SA); DFT, DCT (LT); the kernel size (DSC)
    int heads{0};                    // num_operation_heads
    int feedForwardDimension{0};
    int feedForwardCount{0};         // num_feed_forward
    friend bool operator==(FlexiBertLayer const&, FlexiBertLayer const&) = default;
};

struct FlexiBertConfig {
    int hiddenSize{0};
    std::vector<FlexiBertLayer> layers;
    friend bool operator==(FlexiBertConfig const&, FlexiBertConfig const&) = default;
};

// How a table's cell keys spell the ops of a TransNAS-Bench-101 micro cell (docs/data.md, "Architecture keys"):
// Suite: zc_transbench101_micro.json's TransNAS-Bench-101 codes (0 none, 1 skip, 2 conv1x1, 3 conv3x3), edges by target
// node (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2); Naslib: NASLib's op indices as its benchmark lists (nb360/)
// write them (0 skip, 1 none, 2 conv3x3, 3 conv1x1), edges by source node as in NB201. NB201 keys are the same in both.
enum class KeyEncoding { Suite, Naslib };

struct Architecture {
    std::string key;        // canonical key (canonicalArchKey), e.g. "(0, 2, 3, 2, 3, 1)"; a table's id
    std::vector<int> ops;   // parsed op indices per cell edge (NB201, TNB101 micro/macro); empty otherwise
    std::optional<FlexiBertConfig> flexibert;  // the layer configuration, for FlexiBERT architectures
};

// The collection of a researcher's table that declares the space of its keys (--table-space): its id stays
// "table:<stem>".
inline constexpr char const* kTableCollection = "table";

class ProxyTable {
public:
    SearchSpace space{SearchSpace::NB201};
    std::string collection;              // the id's first part when it is not the space's name ("nb201_full")
    std::string task;                    // e.g. "cifar10", "segmentsemantic"; a table's file stem
    std::filesystem::path source;        // the file it was read from
    std::vector<Architecture> archs;
    std::vector<std::string> proxies;    // column names, alphabetical (terminal names: identifiers)
    std::map<std::string, std::string> columnNames;  // terminal name -> the CSV's column name, where they differ
    Eigen::MatrixXd scores;              // archs x proxies, column-major; NaN where missing
    Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> present;  // mask: false where missing
    Eigen::VectorXd accuracy;            // ground truth, higher is better (negated target if targetNegated)
    std::string target{"val_accuracy"};  // the ground-truth column it came from
    bool targetNegated{false};           // a lower-is-better target (loss, perplexity), stored negated
    KeyEncoding keyEncoding{KeyEncoding::Suite};  // how cell keys are spelled (TransNAS micro differs)
    // median recorded seconds to compute each proxy for one architecture (the suite's "time"), where recorded
    std::map<std::string, double> proxySeconds;

    // "space/task" ("nb201/cifar10", "nb201_full/cifar10", "flexibert/glue"); "table:<stem>" for a table (also one
    // that declares its space: collection kTableCollection).
    [[nodiscard]] std::string id() const;
    [[nodiscard]] std::size_t size() const { return archs.size(); }
    [[nodiscard]] std::optional<std::size_t> proxyIndex(std::string_view name) const;
    // Column of a proxy (NaN where missing). Throws naming the task and listing the proxies if absent.
    [[nodiscard]] std::span<double const> column(std::string_view name) const;
    [[nodiscard]] std::size_t missingCount(std::size_t proxyColumn) const;
    [[nodiscard]] std::optional<std::size_t> findArchitecture(std::string_view key) const;
    // Drops a proxy column (no-op if absent); returns whether it was there.
    bool dropProxy(std::string_view name);
    // Adds or replaces a proxy column, keeping the columns sorted by name; `values` has one entry per arch.
    void setProxy(std::string const& name, Eigen::VectorXd const& values);
};

}  // namespace zcgp::proxy_cache
