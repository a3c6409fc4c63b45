// ParZC's input: the node-wise statistics of a cache as a fixed-length matrix (NB201 layer slots, node slots).
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "zcgp/proxy_cache/torch/ParZC.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace zcgp::proxy_cache::parzc {

std::vector<std::string> const& defaultKinds() {
    static std::vector<std::string> const kinds{"grad_l2", "snip_layer", "synflow_layer"};
    return kinds;
}

std::vector<std::size_t> nb201LayerSlots(std::string const& archKey) {
    auto const cell = parseNb201Cell(archKey);
    // ops 2 (nor_conv_3x3) and 3 (nor_conv_1x1) are the edges with a conv layer
    auto const isConv = [](int op) { return op == 2 || op == 3; };
    std::vector<std::size_t> slots{0};  // stem
    std::size_t next = 1;
    for (std::size_t c = 0; c < 15; ++c) {
        for (std::size_t e = 0; e < 6; ++e) {
            if (isConv(cell[e])) slots.push_back(next + e);
        }
        next += 6;
        if (c == 4 || c == 9) {  // the reduction block: conv_a, conv_b, shortcut conv
            for (std::size_t k = 0; k < 3; ++k) slots.push_back(next++);
        }
    }
    slots.push_back(next);  // classifier
    return slots;
}

FeatureMatrix FeatureMatrix::subset(std::span<std::size_t const> rowsWanted) const {
    FeatureMatrix out;
    out.kinds = kinds;
    out.cols = cols;
    out.keys.reserve(rowsWanted.size());
    out.values.reserve(rowsWanted.size() * cols);
    for (auto r : rowsWanted) {
        if (r >= rows()) throw std::out_of_range(fmt::format("FeatureMatrix::subset: row {} of {}", r, rows()));
        out.keys.push_back(keys[r]);
        auto const v = row(r);
        out.values.insert(out.values.end(), v.begin(), v.end());
    }
    return out;
}

namespace {

// Lays out one architecture's statistics (values[k] of kinds[k]) into its row of `cols` columns: a per-node
// statistic keeps its 45 values, a per-layer one goes to the cell's layer slots. `where` names the source in errors.
void fillRow(std::string const& where, std::string const& key, std::vector<std::string> const& kinds,
             std::vector<std::span<double const>> const& values, std::vector<std::size_t> const& width,
             std::vector<std::size_t> const& offset, double* row) {
    std::vector<std::size_t> slots;
    try {
        slots = nb201LayerSlots(key);
    } catch (std::invalid_argument const& e) {
        throw ParzcError(fmt::format("{}: architecture {}: {}", where, key, e.what()));
    }
    for (std::size_t k = 0; k < kinds.size(); ++k) {
        auto const v = values[k];
        double* dst = row + offset[k];
        if (width[k] == kNb201NodeSlots) {
            if (v.size() != kNb201NodeSlots) {
                throw ParzcError(fmt::format("{}: architecture {}: per-node statistic '{}' has {} values, not {}",
                                             where, key, kinds[k], v.size(), kNb201NodeSlots));
            }
            std::copy(v.begin(), v.end(), dst);
        } else {
            if (v.size() != slots.size()) {
                throw ParzcError(fmt::format("{}: architecture {}: statistic '{}' has {} values, but the cell has {} "
                                             "conv/linear layers", where, key, kinds[k], v.size(), slots.size()));
            }
            for (std::size_t i = 0; i < v.size(); ++i) dst[slots[i]] = v[i];
        }
    }
}

void checkKindList(std::vector<std::string> const& kinds) {
    if (kinds.empty()) throw ParzcError("ParZC needs at least one statistic kind");
    for (auto const& k : kinds) {
        if (std::count(kinds.begin(), kinds.end(), k) > 1) {
            throw ParzcError(fmt::format("statistic kind '{}' is listed twice", k));
        }
    }
}

// Column blocks: a per-node statistic (45 values for every cell; a per-layer one has 1 + 15c + 7, never 45) takes
// 45 columns, a per-layer one 98.
void layout(FeatureMatrix& out, std::vector<std::size_t> const& firstSizes, std::vector<std::size_t>& width,
            std::vector<std::size_t>& offset) {
    for (auto const n : firstSizes) {
        offset.push_back(out.cols);
        width.push_back(n == kNb201NodeSlots ? kNb201NodeSlots : kNb201LayerSlots);
        out.cols += width.back();
    }
}

}  // namespace

FeatureMatrix buildFeatures(StatisticsCache const& cache, std::vector<std::string> const& kinds) {
    auto const source = cache.source().string();
    if (cache.options().space != "nb201") {
        throw ParzcError(fmt::format("{}: gathered for space '{}'; ParZC's layer layout is defined for nb201 only",
                                     source, cache.options().space));
    }
    checkKindList(kinds);
    std::vector<RaggedStatistic const*> stats;
    for (auto const& k : kinds) {
        auto const it = std::find_if(cache.statistics().begin(), cache.statistics().end(),
                                     [&](RaggedStatistic const& s) { return s.name == k; });
        if (it == cache.statistics().end()) {
            std::vector<std::string> names;
            for (auto const& s : cache.statistics()) names.push_back(s.name);
            throw ParzcError(fmt::format("{}: the cache has no statistic '{}' (it has: {})", source, k,
                                         names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
        }
        stats.push_back(&*it);
    }
    FeatureMatrix out;
    out.kinds = kinds;
    std::vector<std::size_t> width, offset, first;
    for (auto const* s : stats) first.push_back(cache.size() > 0 ? s->row(0).size() : 0);
    layout(out, first, width, offset);
    out.keys = cache.architectures();
    out.values.assign(out.keys.size() * out.cols, 0.0);
    std::vector<std::span<double const>> values(stats.size());
    for (std::size_t a = 0; a < out.keys.size(); ++a) {
        for (std::size_t k = 0; k < stats.size(); ++k) values[k] = stats[k]->row(a);
        fillRow(source, out.keys[a], kinds, values, width, offset, out.values.data() + a * out.cols);
    }
    return out;
}

FeatureMatrix measuredFeatures(std::span<ArchitectureMeasurement const> measurements,
                               std::vector<std::string> const& kinds) {
    checkKindList(kinds);
    FeatureMatrix out;
    out.kinds = kinds;
    if (measurements.empty()) return out;
    auto const find = [&](ArchitectureMeasurement const& m, std::string const& k) {
        auto const it = std::find_if(m.statistics.begin(), m.statistics.end(),
                                     [&](LayerStatistic const& s) { return s.name == k; });
        if (it == m.statistics.end()) {
            throw ParzcError(fmt::format("measurement of {}: no statistic '{}'", m.archKey, k));
        }
        return std::span<double const>(it->values);
    };
    std::vector<std::size_t> width, offset, first;
    for (auto const& k : kinds) first.push_back(find(measurements[0], k).size());
    layout(out, first, width, offset);
    out.values.assign(measurements.size() * out.cols, 0.0);
    std::vector<std::span<double const>> values(kinds.size());
    for (std::size_t a = 0; a < measurements.size(); ++a) {
        auto const& m = measurements[a];
        out.keys.push_back(m.archKey);
        for (std::size_t k = 0; k < kinds.size(); ++k) values[k] = find(m, kinds[k]);
        fillRow("measurement", m.archKey, kinds, values, width, offset, out.values.data() + a * out.cols);
    }
    return out;
}

}  // namespace zcgp::proxy_cache::parzc
