// The analyses' view of the architecture decoding library (zcgp/proxy_cache/ArchitectureGraph.hpp).
#include "zcgp/analysis/ArchitectureFeatures.hpp"

#include <limits>

#include <fmt/format.h>

#include "zcgp/proxy_cache/ArchitectureGraph.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace zcgp::analysis {

namespace pc = zcgp::proxy_cache;

namespace {
std::vector<pc::ArchitectureGraph> decodeAll(pc::ProxyTable const& table) {
    std::vector<pc::ArchitectureGraph> out;
    out.reserve(table.size());
    for (std::size_t r = 0; r < table.size(); ++r) out.push_back(pc::decodeArchitecture(table, r));
    return out;
}

std::vector<std::size_t> rowsOf(pc::ProxyTable const& table, std::vector<std::string> const& keys) {
    std::vector<std::size_t> rows;
    for (auto const& k : keys) {
        auto const r = table.findArchitecture(k);
        if (!r) throw pc::DataError(fmt::format("{}: no architecture '{}'", table.id(), k));
        rows.push_back(*r);
    }
    return rows;
}

std::string noGraphReason(pc::ProxyTable const& table) {
    return fmt::format("{} architectures are ids only: zcgp cannot decode them", table.id());
}
}  // namespace

std::vector<Property> spaceProperties(pc::ProxyTable const& table) {
    std::vector<Property> out;
    bool const decodable = pc::hasArchitectureGraph(table.space);
    std::vector<pc::ArchitectureGraph> graphs;
    if (decodable) graphs = decodeAll(table);
    for (auto const property : pc::kBiasProperties) {
        Property p;
        p.name = std::string(pc::toString(property));
        if (!decodable) {
            p.undefinedReason = noGraphReason(table);
        } else if (!pc::biasPropertyDefined(table.space, property)) {
            p.undefinedReason = fmt::format("not defined for {} (docs/data.md)", pc::toString(table.space));
        } else {
            for (auto const& g : graphs) {
                p.values.push_back(pc::biasProperty(g, property).value_or(std::numeric_limits<double>::quiet_NaN()));
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

FeatureMatrix encodingFeatures(pc::ProxyTable const& table, std::vector<std::string> const& keys) {
    FeatureMatrix m;
    if (!pc::hasArchitectureGraph(table.space)) {
        m.undefinedReason = noGraphReason(table);
        return m;
    }
    auto names = pc::encodingNames(table.space);
    if (!names) {
        m.undefinedReason = fmt::format("NASLib has no encoding for {}", pc::toString(table.space));
        return m;
    }
    m.names = *names;
    auto const rows = rowsOf(table, keys);
    m.values.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(m.names.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto const e = pc::encodeArchitecture(pc::decodeArchitecture(table, rows[i]));
        if (!e || e->size() != m.names.size()) {
            throw pc::DataError(fmt::format("{}: architecture '{}' has no encoding of {} values", table.id(), keys[i],
                                            m.names.size()));
        }
        for (std::size_t c = 0; c < e->size(); ++c) m.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = (*e)[c];
    }
    return m;
}

FeatureMatrix graphFeatures(pc::ProxyTable const& table, std::vector<std::string> const& keys) {
    FeatureMatrix m;
    if (!pc::hasArchitectureGraph(table.space)) {
        m.undefinedReason = noGraphReason(table);
        return m;
    }
    m.names = pc::graphFeatureNames(table.space);
    auto const rows = rowsOf(table, keys);
    m.values.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(m.names.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto const f = pc::graphFeatures(pc::decodeArchitecture(table, rows[i]));
        for (std::size_t c = 0; c < f.size() && c < m.names.size(); ++c) {
            m.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = f[c];
        }
    }
    return m;
}

}  // namespace zcgp::analysis
