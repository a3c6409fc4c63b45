#pragma once
// Scalar semantics of every element-wise operator, shared by constant folding, the reference evaluator and
// the C++ exporter (which emits the same expressions). The interpreter applies the same formulas with Eigen
// array kernels. Protected operators never produce NaN/Inf from finite inputs except through overflow
// (add, sub, mul, square, exp up to e^50, inv/div of a tiny-but-nonzero denominator), which the evaluator
// detects and rejects.
#include <algorithm>
#include <cmath>

namespace zcgp::primitives::kernels {

inline constexpr double ProtectEps = 1e-12;  // |denominator| below this: division returns 1 (gplearn style)
inline constexpr double LogFloor = 1e-12;    // log(|x|) is evaluated at max(|x|, LogFloor)
inline constexpr double ExpClip = 50.0;      // exp(min(x, ExpClip))

inline double add(double a, double b) { return a + b; }
inline double sub(double a, double b) { return a - b; }
inline double mul(double a, double b) { return a * b; }
inline double div(double a, double b) { return std::abs(b) < ProtectEps ? 1.0 : a / b; }
inline double aq(double a, double b) { return a / std::sqrt(1.0 + b * b); }  // analytic quotient
inline double min(double a, double b) { return std::min(a, b); }
inline double max(double a, double b) { return std::max(a, b); }
inline double neg(double x) { return -x; }
inline double abs(double x) { return std::abs(x); }
inline double log(double x) { return std::log(std::max(std::abs(x), LogFloor)); }
inline double sqrt(double x) { return std::sqrt(std::abs(x)); }
inline double square(double x) { return x * x; }
inline double exp(double x) { return std::exp(std::min(x, ExpClip)); }
inline double tanh(double x) { return std::tanh(x); }
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double inv(double x) { return std::abs(x) < ProtectEps ? 1.0 : 1.0 / x; }
inline double relu(double x) { return std::max(x, 0.0); }

}  // namespace zcgp::primitives::kernels
