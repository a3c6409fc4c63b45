#include "zcgp/engine/Ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"

namespace zcgp::engine {

std::uint64_t ensembleMemberSeed(std::uint64_t seed, std::size_t member) {
    if (member == 0) return seed;
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(member);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

std::vector<std::string> ensembleMemberCreators(std::string const& spec, std::string const& runCreator,
                                                std::size_t members) {
    std::vector<std::string> cycle;
    if (spec == "auto") {
        cycle = {runCreator};
        if (runCreator != "rhh:2:5") cycle.emplace_back("rhh:2:5");
    } else {
        std::size_t start = 0;
        while (true) {
            auto const comma = spec.find(',', start);
            auto item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (item.empty()) throw std::invalid_argument("an empty entry (a comma list of --creator specs, or auto)");
            cycle.push_back(std::move(item));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    std::vector<std::string> out;
    for (std::size_t k = 0; k < members; ++k) out.push_back(cycle[k % cycle.size()]);
    return out;
}

Tree combineEnsemble(std::span<Tree const> members, Evolution const& evo) {
    std::vector<std::string> terms;
    for (auto const& tree : members) {
        std::vector<double> v;
        for (std::size_t t = 0; t < evo.tasks().size(); ++t) {
            auto all = Interpreter(evo.tasks()[t].data).evaluate(tree);
            for (auto r : evo.train(t)) v.push_back(all[r]);
        }
        auto median = [](std::vector<double> x) {
            auto mid = x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2);
            std::nth_element(x.begin(), mid, x.end());
            return *mid;
        };
        double const med = median(v);
        std::vector<double> dev;
        for (double x : v) dev.push_back(std::abs(x - med));
        double scale = 1.4826 * median(dev);
        if (!(scale > 0.0) || !std::isfinite(scale)) {  // over half the train values tie: fall back to the std
            double mean = 0, ss = 0;
            for (double x : v) mean += x / static_cast<double>(v.size());
            for (double x : v) ss += (x - mean) * (x - mean);
            scale = std::sqrt(ss / static_cast<double>(v.size()));
        }
        if (!(scale > 0.0) || !std::isfinite(scale)) scale = 1.0;
        terms.push_back(fmt::format("tanh(({} - {}) * {})", evo.format(tree), med, 1.0 / (3.0 * scale)));
    }
    return parse(fmt::format("{}", fmt::join(terms, " + ")), Vocabulary::of(evo.tasks()[0].data));
}

std::vector<std::pair<Tree, double>> sizeFront(std::vector<std::pair<Tree, double>> all) {
    std::stable_sort(all.begin(), all.end(), [](auto const& a, auto const& b) {
        return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.second > b.second;
    });
    std::vector<std::pair<Tree, double>> front;
    for (auto& p : all) {
        if (front.empty() || p.second > front.back().second) front.push_back(std::move(p));
    }
    return front;
}

}  // namespace zcgp::engine
