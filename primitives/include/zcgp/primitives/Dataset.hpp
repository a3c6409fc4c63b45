#pragma once
// Terminal data for the GP: scalar terminal columns (cached proxies, one value per architecture), ragged
// LayerVector terminals (one value per layer; all LayerVector terminals share the per-architecture layer
// offsets), the target accuracy and the architecture keys. Independent of proxy_cache: the CLI converts.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

namespace zcgp::primitives {

// A monotone per-column transform raw -> terminal value, fitted on the features of all architectures:
// kind Log: log(x) (all values > 0), Asinh: asinh(x / inScale), Identity: x, Rank: the empirical CDF of
// the task's architectures (mid-rank of x among the sorted reference values, divided by their count);
// then (y - shift) / scale.
// Monotone, so it never changes a single proxy's ranking; it puts proxies on comparable scales for + and *.
struct ColumnTransform {
    enum class Kind { Identity, Log, Asinh, Rank };
    Kind kind{Kind::Identity};
    double inScale{1.0};
    double shift{0.0};
    double scale{1.0};
    std::vector<double> reference;  // Rank: sorted values of the fitting architectures
    [[nodiscard]] double apply(double raw) const;
    [[nodiscard]] bool isIdentity() const { return kind == Kind::Identity && shift == 0.0 && scale == 1.0; }
};

enum class Normalization { None, ZScore, LogZScore, Rank };
[[nodiscard]] Normalization parseNormalization(std::string_view name);  // none | zscore | logz | rank

class Dataset {
public:
    Dataset() = default;
    explicit Dataset(std::vector<std::string> archKeys);

    [[nodiscard]] std::size_t rows() const { return archKeys_.size(); }
    [[nodiscard]] std::vector<std::string> const& archKeys() const { return archKeys_; }

    // ---- scalar terminals ----
    void addScalar(std::string name, std::span<double const> values);  // throws on size mismatch / duplicate
    [[nodiscard]] std::size_t scalarCount() const { return scalarNames_.size(); }
    [[nodiscard]] std::vector<std::string> const& scalarNames() const { return scalarNames_; }
    [[nodiscard]] std::optional<std::size_t> scalarIndex(std::string_view name) const;
    [[nodiscard]] std::span<double const> scalar(std::size_t column) const;
    [[nodiscard]] Eigen::MatrixXd const& scalars() const { return scalars_; }
    [[nodiscard]] std::vector<ColumnTransform> const& transforms() const { return transforms_; }
    // Replaces every scalar column by its transform (fitted on all rows); records the transforms.
    void normalize(Normalization mode);
    // Records the transforms already applied to the scalar columns (e.g. when copying normalised columns).
    void setTransforms(std::vector<ColumnTransform> transforms);

    // ---- LayerVector terminals (ragged) ----
    // Sets the number of layers per architecture; must precede addLayerVector, and may be set once.
    void setLayerCounts(std::span<std::size_t const> layersPerArch);
    void addLayerVector(std::string name, std::span<double const> values);  // values concatenated by arch
    [[nodiscard]] std::size_t layerVectorCount() const { return layerNames_.size(); }
    [[nodiscard]] std::vector<std::string> const& layerNames() const { return layerNames_; }
    [[nodiscard]] std::optional<std::size_t> layerIndex(std::string_view name) const;
    [[nodiscard]] std::span<double const> layerValues(std::size_t column) const { return layerValues_[column]; }
    [[nodiscard]] std::vector<std::size_t> const& layerOffsets() const { return layerOffsets_; }  // rows+1
    [[nodiscard]] std::size_t totalLayers() const { return layerOffsets_.empty() ? 0 : layerOffsets_.back(); }

    // ---- target ----
    void setTarget(std::span<double const> accuracy);
    [[nodiscard]] std::span<double const> target() const { return {target_.data(), static_cast<std::size_t>(target_.size())}; }

    // A dataset with only the given rows, in the given order (keeps transforms and names).
    [[nodiscard]] Dataset subset(std::span<std::size_t const> rowIndices) const;

private:
    std::vector<std::string> archKeys_;
    std::vector<std::string> scalarNames_;
    Eigen::MatrixXd scalars_;  // rows x columns, column-major
    std::vector<ColumnTransform> transforms_;
    std::vector<std::string> layerNames_;
    std::vector<std::vector<double>> layerValues_;
    std::vector<std::size_t> layerOffsets_;
    Eigen::VectorXd target_;
};

}  // namespace zcgp::primitives
