#include "zcgp/proxy_cache/ArchitectureKey.hpp"

#include <cctype>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace zcgp::proxy_cache {

std::string canonicalArchKey(std::string_view key) {
    std::size_t first = 0;
    while (first < key.size() && std::isspace(static_cast<unsigned char>(key[first])) != 0) ++first;
    if (first == key.size() || (key[first] != '(' && key[first] != '[')) return std::string(key);
    std::string out;
    out.reserve(key.size());
    for (std::size_t i = first; i < key.size(); ++i) {
        char const c = key[i];
        if (std::isspace(static_cast<unsigned char>(c)) != 0) continue;
        if (c == '[') out += '(';
        else if (c == ']') out += ')';
        else if (c == ',') out += ", ";
        else out += c;
    }
    return out;
}

std::optional<std::vector<int>> parseOpTuple(std::string_view key) {
    auto const space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    std::size_t i = 0;
    auto const skip = [&] {
        while (i < key.size() && space(key[i])) ++i;
    };
    skip();
    if (i == key.size() || key[i] != '(') return std::nullopt;
    ++i;
    std::vector<int> ops;
    while (true) {
        skip();
        if (i < key.size() && key[i] == ')' && !ops.empty()) break;  // "(1, 2,)": a trailing comma
        std::size_t const start = i;
        while (i < key.size() && std::isdigit(static_cast<unsigned char>(key[i])) != 0) ++i;
        if (i == start) return std::nullopt;
        int value = 0;
        auto const [end, ec] = std::from_chars(key.data() + start, key.data() + i, value);
        if (ec == std::errc::result_out_of_range || end != key.data() + i) {
            throw std::out_of_range(fmt::format("op index {} is out of range", key.substr(start, i - start)));
        }
        ops.push_back(value);
        skip();
        if (i < key.size() && key[i] == ',') {
            ++i;
            continue;
        }
        if (i < key.size() && key[i] == ')') break;
        return std::nullopt;
    }
    ++i;  // the closing parenthesis
    skip();
    return i == key.size() ? std::optional(std::move(ops)) : std::nullopt;
}

}  // namespace zcgp::proxy_cache
