#include "zcgp/proxy_cache/ProxyTable.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace zcgp::proxy_cache {

namespace {
struct SpaceName {
    SearchSpace space;
    std::string_view name;
};
constexpr std::array<SpaceName, 7> kSpaceNames{{
    {SearchSpace::NB101, "nb101"},
    {SearchSpace::NB201, "nb201"},
    {SearchSpace::NB301, "nb301"},
    {SearchSpace::TNB101Micro, "tnb101_micro"},
    {SearchSpace::TNB101Macro, "tnb101_macro"},
    {SearchSpace::FlexiBERT, "flexibert"},
    {SearchSpace::Table, "table"},
}};
}  // namespace

std::string_view toString(SearchSpace space) {
    for (auto const& s : kSpaceNames) {
        if (s.space == space) {
            return s.name;
        }
    }
    throw std::logic_error("unhandled SearchSpace value");
}

SearchSpace parseSearchSpace(std::string_view name) {
    for (auto const& s : kSpaceNames) {
        if (s.name == name) {
            return s.space;
        }
    }
    throw std::invalid_argument(
        fmt::format("unknown search space '{}' (valid: {})", name, fmt::join(allSearchSpaceNames(), ", ")));
}

std::vector<std::string> allSearchSpaceNames() {
    std::vector<std::string> names;
    for (auto const& s : kSpaceNames) {
        names.emplace_back(s.name);
    }
    return names;
}

std::vector<std::string> const& suiteProxyNames() {
    static const std::vector<std::string> names{"epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm",
                                                "nwot",    "params", "plain", "snip",  "synflow",   "zen"};
    return names;
}

std::string ProxyTable::id() const {
    if ((space == SearchSpace::Table && collection.empty()) || collection == kTableCollection) {
        return fmt::format("table:{}", task);
    }
    return fmt::format("{}/{}", collection.empty() ? toString(space) : std::string_view(collection), task);
}

bool ProxyTable::dropProxy(std::string_view name) {
    auto const index = proxyIndex(name);
    if (!index) return false;
    auto const c = static_cast<Eigen::Index>(*index);
    auto const right = scores.cols() - c - 1;
    Eigen::MatrixXd narrowed(scores.rows(), scores.cols() - 1);
    narrowed.leftCols(c) = scores.leftCols(c);
    narrowed.rightCols(right) = scores.rightCols(right);
    scores = std::move(narrowed);
    proxies.erase(proxies.begin() + static_cast<std::ptrdiff_t>(*index));
    present = scores.array().isFinite();
    return true;
}

void ProxyTable::setProxy(std::string const& name, Eigen::VectorXd const& values) {
    if (static_cast<std::size_t>(values.size()) != archs.size()) {
        throw std::invalid_argument(fmt::format("task {}: proxy '{}' has {} values for {} architectures", id(), name,
                                                values.size(), archs.size()));
    }
    if (auto const existing = proxyIndex(name)) {
        scores.col(static_cast<Eigen::Index>(*existing)) = values;
    } else {
        auto const pos = static_cast<Eigen::Index>(std::lower_bound(proxies.begin(), proxies.end(), name) - proxies.begin());
        auto const n = static_cast<Eigen::Index>(archs.size());
        Eigen::MatrixXd widened(n, scores.cols() + 1);
        widened.leftCols(pos) = scores.leftCols(pos);
        widened.col(pos) = values;
        widened.rightCols(scores.cols() - pos) = scores.rightCols(scores.cols() - pos);
        scores = std::move(widened);
        proxies.insert(proxies.begin() + pos, name);
    }
    present = scores.array().isFinite();
}

std::optional<std::size_t> ProxyTable::proxyIndex(std::string_view name) const {
    auto it = std::find(proxies.begin(), proxies.end(), name);
    if (it == proxies.end()) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - proxies.begin());
}

std::span<double const> ProxyTable::column(std::string_view name) const {
    auto index = proxyIndex(name);
    if (!index) {
        throw std::invalid_argument(fmt::format("task {} has no proxy '{}' (available: {})", id(), name,
                                                fmt::join(proxies, ", ")));
    }
    return {scores.col(static_cast<Eigen::Index>(*index)).data(), archs.size()};
}

std::size_t ProxyTable::missingCount(std::size_t proxyColumn) const {
    return archs.size() - static_cast<std::size_t>(present.col(static_cast<Eigen::Index>(proxyColumn)).count());
}

std::optional<std::size_t> ProxyTable::findArchitecture(std::string_view key) const {
    for (std::size_t i = 0; i < archs.size(); ++i) {
        if (archs[i].key == key) {
            return i;
        }
    }
    return std::nullopt;
}

}  // namespace zcgp::proxy_cache
