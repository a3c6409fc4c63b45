#pragma once
// Zero-shot NAS over the NAS-Bench-201 cell space (5 ops on 6 edges = 15,625 cells) with a proxy as the
// objective: random sampling, or regularized evolution (Real et al., 2019: tournament parent, one-edge
// mutation, the oldest member dies). Both score exactly `budget` distinct cells, so budgets are equal.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace zcgp::cli {

using Cell = std::array<int, 6>;

struct SearchConfig {
    std::string algorithm = "evolution";  // evolution | random
    std::size_t budget = 100;             // distinct cells scored
    std::size_t population = 20;          // regularized evolution
    std::size_t sample = 5;               // tournament size
    std::uint64_t seed = 0;
    double timeLimitSeconds = 0.0;        // 0: none; stops early, recorded in the result
};

struct ScoredCell {
    Cell cell;
    double score;  // non-finite scores count as the worst
};

struct SearchResult {
    ScoredCell best;
    std::vector<ScoredCell> history;  // in scoring order
    double seconds = 0.0;
    bool timedOut = false;
};

// Throws std::invalid_argument for an unknown algorithm or an impossible budget.
[[nodiscard]] SearchResult runSearch(SearchConfig const& config, std::function<double(Cell const&)> const& score);

}  // namespace zcgp::cli
