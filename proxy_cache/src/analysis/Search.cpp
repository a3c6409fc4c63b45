#include "zcgp/analysis/Search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

#include "zcgp/analysis/Evolved.hpp"
#include "zcgp/proxy_cache/ArchitectureGraph.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::analysis {

namespace pc = zcgp::proxy_cache;

std::vector<std::string> const& searchMethodNames() {
    static std::vector<std::string> const names{kSearchRandom, kEncoding, kEncodingZc, kEncodingEvolved};
    return names;
}

namespace {
std::string archStringOf(pc::ProxyTable const& table, std::size_t row) {
    return pc::nb201ArchString(std::get<pc::MicroCell>(pc::decodeArchitecture(table, row).structure));
}
}  // namespace

SearchCells loadNb201SearchCells(pc::Benchmark const& benchmark, std::filesystem::path const& dataDir,
                                 std::string const& dataset) {
    if (dataset != "cifar10" && dataset != "ImageNet16-120") {
        throw pc::DataError(fmt::format("search: dataset '{}' has no full proxy table (nb201_full: cifar10, ImageNet16-120)", dataset));
    }
    auto const zenDir = dataDir / "nbsz" / "nb201_zen_full";
    if (!std::filesystem::exists(zenDir)) throw pc::DataError(fmt::format("search: '{}' not found", zenDir.string()));
    auto const lists = pc::loadBenchmarkLists(pc::findBenchmarkLists(zenDir));
    auto const full = std::find_if(lists.begin(), lists.end(), [&](pc::ProxyTable const& t) { return t.task == dataset; });
    if (full == lists.end()) throw pc::DataError(fmt::format("search: {} has no {} files", zenDir.string(), dataset));
    auto const accuracy = pc::Nb201Accuracy::load(dataDir);
    auto const column = pc::Nb201Accuracy::datasetIndex(dataset);

    SearchCells cells;
    cells.dataset = dataset;
    auto const names = pc::encodingNames(pc::SearchSpace::NB201);
    std::size_t const n = full->size();
    cells.encoding.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(names->size()));
    std::unordered_map<std::string, std::size_t> byString;
    for (std::size_t r = 0; r < n; ++r) {
        auto const graph = pc::decodeArchitecture(*full, r);
        auto const s = pc::nb201ArchString(std::get<pc::MicroCell>(graph.structure));
        auto const* e = accuracy.find(s);
        if (e == nullptr) throw pc::DataError(fmt::format("search: cell {} ({}) is not in the NB201 accuracy table", full->archs[r].key, s));
        byString.emplace(s, r);
        cells.archStrings.push_back(s);
        cells.validation.push_back(full->accuracy[static_cast<Eigen::Index>(r)]);
        cells.test.push_back(e->accuracy[column]);
        auto const enc = pc::encodeArchitecture(graph);
        for (std::size_t c = 0; c < enc->size(); ++c) cells.encoding(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = (*enc)[c];
    }
    cells.optimum = *std::max_element(cells.test.begin(), cells.test.end());

    auto const& proxies = benchmark.task("nb201_full/" + dataset);
    tasks::ConversionReport report;
    cells.terminals = tasks::datasetFromTable(proxies, {}, report);
    cells.terminals.normalize(primitives::Normalization::LogZScore);
    cells.zc = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cells.terminals.scalarCount()),
                                         std::numeric_limits<double>::quiet_NaN());
    cells.terminalRow.assign(n, -1);
    // the terminals' target is the cell's validation accuracy as nb201_full records it; the search uses the
    // zen_full one for every cell, so the evolved proxy learns the same labels as the surrogate
    std::vector<double> target(cells.terminals.rows());
    for (std::size_t t = 0; t < cells.terminals.rows(); ++t) {
        auto const row = proxies.findArchitecture(cells.terminals.archKeys()[t]);
        auto const it = byString.find(archStringOf(proxies, *row));
        if (it == byString.end()) throw pc::DataError(fmt::format("search: nb201_full cell {} is not in nb201_zen_full", cells.terminals.archKeys()[t]));
        cells.terminalRow[it->second] = static_cast<std::ptrdiff_t>(t);
        cells.zc.row(static_cast<Eigen::Index>(it->second)) = cells.terminals.scalars().row(static_cast<Eigen::Index>(t));
        target[t] = cells.validation[it->second];
    }
    cells.terminals.setTarget(target);
    return cells;
}

namespace {

Eigen::MatrixXd rowsOf(Eigen::MatrixXd const& m, std::vector<std::size_t> const& rows) {
    Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), m.cols());
    for (std::size_t r = 0; r < rows.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = m.row(static_cast<Eigen::Index>(rows[r]));
    return out;
}

// One search: the queried cells in order.
std::vector<std::size_t> searchOnce(SearchCells const& cells, std::string const& method, SearchOptions const& o,
                                    std::uint64_t seed) {
    std::size_t const n = cells.validation.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 0xBA7A5ULL);
    for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[static_cast<std::size_t>(rng() % (i + 1))]);
    std::size_t const budget = std::min(o.budget, n);
    if (method == kSearchRandom) return {order.begin(), order.begin() + static_cast<std::ptrdiff_t>(budget)};
    std::vector<std::size_t> queried(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(o.initial, budget)));
    std::vector<bool> seen(n, false);
    for (auto q : queried) seen[q] = true;
    while (queried.size() < budget) {
        Eigen::MatrixXd features = cells.encoding;
        if (method == kEncodingZc) {
            Eigen::MatrixXd both(features.rows(), features.cols() + cells.zc.cols());
            both << features, cells.zc;
            features = std::move(both);
        } else if (method == kEncodingEvolved) {
            // evolved on the queried cells that have proxies (their validation accuracy only)
            std::vector<std::size_t> train;
            for (auto q : queried) {
                if (cells.terminalRow[q] >= 0) train.push_back(static_cast<std::size_t>(cells.terminalRow[q]));
            }
            Eigen::VectorXd evolved = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(n), std::numeric_limits<double>::quiet_NaN());
            if (train.size() >= 5) {
                auto const f = evolveOnRows(cells.terminals, train, seed + queried.size(), o.evolution);
                for (std::size_t c = 0; c < n; ++c) {
                    if (cells.terminalRow[c] >= 0) evolved[static_cast<Eigen::Index>(c)] = f.values[static_cast<std::size_t>(cells.terminalRow[c])];
                }
            }
            Eigen::MatrixXd both(features.rows(), features.cols() + 1);
            both << features, evolved;
            features = std::move(both);
        }
        std::vector<double> y;
        for (auto q : queried) y.push_back(cells.validation[q]);
        XgbParams params = o.xgb;
        params.seed = seed;
        XgbRegressor model(params);
        model.fit(rowsOf(features, queried), y);
        auto const predicted = model.predict(features);
        std::vector<std::size_t> unseen;
        for (std::size_t c = 0; c < n; ++c) {
            if (!seen[c]) unseen.push_back(c);
        }
        std::size_t const take = std::min({o.batch, budget - queried.size(), unseen.size()});
        std::partial_sort(unseen.begin(), unseen.begin() + static_cast<std::ptrdiff_t>(take), unseen.end(),
                          [&](std::size_t a, std::size_t b) { return predicted[a] != predicted[b] ? predicted[a] > predicted[b] : a < b; });
        for (std::size_t k = 0; k < take; ++k) {
            queried.push_back(unseen[k]);
            seen[unseen[k]] = true;
        }
    }
    return queried;
}

}  // namespace

std::vector<SearchCurve> runSearch(SearchCells const& cells, SearchOptions const& o) {
    if (o.initial < 2 || o.batch < 1 || o.budget < o.initial) {
        throw std::invalid_argument(fmt::format("search: needs initial >= 2, batch >= 1 and budget >= initial (got {}, {}, {})",
                                                o.initial, o.batch, o.budget));
    }
    std::vector<SearchCurve> curves;
    for (auto const& method : o.methods) {
        auto const& names = searchMethodNames();
        if (std::find(names.begin(), names.end(), method) == names.end()) {
            throw std::invalid_argument(fmt::format("search: unknown method '{}'", method));
        }
        std::vector<std::vector<double>> best;  // [seed][k]
        for (std::size_t s = 0; s < o.seeds; ++s) {
            auto const queried = searchOnce(cells, method, o, s);
            std::vector<double> b;
            double running = -std::numeric_limits<double>::infinity();
            for (auto q : queried) {
                running = std::max(running, cells.test[q]);
                b.push_back(running);
            }
            best.push_back(std::move(b));
        }
        SearchCurve curve;
        curve.method = method;
        std::size_t const len = best.front().size();
        for (std::size_t k = 0; k < len; ++k) {
            double mean = 0;
            for (auto const& b : best) mean += b[k];
            mean /= static_cast<double>(best.size());
            double var = 0;
            for (auto const& b : best) var += (b[k] - mean) * (b[k] - mean);
            curve.queried.push_back(k + 1);
            curve.meanBest.push_back(mean);
            curve.stdBest.push_back(best.size() > 1 ? std::sqrt(var / static_cast<double>(best.size() - 1)) : 0.0);
        }
        curves.push_back(std::move(curve));
    }
    return curves;
}

}  // namespace zcgp::analysis
