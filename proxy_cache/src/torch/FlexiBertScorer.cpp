// The FlexiBERT pipeline: the benchmark's training-free proxies (Serianni & Kalita 2023) and LPZero's five raw
// inputs per encoder layer, from one forward of seeded random tokens and one backward of sum(last hidden state).
//
// Passes, one function per family over a shared FlexiBertPass (docs/proxies.md has the definitions):
//   counting         params
//   forward records  the recording forward (GELU outputs, head Linear outputs, softmax outputs) and its backward;
//                    head confidence, head softmax confidence
//   kernels          activation distance (the sign codes of the GELU outputs: nwot's ReLU codes in a GELU network)
//   Jacobian         jacobian_score, jacobian_score_cosine from the gradient of the position embeddings
//   gradient terms   synaptic diversity, synaptic saliency, head importance
//   statistics       LPZero's inputs reduced per layer (activations, head outputs, softmax, gradients, weights)
// Nothing here changes the weights, so no pass needs a copy of the network.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include <fmt/core.h>

#include "FlexiBertNetwork.hpp"
#include "SpaceScorer.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace zcgp::proxy_cache::detail {

namespace {

constexpr double kLogEps = 1e-5;  // the benchmark's Jacobian covariance: log(v + 1e-5) + 1 / (v + 1e-5)

// The per-layer statistics, in this order for every architecture (one value per encoder layer).
std::vector<std::string> const& flexibertStatisticNames() {
    static std::vector<std::string> const names = {
        "act_mean",          "act_std",           "act_abs_mean",       "act_positive_fraction",
        "head_mean",         "head_std",          "head_abs_mean",      "head_confidence_layer",
        "softmax_confidence", "softmax_max",      "softmax_entropy",
        "grad_l2",           "grad_abs_mean",     "grad_nuclear",
        "weight_l2",         "weight_abs_mean",   "weight_nuclear",
        "saliency_layer",    "diversity_layer",   "head_importance_layer", "activation_distance_layer",
        "param_count"};
    return names;
}

// splitmix64: the token stream is the same on every platform (std::uniform_int_distribution is not).
std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

// numpy.corrcoef of the rows of m (double).
torch::Tensor rowCorrelation(torch::Tensor const& m) {
    auto c = m - m.mean(1, true);
    auto cov = torch::mm(c, c.t());
    auto d = cov.diagonal().sqrt();
    return (cov / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1.0, 1.0);
}

double nuclear(torch::Tensor const& m) { return torch::linalg_svdvals(m.to(torch::kFloat64)).sum().item<double>(); }

// Σ_ij K_ij of the NWOT kernel K = c cᵀ + (1 − c)(1 − c)ᵀ over the rows (tokens) of codes c = [x > 0]:
// Σ_units (n₁² + n₀²) with n₁, n₀ the tokens whose unit is positive / not, exact without the T×T product.
double codeKernelSum(torch::Tensor const& x) {
    auto c = (x.flatten(0, -2) > 0).to(torch::kFloat64);  // [tokens, units]
    auto const tokens = static_cast<double>(c.size(0));
    auto n1 = c.sum(0);
    auto n0 = tokens - n1;
    return (n1 * n1 + n0 * n0).sum().item<double>();
}

struct FlexiBertSetup {
    ScorerOptions options;
    torch::Device device;
    std::set<std::string> proxies;
    std::filesystem::path benchmarkFile;
    std::unordered_map<std::string, FlexiBertConfig> configs;
    torch::Tensor tokens;  // [batch, sequence] int64

    [[nodiscard]] bool wants(std::string const& p) const { return proxies.count(p) != 0U; }
};

struct FlexiBertPass {
    FlexiBertSetup const& setup;
    std::shared_ptr<FlexiBertNetwork> net;
    bool stats{false};
    ArchitectureMeasurement result;
    std::map<std::string, std::vector<double>> layerStats;
    torch::Tensor output;
    PhaseClock phase;

    FlexiBertPass(FlexiBertSetup const& s, std::shared_ptr<FlexiBertNetwork> n)
        : setup(s), net(std::move(n)), stats(s.options.statistics), phase(s.options.phaseTimer) {}
    [[nodiscard]] bool wants(std::string const& p) const { return setup.wants(p); }
    void put(std::string const& name, double v) { layerStats[name].push_back(v); }
    void proxy(std::string const& name, double sum, std::size_t terms) {
        result.proxies[name] = sum;
        result.proxies[name + "_normalized"] = terms > 0 ? sum / static_cast<double>(terms) : 0.0;
    }
};

void countingTerms(FlexiBertPass& p) {
    std::int64_t n = 0;
    for (auto const& w : p.net->parameters()) n += w.numel();
    p.result.proxies["params"] = static_cast<double>(n);  // a count, as the benchmark's Number of Parameters
    p.phase("counting");
}

// The recording forward and the backward of sum(last hidden state) (the benchmark's output.backward(ones)).
// Head confidence: mean over (batch, unit) of the maximum over tokens of each head Linear's output; head softmax
// confidence: mean of the maximum over heads of each softmax output; each summed over its records (and divided by
// their number for the normalised twin).
void forwardRecords(FlexiBertPass& p) {
    p.net->zero_grad();
    p.net->record = true;
    p.output = p.net->forward(p.setup.tokens);
    p.net->record = false;
    p.phase("forward");
    p.output.backward(torch::ones_like(p.output));
    p.phase("backward");
    torch::NoGradGuard noGrad;
    double head = 0.0, soft = 0.0;
    std::size_t heads = 0, softmaxes = 0;
    for (auto const& rec : p.net->records) {
        for (auto const& h : rec.headOutputs) {
            head += std::get<0>(h.detach().max(1)).mean().item<double>();
            ++heads;
        }
        if (rec.softmax.defined()) {
            soft += std::get<0>(rec.softmax.detach().max(1)).mean().item<double>();
            ++softmaxes;
        }
    }
    p.proxy("head_confidence", head, heads);
    p.proxy("head_softmax_confidence", soft, softmaxes);
}

// Activation distance: Σ_ij K_ij of the code kernel over the tokens of the first sequence, per GELU output, summed
// (normalised: divided by the number of GELU outputs). The benchmark's ReLU-free analogue of nwot.
void kernelTerms(FlexiBertPass& p) {
    torch::NoGradGuard noGrad;
    double total = 0.0;
    std::size_t calls = 0;
    for (auto const& rec : p.net->records) {
        double layer = 0.0;
        for (auto const& a : rec.activations) {
            layer += codeKernelSum(a.detach()[0]);
            ++calls;
        }
        total += layer;
        if (p.stats) p.put("activation_distance_layer", layer / static_cast<double>(rec.activations.size()));
    }
    p.proxy("activation_distance", total, calls);
    p.phase("kernels");
}

// The benchmark's Jacobian scores, from J = d(sum output)/d(position embeddings) [positions, embedding]: the rows
// of Jᵀ (one per embedding unit, over all positions) give a correlation matrix; jacobian_score =
// -Σ (log(λ + 1e-5) + 1 / (λ + 1e-5)) over its eigenvalues; jacobian_score_cosine = 1 - mean_{i≠j} |cos(J_i, J_j)|^(1/20).
void jacobianTerms(FlexiBertPass& p) {
    torch::NoGradGuard noGrad;
    auto g = p.net->positionEmbeddings().grad();
    if (!g.defined()) g = torch::zeros_like(p.net->positionEmbeddings());
    auto j = g.detach().to(torch::kFloat64).t().contiguous();  // [embedding, positions]
    auto corr = rowCorrelation(j);
    double score = std::nan("");
    if (torch::isfinite(corr).all().item<bool>()) {
        auto v = torch::linalg_eigvalsh(corr);
        score = -(torch::log(v + kLogEps) + 1.0 / (v + kLogEps)).sum().item<double>();
    }
    p.result.proxies["jacobian_score"] = score;
    auto normed = j / j.norm(2, 1, true);
    auto const n = static_cast<double>(j.size(0));
    auto cosines = torch::mm(normed, normed.t()) - torch::eye(j.size(0), normed.options());
    double summed = cosines.abs().pow(1.0 / 20.0).sum().item<double>() / 2.0;
    p.result.proxies["jacobian_score_cosine"] = 1.0 - summed / (n * n - n);
    p.phase("jacobian");
}

// Synaptic diversity: Σ |‖W‖_* ‖∂W‖_*| over the Linears of each layer's operation; synaptic saliency: Σ |W ⊙ ∂W|
// over the feed-forward Linears; head importance: Σ |W ⊙ ∂W| over the operation's inner Linears with at least 128
// outputs (the benchmark's rule, which leaves out DSC's small kernel Linear). Normalised: divided by the count.
void gradientTerms(FlexiBertPass& p) {
    torch::NoGradGuard noGrad;
    double diversity = 0.0, saliency = 0.0, importance = 0.0;
    std::size_t nd = 0, ns = 0, ni = 0;
    auto gradOf = [](torch::nn::Linear const& l) {
        auto g = l->weight.grad();
        return g.defined() ? g.detach() : torch::zeros_like(l->weight);
    };
    for (auto const& layer : p.net->layerLinears()) {
        double d = 0.0, s = 0.0, h = 0.0;
        for (auto const& l : layer.operation) {
            d += std::abs(nuclear(l->weight.detach()) * nuclear(gradOf(l)));
            ++nd;
        }
        for (auto const& l : layer.feedForward) {
            s += (l->weight.detach() * gradOf(l)).abs().sum().item<double>();
            ++ns;
        }
        for (auto const& l : layer.inner) {
            if (l->weight.size(0) < 128) continue;
            h += (l->weight.detach() * gradOf(l)).abs().sum().item<double>();
            ++ni;
        }
        diversity += d;
        saliency += s;
        importance += h;
        if (p.stats) {
            p.put("diversity_layer", d);
            p.put("saliency_layer", s);
            p.put("head_importance_layer", h);
        }
    }
    p.proxy("synaptic_diversity", diversity, nd);
    p.proxy("synaptic_saliency", saliency, ns);
    p.proxy("head_importance", importance, ni);
    p.phase("gradient terms");
}

// LPZero's five inputs (lpzero/operators/zc_inputs.py) reduced to one number per encoder layer: activations (the GELU
// outputs), head outputs (the first head Linear: query, or input for LT), the attention softmax, and the gradients
// and weights of the operation's inner Linears.
void layerStatistics(FlexiBertPass& p) {
    torch::NoGradGuard noGrad;
    auto const& linears = p.net->layerLinears();
    for (std::size_t i = 0; i < p.net->layerCount(); ++i) {
        auto const& rec = p.net->records[i];
        std::vector<torch::Tensor> flat;
        for (auto const& a : rec.activations) flat.push_back(a.detach().flatten());
        auto act = torch::cat(flat).to(torch::kFloat64);
        p.put("act_mean", act.mean().item<double>());
        p.put("act_std", act.std().item<double>());
        p.put("act_abs_mean", act.abs().mean().item<double>());
        p.put("act_positive_fraction", (act > 0).to(torch::kFloat64).mean().item<double>());
        auto head = rec.headOutputs.front().detach().to(torch::kFloat64);
        p.put("head_mean", head.mean().item<double>());
        p.put("head_std", head.std().item<double>());
        p.put("head_abs_mean", head.abs().mean().item<double>());
        double conf = 0.0;
        for (auto const& h : rec.headOutputs) conf += std::get<0>(h.detach().max(1)).mean().item<double>();
        p.put("head_confidence_layer", conf / static_cast<double>(rec.headOutputs.size()));
        auto soft = rec.softmax.detach().to(torch::kFloat64);
        p.put("softmax_confidence", std::get<0>(soft.max(1)).mean().item<double>());
        p.put("softmax_max", std::get<0>(soft.max(-1)).mean().item<double>());
        p.put("softmax_entropy", -(soft * torch::log(soft.clamp_min(1e-30))).sum(-1).mean().item<double>());
        double g2 = 0.0, gAbs = 0.0, gNuc = 0.0, w2 = 0.0, wAbs = 0.0, wNuc = 0.0, n = 0.0;
        for (auto const& l : linears[i].inner) {
            auto w = l->weight.detach().to(torch::kFloat64);
            auto g = l->weight.grad().defined() ? l->weight.grad().detach().to(torch::kFloat64) : torch::zeros_like(w);
            g2 += g.pow(2).sum().item<double>();
            gAbs += g.abs().sum().item<double>();
            gNuc += nuclear(g);
            w2 += w.pow(2).sum().item<double>();
            wAbs += w.abs().sum().item<double>();
            wNuc += nuclear(w);
            n += static_cast<double>(w.numel());
        }
        p.put("grad_l2", std::sqrt(g2));
        p.put("grad_abs_mean", gAbs / n);
        p.put("grad_nuclear", gNuc);
        p.put("weight_l2", std::sqrt(w2));
        p.put("weight_abs_mean", wAbs / n);
        p.put("weight_nuclear", wNuc);
        double count = 0.0;
        for (auto const* group : {&linears[i].operation, &linears[i].feedForward}) {
            for (auto const& l : *group) count += static_cast<double>(l->weight.numel() + (l->bias.defined() ? l->bias.numel() : 0));
        }
        p.put("param_count", count);
    }
    p.phase("statistics");
}

class FlexiBertScorer final : public SpaceScorer {
public:
    FlexiBertScorer(ScorerOptions const& options, torch::Device device) : setup_{options, device, {}, {}, {}, {}} {
        auto& o = setup_.options;
        if (o.dataset != "glue") {
            throw std::invalid_argument(fmt::format("unknown dataset '{}' for flexibert (valid: glue)", o.dataset));
        }
        if (o.sequenceLength < 2 || o.sequenceLength > 512) {
            throw std::invalid_argument(fmt::format("sequence length {} is outside 2..512 (FlexiBERT has 512 positions)",
                                                    o.sequenceLength));
        }
        if (o.proxies.empty()) o.proxies = proxyNames("flexibert");
        for (auto const& p : o.proxies) {
            auto list = parseProxyList(p, "flexibert");
            setup_.proxies.insert(list.begin(), list.end());
        }
        setup_.benchmarkFile = o.dataDir / "lm" / "BERT_benchmark.json";
        try {
            for (auto& [id, config] : readFlexiBertConfigs(setup_.benchmarkFile)) setup_.configs.emplace(id, std::move(config));
        } catch (DataError const& e) {
            throw std::runtime_error(e.what());
        }
        // seeded random token ids over the vocabulary without [PAD] (id 0), the same on every platform
        FlexiBertSizes const sizes;
        std::uint64_t state = o.seed * 0x9E3779B97F4A7C15ULL + 0x70CE5;
        auto tokens = torch::empty({o.batchSize, o.sequenceLength}, torch::kInt64);
        auto* t = tokens.data_ptr<std::int64_t>();
        auto const range = static_cast<std::uint64_t>(sizes.vocabulary - 1);
        for (std::int64_t i = 0; i < tokens.numel(); ++i) t[i] = 1 + static_cast<std::int64_t>(splitmix64(state) % range);
        setup_.tokens = tokens.to(device);
    }

    [[nodiscard]] std::string canonicalKey(std::string const& archKey) const override {
        auto key = canonicalSpaceKey("flexibert", archKey);
        if (setup_.configs.find(key) == setup_.configs.end()) {
            throw std::invalid_argument(fmt::format("flexibert arch '{}': no architecture with ID {} in '{}' ({} "
                                                    "architectures)",
                                                    archKey, key, setup_.benchmarkFile.string(), setup_.configs.size()));
        }
        return key;
    }

    [[nodiscard]] ArchitectureMeasurement measure(std::string const& archKey) override {
        auto const start = std::chrono::steady_clock::now();
        auto const key = canonicalKey(archKey);
        torch::manual_seed(setup_.options.seed);
        auto net = std::make_shared<FlexiBertNetwork>(setup_.configs.at(key), key);
        net->to(setup_.device);
        net->train();  // no dropout modules: train and eval are the same network
        FlexiBertPass p(setup_, net);
        p.result.archKey = key;
        countingTerms(p);
        bool const onlyCounting = !p.stats && setup_.proxies.size() == 1 && setup_.wants("params");
        if (!onlyCounting) {  // every other proxy needs the recording forward and the backward
            forwardRecords(p);
            kernelTerms(p);
            jacobianTerms(p);
            gradientTerms(p);
            if (p.stats) layerStatistics(p);
        }
        auto result = std::move(p.result);
        for (auto it = result.proxies.begin(); it != result.proxies.end();) {
            if (!setup_.wants(it->first)) {
                it = result.proxies.erase(it);
            } else {
                it->second = finiteOr(it->second);
                ++it;
            }
        }
        if (p.stats) {
            for (auto const& name : flexibertStatisticNames()) {
                auto& v = p.layerStats[name];
                if (v.size() != net->layerCount()) {
                    throw std::logic_error(fmt::format("statistic {} has {} values for {} layers", name, v.size(),
                                                       net->layerCount()));
                }
                result.statistics.push_back({name, std::move(v)});
            }
        }
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return result;
    }

    [[nodiscard]] DataBatch dataBatch() const override {
        throw std::logic_error("flexibert: the batch is token ids, not images (no DataBatch)");
    }

private:
    FlexiBertSetup setup_;
};

}  // namespace

std::unique_ptr<SpaceScorer> makeFlexiBertScorer(ScorerOptions const& options, torch::Device device) {
    return std::make_unique<FlexiBertScorer>(options, device);
}

}  // namespace zcgp::proxy_cache::detail
