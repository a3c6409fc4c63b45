// Leaf layers with recording and FLOP counting, and the NAS-Bench-201 network.
#include "SearchSpaceNetwork.hpp"

#include "BatchNorm.hpp"

#include <stdexcept>

#include <fmt/core.h>

namespace zcgp::proxy_cache::detail {

namespace F = torch::nn::functional;

// ---- SearchSpaceNetwork: leaf layers ----

torch::Tensor SearchSpaceNetwork::forward(torch::Tensor x) {
    auto pooled = globalAvgPool(features(std::move(x)));
    return linear(pooled.flatten(1));
}

void SearchSpaceNetwork::clearRecords() {
    layerInputs.assign(weightLayers_.size(), torch::Tensor());
    layerOutputs.assign(weightLayers_.size(), torch::Tensor());
    layerReluSource.assign(weightLayers_.size(), -1);
    reluInputs.clear();
    reluOutputs_.clear();
    nodeOutputs.clear();
}

int SearchSpaceNetwork::addConv(std::string const& name, std::int64_t in, std::int64_t out, std::int64_t kernel,
                                std::int64_t stride, std::int64_t padding) {
    auto module = torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
    register_module(fmt::format("conv{}", convs_.size()), module);
    convs_.push_back(module);
    convLayer_.push_back(static_cast<int>(weightLayers_.size()));
    weightLayers_.push_back({name, module->weight});
    return static_cast<int>(convs_.size()) - 1;
}

int SearchSpaceNetwork::addBatchNorm(std::string const& /*name*/, std::int64_t channels) {
    auto module = torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).affine(true).track_running_stats(true));
    register_module(fmt::format("bn{}", batchNorms_.size()), module);
    batchNorms_.push_back(module);
    return static_cast<int>(batchNorms_.size()) - 1;
}

void SearchSpaceNetwork::addClassifier(std::int64_t in, std::int64_t classes) {
    classifier_ = register_module("classifier", torch::nn::Linear(in, classes));
    classifierLayer_ = static_cast<int>(weightLayers_.size());
    weightLayers_.push_back({"classifier", classifier_->weight});
}

void SearchSpaceNetwork::recordLayer(int layer, torch::Tensor const& in, torch::Tensor& out) {
    if (probe.record) {
        if (layerInputs.size() != weightLayers_.size()) {
            clearRecords();
        }
        layerInputs[static_cast<std::size_t>(layer)] = in.detach();
        layerOutputs[static_cast<std::size_t>(layer)] = out;
        for (std::size_t r = 0; r < reluOutputs_.size(); ++r) {
            if (reluOutputs_[r].is_same(in)) {
                layerReluSource[static_cast<std::size_t>(layer)] = static_cast<int>(r);
            }
        }
    }
}

torch::Tensor SearchSpaceNetwork::conv(int index, torch::Tensor const& x) {
    auto& module = convs_[static_cast<std::size_t>(index)];
    auto out = module->forward(x);
    if (probe.flops != nullptr) {
        // tensorwatch: k_h * k_w * in_c * (out_c / groups) per output position, plus a bias add per output.
        auto const& o = module->options;
        std::int64_t positions = out.size(0) * out.size(2) * out.size(3);
        std::int64_t perPosition = (*o.kernel_size())[0] * (*o.kernel_size())[1] * x.size(1) *
                                   (out.size(1) / o.groups());
        *probe.flops += perPosition * positions + (o.bias() ? out.size(1) * positions : 0);
    }
    recordLayer(convLayer_[static_cast<std::size_t>(index)], x, out);
    return out;
}

torch::Tensor SearchSpaceNetwork::batchNorm(int index, torch::Tensor const& x) {
    auto& module = batchNorms_[static_cast<std::size_t>(index)];
    if (probe.flops != nullptr) {
        *probe.flops += x.numel() * (module->options.affine() ? 2 : 1);
    }
    if (!probe.batchNorm) {
        return x;
    }
    auto const& o = module->options;
    if (probe.fusedBatchNorm && is_training() && torch::GradMode::is_enabled() && o.affine() &&
        o.track_running_stats() && o.momentum().has_value() && batchNormFusable(x)) {
        // what BatchNorm2d's forward does in training mode, with a batch norm whose second derivative is fused
        module->num_batches_tracked += 1;
        return batchNormTrain(x, module->weight, module->bias, module->running_mean, module->running_var,
                              *o.momentum(), o.eps());
    }
    return module->forward(x);
}

torch::Tensor SearchSpaceNetwork::relu(torch::Tensor const& x) {
    if (probe.flops != nullptr) {
        *probe.flops += x.numel();
    }
    auto out = torch::relu(x);
    if (probe.record) {
        reluInputs.push_back(x.detach());
        reluOutputs_.push_back(out);
    }
    return out;
}

torch::Tensor SearchSpaceNetwork::avgPool(torch::Tensor const& x, std::int64_t kernel, std::int64_t stride,
                                          std::int64_t padding, bool countIncludePad) {
    auto out = F::avg_pool2d(x, F::AvgPool2dFuncOptions(kernel).stride(stride).padding(padding).count_include_pad(
                                    countIncludePad));
    if (probe.flops != nullptr) {
        // tensorwatch: kernel area per output element, output size from the pooling formula.
        *probe.flops += x.size(0) * x.size(1) * out.size(2) * out.size(3) * kernel * kernel;
    }
    return out;
}

torch::Tensor SearchSpaceNetwork::globalAvgPool(torch::Tensor const& x) {
    if (probe.flops != nullptr) {
        // tensorwatch's adaptive-pool rule (from SDPoint) counts (y_end - y_start + 1) * (x_end - x_start + 1)
        // per output cell: for a 1x1 output that is (H + 1) * (W + 1), not H * W.
        *probe.flops += x.size(0) * x.size(1) * (x.size(2) + 1) * (x.size(3) + 1);
    }
    return F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1));
}

torch::Tensor SearchSpaceNetwork::linear(torch::Tensor const& x) {
    auto out = classifier_->forward(x);
    if (probe.flops != nullptr) {
        *probe.flops += x.size(0) * x.size(1) * out.size(1);  // tensorwatch ignores the bias add
    }
    recordLayer(classifierLayer_, x, out);
    return out;
}

void SearchSpaceNetwork::recordNode(torch::Tensor const& x) {
    if (probe.record) {
        nodeOutputs.push_back(x.detach());
    }
}

// ---- NAS-Bench-201 ----

namespace {

constexpr int kCellsPerStage = 5;
constexpr std::int64_t kStemChannels = 16;
constexpr auto const& kEdgeFrom = kNb201EdgeFrom;  // edge e of the NASLib tuple: kEdgeFrom[e] -> kEdgeTo[e]
constexpr auto const& kEdgeTo = kNb201EdgeTo;
enum Nb201Op { kSkip = 0, kNone = 1, kConv3x3 = 2, kConv1x1 = 3, kAvgPool = 4 };

// TinyNetwork of NAS-Bench-201: stem, 3 stages of 5 cells (16/32/64 channels) joined by ResNet basic
// reduction blocks, BN+ReLU, global average pooling, linear classifier.
class Nb201Network final : public SearchSpaceNetwork {
public:
    Nb201Network(Nb201Cell cell, DatasetSpec const& dataset) : cell_(cell) {
        stemConv_ = addConv("stem.conv", 3, kStemChannels, 3, 1, 1);
        stemBn_ = addBatchNorm("stem.bn", kStemChannels);
        std::int64_t channels = kStemChannels;
        int cellIndex = 0;
        for (int stage = 0; stage < 3; ++stage) {
            if (stage > 0) {
                Block block;
                block.reduction = true;
                std::string prefix = fmt::format("reduction{}", stage);
                block.convA = addConv(prefix + ".conv_a", channels, 2 * channels, 3, 2, 1);
                block.bnA = addBatchNorm(prefix + ".bn_a", 2 * channels);
                block.convB = addConv(prefix + ".conv_b", 2 * channels, 2 * channels, 3, 1, 1);
                block.bnB = addBatchNorm(prefix + ".bn_b", 2 * channels);
                block.convDown = addConv(prefix + ".downsample.conv", channels, 2 * channels, 1, 1, 0);
                channels *= 2;
                blocks_.push_back(block);
            }
            for (int i = 0; i < kCellsPerStage; ++i, ++cellIndex) {
                Block block;
                for (std::size_t e = 0; e < 6; ++e) {
                    int op = cell_[e];
                    block.edges[e].op = op;
                    if (op == kConv3x3 || op == kConv1x1) {
                        std::string prefix = fmt::format("cells.{}.edge{}<-{}.{}", cellIndex, kEdgeTo[e], kEdgeFrom[e],
                                                         kNb201OpNames[static_cast<std::size_t>(op)]);
                        std::int64_t k = op == kConv3x3 ? 3 : 1;
                        block.edges[e].conv = addConv(prefix + ".conv", channels, channels, k, 1, k / 2);
                        block.edges[e].bn = addBatchNorm(prefix + ".bn", channels);
                    }
                }
                blocks_.push_back(block);
            }
        }
        lastBn_ = addBatchNorm("lastact.bn", channels);
        addClassifier(channels, dataset.numClasses);
    }

    torch::Tensor features(torch::Tensor x) override {
        x = batchNorm(stemBn_, conv(stemConv_, x));
        for (auto const& block : blocks_) {
            if (block.reduction) {
                auto a = batchNorm(block.bnA, conv(block.convA, relu(x)));
                auto b = batchNorm(block.bnB, conv(block.convB, relu(a)));
                auto residual = conv(block.convDown, avgPool(x, 2, 2, 0, true));
                x = residual + b;
                continue;
            }
            std::array<torch::Tensor, 4> nodes;
            nodes[0] = x;
            for (int node = 1; node <= 3; ++node) {
                torch::Tensor sum;
                for (std::size_t e = 0; e < 6; ++e) {
                    if (kEdgeTo[e] != node) {
                        continue;
                    }
                    auto const& edge = block.edges[e];
                    auto const& in = nodes[static_cast<std::size_t>(kEdgeFrom[e])];
                    torch::Tensor out;
                    switch (edge.op) {
                    case kSkip: out = in; break;
                    case kConv3x3:
                    case kConv1x1: out = batchNorm(edge.bn, conv(edge.conv, relu(in))); break;
                    case kAvgPool: out = avgPool(in, 3, 1, 1, false); break;
                    default: break;  // none contributes zero
                    }
                    if (out.defined()) {
                        sum = sum.defined() ? sum + out : out;
                    }
                }
                nodes[static_cast<std::size_t>(node)] = sum.defined() ? sum : torch::zeros_like(x);
                recordNode(nodes[static_cast<std::size_t>(node)]);
            }
            x = nodes[3];
        }
        return relu(batchNorm(lastBn_, x));
    }

    [[nodiscard]] std::size_t nodeCount() const override { return 3 * kCellsPerStage * 3; }

private:
    struct Edge {
        int op = kNone;
        int conv = -1;
        int bn = -1;
    };
    struct Block {
        bool reduction = false;
        std::array<Edge, 6> edges{};
        int convA = -1, bnA = -1, convB = -1, bnB = -1, convDown = -1;
    };
    Nb201Cell cell_;
    std::vector<Block> blocks_;
    int stemConv_ = -1, stemBn_ = -1, lastBn_ = -1;
};

}  // namespace

std::shared_ptr<SearchSpaceNetwork> makeNetwork(std::string const& space, std::string const& archKey,
                                                DatasetSpec const& dataset) {
    if (space == "nb201") {
        return std::make_shared<Nb201Network>(parseNb201Cell(archKey), dataset);
    }
    std::string valid;
    for (auto const& s : nativeSpaces()) {
        valid += (valid.empty() ? "" : ", ") + s;
    }
    throw std::invalid_argument(fmt::format("search space '{}' has no native network (valid: {})", space, valid));
}

}  // namespace zcgp::proxy_cache::detail
