// Native LibTorch scoring: the ArchitectureScorer front (device, dispatch to a space's pipeline) and the NB201
// pipeline: the 13 NAS-Bench-Suite-Zero proxies and per-layer raw statistics of one cell.
//
// NB201 passes, one function per proxy family sharing one Nb201Pass context (docs/proxies.md has the maths):
//   counting         params, l2_norm, weight statistics; flops from a batch-1 forward (tensorwatch rules)
//   forward records  one forward of the data batch (BN in train mode) recording layer inputs/outputs, ReLU inputs
//   kernels          nwot from the ReLU codes
//   Jacobian         d(sum logits)/dx for jacov and epe_nas
//   gradient terms   one create_graph backward of the CE loss: weight gradients (grad_norm, snip, plain, grasp's g),
//                    layer-output gradients (fisher); one Hessian-vector product gives grasp's Hg
//   synflow          |weights|, double, BN off, ones input
//   zen              Gaussian re-init, BN batch statistics, input and perturbed input, no grad
// synflow and zen change the weights, so each runs on its own copy of the network (rebuilt from the seed: the
// same weights), and no proxy depends on which others were measured before it.
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "SearchSpaceNetwork.hpp"
#include "SpaceScorer.hpp"
#include "zcgp/proxy_cache/torch/Allocator.hpp"
#include "zcgp/proxy_cache/torch/Blas.hpp"
#include "zcgp/proxy_cache/torch/Moments.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace zcgp::proxy_cache {

namespace {

namespace F = torch::nn::functional;
using detail::finiteOr;

constexpr std::int64_t kCifarImageBytes = 3 * 32 * 32;
constexpr double kLogEps = 1e-5;          // jacov and epe_nas use log(x + 1e-5)
constexpr double kZenMixup = 1e-2;

struct ImageSet {
    torch::Tensor images;  // [N, 3, 32, 32] float in [0, 1]
    torch::Tensor labels;  // [N] int64
};

ImageSet readCifarBinary(std::filesystem::path const& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw std::runtime_error(fmt::format("cannot open image file '{}' (run scripts/setup.sh or pass --data DIR)",
                                             file.string()));
    }
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto const record = kCifarImageBytes + 1;
    if (bytes.empty() || bytes.size() % static_cast<std::size_t>(record) != 0) {
        throw std::runtime_error(fmt::format("'{}': {} bytes is not a whole number of CIFAR records of {} bytes",
                                             file.string(), bytes.size(), record));
    }
    auto n = static_cast<std::int64_t>(bytes.size()) / record;
    auto images = torch::empty({n, 3, 32, 32}, torch::kFloat32);
    auto labels = torch::empty({n}, torch::kInt64);
    auto* px = images.data_ptr<float>();
    auto* lb = labels.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
        auto const* r = bytes.data() + i * record;
        lb[i] = r[0];
        for (std::int64_t j = 0; j < kCifarImageBytes; ++j) {
            px[i * kCifarImageBytes + j] = static_cast<float>(r[1 + j]) / 255.0F;
        }
    }
    return {images, labels};
}

// The data batch: real test images, each randomly flipped and cropped from a zero-padded copy (the usual training
// augmentation), repeated to the batch size, then normalised. ImageNet16-120 uses CIFAR-100 images box-downsampled
// to 16x16. The random choices come from the scorer's seed, so a scorer always sees the same batch.
std::pair<torch::Tensor, torch::Tensor> makeBatch(std::filesystem::path const& dataDir, DatasetSpec const& dataset,
                                                  int batchSize, std::uint64_t seed) {
    bool cifar10 = dataset.name == "cifar10";
    auto file = dataDir / "images" / (cifar10 ? "cifar10_test_first20.bin" : "cifar100_test_first20.bin");
    auto set = readCifarBinary(file);
    auto images = set.images;
    std::int64_t r = dataset.resolution;
    if (r != 32) {
        images = F::avg_pool2d(images, F::AvgPool2dFuncOptions(32 / r));
    }
    std::int64_t pad = r / 8;  // 4 at 32x32, 2 at 16x16
    auto padded = F::pad(images, F::PadFuncOptions({pad, pad, pad, pad}));
    // Standard channel statistics (NAS-Bench-201's CIFAR-10 / CIFAR-100 values).
    std::array<float, 3> mean = cifar10 ? std::array<float, 3>{125.3F, 123.0F, 113.9F}
                                        : std::array<float, 3>{129.3F, 124.1F, 112.4F};
    std::array<float, 3> std = cifar10 ? std::array<float, 3>{63.0F, 62.1F, 66.7F}
                                       : std::array<float, 3>{68.2F, 65.4F, 70.4F};
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 0x5EED);
    std::uniform_int_distribution<std::int64_t> offset(0, 2 * pad);
    std::bernoulli_distribution flip(0.5);
    auto n = padded.size(0);
    auto x = torch::empty({batchSize, 3, r, r}, torch::kFloat32);
    auto y = torch::empty({batchSize}, torch::kInt64);
    for (std::int64_t i = 0; i < batchSize; ++i) {
        auto src = i % n;
        auto dy = offset(rng);
        auto dx = offset(rng);
        auto crop = padded[src].slice(1, dy, dy + r).slice(2, dx, dx + r);
        if (flip(rng)) {
            crop = crop.flip({2});
        }
        x[i].copy_(crop);
        y[i] = set.labels[src].item<std::int64_t>();
    }
    auto m = torch::tensor({mean[0], mean[1], mean[2]}).div(255.0F).view({1, 3, 1, 1});
    auto s = torch::tensor({std[0], std[1], std[2]}).div(255.0F).view({1, 3, 1, 1});
    return {(x - m) / s, y};
}

// Packs the codes [x > 0] of the rows of a float32 matrix into 64-bit words (row-major, `words` per row, the tail
// bits zero), read straight from the floats (no bool tensor). Bit b of word w is element 64 w + b.
std::uint64_t packWordScalar(float const* src, std::int64_t count) {
    std::uint64_t word = 0;
    for (std::int64_t b = 0; b < count; ++b) word |= static_cast<std::uint64_t>(src[b] > 0.0F) << b;
    return word;
}

#if defined(__x86_64__) && defined(__GNUC__)
// The same bits, eight at a time: an ordered greater-than compare (false for NaN, like the scalar `>`) and the sign
// mask of its lanes.
__attribute__((target("avx2"))) std::uint64_t packWordAvx2(float const* src) {
    std::uint64_t word = 0;
    auto const zero = _mm256_setzero_ps();
    for (int k = 0; k < 8; ++k) {
        auto const gt = _mm256_cmp_ps(_mm256_loadu_ps(src + 8 * k), zero, _CMP_GT_OQ);
        word |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_ps(gt))) << (8 * k);
    }
    return word;
}
#endif

std::vector<std::uint64_t> packCodes(float const* p, std::int64_t n, std::int64_t d, std::int64_t words) {
    std::vector<std::uint64_t> bits(static_cast<std::size_t>(n * words), 0);
#if defined(__x86_64__) && defined(__GNUC__)
    static bool const avx2 = __builtin_cpu_supports("avx2");
#else
    constexpr bool avx2 = false;
#endif
    for (std::int64_t i = 0; i < n; ++i) {
        auto const* src = p + i * d;
        auto* row = bits.data() + i * words;
        for (std::int64_t w = 0; w < words; ++w) {
            auto const begin = w * 64;
            auto const count = std::min<std::int64_t>(64, d - begin);
#if defined(__x86_64__) && defined(__GNUC__)
            if (avx2 && count == 64) {
                row[w] = packWordAvx2(src + begin);
                continue;
            }
#endif
            row[w] = packWordScalar(src + begin, count);
        }
    }
    return bits;
}

// Upper-triangle agreement counts d - popcount(code_i XOR code_j) into the n x n matrix out. Built twice on x86-64
// (hardware POPCNT and the baseline), chosen once at load time: the counts are integers, identical either way.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("popcnt", "default")))
#endif
void agreementCounts(std::uint64_t const* bits, std::int64_t n, std::int64_t d, std::int64_t words, double* out) {
    for (std::int64_t i = 0; i < n; ++i) {
        out[i * n + i] = static_cast<double>(d);
        auto const* a = bits + i * words;
        for (std::int64_t j = i + 1; j < n; ++j) {
            auto const* b = bits + j * words;
            std::int64_t differ = 0;
            for (std::int64_t w = 0; w < words; ++w) {
                differ += __builtin_popcountll(a[w] ^ b[w]);
            }
            out[i * n + j] = out[j * n + i] = static_cast<double>(d - differ);
        }
    }
}

// The NWOT kernel of binary codes c = [x > 0] (rows = samples): K = c c^T + (1-c)(1-c)^T, i.e. K_ij = the number
// of units on which samples i and j agree = D - popcount(code_i XOR code_j). Bit-packed popcounts instead of a float
// matrix product: exact, and far faster than the (reference) BLAS that Debian's LibTorch links.
torch::Tensor codeKernel(torch::Tensor const& x) {
    auto c = x.detach().flatten(1).to(torch::kCPU, torch::kFloat32).contiguous();
    auto const n = c.size(0);
    auto const d = c.size(1);
    auto const words = (d + 63) / 64;
    auto bits = packCodes(c.data_ptr<float>(), n, d, words);
    auto k = torch::empty({n, n}, torch::kFloat64);
    agreementCounts(bits.data(), n, d, words, k.data_ptr<double>());
    return k.to(x.device());
}

// The statistics of one activation (Moments.hpp: one pass per sum, eight interleaved double accumulators; torch's
// Welford std_mean runs at about a tenth of the speed of a plain double pass on one thread here).
torch::Tensor floatCopy(torch::Tensor const& t) { return t.detach().to(torch::kCPU, torch::kFloat32).contiguous(); }

Moments moments(torch::Tensor const& t) {
    auto c = floatCopy(t);
    return proxy_cache::moments(c.data_ptr<float>(), c.numel());
}

double zeroFraction(torch::Tensor const& t) {
    auto c = floatCopy(t);
    return proxy_cache::zeroFraction(c.data_ptr<float>(), c.numel());
}

double logAbsDet(torch::Tensor const& k) {
    auto [sign, logabs] = torch::linalg_slogdet(k);
    return logabs.item<double>();
}

// numpy.corrcoef of the rows of m (double).
torch::Tensor rowCorrelation(torch::Tensor const& m) {
    auto c = m - m.mean(1, true);
    auto cov = torch::mm(c, c.t());
    auto d = cov.diagonal().sqrt();
    return (cov / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1.0, 1.0);
}

double jacovScore(torch::Tensor const& jacobian) {
    auto corr = rowCorrelation(jacobian);
    if (!torch::isfinite(corr).all().item<bool>()) {
        return std::nan("");
    }
    auto v = torch::linalg_eigvalsh(corr);
    return -(torch::log(v + kLogEps) + 1.0 / (v + kLogEps)).sum().item<double>();
}

// EPE-NAS (Lopes et al. 2021), as in NAS-Bench-Suite-Zero: per class, s_c = sum log(|corr| + k) over the class's
// Jacobian correlation matrix (divided by its size when there are more than 100 classes); the score is sum |s_c|,
// or for more than 100 classes sum_c sum_c' |s_c - s_c'| / #classes seen. A class with one sample has corr = 1
// (s_c = log(1 + k)); with more than 100 classes the reference skips it (len() of a scalar fails there).
double epeScore(torch::Tensor const& jacobian, torch::Tensor const& labels, std::int64_t numClasses) {
    auto labelsCpu = labels.cpu();
    std::map<std::int64_t, std::vector<std::int64_t>> rows;
    for (std::int64_t i = 0; i < labelsCpu.size(0); ++i) {
        rows[labelsCpu[i].item<std::int64_t>()].push_back(i);
    }
    std::vector<double> perClass;
    for (auto const& [label, idx] : rows) {
        if (idx.size() == 1) {
            if (numClasses <= 100) {
                perClass.push_back(std::log(1.0 + kLogEps));
            }
            continue;
        }
        auto sel = jacobian.index_select(0, torch::tensor(idx, torch::kInt64).to(jacobian.device()));
        auto corr = rowCorrelation(sel);
        double s = torch::log(corr.abs() + kLogEps).sum().item<double>();
        if (numClasses > 100) {
            s /= static_cast<double>(idx.size());
        }
        perClass.push_back(s);
    }
    double score = 0.0;
    if (numClasses <= 100) {
        for (double s : perClass) {
            score += std::abs(s);
        }
    } else {
        for (double a : perClass) {
            for (double b : perClass) {
                score += std::abs(a - b);
            }
        }
        score /= static_cast<double>(perClass.size());
    }
    return score;
}

std::vector<std::string> const& layerStatisticNames() {
    static std::vector<std::string> const names = {
        "weight_l2",   "weight_abs_mean", "weight_std",          "grad_l2",           "grad_abs_mean",
        "snip_layer",  "plain_layer",     "grasp_layer",         "fisher_layer",      "synflow_layer",
        "act_mean",    "act_std",         "act_grad_l2",         "input_zero_fraction", "input_code_logdet",
        "param_count"};
    return names;
}

std::vector<std::string> const& nodeStatisticNames() {
    static std::vector<std::string> const names = {"node_act_mean", "node_act_std", "node_positive_fraction",
                                                   "node_code_logdet"};
    return names;
}


// ---- the NB201 pipeline ----

// The inputs every NB201 measurement shares: validated options and the data batch, built once per scorer.
struct Nb201Setup {
    ScorerOptions options;
    DatasetSpec dataset;
    torch::Device device;
    std::set<std::string> proxies;
    torch::Tensor batchX, batchY;
    std::set<std::string> statistics;  // options.statisticNames; empty: every statistic

    [[nodiscard]] bool wants(std::string const& p) const { return proxies.count(p) != 0U; }
    // The network of `cell` as measure() starts from it: seeded afresh, so every call gives the same weights.
    [[nodiscard]] std::shared_ptr<detail::SearchSpaceNetwork> freshNetwork(std::string const& archKey) const {
        torch::manual_seed(options.seed);
        auto net = detail::makeNetwork(options.space, archKey, dataset);
        net->probe.fusedBatchNorm = options.fusedBatchNorm;
        net->to(device);
        net->train();
        return net;
    }
};

// What the passes of one measurement share.
struct Nb201Pass {
    Nb201Setup const& setup;
    std::string const& archKey;
    std::shared_ptr<detail::SearchSpaceNetwork> net;
    std::vector<torch::Tensor> weights;   // the weight layers' weights, in weightLayers() order
    std::size_t nLayers{0};
    bool stats{false};                     // some per-layer or per-node statistic is wanted
    ArchitectureMeasurement result;
    std::map<std::string, std::vector<double>> layerStats;
    // forward records
    torch::Tensor x, logits;
    std::vector<torch::Tensor> reluKernels;  // one per ReLU input, shared where ReLUs read the same tensor
    detail::PhaseClock phase;

    Nb201Pass(Nb201Setup const& s, std::string const& key)
        : setup(s), archKey(key), net(s.freshNetwork(key)), stats(s.options.statistics), phase(s.options.phaseTimer) {
        for (auto const& l : net->weightLayers()) weights.push_back(l.weight);
        nLayers = weights.size();
    }
    [[nodiscard]] bool wants(std::string const& p) const { return setup.wants(p); }
    // ScorerOptions::statisticNames: empty = every statistic (with statistics on)
    [[nodiscard]] bool wantsStat(std::string const& name) const {
        return stats && (setup.statistics.empty() || setup.statistics.count(name) != 0U);
    }
    [[nodiscard]] bool wantsAnyStat(std::initializer_list<char const*> names) const {
        return std::any_of(names.begin(), names.end(), [&](char const* n) { return wantsStat(n); });
    }
    void put(std::string const& name, double v) {
        if (wantsStat(name)) layerStats[name].push_back(v);
    }
    // the statistics of the cross-entropy backward (gradientTerms)
    [[nodiscard]] bool wantsGradientStats() const {
        return wantsAnyStat({"grad_l2", "grad_abs_mean", "snip_layer", "plain_layer", "grasp_layer", "fisher_layer",
                             "act_mean", "act_std", "act_grad_l2", "input_zero_fraction", "input_code_logdet"});
    }
    [[nodiscard]] bool wantsNodeStats() const {
        return wantsAnyStat({"node_act_mean", "node_act_std", "node_positive_fraction", "node_code_logdet"});
    }
    [[nodiscard]] bool needGrad() const {
        return wantsGradientStats() || wants("grad_norm") || wants("snip") || wants("plain") || wants("fisher") ||
               wants("grasp");
    }
    [[nodiscard]] bool needJacobian() const { return wants("jacov") || wants("epe_nas"); }
    // the ReLU code kernels: nwot, and the per-layer and per-node code log-determinants
    [[nodiscard]] bool needCodes() const {
        return wantsStat("input_code_logdet") || wants("nwot");
    }
};

// params and l2_norm need no pass; flops a batch-1 forward (as NAS-Bench-Suite-Zero). Per-layer weight statistics.
void countingTerms(Nb201Pass& p) {
    auto& net = *p.net;
    if (p.wants("params")) {
        std::int64_t n = 0;
        for (auto const& w : net.parameters()) n += w.numel();
        p.result.proxies["params"] = static_cast<double>(n) / 1e6;
    }
    if (p.wants("flops")) {
        torch::NoGradGuard noGrad;
        net.eval();
        std::int64_t flops = 0;
        net.probe.flops = &flops;
        auto const r = p.setup.dataset.resolution;
        (void)net.forward(torch::zeros({1, 3, r, r}, p.setup.batchX.options()));
        net.probe.flops = nullptr;
        net.train();
        p.result.proxies["flops"] = static_cast<double>(flops) / 1e6;
    }
    if (p.wants("l2_norm") || p.wantsAnyStat({"weight_l2", "weight_abs_mean", "weight_std", "param_count"})) {
        torch::NoGradGuard noGrad;
        double l2 = 0.0;
        for (auto const& w : p.weights) {
            auto wd = w.to(torch::kFloat64);
            double norm = wd.norm().item<double>();
            l2 += norm;
            if (p.stats) {  // put() keeps only the wanted statistics
                p.put("weight_l2", norm);
                p.put("weight_abs_mean", wd.abs().mean().item<double>());
                p.put("weight_std", wd.std().item<double>());
                p.put("param_count", static_cast<double>(w.numel()));
            }
        }
        p.result.proxies["l2_norm"] = l2;
    }
    p.phase("counting");
}

// One forward of the data batch, recording layer inputs/outputs and ReLU inputs (the graph is kept when a gradient
// or the Jacobian needs it).
void forwardRecords(Nb201Pass& p) {
    auto& net = *p.net;
    p.x = p.setup.batchX.clone();
    if (p.needJacobian()) p.x.requires_grad_(true);
    net.clearRecords();
    net.probe.record = true;
    {
        std::optional<torch::NoGradGuard> noGrad;
        if (!p.needGrad() && !p.needJacobian()) noGrad.emplace();
        p.logits = net.forward(p.x);
    }
    net.probe.record = false;
    p.phase("forward");
}

// Whether two recorded tensors are views of the same values: the records are separate detach()es (separate tensor
// objects, so is_same() never holds between them) of tensors that are not written after they are recorded.
bool sameValues(torch::Tensor const& a, torch::Tensor const& b) {
    return a.data_ptr() == b.data_ptr() && a.scalar_type() == b.scalar_type() && a.sizes() == b.sizes() &&
           a.strides() == b.strides();
}

// The first ReLU input with the values of x, or -1.
int reluSourceOf(Nb201Pass const& p, torch::Tensor const& x) {
    auto const& ins = p.net->reluInputs;
    for (std::size_t q = 0; q < p.reluKernels.size(); ++q) {
        if (sameValues(ins[q], x)) return static_cast<int>(q);
    }
    return -1;
}

// One code kernel per ReLU (NWOT hooks every ReLU module); ReLUs applied to the same tensor (a cell node feeding
// several conv edges) share it. The per-layer and per-node statistics reuse them.
void kernelTerms(Nb201Pass& p) {
    torch::NoGradGuard noGrad;
    torch::Tensor k;
    auto const& ins = p.net->reluInputs;
    for (std::size_t r = 0; r < ins.size(); ++r) {
        torch::Tensor kr;
        if (auto const q = reluSourceOf(p, ins[r]); q >= 0) kr = p.reluKernels[static_cast<std::size_t>(q)];
        if (!kr.defined()) kr = codeKernel(ins[r]);
        p.reluKernels.push_back(kr);
        k = k.defined() ? k + kr : kr;
    }
    p.result.proxies["nwot"] = k.defined() ? logAbsDet(k) : -std::numeric_limits<double>::infinity();
    p.phase("nwot");
}

// d(sum of logits)/dx, i.e. backward(ones_like(y)) as in the reference; keeps the graph for the loss. A degenerate
// cell (every path through 'none') disconnects the logits from the input: the Jacobian is then zero, not an error.
void jacobianTerms(Nb201Pass& p) {
    auto jac = torch::autograd::grad({p.logits.sum()}, {p.x}, {}, /*retain_graph=*/p.needGrad(),
                                     /*create_graph=*/false, /*allow_unused=*/true)[0];
    if (!jac.defined()) jac = torch::zeros_like(p.x);
    auto j = jac.detach().flatten(1).to(torch::kFloat64);
    if (p.wants("jacov")) p.result.proxies["jacov"] = jacovScore(j);
    if (p.wants("epe_nas")) p.result.proxies["epe_nas"] = epeScore(j, p.setup.batchY, p.logits.size(1));
    p.phase("jacobian");
}

// The cross-entropy backward (weights and layer outputs) and grasp's Hessian-vector product, then the per-layer
// terms of grad_norm, snip, plain, grasp and fisher (and the activation statistics).
void gradientTerms(Nb201Pass& p) {
    auto& net = *p.net;
    auto const nLayers = p.nLayers;
    auto loss = F::cross_entropy(p.logits, p.setup.batchY);
    std::vector<torch::Tensor> targets = p.weights;
    for (auto const& o : net.layerOutputs) targets.push_back(o);
    bool const grasp = p.wantsStat("grasp_layer") || p.wants("grasp");
    auto grads = torch::autograd::grad({loss}, targets, {}, /*retain_graph=*/grasp, /*create_graph=*/grasp,
                                       /*allow_unused=*/true);
    std::vector<torch::Tensor> hg(nLayers);
    if (grasp) {
        // GraSP: Hg = d/dw (g_detached . g(w)), one Hessian-vector product through the same graph.
        torch::Tensor z;
        for (std::size_t i = 0; i < nLayers; ++i) {
            if (grads[i].defined()) {
                auto term = (grads[i].detach() * grads[i]).sum();
                z = z.defined() ? z + term : term;
            }
        }
        std::vector<torch::Tensor> h(nLayers);
        if (z.defined() && z.requires_grad()) h = torch::autograd::grad({z}, p.weights, {}, false, false, true);
        for (std::size_t i = 0; i < nLayers; ++i) hg[i] = h[i].defined() ? h[i] : torch::zeros_like(p.weights[i]);
    }
    p.phase("backward+hvp");
    torch::NoGradGuard noGrad;
    double gradNorm = 0.0, snip = 0.0, plain = 0.0, graspSum = 0.0, fisher = 0.0;
    for (std::size_t i = 0; i < nLayers; ++i) {
        auto w = p.weights[i].detach().to(torch::kFloat64);
        auto g = grads[i].defined() ? grads[i].detach().to(torch::kFloat64) : torch::zeros_like(w);
        double gn = g.norm().item<double>();
        double sn = (w * g).abs().sum().item<double>();
        double pl = (w * g).sum().item<double>();
        double gr = grasp ? -(w * hg[i].to(torch::kFloat64)).sum().item<double>() : 0.0;
        // Fisher (Theis et al.; Turner et al.): per output channel 0.5 * mean_n (sum_hw a * da)^2, broadcast to each
        // of the channel's fan-in weights before summing, as NAS-Bench-Suite-Zero does. Activation-sized tensors stay
        // in float32 (reductions accumulate pairwise); small results go to double.
        auto act = net.layerOutputs[i].detach();
        auto gAct = grads[nLayers + i].defined() ? grads[nLayers + i].detach() : torch::zeros_like(act);
        auto prod = act * gAct;
        auto gnk = (prod.dim() > 2 ? prod.sum({2, 3}) : prod).to(torch::kFloat64);
        auto delK = gnk.pow(2).mean(0).mul(0.5);
        double fanIn = static_cast<double>(w.numel() / w.size(0));
        double fi = delK.abs().sum().item<double>() * fanIn;
        gradNorm += gn;
        snip += sn;
        plain += pl;
        graspSum += gr;
        fisher += fi;
        if (p.wantsGradientStats()) {  // only the wanted statistics are computed (put() keeps only those)
            p.put("grad_l2", gn);
            if (p.wantsStat("grad_abs_mean")) p.put("grad_abs_mean", g.abs().mean().item<double>());
            p.put("snip_layer", sn);
            p.put("plain_layer", pl);
            p.put("grasp_layer", gr);
            p.put("fisher_layer", fi);
            if (p.wantsAnyStat({"act_mean", "act_std"})) {
                auto const actMoments = moments(act);
                p.put("act_mean", actMoments.mean);
                p.put("act_std", actMoments.std);
            }
            if (p.wantsStat("act_grad_l2")) p.put("act_grad_l2", gAct.norm().item<double>());
            auto const& in = net.layerInputs[i];
            if (p.wantsStat("input_zero_fraction")) p.put("input_zero_fraction", zeroFraction(in));
            auto relu = net.layerReluSource[i];
            if (p.wantsStat("input_code_logdet")) {
                p.put("input_code_logdet",
                      logAbsDet(relu >= 0 ? p.reluKernels[static_cast<std::size_t>(relu)] : codeKernel(in)));
            }
        }
    }
    p.result.proxies["grad_norm"] = gradNorm;
    p.result.proxies["snip"] = snip;
    p.result.proxies["plain"] = plain;
    p.result.proxies["grasp"] = graspSum;
    p.result.proxies["fisher"] = fisher;
    p.phase("layer terms");
}

// Per cell node: activation mean, spread, positive fraction and code log-determinant.
void nodeTerms(Nb201Pass& p) {
    torch::NoGradGuard noGrad;
    for (auto const& node : p.net->nodeOutputs) {
        auto const m = moments(node);
        p.put("node_act_mean", m.mean);
        p.put("node_act_std", m.std);
        p.put("node_positive_fraction", m.positiveFraction);
        if (p.wantsStat("node_code_logdet")) {
            auto const relu = reluSourceOf(p, node);
            p.put("node_code_logdet",
                  logAbsDet(relu >= 0 ? p.reluKernels[static_cast<std::size_t>(relu)] : codeKernel(node)));
        }
    }
    p.phase("node terms");
}

// synflow: |w|, double, BN off, all-ones input of one sample, on a copy of the network (it takes |w| in place).
void synflowTerms(Nb201Pass& p) {
    auto copy = p.setup.freshNetwork(p.archKey);
    std::vector<torch::Tensor> weights;
    for (auto const& l : copy->weightLayers()) weights.push_back(l.weight);
    {
        torch::NoGradGuard noGrad;
        for (auto& w : copy->parameters()) w.abs_();
    }
    copy->to(torch::kFloat64);
    copy->probe.batchNorm = false;
    auto const r = p.setup.dataset.resolution;
    auto ones = torch::ones({1, 3, r, r}, torch::TensorOptions().dtype(torch::kFloat64).device(p.setup.device));
    auto out = copy->forward(ones);
    auto grads = torch::autograd::grad({out.sum()}, weights, {}, false, false, true);
    torch::NoGradGuard noGrad;
    double total = 0.0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        double s = grads[i].defined() ? (weights[i] * grads[i]).abs().sum().item<double>() : 0.0;
        total += s;
        p.put("synflow_layer", s);
    }
    // NAS-Bench-Suite-Zero stores synflow as log(score) (-log(-score) for negative sums).
    p.result.proxies["synflow"] = total == 0.0 ? 0.0 : (total > 0 ? std::log(total) : -std::log(-total));
    p.phase("synflow");
}

// zen (Lin et al. 2021): Gaussian init, BN with batch statistics, input and perturbed input, on a copy of the network
// (it re-draws the weights). The copy is built from the seed, so the draws follow the same generator state whatever
// was measured before.
void zenTerms(Nb201Pass& p) {
    auto copy = p.setup.freshNetwork(p.archKey);
    torch::NoGradGuard noGrad;
    // random draws come from the CPU generator whatever the device (then copied over), so CUDA measures the network
    // and inputs that CPU does; on CPU this is the same stream as normal_ in place
    auto gaussian = [](torch::Tensor const& like) {
        return torch::randn(like.sizes(), like.options().device(torch::kCPU)).to(like.device());
    };
    for (auto const& c : copy->convs()) c->weight.copy_(gaussian(c->weight));
    copy->classifier()->weight.copy_(gaussian(copy->classifier()->weight));
    copy->classifier()->bias.zero_();
    for (auto bn : copy->batchNorms()) {  // holder copies: the options are mutable
        bn->weight.fill_(1.0);
        bn->bias.zero_();
        bn->options.momentum(1.0);  // running_var becomes the last batch's variance
    }
    auto a = gaussian(p.setup.batchX);
    auto b = gaussian(p.setup.batchX);
    // Channels-last forwards: oneDNN's convolutions then skip the NCHW reorders (zen 0.36 -> 0.27 s at batch 64 on
    // one core; the score moves by 6e-8 relative). Only here: the create_graph backward of the data pass is slower
    // in channels-last, so the main network stays NCHW.
    for (auto const& c : copy->convs()) c->weight.set_data(c->weight.contiguous(torch::MemoryFormat::ChannelsLast));
    auto fa = copy->features(a.contiguous(torch::MemoryFormat::ChannelsLast));
    auto fb = copy->features((a + kZenMixup * b).contiguous(torch::MemoryFormat::ChannelsLast));
    double score = std::log((fa - fb).abs().sum({1, 2, 3}).mean().item<double>());
    for (auto const& bn : copy->batchNorms()) score += std::log(std::sqrt(bn->running_var.mean().item<double>()));
    p.result.proxies["zen"] = score;
    p.phase("zen");
}

class Nb201Scorer final : public detail::SpaceScorer {
public:
    Nb201Scorer(ScorerOptions const& options, torch::Device device)
        : setup_{options, datasetSpec(options.dataset), device, {}, {}, {}, {}} {
        if (setup_.options.proxies.empty()) setup_.options.proxies = proxyNames();
        for (auto const& p : setup_.options.proxies) {
            auto list = parseProxyList(p);  // validates the name
            setup_.proxies.insert(list.begin(), list.end());
        }
        auto const known = statisticNames("nb201");
        for (auto const& name : setup_.options.statisticNames) {
            if (std::find(known.begin(), known.end(), name) == known.end()) {
                throw std::invalid_argument(fmt::format("the nb201 scorer has no statistic '{}' (it has: {})", name,
                                                        fmt::join(known, ", ")));
            }
            setup_.statistics.insert(name);
        }
        auto [x, y] = makeBatch(setup_.options.dataDir, setup_.dataset, setup_.options.batchSize, setup_.options.seed);
        setup_.batchX = x.to(device);
        setup_.batchY = y.to(device);
    }

    [[nodiscard]] std::string canonicalKey(std::string const& archKey) const override {
        return nb201TupleKey(parseNb201Cell(archKey));  // throws naming the key
    }

    [[nodiscard]] ArchitectureMeasurement measure(std::string const& archKey) override {
        auto const start = std::chrono::steady_clock::now();
        auto const key = canonicalKey(archKey);
        Nb201Pass p(setup_, archKey);
        p.result.archKey = key;
        countingTerms(p);
        if (p.needGrad() || p.needJacobian() || p.needCodes() || p.wantsNodeStats()) {
            forwardRecords(p);
            if (p.needCodes()) kernelTerms(p);
            if (p.needJacobian()) jacobianTerms(p);
            if (p.needGrad()) gradientTerms(p);
            if (p.wantsNodeStats()) nodeTerms(p);
            p.net->clearRecords();
            p.reluKernels.clear();
        }
        if (p.wants("synflow") || p.wantsStat("synflow_layer")) synflowTerms(p);
        if (p.wants("zen")) zenTerms(p);
        return finish(std::move(p), start);
    }

    [[nodiscard]] DataBatch dataBatch() const override {
        auto x = setup_.batchX.cpu().contiguous();
        auto y = setup_.batchY.cpu().contiguous();
        DataBatch b{x.size(0), x.size(1), x.size(2), x.size(3), {}, {}};
        b.images.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
        b.labels.assign(y.data_ptr<std::int64_t>(), y.data_ptr<std::int64_t>() + y.numel());
        return b;
    }

private:
    // Keeps only the requested proxies (non-finite scores become NASLib's -1e8) and the statistics in their order.
    [[nodiscard]] ArchitectureMeasurement finish(Nb201Pass&& p, std::chrono::steady_clock::time_point start) const {
        auto result = std::move(p.result);
        for (auto it = result.proxies.begin(); it != result.proxies.end();) {
            if (!p.wants(it->first)) {
                it = result.proxies.erase(it);
            } else {
                it->second = finiteOr(it->second);
                ++it;
            }
        }
        if (p.stats) {
            auto take = [&](std::vector<std::string> const& names, std::size_t expected, char const* what) {
                for (auto const& name : names) {
                    if (!p.wantsStat(name)) continue;
                    auto& v = p.layerStats[name];
                    if (v.size() != expected) {
                        throw std::logic_error(fmt::format("statistic {} has {} values for {} {}", name, v.size(),
                                                           expected, what));
                    }
                    result.statistics.push_back({name, std::move(v)});
                }
            };
            take(layerStatisticNames(), p.nLayers, "layers");
            take(nodeStatisticNames(), p.net->nodeCount(), "nodes");
        }
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return result;
    }

    Nb201Setup setup_;
};

}  // namespace

namespace detail {

torch::Device chooseDevice(std::string const& device) {
    torch::Device chosen{torch::kCPU};
    if (device == "auto") {
        chosen = torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    } else if (device == "cuda") {
        if (!torch::cuda::is_available()) {
            throw std::invalid_argument("device 'cuda' requested but CUDA is not available (use auto or cpu)");
        }
        chosen = torch::Device(torch::kCUDA);
    } else if (device != "cpu") {
        throw std::invalid_argument(fmt::format("unknown device '{}' (valid: auto, cpu, cuda)", device));
    }
    if (chosen.is_cuda()) {
        // full float32 on the GPU (no TF32 matmuls or convolutions) and deterministic cuDNN kernels, so a CUDA
        // measurement agrees with the CPU one to rounding (docs/gpu.md) and repeats bit for bit
        at::globalContext().setAllowTF32CuBLAS(false);
        at::globalContext().setAllowTF32CuDNN(false);
        at::globalContext().setBenchmarkCuDNN(false);
        at::globalContext().setDeterministicCuDNN(true);
    }
    return chosen;
}

std::unique_ptr<SpaceScorer> makeNb201Scorer(ScorerOptions const& options, torch::Device device) {
    return std::make_unique<Nb201Scorer>(options, device);
}

}  // namespace detail

struct ArchitectureScorer::Impl {
    std::string deviceName;
    std::unique_ptr<detail::SpaceScorer> space;
};

ArchitectureScorer::ArchitectureScorer(ScorerOptions options) : impl_(std::make_unique<Impl>()) {
    alignBlasThreads();
    keepFreedTensorMemory();
    auto const& spaces = nativeSpaces();
    if (std::find(spaces.begin(), spaces.end(), options.space) == spaces.end()) {
        std::string valid;
        for (auto const& s : spaces) valid += (valid.empty() ? "" : ", ") + s;
        throw std::invalid_argument(fmt::format("search space '{}' has no native network (valid: {})", options.space,
                                                valid));
    }
    if (options.batchSize < 2) {
        throw std::invalid_argument(fmt::format("batch size {} is too small (need at least 2)", options.batchSize));
    }
    if (options.space != "nb201" && !options.statisticNames.empty()) {
        throw std::invalid_argument(fmt::format("choosing statistics (statisticNames) is implemented for nb201 only, "
                                                "not '{}'", options.space));
    }
    auto const device = detail::chooseDevice(options.device);
    impl_->deviceName = device.is_cuda() ? "cuda" : "cpu";
    impl_->space = options.space == "flexibert" ? detail::makeFlexiBertScorer(options, device)
                                                : detail::makeNb201Scorer(options, device);
}
ArchitectureScorer::~ArchitectureScorer() = default;

std::vector<std::string> statisticNames(std::string const& space) {
    if (space != "nb201") throw std::invalid_argument(fmt::format("statisticNames: space '{}' is not nb201", space));
    auto names = layerStatisticNames();
    auto const& nodes = nodeStatisticNames();
    names.insert(names.end(), nodes.begin(), nodes.end());
    return names;
}

ArchitectureMeasurement ArchitectureScorer::measure(std::string const& archKey) { return impl_->space->measure(archKey); }

std::string const& ArchitectureScorer::deviceName() const { return impl_->deviceName; }

DataBatch ArchitectureScorer::dataBatch() const { return impl_->space->dataBatch(); }

std::string ArchitectureScorer::canonicalKey(std::string const& archKey) const {
    return impl_->space->canonicalKey(archKey);
}

}  // namespace zcgp::proxy_cache
