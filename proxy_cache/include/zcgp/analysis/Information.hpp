#pragma once
// The information-theoretic analysis of NAS-Bench-Suite-Zero (PlotMutualInformation.ipynb): binned plug-in
// entropies of accuracy given one or more proxies, the pairwise information table and the greedy selection of
// the proxies that leave the least uncertainty about accuracy.
//
// Estimator, as the suite's notebook: every variable (accuracy and each proxy) is cut into
// round(1 + 3.322 * ln n) equal-width bins over [min, max] (numpy.histogram_bin_edges, with the last edge moved
// up by 1 so the maximum falls inside, then numpy.digitize); entropies are plug-in estimates in bits over the
// joint bin counts. Only architectures where accuracy and every involved proxy are finite are counted.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace zcgp::analysis {

// round(1 + 3.322 * ln n): the notebook's bin count (Sturges' constant with a natural log). At least 1.
[[nodiscard]] std::size_t suiteBinCount(std::size_t n);

// Bin index (0-based) of each value under the notebook's equal-width rule; values must be finite.
[[nodiscard]] std::vector<int> discretize(std::span<double const> values, std::size_t bins);

// Plug-in Shannon entropy (bits) of the joint distribution of the given discrete variables (same length).
[[nodiscard]] double jointEntropy(std::vector<std::vector<int>> const& variables);

// A task's variables, already restricted to one set of architectures.
struct InformationInput {
    std::vector<std::string> proxies;        // names
    std::vector<std::vector<double>> scores;  // scores[p][arch]; NaN where missing
    std::vector<double> accuracy;
};

struct InformationResult {
    std::vector<std::string> proxies;
    double accuracyEntropy{0};                   // H(acc) over all architectures with a finite accuracy
    std::vector<double> conditional;             // H(acc | z_i)
    // pairConditional[i][j] = H(acc | z_i, z_j) (diagonal: H(acc | z_i)); pairInformation = H(acc) - that
    std::vector<std::vector<double>> pairConditional, pairInformation;
    std::vector<std::size_t> pairArchs;          // archs counted per pair, row-major i * n + j
    // greedy[k-1]: the k proxies chosen so far and H(acc | them)
    struct Step {
        std::vector<std::string> chosen;
        double conditionalEntropy{0};
        double information{0};
    };
    std::vector<Step> greedy;
};

// H(acc | the given columns) and the architecture count, over the architectures where all are finite.
// Bins are fitted on those architectures (as the notebook bins the vectors it is given).
struct Conditional {
    double accuracyEntropy{0};    // H(acc) on the same architectures
    double conditionalEntropy{0};  // H(acc | columns)
    std::size_t archs{0};
    [[nodiscard]] double information() const { return accuracyEntropy - conditionalEntropy; }
};
[[nodiscard]] Conditional conditionalEntropy(std::vector<std::span<double const>> const& columns,
                                             std::span<double const> accuracy);

// The whole analysis of one task; greedy selection up to maxK proxies (fewer if the task has fewer).
[[nodiscard]] InformationResult analyzeInformation(InformationInput const& input, std::size_t maxK = 5);

}  // namespace zcgp::analysis
