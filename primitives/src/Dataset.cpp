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
        case Kind::Asinh: y = std::asinh(raw / inScale); break;
        case Kind::Rank: {
            auto lo = std::lower_bound(reference.begin(), reference.end(), raw) - reference.begin();
            auto hi = std::upper_bound(reference.begin(), reference.end(), raw) - reference.begin();
            y = static_cast<double>(lo + hi) / (2.0 * static_cast<double>(reference.size()));
            break;
        }
        case Kind::Identity: break;
    }
    return (y - shift) / scale;
}

Normalization parseNormalization(std::string_view name) {
    if (name == "none") return Normalization::None;
    if (name == "zscore") return Normalization::ZScore;
    if (name == "logz") return Normalization::LogZScore;
    if (name == "rank") return Normalization::Rank;
    throw std::invalid_argument(fmt::format("unknown normalization '{}' (valid: none, zscore, logz, rank)", name));
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

std::optional<std::size_t> Dataset::scalarIndex(std::string_view name) const {
    auto it = std::find(scalarNames_.begin(), scalarNames_.end(), name);
    if (it == scalarNames_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - scalarNames_.begin());
}

std::span<double const> Dataset::scalar(std::size_t column) const {
    return {scalars_.col(static_cast<Eigen::Index>(column)).data(), rows()};
}

void Dataset::normalize(Normalization mode) {
    if (mode == Normalization::None) return;
    auto const n = static_cast<double>(rows());
    for (Eigen::Index c = 0; c < scalars_.cols(); ++c) {
        auto col = scalars_.col(c);
        ColumnTransform t;
        if (mode == Normalization::Rank) {
            t.kind = ColumnTransform::Kind::Rank;
            t.reference.assign(col.data(), col.data() + col.size());
            std::sort(t.reference.begin(), t.reference.end());
        }
        if (mode == Normalization::LogZScore) {
            if (col.minCoeff() > 0.0) {
                t.kind = ColumnTransform::Kind::Log;
            } else {
                // signed log-like squashing; inScale = median |x| so the bulk sits in the linear-to-log knee
                std::vector<double> a(col.data(), col.data() + col.size());
                for (auto& v : a) v = std::abs(v);
                std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(a.size() / 2), a.end());
                double med = a.empty() ? 1.0 : a[a.size() / 2];
                t.kind = ColumnTransform::Kind::Asinh;
                t.inScale = med > 0.0 && std::isfinite(med) ? med : 1.0;
            }
        }
        Eigen::VectorXd y(col.size());
        for (Eigen::Index i = 0; i < col.size(); ++i) y(i) = t.apply(col(i));
        double mean = y.sum() / n;
        double sd = std::sqrt((y.array() - mean).square().sum() / n);
        t.shift = mean;
        t.scale = sd > 0.0 && std::isfinite(sd) ? sd : 1.0;
        for (Eigen::Index i = 0; i < col.size(); ++i) col(i) = t.apply(col(i));
        transforms_[static_cast<std::size_t>(c)] = t;
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
