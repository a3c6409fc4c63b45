// zcgp score: compute the 13 zero-cost proxies (and optionally per-layer raw statistics) of architectures
// natively with LibTorch.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "Command.hpp"
#include "ScorerProfile.hpp"
#include "TorchCommands.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/Blas.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace po = boost::program_options;
namespace pc = zcgp::proxy_cache;

namespace {

std::vector<std::string> readArchFile(std::string const& path) {
    std::ifstream in(path);
    if (!in) {
        throw zcgp::cli::UsageError(fmt::format("zcgp score: cannot read --arch-file '{}'", path));
    }
    std::vector<std::string> keys;
    std::string line;
    while (std::getline(in, line)) {
        auto b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#') {
            continue;
        }
        keys.push_back(line.substr(b, line.find_last_not_of(" \t\r") - b + 1));
    }
    return keys;
}

nlohmann::json toJson(pc::ArchitectureMeasurement const& m, pc::ScorerOptions const& o, std::string const& device) {
    nlohmann::json j;
    j["arch"] = m.archKey;
    if (o.space == "nb201") j["arch_string"] = pc::nb201ArchString(pc::parseNb201Cell(m.archKey));
    j["space"] = o.space;
    j["dataset"] = o.dataset;
    j["seed"] = o.seed;
    j["batch"] = o.batchSize;
    if (o.space == "flexibert") j["sequence_length"] = o.sequenceLength;
    j["device"] = device;
    if (device == "cpu") j["blas"] = pc::blasLibrary();  // float32 results depend on it in their last digits
    j["seconds"] = m.seconds;
    j["proxies"] = m.proxies;
    if (!m.statistics.empty()) {
        nlohmann::json s = nlohmann::json::object();
        for (auto const& stat : m.statistics) {
            s[stat.name] = stat.values;  // non-finite values (e.g. log det of a singular kernel) become null
        }
        j["statistics"] = s;
    }
    return j;
}

int runScore(std::vector<std::string> const& args) {
    po::options_description options("zcgp score options");
    options.add_options()
        ("space", po::value<std::string>()->default_value("nb201"), "search space: nb201 | flexibert")
        ("dataset", po::value<std::string>(), "nb201: cifar10 (default) | cifar100 | ImageNet16-120; flexibert: glue")
        ("arch", po::value<std::vector<std::string>>()->composing(),
         "architecture: NASLib tuple \"(0, 2, 3, 2, 3, 1)\" or NB201 string \"|nor_conv_3x3~0|+|...|\"; flexibert: "
         "the benchmark ID (repeatable)")
        ("arch-file", po::value<std::string>(), "file with one architecture key per line")
        ("proxies", po::value<std::string>()->default_value("all"), "all, or a comma-separated list of proxies")
        ("batch", po::value<int>(), "batch size of the data pass (default 64 for nb201, 16 for flexibert)")
        ("sequence-length", po::value<int>()->default_value(128), "flexibert: tokens per random sequence")
        ("seed", po::value<std::uint64_t>()->default_value(0), "seed of the initialisation and the batch")
        ("device", po::value<std::string>()->default_value("auto"), "auto | cpu | cuda")
        ("statistics", "also compute the per-layer raw statistics")
        ("bn-double-backward", po::value<std::string>()->default_value("fused"),
         "nb201: batch norm's second derivative in GraSP's Hessian-vector product: fused (one kernel per layer) | "
         "libtorch (LibTorch's own autograd formula; the same values to float32 rounding, docs/proxies.md)")
        ("json", "print one JSON object per architecture (JSON lines)");
    zcgp::cli::addCommonOptions(options);
    po::variables_map vm;
    if (!zcgp::cli::parseArguments("score", "--arch KEY [--space nb201|flexibert] [--dataset D] [--proxies all|a,b] [--json]", options, args,
                                   vm, nullptr, {{"batch", {1, 1024}}})) {
        return 0;
    }
    std::vector<std::string> archs;
    if (vm.count("arch") != 0U) {
        archs = vm["arch"].as<std::vector<std::string>>();
    }
    if (vm.count("arch-file") != 0U) {
        auto more = readArchFile(vm["arch-file"].as<std::string>());
        archs.insert(archs.end(), more.begin(), more.end());
    }
    if (archs.empty()) {
        throw zcgp::cli::UsageError("zcgp score: give --arch KEY or --arch-file FILE");
    }
    pc::ScorerOptions o;
    o.space = vm["space"].as<std::string>();
    bool const flexibert = o.space == "flexibert";
    o.dataset = vm.count("dataset") != 0U ? vm["dataset"].as<std::string>() : (flexibert ? "glue" : "cifar10");
    o.batchSize = vm.count("batch") != 0U ? vm["batch"].as<int>() : (flexibert ? 16 : 64);
    o.sequenceLength = vm["sequence-length"].as<int>();
    o.seed = vm["seed"].as<std::uint64_t>();
    o.device = vm["device"].as<std::string>();
    o.statistics = vm.count("statistics") != 0U;
    auto const secondDerivative = vm["bn-double-backward"].as<std::string>();
    if (secondDerivative != "fused" && secondDerivative != "libtorch") {
        throw zcgp::cli::UsageError(
            fmt::format("zcgp score: --bn-double-backward must be fused or libtorch, not '{}'", secondDerivative));
    }
    o.fusedBatchNorm = secondDerivative == "fused";
    o.phaseTimer = zcgp::cli::profileTimerFromEnvironment();
    bool const json = vm.count("json") != 0U;
    try {
        auto const& datasets = pc::spaceDatasets(o.space);
        o.proxies = pc::parseProxyList(vm["proxies"].as<std::string>(), o.space);
        if (std::find(datasets.begin(), datasets.end(), o.dataset) == datasets.end()) {
            throw std::invalid_argument(fmt::format("unknown dataset '{}' for {} (valid: {})", o.dataset, o.space,
                                                    fmt::join(datasets, ", ")));
        }
        for (auto const& a : archs) {
            (void)pc::canonicalSpaceKey(o.space, a);  // every key is checked before the first (slow) measurement
        }
    } catch (std::invalid_argument const& e) {
        throw zcgp::cli::UsageError(fmt::format("zcgp score: {}", e.what()));
    }
    o.dataDir = zcgp::cli::resolveDataDir(vm);

    std::unique_ptr<pc::ArchitectureScorer> scorer;
    try {
        scorer = std::make_unique<pc::ArchitectureScorer>(o);
        for (auto const& a : archs) (void)scorer->canonicalKey(a);  // e.g. a FlexiBERT ID not in the benchmark
    } catch (std::invalid_argument const& e) {
        throw zcgp::cli::UsageError(fmt::format("zcgp score: {}", e.what()));
    }
    for (auto const& arch : archs) {
        auto m = scorer->measure(arch);
        if (json) {
            std::cout << toJson(m, o, scorer->deviceName()).dump() << std::endl;
            continue;
        }
        std::cout << fmt::format("{} {} on {} ({}, batch {}, seed {}, {:.2f} s)\n", o.space, m.archKey, o.dataset,
                                 scorer->deviceName(), o.batchSize, o.seed, m.seconds);
        for (auto const& [name, value] : m.proxies) {
            std::cout << fmt::format("  {:<10} {:.10g}\n", name, value);
        }
        for (auto const& s : m.statistics) {
            std::cout << fmt::format("  [{}] {} values\n", s.name, s.values.size());
        }
    }
    return 0;
}

}  // namespace

ZCGP_REGISTER_COMMAND("score", zcgp::cli::torchCommandSummary("score"), runScore);
