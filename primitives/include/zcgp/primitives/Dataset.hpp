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
// kind Log: log(x) (all values > 0), NegLog: -log(-x) (all values < 0), Asinh: asinh(x / inScale),
// Identity: x, Rank: the empirical CDF of the task's architectures (mid-rank of x among the sorted reference
// values, divided by their count); then z = (y - shift) / scale; then, if knee > 0, tails beyond |z| = knee
// are compressed logarithmically: sign(z) (knee + log(1 + |z| - knee)).
// `source` names the raw proxy the column reads when it is not the column's own name (a second view of it).
// Monotone, so it never changes a single proxy's ranking; it puts proxies on comparable scales for + and *.
struct ColumnTransform {
    enum class Kind { Identity, Log, NegLog, Asinh, Rank };
    Kind kind{Kind::Identity};
    double inScale{1.0};
    double shift{0.0};
    double scale{1.0};
    double knee{0.0};
    std::string source;             // raw proxy read by this column; empty: the column's own name
    std::vector<double> reference;  // Rank: sorted values of the fitting architectures
    [[nodiscard]] double apply(double raw) const;
    [[nodiscard]] bool isIdentity() const {
        return kind == Kind::Identity && shift == 0.0 && scale == 1.0 && knee == 0.0 && source.empty();
    }
};

// Robust: log / -log(-x) / asinh as the sign allows, centred on the median, scaled by 1.4826 MAD, tails beyond
// 3 compressed (the bulk of a proxy keeps its resolution when a few degenerate architectures are extreme).
// LogZRobust: both views of every proxy, the logz column under the proxy's name and the robust one as NAME_r.
enum class Normalization { None, ZScore, LogZScore, Rank, Robust, LogZRobust };
// none | zscore | logz | rank | robust | logz+robust
[[nodiscard]] Normalization parseNormalization(std::string_view name);
inline constexpr double kRobustKnee = 3.0;
inline constexpr char const* kRobustSuffix = "_r";

class Dataset {
public:
    Dataset() = default;
    explicit Dataset(std::vector<std::string> archKeys);

    [[nodiscard]] std::size_t rows() const { return archKeys_.size(); }
    [[nodiscard]] std::vector<std::string> const& archKeys() const { return archKeys_; }

    // ---- scalar terminals ----
    void addScalar(std::string name, std::span<double const> values);  // throws on size mismatch / duplicate
    // A column already transformed from raw values by `transform` (recorded for export).
    void addScalar(std::string name, std::span<double const> values, ColumnTransform transform);
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
