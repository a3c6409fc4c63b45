#include "zcgp/engine/TermMemo.hpp"

#include <cstring>

namespace zcgp::engine {

std::uint64_t termHash(std::span<Node const> nodes) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (auto const& n : nodes) {
        std::uint64_t words[2];
        std::memcpy(words, &n, sizeof(words));
        h = hashMix(h, words[0] ^ (words[1] * 0x9E3779B97F4A7C15ULL));
    }
    return h;
}

}  // namespace zcgp::engine
