#pragma once
// Evaluates a typed tree over all architectures of a Dataset with Eigen array kernels: every node computes
// its whole column (Scalar: one value per architecture; LayerVector: the ragged concatenation of all
// layers) into a per-worker scratch buffer sized once, so evaluation allocates nothing. Evaluation stops at
// the first non-finite intermediate result (after SymbolicRegression.jl).
#include <cstddef>
#include <span>
#include <cstdlib>
#include <memory>
#include <vector>

#include "zcgp/engine/Tree.hpp"
#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::engine {

class Interpreter {
public:
    explicit Interpreter(primitives::Dataset const& data);

    // Per-worker scratch: one column per node. Grows (allocates) only if a tree is larger than reserved.
    class Scratch {
    public:
        Scratch() = default;
        void reserve(std::size_t nodes, std::size_t stride);
    private:
        friend class Interpreter;
        // Columns are 64-byte aligned: Eigen's vectorised loops peel a data-dependent number of leading
        // elements on misaligned data and compute them with scalar code, which rounds differently (e.g. exp);
        // aligned scratch makes every worker compute bit-identical values, so results don't depend on threads.
        // Plain aligned_alloc, not Eigen's allocator: Interpreter.cpp may be built with -march=native and the
        // other translation units not, and Eigen's allocator differs between the two (an ODR trap).
        struct Free {
            void operator()(double* p) const { std::free(p); }
        };
        std::unique_ptr<double[], Free> buffer_;
        std::vector<double const*> columns_;
        std::size_t stride_{0};
        std::size_t nodes_{0};
    };

    [[nodiscard]] Scratch makeScratch(std::size_t maxNodes) const;

    // Writes the tree's value for every architecture into out (size rows()). Returns false as soon as an
    // intermediate or final value is non-finite (out is then unspecified), true otherwise.
    [[nodiscard]] bool evaluate(Tree const& tree, Scratch& scratch, std::span<double> out) const;
    // Convenience (allocates): values, with NaN everywhere if the tree is non-finite anywhere.
    [[nodiscard]] std::vector<double> evaluate(Tree const& tree) const;
    // After a successful evaluate with this scratch: the values of Scalar node i of that tree (rows() values).
    [[nodiscard]] std::span<double const> column(Scratch const& scratch, std::size_t node) const {
        return {scratch.columns_[node], rows_};
    }

    [[nodiscard]] std::size_t rows() const { return rows_; }
    [[nodiscard]] primitives::Dataset const& data() const { return *data_; }

private:
    struct FreeTerminals {
        void operator()(double* p) const { std::free(p); }
    };
    primitives::Dataset const* data_;
    // 64-byte aligned copies of the terminal columns: Eigen's reductions peel according to the address of
    // their input, so aligned inputs make results independent of where the Dataset happened to be allocated
    std::unique_ptr<double[], FreeTerminals> terminals_;
    std::vector<double const*> scalarColumns_, layerColumns_;
    std::size_t rows_;
    std::size_t layers_;
    std::size_t stride_;
};

}  // namespace zcgp::engine
