#include "zcgp/engine/Pruning.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "zcgp/engine/Infix.hpp"
#include "zcgp/fitness/VectorClones.hpp"

#ifdef ZCGP_AVX512_KERNELS
#include <immintrin.h>
#endif

namespace zcgp::engine {

std::string_view toString(PruneRule rule) {
    switch (rule) {
        case PruneRule::NoTerminal: return "no_terminal";
        case PruneRule::Limit: return "limit";
        case PruneRule::Redundant: return "redundant";
        case PruneRule::Constant: return "constant";
        case PruneRule::NonFinite: return "non_finite";
        case PruneRule::DuplicateRanking: return "duplicate_ranking";
        case PruneRule::EarlyStop: return "early_stop";
        default: return "?";
    }
}

namespace {
// Whether function node i makes the tree redundant, given every subtree's hash and whether it holds a terminal
// that is not a constant (both already set for i's children, hasVar for i itself).
bool redundantAt(std::vector<Node> const& nodes, std::size_t i, std::vector<std::uint64_t> const& h,
                 std::vector<char> const& hasVar) {
    auto const& n = nodes[i];
    // a terminal-free subtree bigger than one node is an unfolded constant expression
    if (hasVar[i] == 0) return true;
    std::size_t const right = i - 1;
    if (n.arity() == 2) {
        std::size_t const left = i - 2 - nodes[i - 1].length;
        if (h[left] != h[right]) return false;
        switch (n.op) {
            case Opcode::Sub: case Opcode::Div: case Opcode::Min: case Opcode::Max: case Opcode::VSub:
            case Opcode::VDiv: case Opcode::AQ:
                return true;  // x-x, x/x, min(x,x), aq(x,x) (a monotone squash of x)
            default: return false;
        }
    }
    auto inner = nodes[right].op;
    auto pair = [&](Opcode outer, Opcode in) { return n.op == outer && inner == in; };
    return pair(Opcode::Neg, Opcode::Neg) || pair(Opcode::Abs, Opcode::Abs) || pair(Opcode::Abs, Opcode::Neg) ||
           pair(Opcode::Log, Opcode::Exp) || pair(Opcode::Exp, Opcode::Log) || pair(Opcode::Sqrt, Opcode::Square) ||
           pair(Opcode::Inv, Opcode::Inv) || pair(Opcode::Abs, Opcode::Square) || pair(Opcode::Abs, Opcode::Sqrt) ||
           pair(Opcode::Abs, Opcode::Exp) || pair(Opcode::Relu, Opcode::Relu) || pair(Opcode::Relu, Opcode::Abs) ||
           pair(Opcode::VNeg, Opcode::VNeg) || pair(Opcode::VAbs, Opcode::VAbs) || pair(Opcode::VLog, Opcode::VExp) ||
           pair(Opcode::VExp, Opcode::VLog) || pair(Opcode::VInv, Opcode::VInv) || pair(Opcode::VNormalize, Opcode::VNormalize) ||
           pair(Opcode::VSoftmax, Opcode::VSoftmax) || pair(Opcode::VMinMax, Opcode::VMinMax) ||
           pair(Opcode::VLogSoftmax, Opcode::VLogSoftmax) || pair(Opcode::Square, Opcode::Sqrt) ||
           pair(Opcode::Square, Opcode::Abs) || pair(Opcode::Square, Opcode::Neg) ||
           pair(Opcode::RL1Norm, Opcode::VAbs) || pair(Opcode::RL1Norm, Opcode::VNeg);
}
}  // namespace

bool hasRedundantPattern(Tree const& tree, std::uint64_t* hash) {
    // reused per thread: the check runs on every offspring
    thread_local std::vector<std::uint64_t> h;
    thread_local std::vector<char> hasVar;
    subtreeHashes(tree, h);
    if (hash != nullptr && !h.empty()) *hash = h.back();
    auto const& nodes = tree.nodes();
    hasVar.resize(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto const& n = nodes[i];
        if (n.isTerminal()) {
            hasVar[i] = n.op != Opcode::Constant ? 1 : 0;
            continue;
        }
        std::size_t right = i - 1;
        std::size_t left = n.arity() == 2 ? i - 2 - nodes[i - 1].length : right;
        hasVar[i] = static_cast<char>(hasVar[left] | hasVar[right]);
        if (redundantAt(nodes, i, h, hasVar)) return true;
    }
    return false;
}

std::optional<PruneRule> structuralRule(Tree const& tree, TreeContext const& ctx, std::uint64_t* hash) {
    // the three rules in their order (no terminal, limits, redundancy) from the hashes and one more pass, which
    // gathers the terminals, every subtree's depth and the redundancy (it runs on every offspring; it was two
    // terminal scans, a depth pass, the hashes and a redundancy pass)
    thread_local std::vector<std::uint64_t> h;
    thread_local std::vector<char> hasVar;
    thread_local std::vector<std::uint16_t> depth;
    auto const& nodes = tree.nodes();
    subtreeHashes(tree, h);
    hasVar.resize(nodes.size());
    depth.resize(nodes.size());
    bool terminal = false, redundant = false;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto const& n = nodes[i];
        if (n.isTerminal()) {
            hasVar[i] = n.op != Opcode::Constant ? 1 : 0;
            terminal = terminal || n.op != Opcode::Constant;
            depth[i] = 1;
            continue;
        }
        std::size_t right = i - 1;
        std::size_t left = n.arity() == 2 ? i - 2 - nodes[i - 1].length : right;
        hasVar[i] = static_cast<char>(hasVar[left] | hasVar[right]);
        depth[i] = static_cast<std::uint16_t>(std::max(depth[left], depth[right]) + 1);
        redundant = redundant || redundantAt(nodes, i, h, hasVar);
    }
    if (!terminal) return PruneRule::NoTerminal;
    if (tree.size() > ctx.maxSize || depth.back() > ctx.maxDepth) return PruneRule::Limit;
    if (hash != nullptr && !h.empty()) *hash = h.back();
    if (redundant) return PruneRule::Redundant;
    return std::nullopt;
}

bool earlyStopFires(std::span<double const> firstScores) {
    bool identical = firstScores.size() > 1;
    for (double const v : firstScores) {
        if (v == 0.0 || v == -1.0 || !std::isfinite(v)) return true;
        identical = identical && v == firstScores.front();
    }
    return identical;
}

namespace {
ZCGP_VECTOR_CLONES
std::uint64_t rankHashPortable(std::span<double const> values) {
    // Each value's rank is the number of values strictly below it: the rank vector determines the weak order
    // (ties included) and is unchanged by any strictly increasing transform. Counting is O(n^2) but
    // branch-free; sorting the (unpredictable) values was ~4x slower at n = 64.
    std::uint64_t h = 1469598103934665603ULL;
    std::size_t const n = values.size();
    double const* v = values.data();
    for (std::size_t i = 0; i < n; ++i) {
        double const x = v[i];
        std::uint64_t below = 0;
        for (std::size_t j = 0; j < n; ++j) {
            below += static_cast<std::uint64_t>(v[j] < x);
        }
        h = (h ^ (i * 0x9E3779B97F4A7C15ULL + below)) * 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}

#ifdef ZCGP_AVX512_KERNELS
// rankHashPortable with 8 lanes per step (mask popcounts): the same counts, so the same hash.
ZCGP_TARGET_AVX512
std::uint64_t rankHashAvx512(std::span<double const> values) {
    std::uint64_t h = 1469598103934665603ULL;
    std::size_t const n = values.size();
    double const* v = values.data();
    std::size_t const full = n / 8 * 8;
    auto const m = static_cast<__mmask8>((1u << (n - full)) - 1u);
    __m512d const last = _mm512_maskz_loadu_pd(m, v + full);
    for (std::size_t i = 0; i < n; ++i) {
        __m512d const x = _mm512_set1_pd(v[i]);
        std::uint64_t below = 0;
        for (std::size_t j = 0; j < full; j += 8) {
            below += _mm_popcnt_u32(_mm512_cmp_pd_mask(_mm512_loadu_pd(v + j), x, _CMP_LT_OQ));
        }
        if (m != 0) below += _mm_popcnt_u32(_mm512_mask_cmp_pd_mask(m, last, x, _CMP_LT_OQ));
        h = (h ^ (i * 0x9E3779B97F4A7C15ULL + below)) * 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}
#endif
}  // namespace

std::uint64_t rankHash(std::span<double const> values) {
#ifdef ZCGP_AVX512_KERNELS
    if (fitness::hasAvx512()) return rankHashAvx512(values);
#endif
    return rankHashPortable(values);
}

namespace {
inline std::size_t slotOf(std::uint64_t key, std::size_t mask) {
    key ^= key >> 33;
    key *= 0xFF51AFD7ED558CCDULL;
    key ^= key >> 33;
    return static_cast<std::size_t>(key) & mask;
}
}  // namespace

bool HashSet::contains(std::uint64_t key) const {
    if (key == 0) return hasZero_;
    if (slots_.empty()) return false;
    std::size_t const mask = slots_.size() - 1;
    for (std::size_t i = slotOf(key, mask);; i = (i + 1) & mask) {
        if (slots_[i] == key) return true;
        if (slots_[i] == 0) return false;
    }
}

bool HashSet::insert(std::uint64_t key) {
    if (key == 0) {
        bool const added = !hasZero_;
        hasZero_ = true;
        return added;
    }
    if (2 * (size_ + 1) > slots_.size()) grow();
    std::size_t const mask = slots_.size() - 1;
    for (std::size_t i = slotOf(key, mask);; i = (i + 1) & mask) {
        if (slots_[i] == key) return false;
        if (slots_[i] == 0) {
            slots_[i] = key;
            ++size_;
            return true;
        }
    }
}

void HashSet::grow() {
    std::vector<std::uint64_t> old(std::max<std::size_t>(64, slots_.size() * 2), 0);
    old.swap(slots_);
    size_ = 0;
    for (auto k : old) {
        if (k != 0) insert(k);
    }
}

void HashSet::clear() {
    slots_.clear();
    size_ = 0;
    hasZero_ = false;
}

}  // namespace zcgp::engine
