#pragma once
// MABN, the Mixer Architecture with a Bayesian Network of ParZC (written from the specification and the
// authors' exps/nds/parzc.py, not copied). Internal to zcgp::proxy_cache_torch.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace zcgp::proxy_cache::parzc::detail {

// W = mu + softplus(rho) * eps, eps ~ N(0, 1) redrawn by resample() (once per training batch, once per prediction
// sample, shared by all rows of it); in mean mode W = mu. No bias, as the authors' BayesianLinear.
class BayesianLinearImpl : public torch::nn::Module {
public:
    BayesianLinearImpl(std::int64_t in, std::int64_t out);
    torch::Tensor forward(torch::Tensor const& x);
    // Draws eps from the CPU generator (so CPU and CUDA runs draw the same numbers), then moves it to mu's device.
    void resample();
    void setMeanMode(bool on) { meanMode_ = on; }
    // KL(N(mu, sigma^2) || N(0, priorSigma^2)), summed over the weights.
    [[nodiscard]] torch::Tensor kl(double priorSigma) const;
    [[nodiscard]] std::int64_t weightCount() const { return mu_.numel(); }

private:
    torch::Tensor mu_, rho_, eps_;
    bool meanMode_{false};
};
TORCH_MODULE(BayesianLinear);

// Pre-norm residual feed-forward: x + W2 drop(gelu(W1 LN(x))), the expansion applied to the last dimension.
class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(std::int64_t dim, double expansion, double dropout);
    torch::Tensor forward(torch::Tensor const& x);

private:
    torch::nn::Linear in_{nullptr}, out_{nullptr};
    torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(FeedForward);

// One mixer block: token mixing (across the patches, expansion 4), then channel mixing (expansion 0.5), each a
// pre-norm residual feed-forward block.
class MixerBlockImpl : public torch::nn::Module {
public:
    MixerBlockImpl(std::int64_t patches, std::int64_t dim, double dropout);
    torch::Tensor forward(torch::Tensor const& x);  // [batch, patches, dim]

private:
    torch::nn::LayerNorm tokenNorm_{nullptr}, channelNorm_{nullptr};
    FeedForward tokenMix_{nullptr}, channelMix_{nullptr};
};
TORCH_MODULE(MixerBlock);

struct MabnShape {
    std::int64_t inputDim{0};
    std::int64_t sequence{256}, patch{16}, dim{512}, depth{4};
    double dropout{0.1};
};

// Linear(input -> 256), 16 patches of 16, Bayesian patch embedding 16 -> 512, 4 mixer blocks, LayerNorm, mean
// over the patches, Bayesian head 512 -> 512, then 512 -> 256 -> 1 (no bias, dropout between, as the authors).
class MabnImpl : public torch::nn::Module {
public:
    explicit MabnImpl(MabnShape shape);
    torch::Tensor forward(torch::Tensor const& x);  // [batch, inputDim] -> [batch]
    void resample();
    void setMeanMode(bool on);
    [[nodiscard]] torch::Tensor kl(double priorSigma) const;  // summed over both Bayesian layers
    [[nodiscard]] std::int64_t bayesianWeightCount() const;

private:
    MabnShape shape_;
    torch::nn::Linear project_{nullptr};
    BayesianLinear embed_{nullptr}, head_{nullptr};
    std::vector<MixerBlock> blocks_;
    torch::nn::LayerNorm norm_{nullptr};
    torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
    torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(Mabn);

// DiffKendall as a differentiable tensor: -(2 / (N(N-1))) sum_{i != j} tanh(a dp_ij / 2) tanh(a dy_ij / 2).
[[nodiscard]] torch::Tensor diffKendallLoss(torch::Tensor const& predicted, torch::Tensor const& target, double alpha);

// auto | cpu | cuda, the rules of ArchitectureScorer (auto: CUDA when available).
[[nodiscard]] torch::Device selectDevice(std::string const& name);

}  // namespace zcgp::proxy_cache::parzc::detail
