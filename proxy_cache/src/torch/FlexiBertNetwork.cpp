// The FlexiBERT encoder of the LM benchmark: embeddings, SA (SDP, WMA), LT (DFT, DCT) and DSC (ConvBERT span
// convolution) operations, stacked feed-forward layers. Written from the FlexiBERT and ConvBERT papers and the
// benchmark's description of its network (docs/proxies.md), with the benchmark's sizes (FlexiBertSizes).
#include "FlexiBertNetwork.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <stdexcept>

#include <fmt/core.h>

namespace zcgp::proxy_cache::detail {

namespace F = torch::nn::functional;

namespace {

enum class Operation { SDP, WMA, DFT, DCT, DSC };

Operation parseOperation(FlexiBertLayer const& layer, std::string const& id, std::size_t index) {
    auto const& t = layer.operationType;
    auto const& p = layer.operationParameter;
    auto const fail = [&](std::string const& what) {
        return std::invalid_argument(fmt::format("flexibert arch '{}': layer {}: {}", id, index, what));
    };
    if (t == "SA") {
        if (p == "SDP") return Operation::SDP;
        if (p == "WMA") return Operation::WMA;
        throw fail(fmt::format("unknown operation_parameter '{}' for SA (valid: SDP, WMA)", p));
    }
    if (t == "LT") {
        if (p == "DFT") return Operation::DFT;
        if (p == "DCT") return Operation::DCT;
        throw fail(fmt::format("unknown operation_parameter '{}' for LT (valid: DFT, DCT)", p));
    }
    if (t == "DSC") {
        bool const digits = !p.empty() && p.size() < 4 && p.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || std::stoi(p) < 1 || std::stoi(p) % 2 == 0) {
            throw fail(fmt::format("operation_parameter '{}' of DSC is not an odd kernel size", p));
        }
        return Operation::DSC;
    }
    throw fail(fmt::format("unknown operation_type '{}' (valid: SA, LT, DSC)", t));
}

// The unnormalised DCT-II matrix of size n, as the benchmark's dct (torch-dct, norm=None): C[k][m] =
// 2 cos(pi k (2m + 1) / (2n)); dct(x) over the last dimension is x C^T.
torch::Tensor dctMatrix(std::int64_t n, torch::TensorOptions const& options) {
    auto k = torch::arange(n, torch::kFloat64).unsqueeze(1);
    auto m = torch::arange(n, torch::kFloat64).unsqueeze(0);
    return (2.0 * torch::cos(std::numbers::pi * k * (2.0 * m + 1.0) / (2.0 * static_cast<double>(n)))).to(options);
}

}  // namespace

struct FlexiBertNetwork::Layer {
    Operation op{Operation::SDP};
    std::int64_t heads{0};          // heads of the attention part
    std::int64_t headSize{0};
    std::int64_t allHead{0};        // heads * headSize
    std::int64_t kernel{0};         // DSC
    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, weight{nullptr}, input{nullptr};
    torch::nn::Conv1d depthwise{nullptr}, pointwise{nullptr};
    torch::Tensor convBias;
    torch::nn::Linear convKernel{nullptr}, convOut{nullptr};
    torch::nn::Linear outputDense{nullptr};  // SA and DSC: dense + LayerNorm(residual)
    torch::nn::LayerNorm outputNorm{nullptr};
    std::vector<torch::nn::Linear> ffn;      // dense_in, then num_feed_forward - 1 square ones
    torch::nn::Linear ffnOut{nullptr};
    torch::nn::LayerNorm ffnNorm{nullptr};
};

torch::nn::Linear FlexiBertNetwork::linear(std::string const& name, std::int64_t in, std::int64_t out, bool bias) {
    auto l = register_module(name, torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias)));
    torch::NoGradGuard noGrad;
    l->weight.normal_(0.0, sizes_.initStd);
    if (bias) l->bias.zero_();
    return l;
}

FlexiBertNetwork::FlexiBertNetwork(FlexiBertConfig const& config, std::string const& id, FlexiBertSizes sizes)
    : sizes_(sizes) {
    if (config.layers.empty()) throw std::invalid_argument(fmt::format("flexibert arch '{}': no encoder layers", id));
    auto const H = sizes_.hidden;
    auto const E = sizes_.embedding;
    auto embedding = [&](std::string const& name, std::int64_t rows, std::optional<std::int64_t> padding) {
        auto options = torch::nn::EmbeddingOptions(rows, E);
        if (padding) options.padding_idx(*padding);
        auto e = register_module(name, torch::nn::Embedding(options));
        torch::NoGradGuard noGrad;
        e->weight.normal_(0.0, sizes_.initStd);
        if (padding) e->weight[*padding].zero_();
        return e;
    };
    word_ = embedding("word_embeddings", sizes_.vocabulary, 0);
    position_ = embedding("position_embeddings", sizes_.maxPositions, std::nullopt);
    tokenType_ = embedding("token_type_embeddings", sizes_.tokenTypes, std::nullopt);
    auto norm = [&](std::string const& name, std::int64_t width) {
        return register_module(name, torch::nn::LayerNorm(
                                         torch::nn::LayerNormOptions({width}).eps(sizes_.layerNormEps)));
    };
    embeddingNorm_ = norm("embeddings_norm", E);
    project_ = linear("embeddings_project", E, H);

    for (std::size_t i = 0; i < config.layers.size(); ++i) {
        auto const& spec = config.layers[i];
        auto layer = std::make_shared<Layer>();
        layer->op = parseOperation(spec, id, i);
        if (spec.heads < 1 || H % spec.heads != 0) {
            throw std::invalid_argument(fmt::format("flexibert arch '{}': layer {}: {} heads do not divide the "
                                                    "hidden width {}", id, i, spec.heads, H));
        }
        if (spec.feedForwardCount < 1) {
            throw std::invalid_argument(fmt::format("flexibert arch '{}': layer {}: num_feed_forward {} < 1", id, i,
                                                    spec.feedForwardCount));
        }
        auto const prefix = fmt::format("layer{}_", i);
        FlexiBertLayerLinears groups;
        layer->headSize = H / spec.heads;
        if (layer->op == Operation::DSC) {
            // ConvBERT: heads / ratio attention heads (at least one) of the full head size; the convolution part has
            // as many, and the two are concatenated back to the hidden width
            layer->heads = std::max<std::int64_t>(1, spec.heads / sizes_.convHeadRatio);
            layer->kernel = std::stoi(spec.operationParameter);
            if (2 * layer->heads * layer->headSize != H) {
                throw std::invalid_argument(fmt::format("flexibert arch '{}': layer {}: DSC with {} heads does not "
                                                        "concatenate back to the hidden width {}", id, i, spec.heads, H));
            }
        } else {
            layer->heads = spec.heads;
        }
        layer->allHead = layer->heads * layer->headSize;
        auto const A = layer->allHead;
        if (layer->op == Operation::DFT || layer->op == Operation::DCT) {
            layer->input = linear(prefix + "input", H, A);
            groups.inner = {layer->input};
        } else {
            layer->query = linear(prefix + "query", H, A);
            layer->key = linear(prefix + "key", H, A);
            layer->value = linear(prefix + "value", H, A);
            groups.inner = {layer->query, layer->key, layer->value};
            if (layer->op == Operation::WMA) {
                layer->weight = linear(prefix + "weight", A, A, /*bias=*/false);
                groups.inner.push_back(layer->weight);
            }
            if (layer->op == Operation::DSC) {
                auto const K = layer->kernel;
                layer->depthwise = register_module(prefix + "depthwise", torch::nn::Conv1d(
                    torch::nn::Conv1dOptions(H, H, K).groups(H).padding(K / 2).bias(false)));
                layer->pointwise = register_module(prefix + "pointwise", torch::nn::Conv1d(
                    torch::nn::Conv1dOptions(H, A, 1).bias(false)));
                layer->convBias = register_parameter(prefix + "conv_bias", torch::zeros({A, 1}));
                {
                    torch::NoGradGuard noGrad;
                    layer->depthwise->weight.normal_(0.0, sizes_.initStd);
                    layer->pointwise->weight.normal_(0.0, sizes_.initStd);
                }
                layer->convKernel = linear(prefix + "conv_kernel", A, layer->heads * K);
                layer->convOut = linear(prefix + "conv_out", H, A);
                groups.inner.push_back(layer->convKernel);
                groups.inner.push_back(layer->convOut);
            }
            layer->outputDense = linear(prefix + "output_dense", H, H);
            layer->outputNorm = norm(prefix + "output_norm", H);
        }
        groups.operation = groups.inner;
        if (layer->outputDense) groups.operation.push_back(layer->outputDense);
        auto const I = sizes_.intermediate;
        layer->ffn.push_back(linear(prefix + "ffn_in", H, I));
        for (int f = 1; f < spec.feedForwardCount; ++f) layer->ffn.push_back(linear(fmt::format("{}ffn{}", prefix, f), I, I));
        layer->ffnOut = linear(prefix + "ffn_out", I, H);
        layer->ffnNorm = norm(prefix + "ffn_norm", H);
        groups.feedForward = layer->ffn;
        groups.feedForward.push_back(layer->ffnOut);
        layers_.push_back(std::move(layer));
        linears_.push_back(std::move(groups));
    }
}

torch::Tensor FlexiBertNetwork::operationForward(std::size_t index, torch::Tensor const& h, FlexiBertLayerRecord* rec) {
    auto& L = *layers_[index];
    auto const B = h.size(0);
    auto const T = h.size(1);
    auto heads = [&](torch::Tensor const& x) {  // [B, T, A] -> [B, heads, T, headSize]
        return x.view({B, T, L.heads, L.headSize}).permute({0, 2, 1, 3});
    };
    auto merge = [&](torch::Tensor const& x) {  // [B, heads, T, headSize] -> [B, T, A]
        return x.permute({0, 2, 1, 3}).contiguous().view({B, T, -1});
    };
    auto keep = [&](torch::Tensor const& x) {
        if (rec != nullptr) rec->headOutputs.push_back(x);
        return x;
    };
    if (L.op == Operation::DFT || L.op == Operation::DCT) {
        auto x = heads(keep(L.input->forward(h)));
        torch::Tensor ctx;
        if (L.op == Operation::DFT) {
            ctx = torch::real(torch::fft::fft2(x));  // over (sequence, head dimension), as FNet
        } else {
            auto cs = dctMatrix(T, x.options());
            auto cd = dctMatrix(L.headSize, x.options());
            ctx = torch::matmul(torch::matmul(cs, x), cd.t());  // DCT-II over both dimensions
        }
        // the benchmark's LT module applies a softmax whose output nothing uses; its hooks (head softmax confidence,
        // LPZero's softmax input) read it, so it is computed when recording
        if (rec != nullptr) rec->softmax = torch::softmax(ctx, -1);
        return merge(ctx);
    }
    auto q = keep(L.query->forward(h));
    auto k = keep(L.key->forward(h));
    auto v = keep(L.value->forward(h));
    auto qa = q;
    if (L.op == Operation::WMA) qa = keep(L.weight->forward(q));
    auto scores = torch::matmul(heads(qa), heads(k).transpose(-1, -2)) / std::sqrt(static_cast<double>(L.headSize));
    auto probs = torch::softmax(scores, -1);
    if (rec != nullptr) rec->softmax = probs;
    auto ctx = merge(torch::matmul(probs, heads(v)));  // [B, T, A]
    if (L.op != Operation::DSC) return ctx;
    // ConvBERT's span-based dynamic convolution: a kernel per token and head from (separable conv of the input) *
    // query, softmax over the kernel positions, applied to a window of conv_out(h) around the token
    auto const K = L.kernel;
    auto keyConv = (L.pointwise->forward(L.depthwise->forward(h.transpose(1, 2))) + L.convBias).transpose(1, 2);
    auto kernel = torch::softmax(L.convKernel->forward(keyConv * q).reshape({-1, K, 1}), 1);
    auto out = L.convOut->forward(h);                                          // [B, T, A]
    auto windows = F::pad(out, F::PadFuncOptions({0, 0, (K - 1) / 2, (K - 1) / 2})).unfold(1, K, 1);  // [B, T, A, K]
    auto conv = torch::matmul(windows.reshape({-1, L.headSize, K}), kernel);  // [B*T*heads, headSize, 1]
    auto convHeads = conv.reshape({B, T, L.heads, L.headSize});
    return torch::cat({ctx.view({B, T, L.heads, L.headSize}), convHeads}, 2).view({B, T, -1});
}

torch::Tensor FlexiBertNetwork::feedForward(std::size_t index, torch::Tensor const& a, FlexiBertLayerRecord* rec) {
    auto& L = *layers_[index];
    auto x = a;
    for (auto& dense : L.ffn) {
        x = F::gelu(dense->forward(x));  // exact (erf) GELU, as the benchmark's hidden_act "gelu"
        if (rec != nullptr) rec->activations.push_back(x);
    }
    return L.ffnNorm->forward(L.ffnOut->forward(x) + a);
}

torch::Tensor FlexiBertNetwork::forward(torch::Tensor const& ids) {
    auto const T = ids.size(1);
    if (T > sizes_.maxPositions) {
        throw std::invalid_argument(fmt::format("flexibert: sequence length {} exceeds the {} positions", T,
                                                sizes_.maxPositions));
    }
    auto positions = torch::arange(T, ids.options());
    auto types = torch::zeros_like(ids);
    auto h = word_->forward(ids) + tokenType_->forward(types) + position_->forward(positions).unsqueeze(0);
    h = project_->forward(embeddingNorm_->forward(h));
    records.clear();
    if (record) records.resize(layers_.size());
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        auto* rec = record ? &records[i] : nullptr;
        auto ctx = operationForward(i, h, rec);
        auto& L = *layers_[i];
        // SA and DSC: attention output dense + LayerNorm with the residual; LT feeds its transform on directly
        auto a = L.outputDense ? L.outputNorm->forward(L.outputDense->forward(ctx) + h) : ctx;
        h = feedForward(i, a, rec);
    }
    return h;
}

}  // namespace zcgp::proxy_cache::detail
