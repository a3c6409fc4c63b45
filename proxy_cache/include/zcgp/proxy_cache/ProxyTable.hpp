#pragma once
// One NAS-Bench-Suite-Zero task: architectures, cached proxy scores (column-major) and ground truth.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

namespace zcgp::proxy_cache {

enum class SearchSpace { NB101, NB201, NB301, TNB101Micro, TNB101Macro };

[[nodiscard]] std::string_view toString(SearchSpace space);
// Accepts the short names nb101, nb201, nb301, tnb101_micro, tnb101_macro; throws listing them otherwise.
[[nodiscard]] SearchSpace parseSearchSpace(std::string_view name);
[[nodiscard]] std::vector<std::string> allSearchSpaceNames();

// The 13 proxies of NAS-Bench-Suite-Zero, in alphabetical order.
[[nodiscard]] std::vector<std::string> const& suiteProxyNames();

struct Architecture {
    std::string key;        // the NASLib key exactly as stored, e.g. "(0, 2, 3, 2, 3, 1)"
    std::vector<int> ops;   // parsed op indices per cell edge (NB201, TNB101 micro/macro); empty otherwise
};

class ProxyTable {
public:
    SearchSpace space{SearchSpace::NB201};
    std::string task;                    // e.g. "cifar10", "segmentsemantic"
    std::filesystem::path source;        // the file it was read from
    std::vector<Architecture> archs;
    std::vector<std::string> proxies;    // column names, alphabetical
    Eigen::MatrixXd scores;              // archs x proxies, column-major; NaN where missing
    Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> present;  // mask: false where missing
    Eigen::VectorXd accuracy;            // ground truth (val_accuracy), higher is better

    // "space/task", e.g. "nb201/cifar10".
    [[nodiscard]] std::string id() const;
    [[nodiscard]] std::size_t size() const { return archs.size(); }
    [[nodiscard]] std::optional<std::size_t> proxyIndex(std::string_view name) const;
    // Column of a proxy (NaN where missing). Throws naming the task and listing the proxies if absent.
    [[nodiscard]] std::span<double const> column(std::string_view name) const;
    [[nodiscard]] std::size_t missingCount(std::size_t proxyColumn) const;
    [[nodiscard]] std::optional<std::size_t> findArchitecture(std::string_view key) const;
};

}  // namespace zcgp::proxy_cache
