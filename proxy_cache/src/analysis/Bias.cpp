#include "zcgp/analysis/Bias.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace zcgp::analysis {

BiasTable biasTable(BiasInput const& input, fitness::Metric metric) {
    if (input.scores.size() != input.proxies.size()) throw std::invalid_argument("biasTable: one column per proxy");
    BiasTable t;
    t.metric = metric;
    t.rows = input.proxies;
    t.rows.emplace_back(kAccuracyRow);
    for (auto const& p : input.properties) {
        t.properties.push_back(p.name);
        t.undefined.push_back(p.undefinedReason);
    }
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        auto const column = r < input.proxies.size() ? input.scores[r] : input.accuracy;
        std::vector<std::optional<double>> row;
        for (auto const& p : input.properties) {
            if (!p.defined()) {
                row.emplace_back(std::nullopt);
                continue;
            }
            if (p.values.size() != column.size()) throw std::invalid_argument("biasTable: property length != archs");
            row.emplace_back(fitness::correlate(metric, column, p.values));
        }
        t.values.push_back(std::move(row));
    }
    return t;
}

std::vector<double> correctForProperty(std::span<double const> proxy, std::span<double const> property) {
    if (proxy.size() != property.size()) throw std::invalid_argument("correctForProperty: lengths differ");
    auto const nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> masked(proxy.size(), nan);
    for (std::size_t i = 0; i < proxy.size(); ++i) {
        if (std::isfinite(proxy[i]) && std::isfinite(property[i])) masked[i] = proxy[i];
    }
    auto const ranks = fitness::averageRanks(masked);  // NaN stays NaN
    double n = 0, mx = 0, my = 0;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (std::isnan(ranks[i])) continue;
        n += 1;
        mx += property[i];
        my += ranks[i];
    }
    std::vector<double> out(proxy.size(), nan);
    if (n < 2) return out;
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (std::isnan(ranks[i])) continue;
        sxy += (property[i] - mx) * (ranks[i] - my);
        sxx += (property[i] - mx) * (property[i] - mx);
    }
    double const slope = sxx > 0 ? sxy / sxx : 0.0;  // a constant property explains nothing
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (!std::isnan(ranks[i])) out[i] = ranks[i] - my - slope * (property[i] - mx);
    }
    return out;
}

namespace {
// Least-squares slope of y on x over the rows where both are finite.
double slope(std::span<double const> x, std::span<double const> y) {
    double n = 0, mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        n += 1;
        mx += x[i];
        my += y[i];
    }
    if (n < 2) return 0.0;
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxx > 0 ? sxy / sxx : 0.0;
}

std::vector<double> gather(std::span<double const> v, std::vector<std::size_t> const& rows) {
    std::vector<double> out;
    out.reserve(rows.size());
    for (auto r : rows) out.push_back(v[r]);
    return out;
}
}  // namespace

std::vector<double> correctExcessBias(std::span<double const> proxy, std::span<double const> property,
                                      std::span<double const> accuracy, std::vector<std::size_t> const& trainRows) {
    if (proxy.size() != property.size() || accuracy.size() != proxy.size()) {
        throw std::invalid_argument("correctExcessBias: lengths differ");
    }
    auto const nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> masked(proxy.size(), nan);
    double complete = 0;
    for (std::size_t i = 0; i < proxy.size(); ++i) {
        if (std::isfinite(proxy[i]) && std::isfinite(property[i])) {
            masked[i] = proxy[i];
            complete += 1;
        }
    }
    auto const ranks = fitness::averageRanks(masked);
    double const proxySlope = slope(property, ranks);
    // accuracy's ranks among the train rows, stretched to the scale of ranks over all complete rows
    auto const trainAcc = gather(accuracy, trainRows);
    auto const trainProperty = gather(property, trainRows);
    auto const trainRanks = fitness::averageRanks(trainAcc);
    double finiteTrain = 0;
    for (std::size_t k = 0; k < trainRanks.size(); ++k) finiteTrain += std::isfinite(trainRanks[k]) && std::isfinite(trainProperty[k]) ? 1 : 0;
    double const accuracySlope = finiteTrain >= 2 ? slope(trainProperty, trainRanks) * complete / finiteTrain : 0.0;
    double mp = 0, n = 0;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (std::isnan(ranks[i])) continue;
        mp += property[i];
        n += 1;
    }
    std::vector<double> out(proxy.size(), nan);
    if (n < 2) return out;
    mp /= n;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (!std::isnan(ranks[i])) out[i] = ranks[i] - (proxySlope - accuracySlope) * (property[i] - mp);
    }
    return out;
}

std::vector<Correction> excessBiasCorrections(BiasInput const& input, Property const& property,
                                              std::vector<std::size_t> const& trainRows,
                                              std::vector<std::size_t> const& testRows) {
    std::vector<Correction> out;
    if (!property.defined()) return out;
    auto const accTest = gather(input.accuracy, testRows);
    auto const propTest = gather(property.values, testRows);
    for (std::size_t p = 0; p < input.proxies.size(); ++p) {
        auto const corrected = correctExcessBias(input.scores[p], property.values, input.accuracy, trainRows);
        auto const rawTest = gather(input.scores[p], testRows);
        auto const corTest = gather(corrected, testRows);
        Correction c;
        c.proxy = input.proxies[p];
        c.biasBefore = fitness::pearson(rawTest, propTest);
        c.biasAfter = fitness::pearson(corTest, propTest);
        c.tauBefore = fitness::kendallTau(rawTest, accTest);
        c.tauAfter = fitness::kendallTau(corTest, accTest);
        out.push_back(c);
    }
    return out;
}

std::vector<Correction> biasCorrections(BiasInput const& input, Property const& property) {
    std::vector<Correction> out;
    if (!property.defined()) return out;
    for (std::size_t p = 0; p < input.proxies.size(); ++p) {
        auto const corrected = correctForProperty(input.scores[p], property.values);
        Correction c;
        c.proxy = input.proxies[p];
        c.biasBefore = fitness::pearson(input.scores[p], property.values);
        c.biasAfter = fitness::pearson(corrected, property.values);
        c.tauBefore = fitness::kendallTau(input.scores[p], input.accuracy);
        c.tauAfter = fitness::kendallTau(corrected, input.accuracy);
        out.push_back(c);
    }
    return out;
}

}  // namespace zcgp::analysis
