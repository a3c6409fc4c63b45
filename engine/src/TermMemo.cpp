#include "zcgp/engine/TermMemo.hpp"

#include <cstring>

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
        std::uint64_t words[2];
        std::memcpy(words, &n, sizeof(words));
        h = mix(h, words[0] ^ (words[1] * 0x9E3779B97F4A7C15ULL));
    }
    return h;
}

}  // namespace zcgp::engine
