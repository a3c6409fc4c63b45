#pragma once
// Zero-shot NAS over the NAS-Bench-201 cell space (5 ops on 6 edges = 15,625 cells) with a proxy as the
// objective: random sampling, or regularized evolution (Real et al., 2019: tournament parent, one-edge
// mutation, the oldest member dies). Both score exactly `budget` distinct cells, so budgets are equal.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
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

// ---- Choosing a formula of an evolve run's cost front for a search of a given budget (`zcgp search --pick`) ----
// A cheaper formula scores more cells in the same wall time; a better one ranks them better. Model: the proxy and
// the accuracy are a bivariate normal (rank) pair with Pearson correlation rho = sin(pi tau / 2) (Greiner's relation
// of Kendall's tau), and the search keeps the best of N cells by proxy. The chosen cell's expected accuracy
// z-score is then rho * E[max of N standard normals], the value maximised here. tau is the train tau recorded by
// zcgp evolve (no held-out architecture is used) and N = min(budget, floor(time left / measured seconds per cell)).
struct FrontCandidate {
    std::string formula;
    double trainTau{0};
    double secondsPerCell{0};  // measured on this machine
    double recordedCost{0};    // the run's cost: the sum of the suite's median times of the proxies it reads
};
struct CandidateValue {
    std::size_t cells{0};  // N
    double expectedMax{0};  // E[max of N standard normals]
    double value{0};       // sin(pi tau / 2) * expectedMax
};
// E[max of n independent standard normals] (0 for n = 1), by quadrature of n x phi(x) Phi(x)^(n-1).
[[nodiscard]] double expectedMaxOfNormals(std::size_t n);
// timeLeftSeconds <= 0: no time limit, every candidate scores `budget` cells (then the best train tau wins).
[[nodiscard]] CandidateValue searchValue(FrontCandidate const& candidate, std::size_t budget, double timeLeftSeconds);
// The index of the candidate of highest value (the first among equals). Throws std::invalid_argument when empty.
[[nodiscard]] std::size_t pickForSearch(std::vector<FrontCandidate> const& candidates, std::size_t budget,
                                        double timeLeftSeconds);
// `--pick cost-of:PROXY`: the candidate of highest train tau whose recorded cost is at most maxCost (PROXY's
// recorded time), so that it scores as many cells as PROXY in the same time and ranks them better on the train
// architectures. nullopt when none is that cheap.
[[nodiscard]] std::optional<std::size_t> pickWithinCost(std::vector<FrontCandidate> const& candidates, double maxCost);

}  // namespace zcgp::cli
