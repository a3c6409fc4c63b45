#pragma once
// The bias analysis of NAS-Bench-Suite-Zero (BiasExperiments.ipynb): how strongly each proxy, and accuracy
// itself, correlates with simple architecture properties (cell size, skip connections, conv minus pool, ...), and
// whether removing a proxy's dependence on a property improves its ranking of architectures.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "zcgp/fitness/RankStatistics.hpp"

namespace zcgp::analysis {

// One architecture property over a task's architectures. A property a space does not define carries a reason
// instead of values; the analysis reports it as undefined and goes on.
struct Property {
    std::string name;
    std::vector<double> values;  // one per architecture; NaN where unknown for that architecture
    std::string undefinedReason;  // non-empty: undefined for the whole space
    [[nodiscard]] bool defined() const { return undefinedReason.empty(); }
};

struct BiasInput {
    std::vector<std::string> proxies;
    std::vector<std::span<double const>> scores;  // one column per proxy, NaN where missing
    std::span<double const> accuracy;
    std::vector<Property> properties;
};

// The name of the accuracy row of the table (the suite's notebooks correlate it like a proxy).
inline constexpr char const* kAccuracyRow = "val_accuracy";

struct BiasTable {
    fitness::Metric metric{fitness::Metric::Pearson};
    std::vector<std::string> rows;        // the proxies, then kAccuracyRow
    std::vector<std::string> properties;  // columns
    std::vector<std::string> undefined;   // per column: the reason it is undefined ("" when defined)
    std::vector<std::vector<std::optional<double>>> values;  // [row][property]; nullopt when undefined
};

// Correlation (pairwise-complete) of every proxy and of accuracy with every property.
[[nodiscard]] BiasTable biasTable(BiasInput const& input, fitness::Metric metric);

// The bias correction: the proxy's ranks minus their least-squares fit on the property, i.e. the part of the
// proxy's ranking that the property does not explain. Uses no accuracy, so it can be applied to any architecture.
// NaN where the proxy or the property is missing.
[[nodiscard]] std::vector<double> correctForProperty(std::span<double const> proxy, std::span<double const> property);

struct Correction {
    std::string proxy;
    double biasBefore{0};  // metric(proxy, property)
    double biasAfter{0};   // metric(corrected, property): ~0 by construction for Pearson
    double tauBefore{0};   // Kendall tau with accuracy
    double tauAfter{0};
};

// Every proxy corrected for one property, with its Kendall tau against accuracy before and after.
[[nodiscard]] std::vector<Correction> biasCorrections(BiasInput const& input, Property const& property);

// A milder correction: remove only the proxy's excess dependence on the property, the slope of its ranks on the
// property beyond the slope that accuracy's ranks have, the latter fitted on `trainRows` alone (accuracy itself
// depends on cell size: on nb201/cifar10 its Pearson with cell_size is 0.146). NaN where the proxy or the
// property is missing.
[[nodiscard]] std::vector<double> correctExcessBias(std::span<double const> proxy, std::span<double const> property,
                                                    std::span<double const> accuracy,
                                                    std::vector<std::size_t> const& trainRows);

// Every proxy with the excess correction fitted on trainRows; the taus are over testRows only.
[[nodiscard]] std::vector<Correction> excessBiasCorrections(BiasInput const& input, Property const& property,
                                                            std::vector<std::size_t> const& trainRows,
                                                            std::vector<std::size_t> const& testRows);

}  // namespace zcgp::analysis
