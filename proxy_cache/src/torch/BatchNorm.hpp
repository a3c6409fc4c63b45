#pragma once
// Training-mode batch norm whose second derivative is one fused kernel per layer.
//
// GraSP's Hessian-vector product differentiates the cross-entropy backward once more. LibTorch 1.13 does that for
// batch norm with batchnorm_double_backward, a chain of about 30 activation-sized element-wise ops per layer, which
// took 17% of an NB201 measurement (docs/proxies.md, "Sixth round"). Here the first backward is LibTorch's own
// native_batch_norm_backward, so every first-order result is bit for bit the same, and the backward of that
// backward is the closed form below: one pass for five per-channel sums, one pass that writes both results.
//
// With x̂ = (x - μ)·r (r = 1/sqrt(var + eps), biased variance over the M = N·H·W values of a channel), the backward
// is gβ = Σgy, gγ = Σgy·x̂, gx = γ·r·(gy - A - x̂·B) with A = mean(gy), B = mean(gy·x̂). Given the incoming
// gradients ggx, ggγ, ggβ of those three outputs, and S_g = Σggx, S_x = Σggx·x̂, S_y = Σggx·gy:
//   d/dgy = γ·r·(ggx - S_g/M - x̂·S_x/M) + ggγ·x̂ + ggβ
//   d/dγ  = r·(S_y - A·S_g - B·S_x)
//   d/dx  = c1·ggx + c2·gy + c3·x̂ + c0, with k = ggγ - γ·r·S_x/M, c1 = -γ·r²·B, c2 = k·r,
//           c3 = γ·r²·(2·B·S_x - S_y + A·S_g)/M - k·r·B, c0 = γ·r²·B·S_g/M - k·r·A
// (the total derivative through μ and r). ScorerOptions::fusedBatchNorm = false keeps LibTorch's own double
// backward; tests/proxy_cache/torch/ArchitectureScorerTest.cpp compares the two.
#include <torch/torch.h>

namespace zcgp::proxy_cache::detail {

// Whether batchNormTrain takes x: a contiguous CPU tensor of float or double, [N, C, ...]. Elsewhere (CUDA, other
// layouts) the caller keeps LibTorch's batch norm, whose double backward is LibTorch's formula.
[[nodiscard]] bool batchNormFusable(torch::Tensor const& x);

// y = batch_norm(x) in training mode (batch statistics; the running statistics are updated as
// torch::nn::BatchNorm2d does, with `momentum`), differentiable twice with the fused second derivative. weight and
// bias are [C] (affine). x must be batchNormFusable.
[[nodiscard]] torch::Tensor batchNormTrain(torch::Tensor const& x, torch::Tensor const& weight,
                                           torch::Tensor const& bias, torch::Tensor const& runningMean,
                                           torch::Tensor const& runningVar, double momentum, double eps);

}  // namespace zcgp::proxy_cache::detail
