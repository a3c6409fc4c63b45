// ParZC's ground truth, splits and the uncertainty check (LibTorch-free).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/ArchitectureSelection.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"
#include "zcgp/proxy_cache/torch/ParZC.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace zcgp::proxy_cache::parzc {

std::vector<double> nb201Targets(std::vector<std::string> const& keys, std::string const& dataset,
                                 std::filesystem::path const& dataDir) {
    auto const table = Nb201Accuracy::load(dataDir);
    auto const column = Nb201Accuracy::datasetIndex(dataset);
    std::vector<double> out;
    out.reserve(keys.size());
    for (auto const& k : keys) {
        Nb201Cell cell{};
        try {
            cell = parseNb201Cell(k);
        } catch (std::invalid_argument const& e) {
            throw ParzcError(fmt::format("architecture {}: {}", k, e.what()));
        }
        auto const* entry = table.find(nb201ArchString(cell));
        if (entry == nullptr) throw ParzcError(fmt::format("architecture {}: not in the NB201 accuracy table", k));
        out.push_back(entry->accuracy[column]);
    }
    return out;
}

namespace {

Split complete(std::vector<std::string> const& keys, std::vector<std::string> const& trainKeys,
               std::string const& source) {
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < keys.size(); ++i) index.emplace(keys[i], i);
    Split split;
    std::vector<bool> isTrain(keys.size(), false);
    for (auto const& k : trainKeys) {
        auto const it = index.find(k);
        if (it == index.end()) throw ParzcError(fmt::format("{}: train architecture {} is not in the cache", source, k));
        if (isTrain[it->second]) throw ParzcError(fmt::format("{}: train architecture {} is listed twice", source, k));
        isTrain[it->second] = true;
        split.train.push_back(it->second);
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (!isTrain[i]) split.test.push_back(i);
    }
    if (split.train.size() < 2 || split.test.size() < 2) {
        throw ParzcError(fmt::format("{}: {} train and {} held-out architectures of {}; ParZC needs at least 2 of each",
                                     source, split.train.size(), split.test.size(), keys.size()));
    }
    return split;
}

}  // namespace

Split seededSplit(std::vector<std::string> const& keys, std::size_t nTrain, std::uint64_t seed) {
    if (nTrain < 2 || nTrain + 2 > keys.size()) {
        throw ParzcError(fmt::format("--train-archs {}: the cache has {} architectures; ParZC needs at least 2 to "
                                     "train on and 2 to hold out", nTrain, keys.size()));
    }
    return complete(keys, seededSample(keys, nTrain, seed), fmt::format("seeded split (seed {})", seed));
}

Split splitFromKeys(std::vector<std::string> const& keys, std::vector<std::string> const& trainKeys,
                    std::string const& source) {
    return complete(keys, trainKeys, source);
}

double uncertaintyRankCorrelation(Prediction const& prediction, std::span<double const> target) {
    auto const ranks = [](std::span<double const> v) {
        std::vector<std::size_t> order(v.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
        std::vector<double> r(v.size());
        for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
        return r;
    };
    auto const rp = ranks(prediction.mean), rt = ranks(target);
    std::vector<double> error(rp.size());
    for (std::size_t i = 0; i < error.size(); ++i) error[i] = std::abs(rp[i] - rt[i]);
    return fitness::spearman(prediction.std, error);
}

}  // namespace zcgp::proxy_cache::parzc
