#pragma once
// The FlexiBERT encoder of the LM benchmark (Serianni & Kalita 2023, on Tuli et al.'s FlexiBERT space), as the
// benchmark built and counted it: an ELECTRA-small style ElectraModel (embeddings of width 128 projected to the
// hidden width, then the encoder layers, no output head), whose layers follow each architecture's nas_config.
// Private to proxy_cache (LibTorch types); docs/proxies.md describes it.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::proxy_cache::detail {

// The benchmark's fixed sizes. Its network code reads `num_hidden_layers` and each layer's operation, parameter,
// heads and `num_feed_forward` from nas_config, but takes the hidden width (256) and the feed-forward width (1024)
// from the configuration defaults: `hidden_size` and `feed_forward_dimension` are not used. With these sizes the
// parameter count equals the benchmark's `Number of Parameters` for all 500 architectures.
struct FlexiBertSizes {
    std::int64_t vocabulary = 30522;   // BERT's uncased WordPiece vocabulary (ELECTRA's tokenizer)
    std::int64_t embedding = 128;
    std::int64_t hidden = 256;
    std::int64_t intermediate = 1024;
    std::int64_t maxPositions = 512;
    std::int64_t tokenTypes = 2;
    std::int64_t convHeadRatio = 2;    // DSC: half the heads attend, half convolve (ConvBERT)
    double initStd = 0.02;             // every Linear, Embedding and DSC convolution weight ~ N(0, 0.02), biases 0
    double layerNormEps = 1e-12;
};

// What one forward records per encoder layer (when `record` is set), as the benchmark's forward hooks saw them.
struct FlexiBertLayerRecord {
    std::vector<torch::Tensor> activations;  // output of the GELU after each stacked feed-forward Linear
    std::vector<torch::Tensor> headOutputs;  // outputs of the operation's query, key, value, input, weight Linears
    torch::Tensor softmax;                   // output of the operation's softmax module (undefined if none)
};

// The Linear layers of one encoder layer, grouped as the benchmark's proxies select them.
struct FlexiBertLayerLinears {
    std::vector<torch::nn::Linear> operation;  // every Linear of layer.operation (incl. the attention output dense)
    std::vector<torch::nn::Linear> inner;      // every Linear of layer.operation.operation (the heads' Linears)
    std::vector<torch::nn::Linear> feedForward;  // intermediate (dense_in, the stacked ones) and the output dense
};

class FlexiBertNetwork : public torch::nn::Module {
public:
    // Throws std::invalid_argument naming `id` and the layer for an unknown operation type or parameter, or heads
    // that do not divide the hidden width.
    FlexiBertNetwork(FlexiBertConfig const& config, std::string const& id, FlexiBertSizes sizes = {});

    // Token ids [batch, sequence] (int64) -> last hidden state [batch, sequence, hidden]. Token types are all 0 and
    // positions 0..sequence-1, as the benchmark's inputs; there is no dropout (a deterministic network).
    [[nodiscard]] torch::Tensor forward(torch::Tensor const& ids);

    [[nodiscard]] std::vector<FlexiBertLayerLinears> const& layerLinears() const { return linears_; }
    [[nodiscard]] torch::Tensor const& positionEmbeddings() const { return position_->weight; }
    [[nodiscard]] std::size_t layerCount() const { return layers_.size(); }
    [[nodiscard]] FlexiBertSizes const& sizes() const { return sizes_; }

    bool record = false;
    std::vector<FlexiBertLayerRecord> records;  // one per layer after a recording forward

private:
    struct Layer;
    [[nodiscard]] torch::Tensor operationForward(std::size_t index, torch::Tensor const& h, FlexiBertLayerRecord* rec);
    [[nodiscard]] torch::Tensor feedForward(std::size_t index, torch::Tensor const& a, FlexiBertLayerRecord* rec);
    torch::nn::Linear linear(std::string const& name, std::int64_t in, std::int64_t out, bool bias = true);

    FlexiBertSizes sizes_;
    torch::nn::Embedding word_{nullptr}, position_{nullptr}, tokenType_{nullptr};
    torch::nn::LayerNorm embeddingNorm_{nullptr};
    torch::nn::Linear project_{nullptr};
    std::vector<std::shared_ptr<Layer>> layers_;
    std::vector<FlexiBertLayerLinears> linears_;
};

}  // namespace zcgp::proxy_cache::detail
