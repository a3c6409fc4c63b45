#pragma once
// What the analyses need from the architecture decoding library (zcgp/proxy_cache/ArchitectureGraph.hpp): the
// suite's bias properties, a NASLib-style encoding and graph features, per architecture of a task. Where a space
// defines none, the result says why instead of failing.
#include <string>
#include <vector>

#include <Eigen/Core>

#include "zcgp/analysis/Bias.hpp"
#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::analysis {

struct FeatureMatrix {
    Eigen::MatrixXd values;          // rows = the requested architectures
    std::vector<std::string> names;  // columns
    std::string undefinedReason;     // non-empty: no such features for this space
    [[nodiscard]] bool defined() const { return undefinedReason.empty(); }
};

// The suite's cell properties (cell_size, num_skip, conv_minus_pool, large_kernels, unique_ops) of every
// architecture of the table, in that order; undefined ones carry the reason.
[[nodiscard]] std::vector<Property> spaceProperties(proxy_cache::ProxyTable const& table);

// NASLib's encoding of the architectures with the given keys (one-hot ops for cell spaces, adjacency + ops for
// NB101 and NB301).
[[nodiscard]] FeatureMatrix encodingFeatures(proxy_cache::ProxyTable const& table, std::vector<std::string> const& keys);

// Graph features (GRAF-style) of the architectures with the given keys.
[[nodiscard]] FeatureMatrix graphFeatures(proxy_cache::ProxyTable const& table, std::vector<std::string> const& keys);

}  // namespace zcgp::analysis
