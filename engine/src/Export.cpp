#include "zcgp/engine/Export.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "zcgp/primitives/Kernels.hpp"

namespace zcgp::engine {

namespace {
std::string lit(double v) { return fmt::format("{:.17g}", v); }

namespace k = primitives::kernels;

// The protected kernels, from the one list that also compiles them (primitives/Kernels.hpp).
std::string kernelHelpers() {
    std::string out = "namespace zcgp_export_detail {\n// Engine semantics: the constants and kernels of zcgp's primitives/Kernels.hpp, as compiled there.\n";
    out += fmt::format("constexpr double ProtectEps = {};\nconstexpr double LogFloor = {};\nconstexpr double ExpClip = {};\n",
                       k::ProtectEps, k::LogFloor, k::ExpClip);  // shortest text that reads back exactly
    for (auto const& kernel : k::kernelSources()) {
        out += fmt::format("inline double {}{} {{ return {}; }}\n", kernel.name, kernel.params, kernel.expr);
    }
    return out;
}

constexpr char const* VectorHelpers = R"(// tails of a robust z-score beyond the knee, log-compressed (monotone)
inline double compress(double z, double knee) {
    return std::abs(z) > knee ? std::copysign(knee + std::log1p(std::abs(z) - knee), z) : z;
}
// Rank transform: mid-rank of x among the sorted reference scores, divided by their count.
inline double ecdf(double x, double const* ref, std::size_t n) {
    auto lo = std::lower_bound(ref, ref + n, x) - ref;
    auto hi = std::upper_bound(ref, ref + n, x) - ref;
    return static_cast<double>(lo + hi) / (2.0 * static_cast<double>(n));
}
using Vec = std::vector<double>;
template <class F> Vec map(Vec const& a, F f) { Vec r(a.size()); for (std::size_t i = 0; i < a.size(); ++i) r[i] = f(a[i]); return r; }
template <class F> Vec zip(Vec const& a, Vec const& b, F f) {
    if (a.size() != b.size()) throw std::invalid_argument("layer vectors of different lengths");
    Vec r(a.size()); for (std::size_t i = 0; i < a.size(); ++i) r[i] = f(a[i], b[i]); return r;
}
inline double sum(Vec const& a) { double s = 0.0; for (double x : a) s += x; return s; }
inline double mean(Vec const& a) { return a.empty() ? 0.0 : sum(a) / static_cast<double>(a.size()); }
inline double lmax(Vec const& a) { return a.empty() ? 0.0 : *std::max_element(a.begin(), a.end()); }
inline double lmin(Vec const& a) { return a.empty() ? 0.0 : *std::min_element(a.begin(), a.end()); }
inline double norm(Vec const& a) { double s = 0.0; for (double x : a) s += x * x; return std::sqrt(s); }
inline double l1norm(Vec const& a) {
    double s = 0.0; for (double x : a) s += std::abs(x); return a.empty() ? 0.0 : s / static_cast<double>(a.size());
}
inline double dot(Vec const& a, Vec const& b) {
    if (a.size() != b.size()) throw std::invalid_argument("layer vectors of different lengths");
    double s = 0.0; for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i]; return s;
}
inline double stdev(Vec const& a) {
    if (a.empty()) return 0.0;
    double m = mean(a), s = 0.0; for (double x : a) s += (x - m) * (x - m); return std::sqrt(s / static_cast<double>(a.size()));
}
inline Vec normalize(Vec const& a) {
    if (a.empty()) return a;
    double m = mean(a), sd = stdev(a);
    return map(a, [&](double x) { return sd > ProtectEps ? (x - m) / sd : 0.0; });
}
inline Vec minmax(Vec const& a) {
    if (a.empty()) return a;
    double lo = lmin(a), range = lmax(a) - lo;
    return map(a, [&](double x) { return range > ProtectEps ? (x - lo) / range : 0.0; });
}
inline Vec logsoftmax(Vec const& a) {
    if (a.empty()) return a;
    double mx = lmax(a), s = 0.0; for (double x : a) s += std::exp(x - mx);
    double lse = std::log(s);
    return map(a, [&](double x) { return x - mx - lse; });
}
inline Vec softmax(Vec const& a) { return map(logsoftmax(a), [](double x) { return std::exp(x); }); }
}  // namespace zcgp_export_detail
)";

// The C++ of a scalar operator, from the primitive table: infix symbols as C++ operators, the protected kernels as
// the emitted d:: functions, the rest (min, max, abs, tanh) from <cmath>/<algorithm>.
std::string scalarExpr(Opcode op, std::string const& a, std::string const& b) {
    auto const& p = primitives::primitive(op);
    if (p.arity == 0 || p.result != ValueType::Scalar || p.args[0] != ValueType::Scalar) return {};
    bool const kernel = std::any_of(k::kernelSources().begin(), k::kernelSources().end(),
                                    [&](auto const& s) { return s.name == p.name; });
    if (!kernel && op == Opcode::Neg) return fmt::format("-{}", a);
    if (!kernel && p.notation == primitives::Notation::Infix) return fmt::format("{} {} {}", a, p.symbol, b);
    auto const fn = fmt::format("{}::{}", kernel ? "d" : "std", p.name);
    return p.arity == 1 ? fmt::format("{}({})", fn, a) : fmt::format("{}({}, {})", fn, a, b);
}
// the scalar op an element-wise LayerVector op applies
Opcode scalarOf(Opcode op) {
    switch (op) {
        case Opcode::VNeg: return Opcode::Neg;
        case Opcode::VAbs: return Opcode::Abs;
        case Opcode::VLog: return Opcode::Log;
        case Opcode::VSqrt: return Opcode::Sqrt;
        case Opcode::VSquare: return Opcode::Square;
        case Opcode::VExp: return Opcode::Exp;
        case Opcode::VTanh: return Opcode::Tanh;
        case Opcode::VSigmoid: return Opcode::Sigmoid;
        case Opcode::VInv: return Opcode::Inv;
        case Opcode::VRelu: return Opcode::Relu;
        case Opcode::VAdd: return Opcode::Add;
        case Opcode::VSub: return Opcode::Sub;
        case Opcode::VMul: return Opcode::Mul;
        case Opcode::VDiv: return Opcode::Div;
        default: return Opcode::Count_;
    }
}
}  // namespace

std::string exportCpp(Tree const& tree, Vocabulary const& vocabulary,
                      std::vector<primitives::ColumnTransform> const& transforms, ExportOptions const& options) {
    if (tree.empty()) throw std::invalid_argument("export: empty formula");
    std::set<std::uint32_t> scalars, layers;
    for (auto const& n : tree.nodes()) {
        if (n.op == Opcode::Variable) scalars.insert(n.index);
        if (n.op == Opcode::LayerVar) layers.insert(n.index);
    }
    // a column reads its raw proxy: its own name, or the proxy it is a second view of (NAME_r reads NAME)
    auto const transformOf = [&](std::uint32_t i) {
        return i < transforms.size() ? transforms[i] : primitives::ColumnTransform{};
    };
    auto const sourceOf = [&](std::uint32_t i) {
        auto const& t = transformOf(i);
        return t.source.empty() ? vocabulary.scalars.at(i) : t.source;
    };
    std::vector<std::string> params, sources;
    for (auto i : scalars) {
        if (std::find(sources.begin(), sources.end(), sourceOf(i)) == sources.end()) sources.push_back(sourceOf(i));
    }
    std::sort(sources.begin(), sources.end());
    for (auto const& s : sources) params.push_back(fmt::format("double {}", s));
    for (auto i : layers) params.push_back(fmt::format("std::vector<double> const& {}", vocabulary.layers.at(i)));

    std::string body;
    for (auto i : scalars) {
        auto const& name = vocabulary.scalars.at(i);
        auto const t = transformOf(i);
        auto const source = sourceOf(i);
        std::string inner = source;
        if (t.kind == primitives::ColumnTransform::Kind::Log) inner = fmt::format("std::log({})", source);
        if (t.kind == primitives::ColumnTransform::Kind::NegLog) inner = fmt::format("-std::log(-{})", source);
        if (t.kind == primitives::ColumnTransform::Kind::Asinh) inner = fmt::format("std::asinh({} / {})", source, lit(t.inScale));
        if (t.kind == primitives::ColumnTransform::Kind::Rank) {
            std::vector<std::string> refs;
            for (double r : t.reference) refs.push_back(lit(r));
            body += fmt::format("    static constexpr double ref_{}[] = {{{}}};\n", name, fmt::join(refs, ", "));
            inner = fmt::format("d::ecdf({}, ref_{}, {})", source, name, t.reference.size());
        }
        auto z = fmt::format("({} - {}) / {}", inner, lit(t.shift), lit(t.scale));
        if (t.knee > 0.0) z = fmt::format("d::compress({}, {})", z, lit(t.knee));
        body += fmt::format("    double const t_{} = {};\n", name, z);
    }
    std::vector<std::string> ref(tree.size());
    for (std::size_t i = 0; i < tree.size(); ++i) {
        auto const& n = tree[i];
        auto ch = n.arity() > 0 ? tree.children(i) : std::vector<std::size_t>{};
        std::string a = ch.size() > 0 ? ref[ch[0]] : "";
        std::string b = ch.size() > 1 ? ref[ch[1]] : "";
        std::string var = fmt::format("n{}", i);
        switch (n.op) {
            case Opcode::Constant: ref[i] = fmt::format("({})", lit(n.value)); continue;
            case Opcode::Variable: ref[i] = "t_" + vocabulary.scalars.at(n.index); continue;
            case Opcode::LayerVar: ref[i] = vocabulary.layers.at(n.index); continue;
            default: break;
        }
        std::string expr;
        if (n.type == ValueType::Scalar && primitives::primitive(n.op).args[0] == ValueType::Scalar) {
            expr = scalarExpr(n.op, a, b);
        } else if (auto s = scalarOf(n.op); s != Opcode::Count_) {
            expr = n.arity() == 1 ? fmt::format("d::map({}, [](double x) {{ return {}; }})", a, scalarExpr(s, "x", ""))
                                  : fmt::format("d::zip({}, {}, [](double x, double y) {{ return {}; }})", a, b,
                                                scalarExpr(s, "x", "y"));
        } else {
            switch (n.op) {
                case Opcode::VSMul: expr = fmt::format("d::map({}, [&](double x) {{ return x * {}; }})", a, b); break;
                case Opcode::VSAdd: expr = fmt::format("d::map({}, [&](double x) {{ return x + {}; }})", a, b); break;
                case Opcode::VNormalize: expr = fmt::format("d::normalize({})", a); break;
                case Opcode::VMinMax: expr = fmt::format("d::minmax({})", a); break;
                case Opcode::VSoftmax: expr = fmt::format("d::softmax({})", a); break;
                case Opcode::VLogSoftmax: expr = fmt::format("d::logsoftmax({})", a); break;
                case Opcode::RSum: expr = fmt::format("d::sum({})", a); break;
                case Opcode::RMean: expr = fmt::format("d::mean({})", a); break;
                case Opcode::RMax: expr = fmt::format("d::lmax({})", a); break;
                case Opcode::RMin: expr = fmt::format("d::lmin({})", a); break;
                case Opcode::RNorm: expr = fmt::format("d::norm({})", a); break;
                case Opcode::RStd: expr = fmt::format("d::stdev({})", a); break;
                case Opcode::RL1Norm: expr = fmt::format("d::l1norm({})", a); break;
                case Opcode::Dot: expr = fmt::format("d::dot({}, {})", a, b); break;
                default: throw std::logic_error("export: unhandled operator");
            }
        }
        body += fmt::format("    {} const {} = {};\n", n.type == ValueType::Scalar ? "double" : "d::Vec", var, expr);
        ref[i] = var;
    }
    body += fmt::format("    return {};\n", ref.back());

    std::string comment;
    for (auto const& line : {options.provenance, std::string("formula: ") + format(tree, vocabulary)}) {
        std::size_t start = 0;
        while (start <= line.size()) {
            auto end = line.find('\n', start);
            if (end == std::string::npos) end = line.size();
            comment += "// " + line.substr(start, end - start) + "\n";
            start = end + 1;
        }
    }
    std::string terminalsDoc;
    for (auto i : scalars) {
        auto const t = transformOf(i);
        auto kind = t.kind == primitives::ColumnTransform::Kind::Log      ? "log(x)"
                    : t.kind == primitives::ColumnTransform::Kind::NegLog ? "-log(-x)"
                    : t.kind == primitives::ColumnTransform::Kind::Asinh  ? "asinh(x / s)"
                    : t.kind == primitives::ColumnTransform::Kind::Rank   ? "ecdf(x) over the task's scores"
                                                                          : "x";
        terminalsDoc += fmt::format("//   {}: raw score {}, transformed as ({} - shift) / scale{}\n", vocabulary.scalars.at(i),
                                    sourceOf(i), kind, t.knee > 0.0 ? ", tails beyond the knee log-compressed" : "");
    }
    return fmt::format(
        "// Generated by zcgp export: an evolved zero-cost proxy. Higher values predict higher accuracy.\n{}"
        "// Inputs ({}, the transform was fitted on the task's architectures):\n{}"
        "#pragma once\n#include <algorithm>\n#include <cmath>\n#include <stdexcept>\n#include <vector>\n\n{}\n"
        "inline double {}({}) {{\n    namespace d = zcgp_export_detail;\n{}}}\n",
        comment, options.inputs, terminalsDoc, kernelHelpers() + VectorHelpers, options.functionName, fmt::join(params, ", "), body);
}

}  // namespace zcgp::engine
