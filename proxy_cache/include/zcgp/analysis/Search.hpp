#pragma once
// The NAS-algorithm claim of NAS-Bench-Suite-Zero: a BANANAS-style predictor-guided search over all 15,625
// NAS-Bench-201 cells. Start from `initial` random cells; then repeatedly fit an XGBoost surrogate on the cells
// queried so far (their validation accuracy), and query the `batch` unseen cells it predicts best. The curve is the
// best test accuracy among the queried cells against the number queried, against random search.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "zcgp/analysis/Surrogate.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/primitives/Dataset.hpp"

namespace zcgp::proxy_cache {
class Benchmark;
}

namespace zcgp::analysis {

struct SearchCells {
    std::string dataset;
    std::vector<std::string> archStrings;
    std::vector<double> validation;  // what a query returns (and the surrogate learns)
    std::vector<double> test;        // what the curve reports
    Eigen::MatrixXd encoding;        // one-hot ops per edge
    Eigen::MatrixXd zc;              // the proxies of nb201_full; NaN for the cells it lacks (dead edges)
    primitives::Dataset terminals;   // logz-normalised proxies of the cells that have them (for the evolved proxy)
    std::vector<std::ptrdiff_t> terminalRow;  // per cell: its row in `terminals`, or -1
    double optimum{0};               // best test accuracy over all cells
};

// All 15,625 cells: validation accuracy from nbsz/nb201_zen_full, test accuracy from nb201/ (200 epochs), proxies
// from nb201_full/<dataset> (cifar10 or ImageNet16-120). Throws DataError naming a missing file or cell.
[[nodiscard]] SearchCells loadNb201SearchCells(proxy_cache::Benchmark const& benchmark,
                                               std::filesystem::path const& dataDir, std::string const& dataset);

inline constexpr char const* kSearchRandom = "random";
[[nodiscard]] std::vector<std::string> const& searchMethodNames();  // random, encoding, encoding+zc, encoding+evolved

struct SearchOptions {
    std::size_t budget{300};
    std::size_t initial{10};
    std::size_t batch{10};
    std::size_t seeds{10};
    std::vector<std::string> methods = searchMethodNames();
    XgbParams xgb{};
    engine::EvolutionConfig evolution{};  // for encoding+evolved: evolved on the queried cells at every step
};

struct SearchCurve {
    std::string method;
    std::vector<std::size_t> queried;             // 1..budget
    std::vector<double> meanBest, stdBest;        // best test accuracy so far, over seeds
};

[[nodiscard]] std::vector<SearchCurve> runSearch(SearchCells const& cells, SearchOptions const& options);

}  // namespace zcgp::analysis
