#include "zcgp/engine/LinearScaling.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <Eigen/Dense>

#include "zcgp/fitness/RankStatistics.hpp"

namespace zcgp::engine {

namespace {
bool isAdditive(Node const& n) { return n.op == Opcode::Add || n.op == Opcode::Sub; }
constexpr double DropBelow = 1e-4;
}  // namespace

// The reductions below reproduce the order in which Eigen sums with 2-double packets (SSE2, this file's
// baseline): built with wider vectors, Eigen would sum in another order.
static_assert(Eigen::internal::packet_traits<double>::size == 2,
              "ldltSolve mirrors Eigen's LDLT with 2-double packets: build LinearScaling.cpp for the x86-64 baseline");

void ldltSolve(std::array<std::array<double, MaxLinearTerms>, MaxLinearTerms>& A, std::size_t K,
               std::array<double, MaxLinearTerms>& x) {
    std::array<std::size_t, MaxLinearTerms> perm{};
    for (std::size_t k = 0; k < K; ++k) perm[k] = k;
    // factorisation (Eigen's ldlt_inplace<Lower>::unblocked): diagonal pivoting, lower triangle only
    for (std::size_t k = 0; K > 1 && k < K; ++k) {
        std::size_t p = k;  // the largest |diagonal| of the corner, the first one on ties (maxCoeff)
        for (std::size_t i = k + 1; i < K; ++i) {
            if (std::abs(A[i][i]) > std::abs(A[p][p])) p = i;
        }
        perm[k] = p;
        if (p != k) {
            for (std::size_t j = 0; j < k; ++j) std::swap(A[k][j], A[p][j]);
            for (std::size_t i = p + 1; i < K; ++i) std::swap(A[i][k], A[i][p]);
            std::swap(A[k][k], A[p][p]);
            for (std::size_t i = k + 1; i < p; ++i) std::swap(A[i][k], A[p][i]);
        }
        if (k > 0) {
            std::array<double, MaxLinearTerms> t{};
            for (std::size_t j = 0; j < k; ++j) t[j] = A[j][j] * A[k][j];
            double dot = A[k][0] * t[0];  // an inner product over a strided row: in order, from the first term
            for (std::size_t j = 1; j < k; ++j) dot = dot + A[k][j] * t[j];
            A[k][k] -= dot;
            for (std::size_t i = k + 1; i < K; ++i) {  // A21 -= A20 t, a coefficient-based product
                double sum = A[i][0] * t[0];
                for (std::size_t j = 1; j < k; ++j) sum = A[i][j] * t[j] + sum;
                A[i][k] -= sum;
            }
        }
        double const akk = A[k][k];
        bool const valid = std::abs(akk) > 0.0;
        if (k == 0 && !valid) {  // a zero diagonal: no pivoting recorded, nothing else done
            for (std::size_t j = 0; j < K; ++j) perm[j] = j;
            break;
        }
        if (valid) {
            for (std::size_t i = k + 1; i < K; ++i) A[i][k] /= akk;
        }
    }
    // solve (Eigen's LDLT::_solve_impl_transposed): P, L^-1, the pseudo-inverse of D, L^-T, P^T
    for (std::size_t k = 0; k < K; ++k) std::swap(x[k], x[perm[k]]);
    for (std::size_t i = 0; i < K; ++i) {
        if (x[i] == 0.0) continue;  // skipped, as Eigen's column-wise forward substitution does
        for (std::size_t j = i + 1; j < K; ++j) x[j] = x[j] - x[i] * A[j][i];
    }
    for (std::size_t i = 0; i < K; ++i) {
        x[i] = std::abs(A[i][i]) > std::numeric_limits<double>::min() ? x[i] / A[i][i] : 0.0;
    }
    for (std::size_t k = 1; k < K; ++k) {
        // row-wise back substitution: a contiguous dot product, summed as Eigen's 2-packet reduction does
        std::size_t const i = K - 1 - k;
        auto term = [&](std::size_t m) { return A[i + 1 + m][i] * x[i + 1 + m]; };
        double dot = 0.0;
        switch (k) {
            case 1: dot = term(0); break;
            case 2: dot = term(0) + term(1); break;
            case 3: dot = (term(0) + term(1)) + term(2); break;
            default: dot = (term(0) + term(2)) + (term(1) + term(3)); break;  // k = 4 (K <= 5)
        }
        x[i] -= dot;
    }
    for (std::size_t k = K; k-- > 0;) std::swap(x[k], x[perm[k]]);
}

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
        double const s = ExactPowersOfTen[static_cast<std::size_t>(p)];  // what std::pow(10.0, p) returns, faster
        return std::round(x * s) / s;
    }
    double const s = std::pow(10.0, -p);
    return std::round(x / s) * s;
}

RidgeWeights::RidgeWeights(std::vector<std::vector<double>> const& targets, double lambda, RidgeTarget target)
    : lambda_(lambda) {
    if (!(lambda >= 0.0) || !std::isfinite(lambda)) throw std::invalid_argument("ridge lambda must be finite and >= 0");
    for (auto const& acc : targets) {
        rows_ += static_cast<double>(acc.size());
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

// Each statistic is one Eigen reduction per task, accumulated over the tasks in order: the same expressions on
// the same columns give the same bits whichever fit (cached or not) asks for them.
RidgeTermStatistics RidgeWeights::termStatistics(Columns columns, std::size_t k) const {
    RidgeTermStatistics s;
    for (std::size_t t = 0; t < columns.size(); ++t) {
        Eigen::Map<Eigen::ArrayXd const> x(columns[t][k].data(), static_cast<Eigen::Index>(y_[t].size()));
        s.mean += x.sum();
    }
    s.mean /= rows_;
    for (std::size_t t = 0; t < columns.size(); ++t) {
        Eigen::Map<Eigen::ArrayXd const> x(columns[t][k].data(), static_cast<Eigen::Index>(y_[t].size()));
        s.sd += (x - s.mean).square().sum();
    }
    s.sd = std::sqrt(s.sd / rows_);
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = static_cast<Eigen::Index>(y_[t].size());
        Eigen::Map<Eigen::ArrayXd const> x(columns[t][k].data(), n);
        Eigen::Map<Eigen::ArrayXd const> y(y_[t].data(), n);
        s.target += ((x - s.mean) * y).sum() / s.sd;
        s.diagonal += ((x - s.mean) * (x - s.mean)).sum() / (s.sd * s.sd);
    }
    return s;
}

double RidgeWeights::gram(Columns columns, std::size_t i, std::size_t j, RidgeTermStatistics const& a,
                          RidgeTermStatistics const& b) const {
    double g = 0.0;
    for (std::size_t t = 0; t < columns.size(); ++t) {
        auto const n = static_cast<Eigen::Index>(y_[t].size());
        Eigen::Map<Eigen::ArrayXd const> xi(columns[t][i].data(), n);
        Eigen::Map<Eigen::ArrayXd const> xj(columns[t][j].data(), n);
        g += ((xi - a.mean) * (xj - b.mean)).sum() / (a.sd * b.sd);
    }
    return g;
}

template <typename StatsOf, typename GramOf>
bool RidgeWeights::solve(LinearTerms& terms, StatsOf&& statsOf, GramOf&& gramOf) const {
    auto const K = static_cast<Eigen::Index>(terms.count);
    using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, MaxLinearTerms, 1>;
    using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, MaxLinearTerms, MaxLinearTerms>;
    // pooled means and standard deviations
    std::array<RidgeTermStatistics, MaxLinearTerms> s;
    Vec mean = Vec::Zero(K), sd = Vec::Zero(K);
    for (Eigen::Index k = 0; k < K; ++k) {
        s[static_cast<std::size_t>(k)] = statsOf(static_cast<std::size_t>(k));
        mean[k] = s[static_cast<std::size_t>(k)].mean;
        sd[k] = s[static_cast<std::size_t>(k)].sd;
    }
    double const N = rows_;
    // Gram matrix and right-hand side of the standardised terms (constant terms are left out: zero row/column)
    Mat G = Mat::Zero(K, K);
    Vec b = Vec::Zero(K);
    std::array<bool, MaxLinearTerms> used{};
    double maxSd = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) maxSd = std::max(maxSd, std::abs(mean[k]) + sd[k]);
    for (Eigen::Index k = 0; k < K; ++k) used[static_cast<std::size_t>(k)] = sd[k] > 1e-12 * std::max(maxSd, 1e-300);
    for (Eigen::Index i = 0; i < K; ++i) {
        auto const si = static_cast<std::size_t>(i);
        if (!used[si]) continue;
        b[i] = s[si].target;
        for (Eigen::Index j = 0; j <= i; ++j) {
            auto const sj = static_cast<std::size_t>(j);
            if (!used[sj]) continue;
            G(i, j) = i == j ? s[si].diagonal : gramOf(si, sj, s[si], s[sj]);
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
    std::array<std::array<double, MaxLinearTerms>, MaxLinearTerms> A{};
    std::array<double, MaxLinearTerms> w{};
    for (Eigen::Index i = 0; i < K; ++i) {
        for (Eigen::Index j = 0; j <= i; ++j) A[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = G(i, j);
        w[static_cast<std::size_t>(i)] = b[i];
    }
    ldltSolve(A, static_cast<std::size_t>(K), w);  // = G.ldlt().solve(b), bit for bit
    double largest = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) {
        auto& wk = w[static_cast<std::size_t>(k)];
        wk = used[static_cast<std::size_t>(k)] && std::isfinite(wk) ? wk / sd[k] : 0.0;
        largest = std::max(largest, std::abs(wk));
    }
    bool any = false;
    for (Eigen::Index k = 0; k < K; ++k) {
        double c = largest > 0.0 ? w[static_cast<std::size_t>(k)] / largest : 0.0;
        c = std::abs(c) < DropBelow ? 0.0 : roundSignificant(c, 4);
        terms.weights[static_cast<std::size_t>(k)] = c;
        any = any || c != 0.0;
    }
    return any;
}

bool RidgeWeights::fit(Columns columns, LinearTerms& terms) const {
    return solve(
        terms, [&](std::size_t k) { return termStatistics(columns, k); },
        [&](std::size_t i, std::size_t j, RidgeTermStatistics const& a, RidgeTermStatistics const& b) {
            return gram(columns, i, j, a, b);
        });
}

bool RidgeWeights::fit(Columns columns, LinearTerms& terms, Tree const& tree, RidgeCache& cache) const {
    if (cache.owner_ != this) {
        cache.clear();
        cache.owner_ = this;
    }
    std::array<std::uint32_t, MaxLinearTerms> ids{};
    auto const epoch = cache.terms_.epoch();
    return solve(
        terms,
        [&](std::size_t k) {
            auto [stats, id] = cache.term(*this, columns, k, tree, terms.roots[k]);
            ids[k] = id;
            return stats;
        },
        [&](std::size_t i, std::size_t j, RidgeTermStatistics const& a, RidgeTermStatistics const& b) {
            // ids from before the memo emptied itself (once in 2^32 terms) must not key Gram entries
            if (cache.terms_.epoch() != epoch) return gram(columns, i, j, a, b);
            return cache.gram(*this, columns, i, j, ids[i], ids[j], a, b);
        });
}

RidgeCache::RidgeCache(std::size_t maxTermNodes, std::size_t termSlots, std::size_t pairSlots)
    : terms_(maxTermNodes, termSlots), pairs_(std::bit_ceil(std::max<std::size_t>(pairSlots, 1))) {}

void RidgeCache::clear() {
    terms_.clear();
    std::fill(pairs_.begin(), pairs_.end(), Pair{});
    epoch_ = terms_.epoch();
}

std::pair<RidgeTermStatistics, std::uint32_t> RidgeCache::term(RidgeWeights const& ridge, RidgeWeights::Columns columns,
                                                               std::size_t k, Tree const& tree, std::size_t root) {
    bool hit = false;
    auto* slot = terms_.find(tree, root, hit);
    if (terms_.epoch() != epoch_) {  // the memo emptied itself: so are the pairs of its old ids
        std::fill(pairs_.begin(), pairs_.end(), Pair{});
        epoch_ = terms_.epoch();
    }
    if (hit) {
        ++counts_.termHits;
        return {slot->value, slot->id};
    }
    ++counts_.termMisses;
    auto const stats = ridge.termStatistics(columns, k);
    if (slot == nullptr) return {stats, 0};
    slot->value = stats;
    return {stats, slot->id};
}

double RidgeCache::gram(RidgeWeights const& ridge, RidgeWeights::Columns columns, std::size_t i, std::size_t j,
                        std::uint32_t idI, std::uint32_t idJ, RidgeTermStatistics const& a, RidgeTermStatistics const& b) {
    if (idI == 0 || idJ == 0) {
        ++counts_.gramMisses;
        return ridge.gram(columns, i, j, a, b);
    }
    // the entry is symmetric bit for bit (x_i y_j = y_j x_i, and sd_i sd_j = sd_j sd_i), so one per unordered pair
    auto const low = std::min(idI, idJ), high = std::max(idI, idJ);
    auto& p = pairs_[static_cast<std::size_t>(hashMix(low, high)) & (pairs_.size() - 1)];
    if (p.low == low && p.high == high) {
        ++counts_.gramHits;
        return p.gram;
    }
    ++counts_.gramMisses;
    p.low = low;
    p.high = high;
    p.gram = ridge.gram(columns, i, j, a, b);
    return p.gram;
}

void combineTerms(LinearTerms const& terms, std::array<std::span<double const>, MaxLinearTerms> const& columns,
                  std::span<double> out) {
    bool first = true;
    for (std::size_t k = 0; k < terms.count; ++k) {
        double const c = terms.weights[k];
        if (c == 0.0) continue;
        auto const& x = columns[k];
        // the weight's test hoisted out of the loops (so that they vectorise): the same operations per element
        double* o = out.data();
        double const* v = x.data();
        std::size_t const n = out.size();
        if (first && c == 1.0) {
            std::copy_n(v, n, o);
        } else if (first) {
            for (std::size_t i = 0; i < n; ++i) o[i] = c * v[i];
        } else if (c == 1.0) {
            for (std::size_t i = 0; i < n; ++i) o[i] = o[i] + v[i];
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                double const w = c * v[i];
                o[i] = o[i] + w;
            }
        }
        first = false;
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
