#include "zcgp/primitives/Primitive.hpp"

#include <stdexcept>
#include <string>

#include <fmt/core.h>

namespace zcgp::primitives {

namespace {
constexpr auto S = ValueType::Scalar;
constexpr auto V = ValueType::LayerVector;
using N = Notation;

// clang-format off
constexpr std::array<Primitive, OpcodeCount> Table{{
    {Opcode::Constant,   "const",      "const",      N::Terminal, 0, {S, S}, S, 1, false},
    {Opcode::Variable,   "var",        "var",        N::Terminal, 0, {S, S}, S, 1, false},
    {Opcode::LayerVar,   "layervar",   "layervar",   N::Terminal, 0, {S, S}, V, 1, false},
    {Opcode::Add,        "add",        "+",          N::Infix,    2, {S, S}, S, 1, true},
    {Opcode::Sub,        "sub",        "-",          N::Infix,    2, {S, S}, S, 1, false},
    {Opcode::Mul,        "mul",        "*",          N::Infix,    2, {S, S}, S, 1, true},
    {Opcode::Div,        "div",        "/",          N::Infix,    2, {S, S}, S, 2, false},
    {Opcode::AQ,         "aq",         "aq",         N::Function, 2, {S, S}, S, 2, false},
    {Opcode::Min,        "min",        "min",        N::Function, 2, {S, S}, S, 1, true},
    {Opcode::Max,        "max",        "max",        N::Function, 2, {S, S}, S, 1, true},
    {Opcode::Neg,        "neg",        "neg",        N::Function, 1, {S, S}, S, 1, false},
    {Opcode::Abs,        "abs",        "abs",        N::Function, 1, {S, S}, S, 1, false},
    {Opcode::Log,        "log",        "log",        N::Function, 1, {S, S}, S, 2, false},
    {Opcode::Sqrt,       "sqrt",       "sqrt",       N::Function, 1, {S, S}, S, 2, false},
    {Opcode::Square,     "square",     "square",     N::Function, 1, {S, S}, S, 1, false},
    {Opcode::Exp,        "exp",        "exp",        N::Function, 1, {S, S}, S, 3, false},
    {Opcode::Tanh,       "tanh",       "tanh",       N::Function, 1, {S, S}, S, 3, false},
    {Opcode::Sigmoid,    "sigmoid",    "sigmoid",    N::Function, 1, {S, S}, S, 3, false},
    {Opcode::Inv,        "inv",        "inv",        N::Function, 1, {S, S}, S, 2, false},
    {Opcode::Relu,       "relu",       "relu",       N::Function, 1, {S, S}, S, 1, false},
    {Opcode::VNeg,       "vneg",       "neg",        N::Function, 1, {V, S}, V, 1, false},
    {Opcode::VAbs,       "vabs",       "abs",        N::Function, 1, {V, S}, V, 1, false},
    {Opcode::VLog,       "vlog",       "log",        N::Function, 1, {V, S}, V, 2, false},
    {Opcode::VSqrt,      "vsqrt",      "sqrt",       N::Function, 1, {V, S}, V, 2, false},
    {Opcode::VSquare,    "vsquare",    "square",     N::Function, 1, {V, S}, V, 1, false},
    {Opcode::VExp,       "vexp",       "exp",        N::Function, 1, {V, S}, V, 3, false},
    {Opcode::VTanh,      "vtanh",      "tanh",       N::Function, 1, {V, S}, V, 3, false},
    {Opcode::VSigmoid,   "vsigmoid",   "sigmoid",    N::Function, 1, {V, S}, V, 3, false},
    {Opcode::VInv,       "vinv",       "inv",        N::Function, 1, {V, S}, V, 2, false},
    {Opcode::VRelu,      "vrelu",      "relu",       N::Function, 1, {V, S}, V, 1, false},
    {Opcode::VAdd,       "vadd",       "+",          N::Infix,    2, {V, V}, V, 1, true},
    {Opcode::VSub,       "vsub",       "-",          N::Infix,    2, {V, V}, V, 1, false},
    {Opcode::VMul,       "vmul",       "*",          N::Infix,    2, {V, V}, V, 1, true},
    {Opcode::VDiv,       "vdiv",       "/",          N::Infix,    2, {V, V}, V, 2, false},
    {Opcode::VSMul,      "vsmul",      "*",          N::Infix,    2, {V, S}, V, 1, false},
    {Opcode::VSAdd,      "vsadd",      "+",          N::Infix,    2, {V, S}, V, 1, false},
    {Opcode::VNormalize, "normalize",  "normalize",  N::Function, 1, {V, S}, V, 3, false},
    {Opcode::VMinMax,    "minmax",     "minmax",     N::Function, 1, {V, S}, V, 3, false},
    {Opcode::VSoftmax,   "softmax",    "softmax",    N::Function, 1, {V, S}, V, 3, false},
    {Opcode::VLogSoftmax,"logsoftmax", "logsoftmax", N::Function, 1, {V, S}, V, 3, false},
    {Opcode::RSum,       "sum",        "sum",        N::Function, 1, {V, S}, S, 2, false},
    {Opcode::RMean,      "mean",       "mean",       N::Function, 1, {V, S}, S, 2, false},
    {Opcode::RMax,       "lmax",       "lmax",       N::Function, 1, {V, S}, S, 2, false},
    {Opcode::RMin,       "lmin",       "lmin",       N::Function, 1, {V, S}, S, 2, false},
    {Opcode::RNorm,      "norm",       "norm",       N::Function, 1, {V, S}, S, 2, false},
    {Opcode::RStd,       "std",        "std",        N::Function, 1, {V, S}, S, 2, false},
    {Opcode::RL1Norm,    "l1norm",     "l1norm",     N::Function, 1, {V, S}, S, 2, false},
    {Opcode::Dot,        "dot",        "dot",        N::Function, 2, {V, V}, S, 2, true},
}};
// clang-format on

constexpr bool tableIsIndexedByOpcode() {
    for (std::size_t i = 0; i < Table.size(); ++i) {
        if (static_cast<std::size_t>(Table[i].opcode) != i) {
            return false;
        }
    }
    return true;
}
static_assert(tableIsIndexedByOpcode(), "primitive table must be in Opcode order");
}  // namespace

std::string_view toString(ValueType type) { return type == ValueType::Scalar ? "Scalar" : "LayerVector"; }

std::span<Primitive const> primitives() { return Table; }
Primitive const& primitive(Opcode op) { return Table[static_cast<std::size_t>(op)]; }

bool isTerminal(Opcode op) { return primitive(op).arity == 0; }

std::optional<Opcode> findByName(std::string_view name) {
    for (auto const& p : Table) {
        if (p.name == name) {
            return p.opcode;
        }
    }
    return std::nullopt;
}

std::optional<Opcode> resolve(std::string_view symbol, std::span<ValueType const> argTypes) {
    auto matches = [&](Primitive const& p) {
        if (p.arity == 0 || p.arity != argTypes.size()) {
            return false;
        }
        for (std::size_t i = 0; i < argTypes.size(); ++i) {
            if (p.args[i] != argTypes[i]) {
                return false;
            }
        }
        return true;
    };
    for (auto const& p : Table) {
        if (p.symbol == symbol && matches(p)) {
            return p.opcode;
        }
    }
    for (auto const& p : Table) {
        if (p.name == symbol && matches(p)) {
            return p.opcode;
        }
    }
    // Scalar (x) LayerVector written the other way round: the caller may swap for commutative broadcast.
    return std::nullopt;
}

bool isSymbol(std::string_view word) {
    for (auto const& p : Table) {
        if (p.arity > 0 && (p.name == word || p.symbol == word)) {
            return true;
        }
    }
    return false;
}

PrimitiveSet::PrimitiveSet() {
    for (auto const& p : Table) {
        enabled_[static_cast<std::size_t>(p.opcode)] = p.arity > 0;
    }
}

PrimitiveSet PrimitiveSet::parse(std::string_view spec) {
    PrimitiveSet set;
    if (spec == "all" || spec.empty()) {
        return set;
    }
    if (spec == "scalar") {
        for (auto const& p : Table) {
            set.enable(p.opcode, p.arity > 0 && p.result == ValueType::Scalar && p.args[0] == ValueType::Scalar);
        }
        return set;
    }
    for (auto const& p : Table) {
        set.enable(p.opcode, false);
    }
    std::size_t start = 0;
    while (start <= spec.size()) {
        auto end = spec.find(',', start);
        if (end == std::string_view::npos) {
            end = spec.size();
        }
        auto word = spec.substr(start, end - start);
        bool found = false;
        for (auto const& p : Table) {
            if (p.arity > 0 && (p.name == word || p.symbol == word)) {
                set.enable(p.opcode);
                found = true;
            }
        }
        if (!found) {
            std::string valid;
            for (auto const& p : Table) {
                if (p.arity > 0) {
                    valid += (valid.empty() ? "" : " ") + std::string(p.name);
                }
            }
            throw std::invalid_argument(
                fmt::format("unknown primitive '{}' in function set '{}' (valid: all, scalar, {})", word, spec, valid));
        }
        start = end + 1;
    }
    return set;
}

std::vector<Opcode> PrimitiveSet::functions(ValueType result, bool layerTerminals) const {
    std::vector<Opcode> out;
    for (auto const& p : Table) {
        if (p.arity == 0 || !enabled(p.opcode) || p.result != result) {
            continue;
        }
        bool usesVector = p.result == ValueType::LayerVector || p.args[0] == ValueType::LayerVector ||
                          (p.arity == 2 && p.args[1] == ValueType::LayerVector);
        if (usesVector && !layerTerminals) {
            continue;
        }
        out.push_back(p.opcode);
    }
    return out;
}

}  // namespace zcgp::primitives
