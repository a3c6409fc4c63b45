#include "zcgp/analysis/Surrogate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "zcgp/fitness/RankStatistics.hpp"

#if ZCGP_WITH_XGBOOST
#include <xgboost/c_api.h>
#endif

namespace zcgp::analysis {

bool xgboostAvailable() { return ZCGP_WITH_XGBOOST != 0; }

std::vector<std::string> const& surrogateFeatureSetNames() {
    static std::vector<std::string> const names{kEncoding, kZc, kEncodingZc, kEncodingEvolved, kEncodingGraph};
    return names;
}

#if ZCGP_WITH_XGBOOST
namespace {
void check(int rc, char const* what) {
    if (rc != 0) throw std::runtime_error(fmt::format("XGBoost {}: {}", what, XGBGetLastError()));
}

struct Matrix {
    DMatrixHandle handle{nullptr};
    explicit Matrix(Eigen::MatrixXd const& features) {
        // row-major floats; NaN marks a missing value
        Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> const f = features.cast<float>();
        check(XGDMatrixCreateFromMat(f.data(), static_cast<bst_ulong>(f.rows()), static_cast<bst_ulong>(f.cols()),
                                     std::nanf(""), &handle),
              "DMatrix");
    }
    ~Matrix() {
        if (handle != nullptr) XGDMatrixFree(handle);
    }
    Matrix(Matrix const&) = delete;
    Matrix& operator=(Matrix const&) = delete;
};
}  // namespace

struct XgbRegressor::Impl {
    BoosterHandle booster{nullptr};
    ~Impl() {
        if (booster != nullptr) XGBoosterFree(booster);
    }
};
#else
struct XgbRegressor::Impl {};
#endif

XgbRegressor::XgbRegressor(XgbParams params) : impl_(std::make_unique<Impl>()), params_(params) {}
XgbRegressor::~XgbRegressor() = default;

void XgbRegressor::fit(Eigen::MatrixXd const& features, std::span<double const> target) {
    if (static_cast<std::size_t>(features.rows()) != target.size()) {
        throw std::invalid_argument("XgbRegressor::fit: one target per row");
    }
    if (target.size() < 2) throw std::invalid_argument("XgbRegressor::fit: at least 2 rows");
#if ZCGP_WITH_XGBOOST
    // labels standardised on the train rows, as NASLib's predictor does
    double const n = static_cast<double>(target.size());
    mean_ = std::accumulate(target.begin(), target.end(), 0.0) / n;
    double var = 0.0;
    for (double y : target) var += (y - mean_) * (y - mean_);
    scale_ = std::sqrt(var / n);
    if (!(scale_ > 0.0)) scale_ = 1.0;
    std::vector<float> labels(target.size());
    for (std::size_t i = 0; i < target.size(); ++i) labels[i] = static_cast<float>((target[i] - mean_) / scale_);
    Matrix train(features);
    check(XGDMatrixSetFloatInfo(train.handle, "label", labels.data(), static_cast<bst_ulong>(labels.size())), "labels");
    if (impl_->booster != nullptr) {
        XGBoosterFree(impl_->booster);
        impl_->booster = nullptr;
    }
    check(XGBoosterCreate(&train.handle, 1, &impl_->booster), "booster");
    auto const set = [&](char const* k, std::string const& v) { check(XGBoosterSetParam(impl_->booster, k, v.c_str()), k); };
    set("booster", "gbtree");
    set("objective", "reg:squarederror");
    set("max_depth", std::to_string(params_.maxDepth));
    set("min_child_weight", fmt::format("{}", params_.minChildWeight));
    set("eta", fmt::format("{}", params_.learningRate));
    set("colsample_bytree", "1");
    set("colsample_bylevel", "1");
    set("seed", std::to_string(params_.seed));
    set("nthread", std::to_string(params_.threads));
    set("verbosity", "0");
    for (std::size_t i = 0; i < params_.rounds; ++i) {
        check(XGBoosterUpdateOneIter(impl_->booster, static_cast<int>(i), train.handle), "training");
    }
#else
    throw std::runtime_error("zcgp was built without XGBoost (install libxgboost-dev and reconfigure)");
#endif
}

std::vector<double> XgbRegressor::predict(Eigen::MatrixXd const& features) const {
#if ZCGP_WITH_XGBOOST
    if (impl_->booster == nullptr) throw std::logic_error("XgbRegressor::predict before fit");
    Matrix m(features);
    bst_ulong length = 0;
    float const* out = nullptr;
    check(XGBoosterPredict(impl_->booster, m.handle, 0, 0, 0, &length, &out), "prediction");
    std::vector<double> y(length);
    for (bst_ulong i = 0; i < length; ++i) y[i] = static_cast<double>(out[i]) * scale_ + mean_;
    return y;
#else
    (void)features;
    throw std::runtime_error("zcgp was built without XGBoost (install libxgboost-dev and reconfigure)");
#endif
}

std::pair<std::vector<std::size_t>, std::vector<std::size_t>> surrogateSplit(std::size_t rows, std::size_t train,
                                                                            std::size_t test, std::uint64_t seed) {
    if (train >= rows) throw std::invalid_argument(fmt::format("{} train architectures of {}", train, rows));
    std::vector<std::size_t> idx(rows);
    std::iota(idx.begin(), idx.end(), 0);
    // Fisher-Yates with mt19937_64 and an explicit bound: the same split on every standard library
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 0x5EEDULL);
    for (std::size_t i = rows - 1; i > 0; --i) {
        std::size_t const j = static_cast<std::size_t>(rng() % (i + 1));
        std::swap(idx[i], idx[j]);
    }
    std::size_t const end = test == 0 ? rows : std::min(rows, train + test);
    return {std::vector<std::size_t>(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(train)),
            std::vector<std::size_t>(idx.begin() + static_cast<std::ptrdiff_t>(train),
                                     idx.begin() + static_cast<std::ptrdiff_t>(end))};
}

namespace {

Eigen::MatrixXd rowsOf(Eigen::MatrixXd const& m, std::vector<std::size_t> const& rows) {
    Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), m.cols());
    for (std::size_t r = 0; r < rows.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = m.row(static_cast<Eigen::Index>(rows[r]));
    return out;
}

Eigen::MatrixXd hstack(Eigen::MatrixXd const& a, Eigen::MatrixXd const& b) {
    Eigen::MatrixXd out(a.rows(), a.cols() + b.cols());
    out << a, b;
    return out;
}

}  // namespace

SurrogateResult runSurrogate(SurrogateData const& data, SurrogateOptions const& options) {
    auto const rows = data.accuracy.size();
    if (static_cast<std::size_t>(data.zc.rows()) != rows) throw std::invalid_argument("runSurrogate: zc rows != archs");
    SurrogateResult result;
    result.task = data.task;
    result.archs = rows;
    result.featureSets = options.featureSets;
    for (auto const& f : options.featureSets) {
        auto const& names = surrogateFeatureSetNames();
        if (std::find(names.begin(), names.end(), f) == names.end()) {
            throw std::invalid_argument(fmt::format("unknown feature set '{}' (valid: {})", f, fmt::join(names, ", ")));
        }
    }
    // a size is run when at least 10 architectures remain to test on
    for (auto n : options.trainSizes) {
        if (n >= 2 && n + 10 <= rows) result.trainSizes.push_back(n);
        else result.skippedSizes.push_back(n);
    }
    for (auto const n : result.trainSizes) {
        std::vector<SurrogateCell> row(options.featureSets.size());
        for (std::size_t s = 0; s < options.seeds; ++s) {
            auto const seed = options.firstSeed + s;
            auto const [train, test] = surrogateSplit(rows, n, options.testArchs, seed);
            std::vector<double> yTrain, yTest;
            for (auto r : train) yTrain.push_back(data.accuracy[r]);
            for (auto r : test) yTest.push_back(data.accuracy[r]);
            std::optional<Eigen::MatrixXd> evolvedColumn;
            for (std::size_t f = 0; f < options.featureSets.size(); ++f) {
                auto const& name = options.featureSets[f];
                auto& cell = row[f];
                Eigen::MatrixXd features;
                bool const needsEncoding = name != kZc;
                if (needsEncoding && !data.encoding) {
                    cell.note = data.encodingNote.empty() ? "no encoding for this space" : data.encodingNote;
                    continue;
                }
                if (name == kEncoding) features = *data.encoding;
                else if (name == kZc) features = data.zc;
                else if (name == kEncodingZc) features = hstack(*data.encoding, data.zc);
                else if (name == kEncodingGraph) {
                    if (!data.graph) {
                        cell.note = data.graphNote.empty() ? "no graph features for this space" : data.graphNote;
                        continue;
                    }
                    features = hstack(*data.encoding, *data.graph);
                } else {  // encoding+evolved: evolved on this split's train rows only
                    if (!options.evolved) {
                        cell.note = "no evolution configured";
                        continue;
                    }
                    if (!evolvedColumn) {
                        auto const values = options.evolved(data.terminals, train, seed);
                        evolvedColumn = Eigen::Map<Eigen::VectorXd const>(values.data(), static_cast<Eigen::Index>(values.size()));
                    }
                    features = hstack(*data.encoding, *evolvedColumn);
                }
                XgbParams params = options.xgb;
                params.seed = seed;
                XgbRegressor model(params);
                model.fit(rowsOf(features, train), yTrain);
                auto const predicted = model.predict(rowsOf(features, test));
                cell.taus.push_back(fitness::kendallTau(predicted, yTest));
            }
        }
        for (auto& cell : row) {
            if (cell.taus.empty()) continue;
            double const mean = std::accumulate(cell.taus.begin(), cell.taus.end(), 0.0) / static_cast<double>(cell.taus.size());
            double var = 0.0;
            for (double t : cell.taus) var += (t - mean) * (t - mean);
            cell.meanTau = mean;
            cell.stdTau = cell.taus.size() > 1 ? std::sqrt(var / static_cast<double>(cell.taus.size() - 1)) : 0.0;
        }
        result.cells.push_back(std::move(row));
    }
    return result;
}

}  // namespace zcgp::analysis
