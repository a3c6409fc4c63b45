#include "zcgp/engine/LinearScaling.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <Eigen/Dense>

#include "zcgp/fitness/RankStatistics.hpp"

namespace zcgp::engine {

namespace {
bool isAdditive(Node const& n) { return n.op == Opcode::Add || n.op == Opcode::Sub; }
constexpr double DropBelow = 1e-4;
}  // namespace

LinearTerms additiveTerms(Tree const& tree, std::size_t maxTerms) {
    LinearTerms t;
    t.roots[0] = static_cast<std::uint16_t>(tree.size() - 1);
    t.weights.fill(1.0);
    t.count = 1;
    maxTerms = std::min(maxTerms, MaxLinearTerms);
    while (t.count < maxTerms) {
        auto it = std::find_if(t.roots.begin(), t.roots.begin() + t.count,
                               [&](std::uint16_t r) { return isAdditive(tree[r]); });
        if (it == t.roots.begin() + t.count) break;
        auto const root = *it;
        auto const right = static_cast<std::uint16_t>(root - 1);
        auto const left = static_cast<std::uint16_t>(right - tree[right].length - 1);
        // replace the chain node by its two children, keeping postfix order
        std::copy_backward(it + 1, t.roots.begin() + t.count, t.roots.begin() + t.count + 1);
        *it = left;
        *(it + 1) = right;
        ++t.count;
    }
    return t;
}

double roundSignificant(double x, int digits) {
    if (x == 0.0 || !std::isfinite(x)) return x;
    int const e = static_cast<int>(std::floor(std::log10(std::abs(x))));
    int const p = digits - 1 - e;
    if (p >= 0 && p <= 22) {
        double const s = std::pow(10.0, p);  // exact for p <= 22
        return std::round(x * s) / s;
    }
    double const s = std::pow(10.0, -p);
    return std::round(x / s) * s;
}

RidgeWeights::RidgeWeights(std::vector<std::vector<double>> const& targets, double lambda, RidgeTarget target)
    : lambda_(lambda) {
    if (!(lambda >= 0.0) || !std::isfinite(lambda)) throw std::invalid_argument("ridge lambda must be finite and >= 0");
    for (auto const& acc : targets) {
        if (target == RidgeTarget::Top) {
            auto const better = fitness::ranksFromTop(acc);
            std::vector<double> y(acc.size());
            for (std::size_t i = 0; i < acc.size(); ++i) y[i] = -std::log1p(static_cast<double>(better[i]));
            double const mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(std::max<std::size_t>(y.size(), 1));
            for (auto& v : y) v -= mean;
            y_.push_back(std::move(y));
            continue;
        }
        auto r = fitness::averageRanks(acc);
        auto const n = static_cast<double>(r.size());
        for (auto& v : r) v = (v - (n + 1.0) / 2.0) / n;
        y_.push_back(std::move(r));
    }
}

bool RidgeWeights::fit(std::span<std::array<std::span<double const>, MaxLinearTerms> const> columns,
                       LinearTerms& terms) const {
    auto const K = static_cast<Eigen::Index>(terms.count);
    using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, MaxLinearTerms, 1>;
    using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, MaxLinearTerms, MaxLinearTerms>;
    // pooled means and standard deviations
    Vec mean = Vec::Zero(K), sd = Vec::Zero(K);
    double N = 0.0;
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = y_[t].size();
        N += static_cast<double>(n);
        for (Eigen::Index k = 0; k < K; ++k) {
            Eigen::Map<Eigen::ArrayXd const> x(columns[t][static_cast<std::size_t>(k)].data(), static_cast<Eigen::Index>(n));
            mean[k] += x.sum();
        }
    }
    mean /= N;
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = static_cast<Eigen::Index>(y_[t].size());
        for (Eigen::Index k = 0; k < K; ++k) {
            Eigen::Map<Eigen::ArrayXd const> x(columns[t][static_cast<std::size_t>(k)].data(), n);
            sd[k] += (x - mean[k]).square().sum();
        }
    }
    for (Eigen::Index k = 0; k < K; ++k) sd[k] = std::sqrt(sd[k] / N);
    // Gram matrix and right-hand side of the standardised terms (constant terms are left out: zero row/column)
    Mat G = Mat::Zero(K, K);
    Vec b = Vec::Zero(K);
    std::array<bool, MaxLinearTerms> used{};
    double maxSd = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) maxSd = std::max(maxSd, std::abs(mean[k]) + sd[k]);
    for (Eigen::Index k = 0; k < K; ++k) used[static_cast<std::size_t>(k)] = sd[k] > 1e-12 * std::max(maxSd, 1e-300);
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = static_cast<Eigen::Index>(y_[t].size());
        Eigen::Map<Eigen::ArrayXd const> y(y_[t].data(), n);
        for (Eigen::Index i = 0; i < K; ++i) {
            if (!used[static_cast<std::size_t>(i)]) continue;
            Eigen::Map<Eigen::ArrayXd const> xi(columns[t][static_cast<std::size_t>(i)].data(), n);
            b[i] += ((xi - mean[i]) * y).sum() / sd[i];
            for (Eigen::Index j = 0; j <= i; ++j) {
                if (!used[static_cast<std::size_t>(j)]) continue;
                Eigen::Map<Eigen::ArrayXd const> xj(columns[t][static_cast<std::size_t>(j)].data(), n);
                G(i, j) += ((xi - mean[i]) * (xj - mean[j])).sum() / (sd[i] * sd[j]);
            }
        }
    }
    for (Eigen::Index i = 0; i < K; ++i) {
        for (Eigen::Index j = 0; j < i; ++j) G(j, i) = G(i, j);
        G(i, i) = used[static_cast<std::size_t>(i)] ? G(i, i) / N + lambda_ : 1.0;
        for (Eigen::Index j = 0; j < K; ++j) {
            if (j != i) G(i, j) /= N;
        }
        b[i] /= N;
    }
    Vec w = G.ldlt().solve(b);
    double largest = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) {
        w[k] = used[static_cast<std::size_t>(k)] && std::isfinite(w[k]) ? w[k] / sd[k] : 0.0;
        largest = std::max(largest, std::abs(w[k]));
    }
    bool any = false;
    for (Eigen::Index k = 0; k < K; ++k) {
        double c = largest > 0.0 ? w[k] / largest : 0.0;
        c = std::abs(c) < DropBelow ? 0.0 : roundSignificant(c, 4);
        terms.weights[static_cast<std::size_t>(k)] = c;
        any = any || c != 0.0;
    }
    return any;
}

void combineTerms(LinearTerms const& terms, std::array<std::span<double const>, MaxLinearTerms> const& columns,
                  std::span<double> out) {
    bool first = true;
    for (std::size_t k = 0; k < terms.count; ++k) {
        double const c = terms.weights[k];
        if (c == 0.0) continue;
        auto const& x = columns[k];
        if (first) {
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = c == 1.0 ? x[i] : c * x[i];
            first = false;
        } else {
            for (std::size_t i = 0; i < out.size(); ++i) {
                double const v = c == 1.0 ? x[i] : c * x[i];
                out[i] = out[i] + v;
            }
        }
    }
}

std::size_t weightedSize(Tree const& tree, LinearTerms const& terms) {
    std::size_t size = 0, kept = 0;
    for (std::size_t k = 0; k < terms.count; ++k) {
        if (terms.weights[k] == 0.0) continue;
        size += tree[terms.roots[k]].length + 1u + (terms.weights[k] == 1.0 ? 0u : 2u);
        ++kept;
    }
    return size + (kept > 0 ? kept - 1 : 0);
}

Tree weightedTree(Tree const& tree, LinearTerms const& terms) {
    if (terms.count <= 1) return tree;
    std::vector<Node> nodes;
    nodes.reserve(weightedSize(tree, terms));
    bool first = true;
    auto const& src = tree.nodes();
    for (std::size_t k = 0; k < terms.count; ++k) {
        double const c = terms.weights[k];
        if (c == 0.0) continue;
        auto const r = terms.roots[k];
        if (c != 1.0) nodes.push_back(Node::constant(c));
        nodes.insert(nodes.end(), src.begin() + (r - src[r].length), src.begin() + r + 1);
        if (c != 1.0) nodes.push_back(Node::function(Opcode::Mul));
        if (!first) nodes.push_back(Node::function(Opcode::Add));
        first = false;
    }
    return Tree(std::move(nodes));
}

}  // namespace zcgp::engine
