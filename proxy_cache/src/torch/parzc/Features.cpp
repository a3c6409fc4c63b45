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

FeatureMatrix buildFeatures(StatisticsCache const& cache, std::vector<std::string> const& kinds) {
    auto const source = cache.source().string();
    if (cache.options().space != "nb201") {
        throw ParzcError(fmt::format("{}: gathered for space '{}'; ParZC's layer layout is defined for nb201 only",
                                     source, cache.options().space));
    }
    if (kinds.empty()) throw ParzcError("ParZC needs at least one statistic kind");
    std::vector<RaggedStatistic const*> stats;
    for (auto const& k : kinds) {
        if (std::count(kinds.begin(), kinds.end(), k) > 1) {
            throw ParzcError(fmt::format("statistic kind '{}' is listed twice", k));
        }
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
    std::vector<std::size_t> width, offset;
    for (auto const* s : stats) {
        // a per-node statistic has 45 values for every cell; a per-layer one has 1 + 15c + 7, never 45
        bool const perNode = cache.size() > 0 && s->row(0).size() == kNb201NodeSlots;
        offset.push_back(out.cols);
        width.push_back(perNode ? kNb201NodeSlots : kNb201LayerSlots);
        out.cols += width.back();
    }
    out.keys = cache.architectures();
    out.values.assign(out.keys.size() * out.cols, 0.0);
    for (std::size_t a = 0; a < out.keys.size(); ++a) {
        std::vector<std::size_t> slots;
        try {
            slots = nb201LayerSlots(out.keys[a]);
        } catch (std::invalid_argument const& e) {
            throw ParzcError(fmt::format("{}: architecture {}: {}", source, out.keys[a], e.what()));
        }
        for (std::size_t k = 0; k < stats.size(); ++k) {
            auto const v = stats[k]->row(a);
            double* dst = out.values.data() + a * out.cols + offset[k];
            if (width[k] == kNb201NodeSlots) {
                if (v.size() != kNb201NodeSlots) {
                    throw ParzcError(fmt::format("{}: architecture {}: per-node statistic '{}' has {} values, not {}",
                                                 source, out.keys[a], kinds[k], v.size(), kNb201NodeSlots));
                }
                std::copy(v.begin(), v.end(), dst);
            } else {
                if (v.size() != slots.size()) {
                    throw ParzcError(fmt::format("{}: architecture {}: statistic '{}' has {} values, but the cell has {} "
                                                 "conv/linear layers", source, out.keys[a], kinds[k], v.size(),
                                                 slots.size()));
                }
                for (std::size_t i = 0; i < v.size(); ++i) dst[slots[i]] = v[i];
            }
        }
    }
    return out;
}

}  // namespace zcgp::proxy_cache::parzc
