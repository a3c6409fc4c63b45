#include "zcgp/primitives/Dataset.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/core.h>

namespace zcgp::primitives {

double ColumnTransform::apply(double raw) const {
    double y = raw;
    switch (kind) {
        case Kind::Log: y = std::log(raw); break;
        case Kind::NegLog: y = -std::log(-raw); break;
        case Kind::Asinh: y = std::asinh(raw / inScale); break;
        case Kind::Rank: {
            auto lo = std::lower_bound(reference.begin(), reference.end(), raw) - reference.begin();
            auto hi = std::upper_bound(reference.begin(), reference.end(), raw) - reference.begin();
            y = static_cast<double>(lo + hi) / (2.0 * static_cast<double>(reference.size()));
            break;
        }
        case Kind::Identity: break;
    }
    double const z = (y - shift) / scale;
    if (knee > 0.0 && std::abs(z) > knee) return std::copysign(knee + std::log1p(std::abs(z) - knee), z);
    return z;
}

Normalization parseNormalization(std::string_view name) {
    if (name == "none") return Normalization::None;
    if (name == "zscore") return Normalization::ZScore;
    if (name == "logz") return Normalization::LogZScore;
    if (name == "rank") return Normalization::Rank;
    if (name == "robust") return Normalization::Robust;
    if (name == "logz+robust") return Normalization::LogZRobust;
    throw std::invalid_argument(
        fmt::format("unknown normalization '{}' (valid: none, zscore, logz, rank, robust, logz+robust)", name));
}

Dataset::Dataset(std::vector<std::string> archKeys) : archKeys_(std::move(archKeys)) {
    scalars_.resize(static_cast<Eigen::Index>(archKeys_.size()), 0);
    target_ = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(archKeys_.size()), std::nan(""));
}

void Dataset::addScalar(std::string name, std::span<double const> values) {
    if (values.size() != rows()) {
        throw std::invalid_argument(
            fmt::format("scalar terminal '{}' has {} values for {} architectures", name, values.size(), rows()));
    }
    if (scalarIndex(name) || layerIndex(name)) {
        throw std::invalid_argument(fmt::format("duplicate terminal name '{}'", name));
    }
    auto const c = scalars_.cols();
    scalars_.conservativeResize(static_cast<Eigen::Index>(rows()), c + 1);
    for (std::size_t i = 0; i < values.size(); ++i) {
        scalars_(static_cast<Eigen::Index>(i), c) = values[i];
    }
    scalarNames_.push_back(std::move(name));
    transforms_.emplace_back();
}

void Dataset::addScalar(std::string name, std::span<double const> values, ColumnTransform transform) {
    addScalar(std::move(name), values);
    transforms_.back() = std::move(transform);
}

std::optional<std::size_t> Dataset::scalarIndex(std::string_view name) const {
    auto it = std::find(scalarNames_.begin(), scalarNames_.end(), name);
    if (it == scalarNames_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - scalarNames_.begin());
}

std::span<double const> Dataset::scalar(std::size_t column) const {
    return {scalars_.col(static_cast<Eigen::Index>(column)).data(), rows()};
}

namespace {
double median(std::vector<double> v) {
    auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

ColumnTransform ofKind(ColumnTransform::Kind kind) {
    ColumnTransform t;
    t.kind = kind;
    return t;
}

// asinh(x / s) with s = median |x|, so the bulk sits in the linear-to-log knee
ColumnTransform signedLog(Eigen::Ref<Eigen::VectorXd const> col) {
    ColumnTransform t = ofKind(ColumnTransform::Kind::Asinh);
    std::vector<double> a(col.data(), col.data() + col.size());
    for (auto& v : a) v = std::abs(v);
    double const med = a.empty() ? 1.0 : median(a);
    t.inScale = med > 0.0 && std::isfinite(med) ? med : 1.0;
    return t;
}

// Fits the transform of one column (before shift/scale) and then its shift and scale.
ColumnTransform fit(Eigen::Ref<Eigen::VectorXd const> col, Normalization mode) {
    ColumnTransform t;
    if (mode == Normalization::Rank) {
        t.kind = ColumnTransform::Kind::Rank;
        t.reference.assign(col.data(), col.data() + col.size());
        std::sort(t.reference.begin(), t.reference.end());
    } else if (mode == Normalization::LogZScore) {
        t = col.minCoeff() > 0.0 ? ofKind(ColumnTransform::Kind::Log) : signedLog(col);
    } else if (mode == Normalization::Robust) {
        t = col.minCoeff() > 0.0   ? ofKind(ColumnTransform::Kind::Log)
            : col.maxCoeff() < 0.0 ? ofKind(ColumnTransform::Kind::NegLog)
                                   : signedLog(col);
    }
    Eigen::VectorXd y(col.size());  // (an Eigen vector, so the sums below are summed as before this refactor)
    for (Eigen::Index i = 0; i < col.size(); ++i) y(i) = t.apply(col(i));
    auto const n = static_cast<double>(y.size());
    double const mean = y.sum() / n;
    double const sd = std::sqrt((y.array() - mean).square().sum() / n);
    t.shift = mean;
    t.scale = sd > 0.0 && std::isfinite(sd) ? sd : 1.0;
    if (mode == Normalization::Robust) {
        double const med = median({y.data(), y.data() + y.size()});
        std::vector<double> dev;
        for (double v : y) dev.push_back(std::abs(v - med));
        double const mad = 1.4826 * median(dev);
        t.shift = med;
        if (mad > 0.0 && std::isfinite(mad)) t.scale = mad;  // else: over half the values tie, keep the std
        t.knee = kRobustKnee;
    }
    return t;
}
}  // namespace

void Dataset::normalize(Normalization mode) {
    if (mode == Normalization::None) return;
    if (mode == Normalization::LogZRobust) {
        Eigen::MatrixXd const raw = scalars_;
        normalize(Normalization::LogZScore);
        for (Eigen::Index c = 0; c < raw.cols(); ++c) {
            auto t = fit(raw.col(c), Normalization::Robust);
            t.source = scalarNames_[static_cast<std::size_t>(c)];
            std::vector<double> y(static_cast<std::size_t>(raw.rows()));
            for (Eigen::Index i = 0; i < raw.rows(); ++i) y[static_cast<std::size_t>(i)] = t.apply(raw(i, c));
            addScalar(t.source + kRobustSuffix, y, t);
        }
        return;
    }
    for (Eigen::Index c = 0; c < scalars_.cols(); ++c) {
        auto col = scalars_.col(c);
        auto t = fit(col, mode);
        for (Eigen::Index i = 0; i < col.size(); ++i) col(i) = t.apply(col(i));
        transforms_[static_cast<std::size_t>(c)] = std::move(t);
    }
}

void Dataset::setTransforms(std::vector<ColumnTransform> transforms) {
    if (transforms.size() != scalarCount()) {
        throw std::invalid_argument(fmt::format("{} transforms given for {} scalar columns", transforms.size(), scalarCount()));
    }
    transforms_ = std::move(transforms);
}

void Dataset::setLayerCounts(std::span<std::size_t const> layersPerArch) {
    if (layersPerArch.size() != rows()) {
        throw std::invalid_argument(
            fmt::format("layer counts given for {} architectures, dataset has {}", layersPerArch.size(), rows()));
    }
    if (!layerNames_.empty()) {
        throw std::logic_error("layer counts must be set before adding LayerVector terminals");
    }
    layerOffsets_.assign(rows() + 1, 0);
    for (std::size_t i = 0; i < rows(); ++i) layerOffsets_[i + 1] = layerOffsets_[i] + layersPerArch[i];
}

void Dataset::addLayerVector(std::string name, std::span<double const> values) {
    if (layerOffsets_.empty()) {
        throw std::logic_error(fmt::format("LayerVector terminal '{}': call setLayerCounts first", name));
    }
    if (values.size() != totalLayers()) {
        throw std::invalid_argument(fmt::format("LayerVector terminal '{}' has {} values, the layer counts sum to {}",
                                                name, values.size(), totalLayers()));
    }
    if (scalarIndex(name) || layerIndex(name)) {
        throw std::invalid_argument(fmt::format("duplicate terminal name '{}'", name));
    }
    layerNames_.push_back(std::move(name));
    layerValues_.emplace_back(values.begin(), values.end());
}

std::optional<std::size_t> Dataset::layerIndex(std::string_view name) const {
    auto it = std::find(layerNames_.begin(), layerNames_.end(), name);
    if (it == layerNames_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - layerNames_.begin());
}

void Dataset::setTarget(std::span<double const> accuracy) {
    if (accuracy.size() != rows()) {
        throw std::invalid_argument(
            fmt::format("target has {} values for {} architectures", accuracy.size(), rows()));
    }
    target_ = Eigen::Map<Eigen::VectorXd const>(accuracy.data(), static_cast<Eigen::Index>(accuracy.size()));
}

Dataset Dataset::subset(std::span<std::size_t const> rowIndices) const {
    std::vector<std::string> keys;
    keys.reserve(rowIndices.size());
    for (auto r : rowIndices) {
        if (r >= rows()) {
            throw std::out_of_range(fmt::format("row {} out of range (dataset has {} rows)", r, rows()));
        }
        keys.push_back(archKeys_[r]);
    }
    Dataset out(std::move(keys));
    out.scalarNames_ = scalarNames_;
    out.transforms_ = transforms_;
    out.scalars_.resize(static_cast<Eigen::Index>(rowIndices.size()), scalars_.cols());
    for (std::size_t i = 0; i < rowIndices.size(); ++i) {
        out.scalars_.row(static_cast<Eigen::Index>(i)) = scalars_.row(static_cast<Eigen::Index>(rowIndices[i]));
        out.target_(static_cast<Eigen::Index>(i)) = target_(static_cast<Eigen::Index>(rowIndices[i]));
    }
    if (!layerOffsets_.empty()) {
        std::vector<std::size_t> counts;
        for (auto r : rowIndices) counts.push_back(layerOffsets_[r + 1] - layerOffsets_[r]);
        out.setLayerCounts(counts);
        for (std::size_t c = 0; c < layerNames_.size(); ++c) {
            std::vector<double> v;
            v.reserve(out.totalLayers());
            for (auto r : rowIndices) {
                v.insert(v.end(), layerValues_[c].begin() + static_cast<std::ptrdiff_t>(layerOffsets_[r]),
                         layerValues_[c].begin() + static_cast<std::ptrdiff_t>(layerOffsets_[r + 1]));
            }
            out.addLayerVector(layerNames_[c], v);
        }
    }
    return out;
}

}  // namespace zcgp::primitives
