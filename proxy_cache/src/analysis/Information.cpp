// Binned entropies with Boost.Histogram: a variable axis holding numpy's bin edges (so every value lands in the
// bin numpy.digitize gives it) and, for joint entropies, one integer axis per variable over map storage (a
// 5-proxy joint has bins^6 cells, almost all empty).
#include "zcgp/analysis/Information.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include <boost/histogram.hpp>
#include <fmt/format.h>

namespace zcgp::analysis {

namespace bh = boost::histogram;

std::size_t suiteBinCount(std::size_t n) {
    if (n <= 1) return 1;
    auto const bins = std::lround(1.0 + 3.322 * std::log(static_cast<double>(n)));
    return static_cast<std::size_t>(std::max<long>(1, bins));
}

std::vector<int> discretize(std::span<double const> values, std::size_t bins) {
    if (values.empty()) return {};
    if (bins == 0) throw std::invalid_argument("discretize: at least one bin");
    auto const [lo, hi] = std::minmax_element(values.begin(), values.end());
    double first = *lo;
    double last = *hi;
    if (!std::isfinite(first) || !std::isfinite(last)) throw std::invalid_argument("discretize: non-finite value");
    if (first == last) {  // numpy.histogram_bin_edges widens an empty range by 0.5 on each side
        first -= 0.5;
        last += 0.5;
    }
    // numpy.linspace(first, last, bins + 1): start + i * step, the last edge exactly `last`
    std::vector<double> edges(bins + 1);
    double const step = (last - first) / static_cast<double>(bins);
    for (std::size_t i = 0; i < bins; ++i) edges[i] = first + static_cast<double>(i) * step;
    edges[bins] = last + 1.0;  // the notebook's bin_edges[-1] += 1
    auto h = bh::make_histogram(bh::axis::variable<>(edges));
    std::vector<int> out(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) out[k] = static_cast<int>(h.axis(0).index(values[k]));
    // index() is -1 below the first edge and `bins` at or above the last; neither can happen for finite values
    // inside [min, max], but keep them in range so a joint axis never overflows
    for (auto& b : out) b = std::clamp(b, 0, static_cast<int>(bins) - 1);
    return out;
}

double jointEntropy(std::vector<std::vector<int>> const& variables) {
    if (variables.empty()) return 0.0;
    auto const n = variables.front().size();
    if (n == 0) return 0.0;
    std::vector<bh::axis::integer<int, bh::use_default, bh::axis::option::none_t>> axes;
    for (auto const& v : variables) {
        if (v.size() != n) throw std::invalid_argument("jointEntropy: variables of different lengths");
        auto const [lo, hi] = std::minmax_element(v.begin(), v.end());
        axes.emplace_back(*lo, *hi + 1);
    }
    using Cells = std::unordered_map<std::size_t, double>;
    auto h = bh::make_histogram_with(bh::storage_adaptor<Cells>(), axes);
    h.fill(variables);
    double entropy = 0.0;
    double const total = static_cast<double>(n);
    // the map storage holds only the filled cells: walk those, not all bins^k of the axes
    for (auto const& [index, c] : static_cast<Cells const&>(bh::unsafe_access::storage(h))) {
        if (c > 0.0) entropy -= (c / total) * std::log2(c / total);
    }
    return entropy == 0.0 ? 0.0 : entropy;  // no -0
}

Conditional conditionalEntropy(std::vector<std::span<double const>> const& columns, std::span<double const> accuracy) {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < accuracy.size(); ++r) {
        bool ok = std::isfinite(accuracy[r]);
        for (auto const& c : columns) {
            if (c.size() != accuracy.size()) throw std::invalid_argument("conditionalEntropy: columns of different lengths");
            ok = ok && std::isfinite(c[r]);
        }
        if (ok) rows.push_back(r);
    }
    Conditional out;
    out.archs = rows.size();
    if (rows.size() < 2) {
        out.accuracyEntropy = out.conditionalEntropy = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    auto const bins = suiteBinCount(rows.size());
    auto const gather = [&](std::span<double const> c) {
        std::vector<double> v(rows.size());
        for (std::size_t k = 0; k < rows.size(); ++k) v[k] = c[rows[k]];
        return discretize(v, bins);
    };
    std::vector<std::vector<int>> vars;
    for (auto const& c : columns) vars.push_back(gather(c));
    auto const acc = gather(accuracy);
    out.accuracyEntropy = jointEntropy({acc});
    double const given = jointEntropy(vars);
    vars.push_back(acc);
    out.conditionalEntropy = jointEntropy(vars) - given;
    return out;
}

InformationResult analyzeInformation(InformationInput const& input, std::size_t maxK) {
    auto const n = input.proxies.size();
    if (input.scores.size() != n) throw std::invalid_argument("analyzeInformation: one score column per proxy");
    InformationResult r;
    r.proxies = input.proxies;
    std::span<double const> const acc(input.accuracy);
    r.accuracyEntropy = conditionalEntropy({}, acc).accuracyEntropy;
    r.pairConditional.assign(n, std::vector<double>(n));
    r.pairInformation.assign(n, std::vector<double>(n));
    r.pairArchs.assign(n * n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i; j < n; ++j) {
            std::vector<std::span<double const>> cols{input.scores[i]};
            if (j != i) cols.emplace_back(input.scores[j]);
            auto const c = conditionalEntropy(cols, acc);
            r.pairConditional[i][j] = r.pairConditional[j][i] = c.conditionalEntropy;
            r.pairInformation[i][j] = r.pairInformation[j][i] = c.information();
            r.pairArchs[i * n + j] = r.pairArchs[j * n + i] = c.archs;
        }
        r.conditional.push_back(r.pairConditional[i][i]);
    }
    // Greedy: add the proxy that minimises H(acc | chosen + it); ties go to the earlier name.
    std::vector<std::size_t> chosen;
    std::vector<bool> used(n, false);
    for (std::size_t k = 0; k < std::min(maxK, n); ++k) {
        std::optional<std::size_t> best;
        Conditional bestC;
        for (std::size_t p = 0; p < n; ++p) {
            if (used[p]) continue;
            std::vector<std::span<double const>> cols;
            for (auto c : chosen) cols.emplace_back(input.scores[c]);
            cols.emplace_back(input.scores[p]);
            auto const c = conditionalEntropy(cols, acc);
            if (!std::isfinite(c.conditionalEntropy)) continue;
            if (!best || c.conditionalEntropy < bestC.conditionalEntropy) {
                best = p;
                bestC = c;
            }
        }
        if (!best) break;
        used[*best] = true;
        chosen.push_back(*best);
        InformationResult::Step step;
        for (auto c : chosen) step.chosen.push_back(input.proxies[c]);
        step.conditionalEntropy = bestC.conditionalEntropy;
        step.information = bestC.information();
        r.greedy.push_back(std::move(step));
    }
    return r;
}

}  // namespace zcgp::analysis
