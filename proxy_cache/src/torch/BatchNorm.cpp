#include "BatchNorm.hpp"

#include <ATen/Parallel.h>

#include <array>
#include <cstdint>
#include <tuple>

namespace zcgp::proxy_cache::detail {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Per-channel constants of the second derivative, from the five sums of a channel (see the header).
struct ChannelTerms {
    double dxGgx, dxGy, dxHat, dxConst;  // d/dx = dxGgx·ggx + dxGy·gy + dxHat·x̂ + dxConst
    double dgyGgx, dgyHat, dgyConst;     // d/dgy = dgyGgx·ggx + dgyHat·x̂ + dgyConst
    double dWeight;                      // d/dγ
};

ChannelTerms channelTerms(double m, double gamma, double r, double sumGy, double sumGyHat, double sumGg,
                          double sumGgHat, double sumGgGy, double ggGamma, double ggBeta) {
    double const a = sumGy / m;
    double const b = sumGyHat / m;
    double const k = ggGamma - gamma * r * sumGgHat / m;
    ChannelTerms t{};
    t.dxGgx = -gamma * r * r * b;
    t.dxGy = k * r;
    t.dxHat = gamma * r * r * (2.0 * b * sumGgHat - sumGgGy + a * sumGg) / m - k * r * b;
    t.dxConst = gamma * r * r * b * sumGg / m - k * r * a;
    t.dgyGgx = gamma * r;
    t.dgyHat = -gamma * r * sumGgHat / m + ggGamma;
    t.dgyConst = -gamma * r * sumGg / m + ggBeta;
    t.dWeight = r * (sumGgGy - a * sumGg - b * sumGgHat);
    return t;
}

// The fused CPU kernel: contiguous [N, C, inner] tensors of T, per-channel vectors in double. Channels are
// independent, so the result does not depend on the thread count.
template <typename T>
void fusedChannels(T const* gy, T const* x, T const* ggx, std::int64_t n, std::int64_t c, std::int64_t inner,
                   double const* gamma, double const* mean, double const* invstd, double const* ggGamma,
                   double const* ggBeta, T* dgy, T* dx, double* dWeight) {
    auto const m = static_cast<double>(n * inner);
    at::parallel_for(0, c, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t ch = begin; ch < end; ++ch) {
            double const mu = mean[ch], r = invstd[ch];
            double sGy = 0, sGyHat = 0, sGg = 0, sGgHat = 0, sGgGy = 0;
            for (std::int64_t i = 0; i < n; ++i) {
                auto const off = (i * c + ch) * inner;
                T const* pgy = gy + off;
                T const* px = x + off;
                T const* pgg = ggx ? ggx + off : nullptr;
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0;
                for (std::int64_t j = 0; j < inner; ++j) {
                    double const h = (static_cast<double>(px[j]) - mu) * r;
                    double const g = pgy[j];
                    a0 += g;
                    a1 += g * h;
                    if (pgg) {
                        double const q = pgg[j];
                        a2 += q;
                        a3 += q * h;
                        a4 += q * g;
                    }
                }
                sGy += a0, sGyHat += a1, sGg += a2, sGgHat += a3, sGgGy += a4;
            }
            auto const t = channelTerms(m, gamma[ch], r, sGy, sGyHat, sGg, sGgHat, sGgGy, ggGamma[ch], ggBeta[ch]);
            dWeight[ch] = t.dWeight;
            for (std::int64_t i = 0; i < n; ++i) {
                auto const off = (i * c + ch) * inner;
                T const* pgy = gy + off;
                T const* px = x + off;
                T const* pgg = ggx ? ggx + off : nullptr;
                T* pdgy = dgy + off;
                T* pdx = dx + off;
                for (std::int64_t j = 0; j < inner; ++j) {
                    double const h = (static_cast<double>(px[j]) - mu) * r;
                    double const q = pgg ? static_cast<double>(pgg[j]) : 0.0;
                    pdx[j] = static_cast<T>(t.dxGgx * q + t.dxGy * static_cast<double>(pgy[j]) + t.dxHat * h +
                                            t.dxConst);
                    pdgy[j] = static_cast<T>(t.dgyGgx * q + t.dgyHat * h + t.dgyConst);
                }
            }
        }
    });
}

std::array<torch::Tensor, 3> doubleBackward(torch::Tensor const& gy, torch::Tensor const& x,
                                            torch::Tensor const& weight, torch::Tensor const& mean,
                                            torch::Tensor const& invstd, torch::Tensor const& ggx,
                                            torch::Tensor const& ggWeight, torch::Tensor const& ggBias) {
    auto const c = x.size(1);
    auto perChannel = [&](torch::Tensor const& v) {
        return v.defined() ? v.detach().to(torch::kFloat64).contiguous() : torch::zeros({c}, torch::kFloat64);
    };
    // x passed batchNormFusable in batchNormTrain; the incoming gradients come from autograd and are made contiguous
    // here (a no-op when they are)
    auto const g = gy.to(x.scalar_type()).contiguous();
    auto const gg = ggx.defined() ? ggx.to(x.scalar_type()).contiguous() : ggx;
    auto const gamma = perChannel(weight), mu = perChannel(mean), r = perChannel(invstd);
    auto const ggg = perChannel(ggWeight), ggb = perChannel(ggBias);
    auto dgy = torch::empty_like(x, torch::MemoryFormat::Contiguous);
    auto dx = torch::empty_like(x, torch::MemoryFormat::Contiguous);
    auto dw = torch::empty({c}, torch::kFloat64);
    auto const n = x.size(0);
    auto const inner = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "zcgp_batch_norm_double_backward", [&] {
        fusedChannels<scalar_t>(g.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(),
                                gg.defined() ? gg.data_ptr<scalar_t>() : nullptr, n, c, inner,
                                gamma.data_ptr<double>(), mu.data_ptr<double>(), r.data_ptr<double>(),
                                ggg.data_ptr<double>(), ggb.data_ptr<double>(), dgy.data_ptr<scalar_t>(),
                                dx.data_ptr<scalar_t>(), dw.data_ptr<double>());
    });
    return {dgy, dx, dw.to(weight.scalar_type())};
}

// The backward of batch norm as a function of (gy, x, weight): LibTorch's kernel forward, the closed form backward.
struct BatchNormBackward : torch::autograd::Function<BatchNormBackward> {
    static variable_list forward(AutogradContext* ctx, torch::Tensor gy, torch::Tensor x, torch::Tensor weight,
                                 torch::Tensor mean, torch::Tensor invstd, double eps) {
        ctx->set_materialize_grads(false);
        ctx->save_for_backward({gy, x, weight, mean, invstd});
        auto [gx, gw, gb] = at::native_batch_norm_backward(gy, x, weight, {}, {}, mean, invstd, /*train=*/true, eps,
                                                           {true, true, true});
        return {gx, gw, gb};
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        auto const saved = ctx->get_saved_variables();
        auto const& ggx = grads[0];
        auto const& ggw = grads[1];
        auto const& ggb = grads[2];
        if (!ggx.defined() && !ggw.defined() && !ggb.defined()) return {{}, {}, {}, {}, {}, {}};
        auto [dgy, dx, dw] = doubleBackward(saved[0], saved[1], saved[2], saved[3], saved[4], ggx, ggw, ggb);
        return {dgy, dx, dw, {}, {}, {}};
    }
};

struct BatchNormTrain : torch::autograd::Function<BatchNormTrain> {
    static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight, torch::Tensor bias,
                                 torch::Tensor runningMean, torch::Tensor runningVar, double momentum, double eps) {
        auto [y, mean, invstd] =
            at::native_batch_norm(x, weight, bias, runningMean, runningVar, /*training=*/true, momentum, eps);
        ctx->save_for_backward({x, weight, mean, invstd});
        ctx->saved_data["eps"] = eps;
        return y;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        auto const saved = ctx->get_saved_variables();
        auto const eps = ctx->saved_data["eps"].toDouble();
        auto g = BatchNormBackward::apply(grads[0], saved[0], saved[1], saved[2], saved[3], eps);
        return {g[0], g[1], g[2], {}, {}, {}, {}};
    }
};

}  // namespace

bool batchNormFusable(torch::Tensor const& x) {
    return x.device().is_cpu() && (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kDouble) &&
           x.dim() >= 2 && x.is_contiguous();
}

torch::Tensor batchNormTrain(torch::Tensor const& x, torch::Tensor const& weight, torch::Tensor const& bias,
                             torch::Tensor const& runningMean, torch::Tensor const& runningVar, double momentum,
                             double eps) {
    TORCH_CHECK(batchNormFusable(x), "zcgp batch norm: the fused kernel needs a contiguous float CPU tensor");
    return BatchNormTrain::apply(x, weight, bias, runningMean, runningVar, momentum, eps);
}

}  // namespace zcgp::proxy_cache::detail
