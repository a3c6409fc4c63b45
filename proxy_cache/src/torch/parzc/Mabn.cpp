// MABN modules and the DiffKendall loss (see Mabn.hpp).
#include "Mabn.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace zcgp::proxy_cache::parzc::detail {

BayesianLinearImpl::BayesianLinearImpl(std::int64_t in, std::int64_t out) {
    mu_ = register_parameter("mu", torch::empty({out, in}));
    rho_ = register_parameter("rho", torch::full({out, in}, -5.0));  // sigma = softplus(-5) = 0.0067 at the start
    torch::nn::init::kaiming_uniform_(mu_, std::sqrt(5.0));          // nn.Linear's default, as the authors
    eps_ = torch::zeros({out, in});
}

void BayesianLinearImpl::resample() { eps_ = torch::randn(mu_.sizes(), torch::kFloat32).to(mu_.device()); }

torch::Tensor BayesianLinearImpl::forward(torch::Tensor const& x) {
    if (meanMode_) return torch::nn::functional::linear(x, mu_);
    if (eps_.device() != mu_.device()) eps_ = eps_.to(mu_.device());
    return torch::nn::functional::linear(x, mu_ + torch::nn::functional::softplus(rho_) * eps_);
}

torch::Tensor BayesianLinearImpl::kl(double priorSigma) const {
    auto const sigma = torch::nn::functional::softplus(rho_);
    double const p2 = priorSigma * priorSigma;
    return (std::log(priorSigma) - torch::log(sigma) + (sigma * sigma + mu_ * mu_) / (2.0 * p2) - 0.5).sum();
}

FeedForwardImpl::FeedForwardImpl(std::int64_t dim, double expansion, double dropout) {
    auto const inner = static_cast<std::int64_t>(static_cast<double>(dim) * expansion);
    in_ = register_module("fc_in", torch::nn::Linear(dim, inner));
    out_ = register_module("fc_out", torch::nn::Linear(inner, dim));
    drop_ = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor FeedForwardImpl::forward(torch::Tensor const& x) {
    return drop_(out_(drop_(torch::gelu(in_(x)))));
}

MixerBlockImpl::MixerBlockImpl(std::int64_t patches, std::int64_t dim, double dropout) {
    tokenNorm_ = register_module("token_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    tokenMix_ = register_module("token_mix", FeedForward(patches, 4.0, dropout));
    channelNorm_ = register_module("channel_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    channelMix_ = register_module("channel_mix", FeedForward(dim, 0.5, dropout));
}

torch::Tensor MixerBlockImpl::forward(torch::Tensor const& x) {
    // token mixing acts on the patch axis: [batch, patches, dim] -> [batch, dim, patches] and back
    auto y = x + tokenMix_(tokenNorm_(x).transpose(1, 2)).transpose(1, 2);
    return y + channelMix_(channelNorm_(y));
}

MabnImpl::MabnImpl(MabnShape shape) : shape_(shape) {
    if (shape_.sequence % shape_.patch != 0) throw std::invalid_argument("MABN: sequence not divisible by patch");
    project_ = register_module("project", torch::nn::Linear(shape_.inputDim, shape_.sequence));
    embed_ = register_module("embed", BayesianLinear(shape_.patch, shape_.dim));
    for (std::int64_t b = 0; b < shape_.depth; ++b) {
        blocks_.push_back(register_module(fmt::format("block{}", b),
                                          MixerBlock(shape_.sequence / shape_.patch, shape_.dim, shape_.dropout)));
    }
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({shape_.dim})));
    head_ = register_module("head", BayesianLinear(shape_.dim, shape_.dim));
    fc1_ = register_module("fc1", torch::nn::Linear(torch::nn::LinearOptions(shape_.dim, shape_.dim / 2).bias(false)));
    fc2_ = register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(shape_.dim / 2, 1).bias(false)));
    drop_ = register_module("drop", torch::nn::Dropout(shape_.dropout));
}

torch::Tensor MabnImpl::forward(torch::Tensor const& x) {
    auto h = project_(x).view({x.size(0), shape_.sequence / shape_.patch, shape_.patch});
    h = embed_(h);
    for (auto& b : blocks_) h = b(h);
    h = norm_(h).mean(1);
    h = head_(h);
    return fc2_(drop_(fc1_(h))).squeeze(1);
}

void MabnImpl::resample() {
    embed_->resample();
    head_->resample();
}

void MabnImpl::setMeanMode(bool on) {
    embed_->setMeanMode(on);
    head_->setMeanMode(on);
}

torch::Tensor MabnImpl::kl(double priorSigma) const { return embed_->kl(priorSigma) + head_->kl(priorSigma); }

std::int64_t MabnImpl::bayesianWeightCount() const { return embed_->weightCount() + head_->weightCount(); }

torch::Tensor diffKendallLoss(torch::Tensor const& predicted, torch::Tensor const& target, double alpha) {
    auto const n = predicted.size(0);
    if (n < 2 || target.size(0) != n) {
        throw std::invalid_argument(fmt::format("DiffKendall needs two equal lengths >= 2 (got {} and {})", n,
                                                target.size(0)));
    }
    auto const dp = predicted.unsqueeze(1) - predicted.unsqueeze(0);
    auto const dy = target.unsqueeze(1) - target.unsqueeze(0);
    // the diagonal is tanh(0) * tanh(0) = 0, so summing the whole matrix sums over i != j
    auto const agreement = torch::tanh(alpha * dp / 2.0) * torch::tanh(alpha * dy / 2.0);
    return -2.0 * agreement.sum() / static_cast<double>(n * (n - 1));
}

torch::Device selectDevice(std::string const& name) {
    if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    if (name == "cuda") {
        if (!torch::cuda::is_available()) {
            throw std::invalid_argument("device 'cuda' requested but CUDA is not available (use auto or cpu)");
        }
        return torch::Device(torch::kCUDA);
    }
    if (name != "cpu") throw std::invalid_argument(fmt::format("unknown device '{}' (valid: auto, cpu, cuda)", name));
    return torch::Device(torch::kCPU);
}

}  // namespace zcgp::proxy_cache::parzc::detail
