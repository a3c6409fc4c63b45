#pragma once
// Scalar semantics of every element-wise operator, shared by constant folding, the reference evaluator and
// the C++ exporter (which emits the same expressions). The interpreter applies the same formulas with Eigen
// array kernels. Protected operators never produce NaN/Inf from finite inputs except through overflow
// (add, sub, mul, square, exp up to e^50, inv/div of a tiny-but-nonzero denominator), which the evaluator
// detects and rejects.
#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>

namespace zcgp::primitives::kernels {

inline constexpr double ProtectEps = 1e-12;  // |denominator| below this: division returns 1 (gplearn style)
inline constexpr double LogFloor = 1e-12;    // log(|x|) is evaluated at max(|x|, LogFloor)
inline constexpr double ExpClip = 50.0;      // exp(min(x, ExpClip))

inline double add(double a, double b) { return a + b; }
inline double sub(double a, double b) { return a - b; }
inline double mul(double a, double b) { return a * b; }
inline double min(double a, double b) { return std::min(a, b); }
inline double max(double a, double b) { return std::max(a, b); }
inline double neg(double x) { return -x; }
inline double abs(double x) { return std::abs(x); }
inline double tanh(double x) { return std::tanh(x); }

// The operators with semantics of their own (protected, clipped, or not in <cmath>), each written once: this list
// defines the kernels below AND is the C++ the exporter writes into every header (kernelSources(), emitted by
// Export.cpp after the constants above), so the exported formula cannot drift from the engine's semantics.
// Each entry: primitive name, parameter list, returned expression (no top-level commas).
#define ZCGP_PROTECTED_KERNELS(X)                                      \
    X(div, (double a, double b), std::abs(b) < ProtectEps ? 1.0 : a / b) \
    X(aq, (double a, double b), a / std::sqrt(1.0 + b * b))             \
    X(log, (double x), std::log(std::max(std::abs(x), LogFloor)))       \
    X(sqrt, (double x), std::sqrt(std::abs(x)))                         \
    X(square, (double x), x * x)                                        \
    X(exp, (double x), std::exp(std::min(x, ExpClip)))                  \
    X(sigmoid, (double x), 1.0 / (1.0 + std::exp(-x)))                  \
    X(inv, (double x), std::abs(x) < ProtectEps ? 1.0 : 1.0 / x)        \
    X(relu, (double x), std::max(x, 0.0))

#define ZCGP_DEFINE_KERNEL(name, params, expr) inline double name params { return expr; }
ZCGP_PROTECTED_KERNELS(ZCGP_DEFINE_KERNEL)
#undef ZCGP_DEFINE_KERNEL

struct KernelSource {
    std::string_view name, params, expr;
};
#define ZCGP_KERNEL_SOURCE(name, params, expr) KernelSource{#name, #params, #expr},
inline constexpr KernelSource kernelSourceList[] = {ZCGP_PROTECTED_KERNELS(ZCGP_KERNEL_SOURCE)};
#undef ZCGP_KERNEL_SOURCE
[[nodiscard]] inline std::span<KernelSource const> kernelSources() { return kernelSourceList; }

}  // namespace zcgp::primitives::kernels
