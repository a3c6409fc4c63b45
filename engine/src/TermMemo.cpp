#include "zcgp/engine/TermMemo.hpp"

#include <bit>

namespace zcgp::engine {

namespace {
std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDULL;
    return h ^ (h >> 32);
}
}  // namespace

std::uint64_t termHash(std::span<Node const> nodes) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (auto const& n : nodes) {
        h = mix(h, static_cast<std::uint64_t>(n.op) | static_cast<std::uint64_t>(n.type) << 8 |
                       static_cast<std::uint64_t>(n.length) << 16);
        if (n.op == Opcode::Constant) h = mix(h, std::bit_cast<std::uint64_t>(n.value));
        if (n.op == Opcode::Variable || n.op == Opcode::LayerVar) h = mix(h, n.index);
    }
    return h;
}

}  // namespace zcgp::engine
