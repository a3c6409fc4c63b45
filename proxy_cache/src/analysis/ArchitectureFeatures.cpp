#include "zcgp/analysis/ArchitectureFeatures.hpp"

#include <fmt/format.h>

namespace zcgp::analysis {

namespace {
// The decoding library is written on another branch (quality); until it is merged, no space has these.
constexpr char const* kPending = "needs the architecture decoding library (proxy_cache ArchitectureGraph), not in this build";
}  // namespace

std::vector<Property> spaceProperties(proxy_cache::ProxyTable const& /*table*/) {
    std::vector<Property> out;
    for (auto const* name : {"cell_size", "num_skip", "conv_minus_pool", "large_kernels", "unique_ops"}) {
        out.push_back({name, {}, kPending});
    }
    return out;
}

FeatureMatrix encodingFeatures(proxy_cache::ProxyTable const& /*table*/, std::vector<std::string> const& /*keys*/) {
    return {{}, {}, kPending};
}

FeatureMatrix graphFeatures(proxy_cache::ProxyTable const& /*table*/, std::vector<std::string> const& /*keys*/) {
    return {{}, {}, kPending};
}

}  // namespace zcgp::analysis
