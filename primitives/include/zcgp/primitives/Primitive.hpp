#pragma once
// The typed function and terminal set: one table (primitives()) gives every operator's name, infix symbol,
// arity, argument and result types, and complexity. Semantics of the protected operators are in Kernels.hpp
// and docs/engine.md.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace zcgp::primitives {

// Scalar: one number per architecture. LayerVector: one number per layer of that architecture (ragged).
enum class ValueType : std::uint8_t { Scalar, LayerVector };

[[nodiscard]] std::string_view toString(ValueType type);

enum class Opcode : std::uint8_t {
    // terminals
    Constant,   // ephemeral random constant (Scalar)
    Variable,   // scalar terminal column (a cached proxy)
    LayerVar,   // LayerVector terminal (a raw per-layer statistic)
    // Scalar -> Scalar binary
    Add, Sub, Mul, Div, AQ, Min, Max,
    // Scalar -> Scalar unary
    Neg, Abs, Log, Sqrt, Square, Exp, Tanh, Sigmoid, Inv, Relu,
    // LayerVector element-wise unary
    VNeg, VAbs, VLog, VSqrt, VSquare, VExp, VTanh, VSigmoid, VInv, VRelu,
    // LayerVector binary (element-wise, same architecture)
    VAdd, VSub, VMul, VDiv,
    // LayerVector (.) Scalar (broadcast per architecture)
    VSMul, VSAdd,
    // LPZero-style per-architecture transforms of a layer vector
    VNormalize, VMinMax, VSoftmax, VLogSoftmax,
    // reductions LayerVector -> Scalar
    RSum, RMean, RMax, RMin, RNorm, RStd,
    RL1Norm,  // LPZero's l1_norm: mean of |v| over the architecture's layers
    // LayerVector, LayerVector -> Scalar: LPZero's matrix_multiplication of two layer vectors (1xL times Lx1)
    Dot,
    Count_
};

inline constexpr std::size_t OpcodeCount = static_cast<std::size_t>(Opcode::Count_);

enum class Notation : std::uint8_t { Terminal, Infix, Function };

struct Primitive {
    Opcode opcode;
    std::string_view name;     // unique, e.g. "vlog"
    std::string_view symbol;   // infix symbol or function name, shared across types, e.g. "log"
    Notation notation;
    std::uint8_t arity;
    std::array<ValueType, 2> args;
    ValueType result;
    std::uint8_t complexity;
    bool commutative;
};

// Every primitive, indexed by Opcode.
[[nodiscard]] std::span<Primitive const> primitives();
[[nodiscard]] Primitive const& primitive(Opcode op);
[[nodiscard]] std::optional<Opcode> findByName(std::string_view name);
// The operator with this symbol (or unique name) whose argument types match; nullopt if none.
[[nodiscard]] std::optional<Opcode> resolve(std::string_view symbol, std::span<ValueType const> argTypes);
[[nodiscard]] bool isTerminal(Opcode op);
[[nodiscard]] bool isSymbol(std::string_view word);  // true if some primitive uses it as name or symbol

// The enabled function set of a run: which operators the creator and mutation may use.
class PrimitiveSet {
public:
    PrimitiveSet();  // all functions enabled
    // "all", "scalar" (no LayerVector ops) or a comma list of names/symbols; throws naming the unknown one.
    static PrimitiveSet parse(std::string_view spec);
    void enable(Opcode op, bool on = true) { enabled_[static_cast<std::size_t>(op)] = on; }
    [[nodiscard]] bool enabled(Opcode op) const { return enabled_[static_cast<std::size_t>(op)]; }
    // Enabled functions with the given result type, usable when layerTerminals says LayerVector data exists.
    [[nodiscard]] std::vector<Opcode> functions(ValueType result, bool layerTerminals) const;

private:
    std::array<bool, OpcodeCount> enabled_{};
};

}  // namespace zcgp::primitives
