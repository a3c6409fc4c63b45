#pragma once
// Networks of the native search spaces, built on a small base class whose leaf layers (conv, batch norm, ReLU,
// pooling, linear) can record what the proxies and statistics need, and count FLOPs the way NAS-Bench-Suite-Zero
// did (tensorwatch's per-leaf-module rules). A new space subclasses SearchSpaceNetwork and registers in
// makeNetwork(); the scorer never looks inside a particular space. Private to proxy_cache (LibTorch types).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace zcgp::proxy_cache::detail {

// What a forward pass records or changes.
struct Probe {
    bool record = false;              // keep weight-layer inputs/outputs, ReLU inputs, cell-node outputs
    bool batchNorm = true;            // false: every BN is the identity (synflow, as NASLib's bn=False copy)
    // training-mode BN with grad enabled: the fused second derivative (BatchNorm.hpp); false: LibTorch's own
    bool fusedBatchNorm = true;
    std::int64_t* flops = nullptr;    // when set, leaf layers add their tensorwatch FLOP count
};

// A conv or linear layer: the unit of "per layer" proxies and statistics.
struct WeightLayer {
    std::string name;                 // e.g. "cells.3.edge2<-1.nor_conv_3x3.conv"
    torch::Tensor weight;             // shares storage with the module's parameter
};

class SearchSpaceNetwork : public torch::nn::Module {
public:
    // Feature map before global pooling (after the last BN+ReLU).
    [[nodiscard]] virtual torch::Tensor features(torch::Tensor x) = 0;
    // Logits: global average pooling of features(), then the linear classifier.
    [[nodiscard]] torch::Tensor forward(torch::Tensor x);

    // Conv and linear layers in construction order (NB201: stem, each cell's conv edges in NASLib tuple order,
    // reduction blocks in place, classifier); the same rule for every architecture of a space.
    [[nodiscard]] std::vector<WeightLayer> const& weightLayers() const { return weightLayers_; }
    [[nodiscard]] std::vector<torch::nn::BatchNorm2d> const& batchNorms() const { return batchNorms_; }
    [[nodiscard]] std::vector<torch::nn::Conv2d> const& convs() const { return convs_; }
    [[nodiscard]] torch::nn::Linear const& classifier() const { return classifier_; }
    // Number of cell nodes recorded per forward (fixed per space).
    [[nodiscard]] virtual std::size_t nodeCount() const = 0;

    Probe probe;
    // Filled by a forward with probe.record: one entry per weight layer (outputs keep their gradient),
    // every ReLU input in call order, and every cell node output.
    std::vector<torch::Tensor> layerInputs, layerOutputs, reluInputs, nodeOutputs;
    // For each weight layer, the index into reluInputs of the ReLU whose output it consumes, or -1.
    std::vector<int> layerReluSource;
    void clearRecords();

protected:
    int addConv(std::string const& name, std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                std::int64_t padding);
    int addBatchNorm(std::string const& name, std::int64_t channels);
    void addClassifier(std::int64_t in, std::int64_t classes);

    [[nodiscard]] torch::Tensor conv(int index, torch::Tensor const& x);
    [[nodiscard]] torch::Tensor batchNorm(int index, torch::Tensor const& x);
    [[nodiscard]] torch::Tensor relu(torch::Tensor const& x);
    [[nodiscard]] torch::Tensor avgPool(torch::Tensor const& x, std::int64_t kernel, std::int64_t stride,
                                        std::int64_t padding, bool countIncludePad);
    [[nodiscard]] torch::Tensor globalAvgPool(torch::Tensor const& x);
    [[nodiscard]] torch::Tensor linear(torch::Tensor const& x);
    void recordNode(torch::Tensor const& x);

private:
    void recordLayer(int layer, torch::Tensor const& in, torch::Tensor& out);
    std::vector<torch::Tensor> reluOutputs_;  // to recognise a layer input that is a ReLU output
    std::vector<WeightLayer> weightLayers_;
    std::vector<torch::nn::Conv2d> convs_;
    std::vector<int> convLayer_;      // conv index -> weight layer index
    std::vector<torch::nn::BatchNorm2d> batchNorms_;
    torch::nn::Linear classifier_{nullptr};
    int classifierLayer_ = -1;
};

// Builds the network of archKey in space for dataset. Throws std::invalid_argument naming the space or key.
[[nodiscard]] std::shared_ptr<SearchSpaceNetwork> makeNetwork(std::string const& space, std::string const& archKey,
                                                             DatasetSpec const& dataset);

}  // namespace zcgp::proxy_cache::detail
