#include "zcgp/engine/Interpreter.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Core>
#include <fmt/core.h>

#include "zcgp/primitives/Kernels.hpp"

namespace zcgp::engine {

namespace k = primitives::kernels;
using ConstMap = Eigen::Map<Eigen::ArrayXd const>;
using Map = Eigen::Map<Eigen::ArrayXd>;

Interpreter::Interpreter(primitives::Dataset const& data)
    : data_(&data), rows_(data.rows()), layers_(data.totalLayers()) {
    // keep columns 64-byte aligned-ish (8 doubles) for the vector units
    stride_ = ((std::max(rows_, layers_) + 7) / 8) * 8;
    auto const rowStride = (rows_ + 7) / 8 * 8;
    auto const layerStride = (layers_ + 7) / 8 * 8;
    auto const total = data.scalarCount() * rowStride + data.layerVectorCount() * layerStride;
    auto const bytes = std::max<std::size_t>((total * sizeof(double) + 63) / 64 * 64, 64);
    terminals_.reset(static_cast<double*>(std::aligned_alloc(64, bytes)));
    if (!terminals_) throw std::bad_alloc();
    double* p = terminals_.get();
    for (std::size_t c = 0; c < data.scalarCount(); ++c, p += rowStride) {
        std::copy_n(data.scalar(c).data(), rows_, p);
        scalarColumns_.push_back(p);
    }
    for (std::size_t c = 0; c < data.layerVectorCount(); ++c, p += layerStride) {
        std::copy_n(data.layerValues(c).data(), layers_, p);
        layerColumns_.push_back(p);
    }
}

void Interpreter::Scratch::reserve(std::size_t nodes, std::size_t stride) {
    if (nodes <= nodes_ && stride == stride_) return;
    nodes_ = std::max(nodes, nodes_);
    stride_ = stride;
    auto bytes = std::max<std::size_t>(nodes_ * stride_ * sizeof(double), 64);
    bytes = (bytes + 63) / 64 * 64;  // aligned_alloc needs a multiple of the alignment
    buffer_.reset(static_cast<double*>(std::aligned_alloc(64, bytes)));
    if (!buffer_) throw std::bad_alloc();
    std::fill_n(buffer_.get(), nodes_ * stride_, 0.0);
    columns_.assign(nodes_, nullptr);
}

Interpreter::Scratch Interpreter::makeScratch(std::size_t maxNodes) const {
    Scratch s;
    s.reserve(maxNodes, stride_);
    return s;
}

namespace {
inline bool finiteSum(double const* p, std::size_t n) {
    // One vectorised pass: any NaN/Inf (or an overflowing sum, conservatively) makes the sum non-finite.
    return std::isfinite(ConstMap(p, static_cast<Eigen::Index>(n)).sum());
}
}  // namespace

bool Interpreter::evaluate(Tree const& tree, Scratch& scratch, std::span<double> out) const {
    auto const& nodes = tree.nodes();
    scratch.reserve(nodes.size(), stride_);
    auto const rows = static_cast<Eigen::Index>(rows_);
    // rows+1 offsets whenever the Dataset has LayerVector columns, even if every architecture has 0 layers
    auto const* offsets = data_->layerOffsets().data();
    auto& cols = scratch.columns_;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto const& n = nodes[i];
        double* dst = scratch.buffer_.get() + i * scratch.stride_;
        auto const len = n.type == ValueType::Scalar ? rows : static_cast<Eigen::Index>(layers_);
        Map r(dst, len);
        cols[i] = dst;
        // argument columns
        double const* a = nullptr;
        double const* b = nullptr;
        if (n.arity() == 1) {
            a = cols[i - 1];
        } else if (n.arity() == 2) {
            b = cols[i - 1];
            a = cols[i - 1 - nodes[i - 1].length - 1];
        }
        auto lenA = [&](ValueType t) { return t == ValueType::Scalar ? rows : static_cast<Eigen::Index>(layers_); };
        bool check = false;
        switch (n.op) {
            case Opcode::Constant: r.setConstant(n.value); break;
            case Opcode::Variable: cols[i] = scalarColumns_[n.index]; break;
            case Opcode::LayerVar: cols[i] = layerColumns_[n.index]; break;
            // element-wise binary (Scalar and LayerVector share the kernels)
            case Opcode::Add: case Opcode::VAdd: r = ConstMap(a, len) + ConstMap(b, len); check = true; break;
            case Opcode::Sub: case Opcode::VSub: r = ConstMap(a, len) - ConstMap(b, len); check = true; break;
            case Opcode::Mul: case Opcode::VMul: r = ConstMap(a, len) * ConstMap(b, len); check = true; break;
            case Opcode::Div: case Opcode::VDiv: {
                ConstMap x(a, len), y(b, len);
                r = (y.abs() < k::ProtectEps).select(1.0, x / y);
                check = true;
                break;
            }
            case Opcode::AQ: r = ConstMap(a, len) / (1.0 + ConstMap(b, len).square()).sqrt(); break;
            case Opcode::Min: r = ConstMap(a, len).min(ConstMap(b, len)); break;
            case Opcode::Max: r = ConstMap(a, len).max(ConstMap(b, len)); break;
            // element-wise unary
            case Opcode::Neg: case Opcode::VNeg: r = -ConstMap(a, len); break;
            case Opcode::Abs: case Opcode::VAbs: r = ConstMap(a, len).abs(); break;
            case Opcode::Log: case Opcode::VLog: r = ConstMap(a, len).abs().max(k::LogFloor).log(); break;
            case Opcode::Sqrt: case Opcode::VSqrt: r = ConstMap(a, len).abs().sqrt(); break;
            case Opcode::Square: case Opcode::VSquare: r = ConstMap(a, len).square(); check = true; break;
            case Opcode::Exp: case Opcode::VExp: r = ConstMap(a, len).min(k::ExpClip).exp(); check = true; break;
            case Opcode::Tanh: case Opcode::VTanh:
            {
                // tanh(x) = m / (m + 2), m = expm1(2x), with expm1 by Kahan's trick (u - 1) * y / log(u), u = e^y:
                // vectorised (Eigen's double tanh and expm1 are scalar) and accurate near 0; |x| is clamped at
                // 20, where tanh is 1 to double precision
                ConstMap x(a, len);
                for (Eigen::Index off = 0; off < len; off += 64) {
                    auto n64 = std::min<Eigen::Index>(64, len - off);
                    alignas(64) double yb[64];
                    alignas(64) double ub[64];
                    Map y(yb, n64), u(ub, n64);
                    y = 2.0 * x.segment(off, n64).max(-20.0).min(20.0);
                    u = y.exp();
                    u = (u == 1.0).select(y, (u - 1.0) * y / u.log());
                    r.segment(off, n64) = u / (u + 2.0);
                }
                break;
            }
            case Opcode::Sigmoid: case Opcode::VSigmoid: r = 1.0 / (1.0 + (-ConstMap(a, len)).exp()); break;
            case Opcode::Inv: case Opcode::VInv: {
                ConstMap x(a, len);
                r = (x.abs() < k::ProtectEps).select(1.0, x.inverse());
                check = true;
                break;
            }
            case Opcode::Relu: case Opcode::VRelu: r = ConstMap(a, len).max(0.0); break;
            // LayerVector (.) Scalar: broadcast each architecture's scalar over its layers
            case Opcode::VSMul: case Opcode::VSAdd: {
                bool mul = n.op == Opcode::VSMul;
                for (std::size_t arch = 0; arch < rows_; ++arch) {
                    auto s = static_cast<Eigen::Index>(offsets[arch]);
                    auto m = static_cast<Eigen::Index>(offsets[arch + 1] - offsets[arch]);
                    if (mul) r.segment(s, m) = ConstMap(a + s, m) * b[arch];
                    else r.segment(s, m) = ConstMap(a + s, m) + b[arch];
                }
                check = true;
                break;
            }
            case Opcode::VNormalize: case Opcode::VMinMax: case Opcode::VSoftmax: case Opcode::VLogSoftmax: {
                for (std::size_t arch = 0; arch < rows_; ++arch) {
                    auto s = static_cast<Eigen::Index>(offsets[arch]);
                    auto m = static_cast<Eigen::Index>(offsets[arch + 1] - offsets[arch]);
                    if (m == 0) continue;
                    ConstMap x(a + s, m);
                    auto seg = r.segment(s, m);
                    if (n.op == Opcode::VNormalize) {
                        double mean = x.mean();
                        double sd = std::sqrt((x - mean).square().mean());
                        if (sd > k::ProtectEps) seg = (x - mean) / sd;
                        else seg.setZero();
                    } else if (n.op == Opcode::VMinMax) {
                        double lo = x.minCoeff();
                        double range = x.maxCoeff() - lo;
                        if (range > k::ProtectEps) seg = (x - lo) / range;
                        else seg.setZero();
                    } else {
                        double mx = x.maxCoeff();
                        double lse = std::log((x - mx).exp().sum());
                        if (n.op == Opcode::VSoftmax) seg = (x - mx - lse).exp();
                        else seg = x - mx - lse;
                    }
                }
                check = true;  // NaN/Inf layer inputs would otherwise be hidden by the normalisation
                break;
            }
            case Opcode::RSum: case Opcode::RMean: case Opcode::RMax: case Opcode::RMin: case Opcode::RNorm:
            case Opcode::RStd: case Opcode::RL1Norm: {
                for (std::size_t arch = 0; arch < rows_; ++arch) {
                    auto s = static_cast<Eigen::Index>(offsets[arch]);
                    auto m = static_cast<Eigen::Index>(offsets[arch + 1] - offsets[arch]);
                    if (m == 0) { dst[arch] = 0.0; continue; }
                    ConstMap x(a + s, m);
                    double v = 0.0;
                    switch (n.op) {
                        case Opcode::RSum: v = x.sum(); break;
                        case Opcode::RMean: v = x.mean(); break;
                        case Opcode::RMax: v = x.maxCoeff(); break;
                        case Opcode::RMin: v = x.minCoeff(); break;
                        case Opcode::RNorm: v = std::sqrt(x.square().sum()); break;
                        case Opcode::RL1Norm: v = x.abs().mean(); break;
                        default: { double mean = x.mean(); v = std::sqrt((x - mean).square().mean()); }
                    }
                    dst[arch] = v;
                }
                check = true;
                break;
            }
            case Opcode::Dot: {
                // the two layer vectors of an architecture as a 1xL and an Lx1 matrix: their inner product
                for (std::size_t arch = 0; arch < rows_; ++arch) {
                    auto s = static_cast<Eigen::Index>(offsets[arch]);
                    auto m = static_cast<Eigen::Index>(offsets[arch + 1] - offsets[arch]);
                    dst[arch] = m == 0 ? 0.0 : (ConstMap(a + s, m) * ConstMap(b + s, m)).sum();
                }
                check = true;
                break;
            }
            default: throw std::logic_error(fmt::format("interpreter: unhandled opcode {}", primitives::primitive(n.op).name));
        }
        (void)lenA;
        if (check && !finiteSum(cols[i], static_cast<std::size_t>(len))) return false;
    }
    if (nodes.empty() || nodes.back().type != ValueType::Scalar) {
        throw std::invalid_argument("interpreter: the tree's root must be Scalar");
    }
    double const* res = cols[nodes.size() - 1];
    Map(out.data(), rows) = ConstMap(res, rows);
    // terminals and bounded ops are not checked above; the final result always is
    return finiteSum(out.data(), rows_);
}

std::vector<double> Interpreter::evaluate(Tree const& tree) const {
    auto scratch = makeScratch(tree.size());
    std::vector<double> out(rows_);
    if (!evaluate(tree, scratch, out)) out.assign(rows_, std::numeric_limits<double>::quiet_NaN());
    return out;
}

}  // namespace zcgp::engine
