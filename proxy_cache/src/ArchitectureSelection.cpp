#include "zcgp/proxy_cache/ArchitectureSelection.hpp"

#include <charconv>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include <fmt/core.h>

namespace zcgp::proxy_cache {

namespace {
std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Uniform in [0, bound) by rejection (no modulo bias).
std::uint64_t below(std::uint64_t& state, std::uint64_t bound) {
    std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    for (;;) {
        std::uint64_t r = splitmix64(state);
        if (r < limit) {
            return r % bound;
        }
    }
}

bool parseUnsigned(std::string_view text, std::uint64_t& out) {
    if (text.empty()) {
        return false;
    }
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

std::string_view trim(std::string_view s) {
    auto const ws = " \t\r\n";
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}
}  // namespace

Shard parseShard(std::string_view text) {
    auto slash = text.find('/');
    Shard s;
    if (slash == std::string_view::npos || !parseUnsigned(text.substr(0, slash), s.index) ||
        !parseUnsigned(text.substr(slash + 1), s.count) || s.count == 0 || s.index >= s.count) {
        throw std::invalid_argument(
            fmt::format("bad shard '{}': expected i/n with 0 <= i < n, e.g. 0/4 for the first of four", text));
    }
    return s;
}

std::vector<std::string> takeShard(std::vector<std::string> const& keys, Shard shard) {
    std::vector<std::string> out;
    for (std::size_t i = shard.index; i < keys.size(); i += shard.count) {
        out.push_back(keys[i]);
    }
    return out;
}

std::vector<std::string> seededSample(std::vector<std::string> keys, std::size_t n, std::uint64_t seed) {
    if (n > keys.size()) {
        throw std::invalid_argument(fmt::format("cannot select {} architectures: only {} available", n, keys.size()));
    }
    std::uint64_t state = seed;
    // Forward Fisher-Yates: the first n positions are final after n steps.
    for (std::size_t i = 0; i < n; ++i) {
        auto j = i + below(state, keys.size() - i);
        std::swap(keys[i], keys[j]);
    }
    keys.resize(n);
    return keys;
}

std::vector<std::string> readArchitectureList(std::filesystem::path const& file,
                                              std::function<std::string(std::string const&)> const& canonical) {
    std::ifstream in(file);
    if (!in) {
        throw std::invalid_argument(fmt::format("cannot read architecture list '{}'", file.string()));
    }
    std::vector<std::string> keys;
    std::unordered_map<std::string, std::size_t> lineOf;
    std::string line;
    for (std::size_t lineNo = 1; std::getline(in, line); ++lineNo) {
        auto text = trim(line);
        if (text.empty() || text.front() == '#') {
            continue;
        }
        std::string key;
        try {
            key = canonical(std::string(text));
        } catch (std::invalid_argument const& e) {
            throw std::invalid_argument(
                fmt::format("{}:{}: unknown architecture key '{}' ({})", file.string(), lineNo, text, e.what()));
        }
        auto [it, inserted] = lineOf.emplace(key, lineNo);
        if (!inserted) {
            throw std::invalid_argument(fmt::format("{}:{}: architecture {} is listed twice (first on line {})",
                                                    file.string(), lineNo, key, it->second));
        }
        keys.push_back(std::move(key));
    }
    if (keys.empty()) {
        throw std::invalid_argument(fmt::format("architecture list '{}' has no keys", file.string()));
    }
    return keys;
}

}  // namespace zcgp::proxy_cache
