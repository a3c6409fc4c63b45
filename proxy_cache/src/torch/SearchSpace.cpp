// Architecture key parsing for the native search spaces; no LibTorch here, so it compiles fast.
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

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

std::string_view familyName(ProxyFamily family) {
    switch (family) {
        case ProxyFamily::Counting: return "counting";
        case ProxyFamily::ForwardRecords: return "forward records";
        case ProxyFamily::Kernels: return "kernels";
        case ProxyFamily::Jacobian: return "Jacobian";
        case ProxyFamily::GradientTerms: return "gradient terms";
        case ProxyFamily::Synflow: return "synflow";
        case ProxyFamily::Zen: return "zen";
    }
    return "?";
}

std::vector<ProxySpec> const& proxyCatalogue() {
    using F = ProxyFamily;
    static std::vector<ProxySpec> const catalogue = {
        {"epe_nas", F::Jacobian, {"nb201"}},
        {"fisher", F::GradientTerms, {"nb201"}},
        {"flops", F::Counting, {"nb201"}},
        {"grad_norm", F::GradientTerms, {"nb201"}},
        {"grasp", F::GradientTerms, {"nb201"}},
        {"jacov", F::Jacobian, {"nb201"}},
        {"l2_norm", F::Counting, {"nb201"}},
        {"nwot", F::Kernels, {"nb201"}},  // ReLU codes; flexibert: activation_distance (GELU sign codes)
        {"params", F::Counting, {"nb201", "flexibert"}},
        {"plain", F::GradientTerms, {"nb201"}},
        {"snip", F::GradientTerms, {"nb201"}},
        {"synflow", F::Synflow, {"nb201"}},
        {"zen", F::Zen, {"nb201"}},
        // FlexiBERT (Serianni & Kalita 2023): one forward of random tokens with hooks, one backward of sum(output)
        {"activation_distance", F::Kernels, {"flexibert"}},
        {"activation_distance_normalized", F::Kernels, {"flexibert"}},
        {"head_confidence", F::ForwardRecords, {"flexibert"}},
        {"head_confidence_normalized", F::ForwardRecords, {"flexibert"}},
        {"head_importance", F::GradientTerms, {"flexibert"}},
        {"head_importance_normalized", F::GradientTerms, {"flexibert"}},
        {"head_softmax_confidence", F::ForwardRecords, {"flexibert"}},
        {"head_softmax_confidence_normalized", F::ForwardRecords, {"flexibert"}},
        {"jacobian_score", F::Jacobian, {"flexibert"}},
        {"jacobian_score_cosine", F::Jacobian, {"flexibert"}},
        {"synaptic_diversity", F::GradientTerms, {"flexibert"}},
        {"synaptic_diversity_normalized", F::GradientTerms, {"flexibert"}},
        {"synaptic_saliency", F::GradientTerms, {"flexibert"}},
        {"synaptic_saliency_normalized", F::GradientTerms, {"flexibert"}},
    };
    return catalogue;
}

std::vector<std::string> const& proxyNames() { return proxyNames("nb201"); }

std::vector<std::string> const& proxyNames(std::string_view space) {
    static auto const bySpace = [] {
        std::vector<std::pair<std::string, std::vector<std::string>>> out;
        for (auto const& s : nativeSpaces()) {
            std::vector<std::string> names;
            for (auto const& p : proxyCatalogue()) {
                if (std::find(p.spaces.begin(), p.spaces.end(), s) != p.spaces.end()) names.emplace_back(p.name);
            }
            std::sort(names.begin(), names.end());
            out.emplace_back(s, std::move(names));
        }
        return out;
    }();
    for (auto const& [s, names] : bySpace) {
        if (s == space) return names;
    }
    throw std::invalid_argument(fmt::format("search space '{}' has no native network (valid: nb201, flexibert)", space));
}

std::vector<std::string> parseProxyList(std::string const& list, std::string_view space) {
    auto const& valid = proxyNames(space);
    std::string body = trim(list);
    if (body.empty() || body == "all") {
        return valid;
    }
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        auto comma = body.find(',', pos);
        std::string name = trim(std::string_view(body).substr(pos, comma == std::string::npos ? std::string::npos
                                                                                               : comma - pos));
        if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
            std::string names;
            for (auto const& v : valid) {
                names += (names.empty() ? "" : ", ") + v;
            }
            auto const& all = proxyCatalogue();
            bool const elsewhere = std::any_of(all.begin(), all.end(), [&](ProxySpec const& p) { return p.name == name; });
            if (elsewhere && space == "flexibert" && name == "nwot") {
                throw std::invalid_argument(
                    "proxy 'nwot' does not apply to flexibert: a GELU transformer has no ReLU codes; "
                    "activation_distance (the sign codes of the GELU outputs) takes its place");
            }
            if (elsewhere) {
                throw std::invalid_argument(fmt::format("proxy '{}' does not apply to {} (valid: {}, or all)", name,
                                                        space, names));
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
    static std::vector<std::string> const spaces = {"nb201", "flexibert"};
    return spaces;
}

std::vector<std::string> const& spaceDatasets(std::string_view space) {
    static std::vector<std::string> const nb201 = {"cifar10", "cifar100", "ImageNet16-120"};
    static std::vector<std::string> const flexibert = {"glue"};
    if (space == "nb201") return nb201;
    if (space == "flexibert") return flexibert;
    throw std::invalid_argument(fmt::format("search space '{}' has no native network (valid: nb201, flexibert)", space));
}

std::string canonicalSpaceKey(std::string_view space, std::string const& key) {
    if (space == "flexibert") {
        std::string body = trim(key);
        if (body.empty() || body.size() > 9 || body.find_first_not_of("0123456789") != std::string::npos) {
            throw std::invalid_argument(fmt::format("flexibert arch '{}': expected a benchmark ID (a number)", key));
        }
        return std::to_string(std::stoul(body));
    }
    if (space == "nb201") return nb201TupleKey(parseNb201Cell(key));
    throw std::invalid_argument(fmt::format("search space '{}' has no native network (valid: nb201, flexibert)", space));
}

std::string_view flexibertStoredColumn(std::string_view proxy) {
    static std::vector<std::pair<std::string_view, std::string_view>> const columns = {
        {"synaptic_diversity", "Synaptic Diversity"},
        {"synaptic_diversity_normalized", "Synaptic Diversity Normalized"},
        {"synaptic_saliency", "Synaptic Saliency"},
        {"synaptic_saliency_normalized", "Synaptic Saliency Normalized"},
        {"activation_distance", "Activation Distance"},
        {"activation_distance_normalized", "Activation Distance Normalized"},
        {"jacobian_score", "Jacobian Score"},
        {"jacobian_score_cosine", "Jacobian Score Normalized"},  // the benchmark's "normalized" Jacobian is the cosine one
        {"params", "Number of Parameters"},
        {"head_importance", "Head Importance"},
        {"head_importance_normalized", "Head Importance Normalized"},
        {"head_confidence", "Head Confidence"},
        {"head_confidence_normalized", "Head Confidence Normalized"},
        {"head_softmax_confidence", "Head Softmax Confidence"},
        {"head_softmax_confidence_normalized", "Head Softmax Confidence Normalized"},
    };
    for (auto const& [p, c] : columns) {
        if (p == proxy) return c;
    }
    throw std::invalid_argument(fmt::format("'{}' is not a FlexiBERT proxy", proxy));
}

}  // namespace zcgp::proxy_cache
