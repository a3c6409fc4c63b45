#pragma once
// Which architectures `zcgp gather` measures: a seeded sample, a key file, a shard. Plain C++ and
// platform-independent (no std::shuffle or std distributions, whose results differ between standard
// libraries), so the same flags select the same architectures in the same order on every machine.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace zcgp::proxy_cache {

struct Shard {
    std::uint64_t index = 0;
    std::uint64_t count = 1;
};

// "i/n" with 0 <= i < n; throws std::invalid_argument naming the text otherwise.
[[nodiscard]] Shard parseShard(std::string_view text);

// keys[index], keys[index + count], ...
[[nodiscard]] std::vector<std::string> takeShard(std::vector<std::string> const& keys, Shard shard);

// The first n keys of a Fisher-Yates shuffle driven by splitmix64(seed). Throws std::invalid_argument if n > size.
[[nodiscard]] std::vector<std::string> seededSample(std::vector<std::string> keys, std::size_t n, std::uint64_t seed);

// Reads one architecture key per line (blank lines and lines starting with '#' are skipped; surrounding
// whitespace is trimmed). canonical maps a key to its canonical form and throws std::invalid_argument for an
// unknown one; the error is rethrown as std::invalid_argument naming the file, line and key. Duplicates
// (after canonicalisation) are errors too.
[[nodiscard]] std::vector<std::string> readArchitectureList(
    std::filesystem::path const& file, std::function<std::string(std::string const&)> const& canonical);

}  // namespace zcgp::proxy_cache
