// Architecture key parsing for the native search spaces; no LibTorch here, so it compiles fast.
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/core.h>

namespace zcgp::proxy_cache {

namespace {
std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
        return {};
    }
    auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

Nb201Cell parseTuple(std::string const& key) {
    std::string body = trim(key);
    if (body.size() < 2 || body.front() != '(' || body.back() != ')') {
        throw std::invalid_argument(fmt::format("nb201 arch '{}': expected a tuple like (0, 2, 3, 2, 3, 1)", key));
    }
    body = body.substr(1, body.size() - 2);
    std::vector<int> ops;
    std::size_t pos = 0;
    while (pos <= body.size()) {
        auto comma = body.find(',', pos);
        std::string item = trim(std::string_view(body).substr(pos, comma == std::string::npos ? std::string::npos
                                                                                               : comma - pos));
        if (item.empty() || !std::all_of(item.begin(), item.end(), [](unsigned char c) { return std::isdigit(c); })
            || item.size() > 3) {
            throw std::invalid_argument(fmt::format("nb201 arch '{}': '{}' is not an op index (0-4)", key, item));
        }
        int op = std::stoi(item);
        if (op < 0 || op >= static_cast<int>(kNb201OpNames.size())) {
            throw std::invalid_argument(fmt::format(
                "nb201 arch '{}': unknown op index {} (valid: 0 skip_connect, 1 none, 2 nor_conv_3x3, "
                "3 nor_conv_1x1, 4 avg_pool_3x3)", key, op));
        }
        ops.push_back(op);
        if (comma == std::string::npos) {
            break;
        }
        pos = comma + 1;
    }
    if (ops.size() != 6) {
        throw std::invalid_argument(
            fmt::format("nb201 arch '{}': expected 6 op indices (one per cell edge), got {}", key, ops.size()));
    }
    Nb201Cell cell{};
    std::copy(ops.begin(), ops.end(), cell.begin());
    return cell;
}

// "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|": node j lists its inputs 0..j-1 in order.
Nb201Cell parseString(std::string const& key) {
    std::string body = trim(key);
    std::vector<std::string> nodes;
    std::size_t pos = 0;
    while (true) {
        auto plus = body.find('+', pos);
        nodes.push_back(body.substr(pos, plus == std::string::npos ? std::string::npos : plus - pos));
        if (plus == std::string::npos) {
            break;
        }
        pos = plus + 1;
    }
    if (nodes.size() != 3) {
        throw std::invalid_argument(
            fmt::format("nb201 arch '{}': expected 3 nodes separated by '+', got {}", key, nodes.size()));
    }
    Nb201Cell cell{};
    int edge = 0;
    for (int node = 0; node < 3; ++node) {
        std::string const& text = nodes[static_cast<std::size_t>(node)];
        if (text.size() < 2 || text.front() != '|' || text.back() != '|') {
            throw std::invalid_argument(fmt::format("nb201 arch '{}': malformed node '{}'", key, text));
        }
        std::vector<std::string> items;
        std::size_t p = 1;
        while (p < text.size()) {
            auto bar = text.find('|', p);
            items.push_back(text.substr(p, bar - p));
            p = bar + 1;
        }
        if (static_cast<int>(items.size()) != node + 1) {
            throw std::invalid_argument(fmt::format("nb201 arch '{}': node {} needs {} inputs, got {}", key,
                                                    node + 1, node + 1, items.size()));
        }
        for (int input = 0; input <= node; ++input) {
            std::string const& item = items[static_cast<std::size_t>(input)];
            auto tilde = item.find('~');
            std::string name = item.substr(0, tilde);
            if (tilde == std::string::npos || item.substr(tilde + 1) != std::to_string(input)) {
                throw std::invalid_argument(fmt::format("nb201 arch '{}': edge '{}' should read op~{}", key, item,
                                                        input));
            }
            auto it = std::find(kNb201OpNames.begin(), kNb201OpNames.end(), name);
            if (it == kNb201OpNames.end()) {
                throw std::invalid_argument(fmt::format(
                    "nb201 arch '{}': unknown op '{}' (valid: skip_connect, none, nor_conv_3x3, nor_conv_1x1, "
                    "avg_pool_3x3)", key, name));
            }
            auto position = kNb201StringToTuple[static_cast<std::size_t>(edge++)];
            cell[static_cast<std::size_t>(position)] = static_cast<int>(it - kNb201OpNames.begin());
        }
    }
    return cell;
}
}  // namespace

Nb201Cell parseNb201Cell(std::string const& key) {
    std::string body = trim(key);
    if (!body.empty() && body.front() == '|') {
        return parseString(key);
    }
    return parseTuple(key);
}

std::string nb201TupleKey(Nb201Cell const& cell) {
    return fmt::format("({}, {}, {}, {}, {}, {})", cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]);
}

std::string nb201ArchString(Nb201Cell const& cell) {
    auto op = [&](int k) {
        auto position = kNb201StringToTuple[static_cast<std::size_t>(k)];
        return kNb201OpNames[static_cast<std::size_t>(cell[static_cast<std::size_t>(position)])];
    };
    return fmt::format("|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|", op(0), op(1), op(2), op(3), op(4), op(5));
}

DatasetSpec datasetSpec(std::string const& name) {
    if (name == "cifar10") {
        return {name, 10, 32};
    }
    if (name == "cifar100") {
        return {name, 100, 32};
    }
    if (name == "ImageNet16-120") {
        return {name, 120, 16};
    }
    throw std::invalid_argument(
        fmt::format("unknown dataset '{}' (valid: cifar10, cifar100, ImageNet16-120)", name));
}

std::vector<std::string> const& proxyNames() {
    static std::vector<std::string> const names = {"epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov",
                                                   "l2_norm", "nwot",   "params", "plain", "snip", "synflow",
                                                   "zen"};
    return names;
}

std::vector<std::string> parseProxyList(std::string const& list) {
    std::string body = trim(list);
    if (body.empty() || body == "all") {
        return proxyNames();
    }
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        auto comma = body.find(',', pos);
        std::string name = trim(std::string_view(body).substr(pos, comma == std::string::npos ? std::string::npos
                                                                                               : comma - pos));
        auto const& valid = proxyNames();
        if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
            std::string names;
            for (auto const& v : valid) {
                names += (names.empty() ? "" : ", ") + v;
            }
            throw std::invalid_argument(fmt::format("unknown proxy '{}' (valid: {}, or all)", name, names));
        }
        if (std::find(out.begin(), out.end(), name) == out.end()) {
            out.push_back(name);
        }
        if (comma == std::string::npos) {
            break;
        }
        pos = comma + 1;
    }
    return out;
}

std::vector<std::string> const& nativeSpaces() {
    static std::vector<std::string> const spaces = {"nb201"};
    return spaces;
}

}  // namespace zcgp::proxy_cache
