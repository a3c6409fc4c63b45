#pragma once
// Tree creation, variation and selection. Every operator respects the type system (a subtree is only ever
// replaced by one of the same ValueType) and the size/depth limits, and draws only from the RNG it is given,
// so an individual slot's RNG fully determines its offspring.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zcgp/engine/Tree.hpp"

namespace zcgp::engine {

// xoshiro256** (Blackman & Vigna): a 32-byte state per individual slot instead of mt19937_64's 2.5 KB, so
// a population's generators stay in cache and a checkpoint stores 4 numbers per slot.
class Xoshiro256 {
public:
    using result_type = std::uint64_t;
    explicit Xoshiro256(std::uint64_t seed = 0) { this->seed(seed); }
    void seed(std::uint64_t seed) {
        for (auto& s : s_) {  // splitmix64 expansion of the seed
            std::uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            s = z ^ (z >> 31);
        }
    }
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type{0}; }
    result_type operator()() {
        auto const result = rotl(s_[1] * 5, 7) * 9;
        auto const t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    [[nodiscard]] std::array<std::uint64_t, 4> const& state() const { return s_; }
    void setState(std::array<std::uint64_t, 4> const& s) { s_ = s; }
    bool operator==(Xoshiro256 const& o) const { return s_ == o.s_; }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<std::uint64_t, 4> s_{};
};

using Random = Xoshiro256;

// What trees may contain: enabled functions, terminal counts, ephemeral constant range, limits.
struct TreeContext {
    primitives::PrimitiveSet functions;
    std::size_t scalarTerminals{0};
    std::size_t layerTerminals{0};
    double constantProbability{0.1};  // chance that a Scalar terminal is an ephemeral constant
    double constantRange{2.0};        // constants ~ U(-range, range)
    std::size_t maxSize{40};
    std::size_t maxDepth{10};

    [[nodiscard]] Node randomTerminal(ValueType type, Random& rng) const;
    [[nodiscard]] std::vector<Opcode> const& functionsOf(ValueType type) const;
    void prepare();  // caches the function lists; call after changing functions or terminal counts
    [[nodiscard]] bool fits(Tree const& tree) const { return tree.size() <= maxSize && tree.depth() <= maxDepth; }

private:
    std::vector<Opcode> scalarFunctions_;
    std::vector<Opcode> vectorFunctions_;
};

// ---- creators ----
class Creator {
public:
    virtual ~Creator() = default;
    // slot lets ramped creators spread depths deterministically over the population
    [[nodiscard]] virtual Tree create(TreeContext const& ctx, Random& rng, std::size_t slot) const = 0;
};
// Koza's grow/full trees of a given depth (type-respecting).
[[nodiscard]] Tree growTree(TreeContext const& ctx, Random& rng, ValueType type, std::size_t maxDepth, bool full);

class RampedHalfAndHalf final : public Creator {
public:
    RampedHalfAndHalf(std::size_t minDepth, std::size_t maxDepth) : minDepth_(minDepth), maxDepth_(maxDepth) {}
    [[nodiscard]] Tree create(TreeContext const& ctx, Random& rng, std::size_t slot) const override;
private:
    std::size_t minDepth_, maxDepth_;
};

// Luke's PTC2: a target size drawn uniformly in [1, maxSize], open slots expanded at random until it is met.
class Ptc2 final : public Creator {
public:
    explicit Ptc2(std::size_t maxSize) : maxSize_(maxSize) {}
    [[nodiscard]] Tree create(TreeContext const& ctx, Random& rng, std::size_t slot) const override;
private:
    [[nodiscard]] Tree createOnce(TreeContext const& ctx, Random& rng, std::size_t slot) const;
    std::size_t maxSize_;
};

// A sparse additive start for linear scaling: with probability `fraction` a slot starts as the sum of `terms`
// distinct scalar terminals (v1 + v2 + ... + vK), which linear scaling weights as a sparse ridge over them; the
// other slots come from `rest`. Without Add in the function set, or with fewer terminals than 2, every slot comes
// from `rest`.
class AdditiveSeed final : public Creator {
public:
    AdditiveSeed(std::size_t terms, double fraction, std::unique_ptr<Creator> rest)
        : terms_(terms), fraction_(fraction), rest_(std::move(rest)) {}
    [[nodiscard]] Tree create(TreeContext const& ctx, Random& rng, std::size_t slot) const override;
private:
    std::size_t terms_;
    double fraction_;
    std::unique_ptr<Creator> rest_;
};

// ---- variation ----
class Crossover {
public:
    virtual ~Crossover() = default;
    [[nodiscard]] virtual std::optional<Tree> operator()(Tree const& a, Tree const& b, TreeContext const& ctx,
                                                         Random& rng) const = 0;
};
class SubtreeCrossover final : public Crossover {
public:
    explicit SubtreeCrossover(double internalBias = 0.9) : internalBias_(internalBias) {}
    [[nodiscard]] std::optional<Tree> operator()(Tree const& a, Tree const& b, TreeContext const& ctx,
                                                 Random& rng) const override;
private:
    double internalBias_;
};

class Mutation {
public:
    virtual ~Mutation() = default;
    [[nodiscard]] virtual std::optional<Tree> operator()(Tree const& t, TreeContext const& ctx, Random& rng) const = 0;
    [[nodiscard]] virtual std::string_view name() const = 0;
};
class SubtreeMutation final : public Mutation {
public:
    explicit SubtreeMutation(std::size_t maxDepth = 4) : maxDepth_(maxDepth) {}
    [[nodiscard]] std::optional<Tree> operator()(Tree const& t, TreeContext const& ctx, Random& rng) const override;
    [[nodiscard]] std::string_view name() const override { return "subtree"; }
private:
    std::size_t maxDepth_;
};
class PointMutation final : public Mutation {
public:
    [[nodiscard]] std::optional<Tree> operator()(Tree const& t, TreeContext const& ctx, Random& rng) const override;
    [[nodiscard]] std::string_view name() const override { return "point"; }
};
class HoistMutation final : public Mutation {
public:
    [[nodiscard]] std::optional<Tree> operator()(Tree const& t, TreeContext const& ctx, Random& rng) const override;
    [[nodiscard]] std::string_view name() const override { return "hoist"; }
};
class ShrinkMutation final : public Mutation {
public:
    [[nodiscard]] std::optional<Tree> operator()(Tree const& t, TreeContext const& ctx, Random& rng) const override;
    [[nodiscard]] std::string_view name() const override { return "shrink"; }
};
// Picks one of several mutations by weight.
class MultiMutation final : public Mutation {
public:
    void add(std::unique_ptr<Mutation> m, double weight);
    [[nodiscard]] std::optional<Tree> operator()(Tree const& t, TreeContext const& ctx, Random& rng) const override;
    [[nodiscard]] std::string_view name() const override { return "multi"; }
    [[nodiscard]] bool empty() const { return ops_.empty(); }
private:
    std::vector<std::unique_ptr<Mutation>> ops_;
    std::vector<double> weights_;
};

// ---- selection (higher fitness is better) ----
class Selector {
public:
    virtual ~Selector() = default;
    [[nodiscard]] virtual std::size_t operator()(std::span<double const> fitness, Random& rng) const = 0;
};
class TournamentSelector final : public Selector {
public:
    explicit TournamentSelector(std::size_t size) : size_(size) {}
    [[nodiscard]] std::size_t operator()(std::span<double const> fitness, Random& rng) const override;
private:
    std::size_t size_;
};
class RandomSelector final : public Selector {
public:
    [[nodiscard]] std::size_t operator()(std::span<double const> fitness, Random& rng) const override;
};

// ---- operon-style specs: "name:param[,name:param...]" ----
struct Spec {
    std::string name;
    std::vector<double> params;
};
// Parses "tournament:5" or "subtree:0.3,point:0.3"; throws std::invalid_argument naming the flag.
[[nodiscard]] std::vector<Spec> parseSpecs(std::string_view flag, std::string_view text);
[[nodiscard]] std::unique_ptr<Selector> makeSelector(std::string_view spec);                 // tournament:K | random
// ptc2[:SIZE] | rhh:MIN:MAX | additive:K:FRACTION[:MIN:MAX] (AdditiveSeed over rhh:MIN:MAX, default rhh:2:5)
[[nodiscard]] std::unique_ptr<Creator> makeCreator(std::string_view spec, std::size_t maxSize);
[[nodiscard]] std::unique_ptr<MultiMutation> makeMutation(std::string_view spec);  // subtree:W,point:W,hoist:W,shrink:W

}  // namespace zcgp::engine
