#pragma once
// Zero-cost features inside a NAS surrogate (NAS-Bench-Suite-Zero, Section 5): XGBoost regressors fitted on a
// train sample of architectures with different feature sets, scored by Kendall tau on held-out architectures.
//
// XGBoost comes from Debian's libxgboost-dev through its C API (XgbRegressor). Built without it,
// xgboostAvailable() is false and fitting throws.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::analysis {

[[nodiscard]] bool xgboostAvailable();

// NASLib's XGBoost predictor defaults (naslib/predictors/trees/xgb.py): gbtree, squared error, depth 6,
// min_child_weight 1, learning rate 0.3, 500 rounds, labels standardised on the train set.
struct XgbParams {
    std::size_t rounds{500};
    int maxDepth{6};
    double learningRate{0.3};
    double minChildWeight{1.0};
    std::uint64_t seed{0};
    int threads{1};  // one thread: results do not depend on the machine
};

// One fitted booster. Features are rows = architectures, NaN = missing (XGBoost's default missing value).
class XgbRegressor {
public:
    explicit XgbRegressor(XgbParams params = {});
    ~XgbRegressor();
    XgbRegressor(XgbRegressor const&) = delete;
    XgbRegressor& operator=(XgbRegressor const&) = delete;

    void fit(Eigen::MatrixXd const& features, std::span<double const> target);
    [[nodiscard]] std::vector<double> predict(Eigen::MatrixXd const& features) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    XgbParams params_;
    double mean_{0}, scale_{1};
};

// The feature sets, named as the output columns.
inline constexpr char const* kEncoding = "encoding";
inline constexpr char const* kZc = "zc";
inline constexpr char const* kEncodingZc = "encoding+zc";
inline constexpr char const* kEncodingEvolved = "encoding+evolved";
inline constexpr char const* kEncodingGraph = "encoding+graph";
[[nodiscard]] std::vector<std::string> const& surrogateFeatureSetNames();

// One task's inputs. Rows are the same architectures everywhere.
struct SurrogateData {
    std::string task;
    std::vector<double> accuracy;
    Eigen::MatrixXd zc;                     // the proxies (any monotone per-column transform: trees ignore it)
    std::optional<Eigen::MatrixXd> encoding;  // NASLib-style encoding; nullopt where the space has none
    std::string encodingNote;                 // why not, where it is nullopt
    std::optional<Eigen::MatrixXd> graph;     // architecture graph features (quality library); nullopt if none
    std::string graphNote;
    primitives::Dataset terminals;          // the GP's terminals (with target) for encoding+evolved
};

// Evolves a formula on the given (train) rows of `terminals` only and returns its value on every row (NaN where
// it is not finite). Given by the caller so this library does not depend on the engine's options.
using EvolvedFeature = std::function<std::vector<double>(primitives::Dataset const& terminals,
                                                         std::vector<std::size_t> const& trainRows, std::uint64_t seed)>;

struct SurrogateOptions {
    std::vector<std::size_t> trainSizes{10, 20, 50, 100, 200, 400, 1000};
    std::size_t seeds{10};
    std::uint64_t firstSeed{0};
    std::size_t testArchs{0};  // 0: every architecture not in the train sample
    std::vector<std::string> featureSets = surrogateFeatureSetNames();
    XgbParams xgb{};
    EvolvedFeature evolved;  // needed for encoding+evolved
};

struct SurrogateCell {
    std::optional<double> meanTau;  // nullopt: not run (see note)
    double stdTau{0};
    std::vector<double> taus;       // per seed
    std::string note;
};

struct SurrogateResult {
    std::string task;
    std::vector<std::size_t> trainSizes;     // the sizes run (those the task has enough architectures for)
    std::vector<std::size_t> skippedSizes;   // too large for the task
    std::vector<std::string> featureSets;
    std::vector<std::vector<SurrogateCell>> cells;  // [size][featureSet]
    std::size_t archs{0};
};

// Train/test split of seed s: a seeded shuffle of all rows; train = first n, test = the next testArchs (or all
// the rest). The same split for every feature set, so the comparison is paired.
[[nodiscard]] std::pair<std::vector<std::size_t>, std::vector<std::size_t>> surrogateSplit(
    std::size_t rows, std::size_t train, std::size_t test, std::uint64_t seed);

[[nodiscard]] SurrogateResult runSurrogate(SurrogateData const& data, SurrogateOptions const& options);

}  // namespace zcgp::analysis
