#include "ZeroShotSearch.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <numbers>
#include <random>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace zcgp::cli {

namespace {
constexpr int kOps = 5;
constexpr std::size_t kCells = 15625;

double comparable(double score) { return std::isfinite(score) ? score : -std::numeric_limits<double>::infinity(); }

Cell randomCell(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> op(0, kOps - 1);
    Cell c{};
    for (auto& o : c) o = op(rng);
    return c;
}
}  // namespace

SearchResult runSearch(SearchConfig const& config, std::function<double(Cell const&)> const& score) {
    if (config.budget == 0 || config.budget > kCells) {
        throw std::invalid_argument(fmt::format("search budget must be 1..{} cells, got {}", kCells, config.budget));
    }
    if (config.algorithm != "evolution" && config.algorithm != "random") {
        throw std::invalid_argument(fmt::format("unknown search algorithm '{}' (valid: evolution, random)", config.algorithm));
    }
    std::mt19937_64 rng(config.seed * 0x9E3779B97F4A7C15ULL + 17);
    SearchResult result;
    result.best.score = -std::numeric_limits<double>::infinity();
    std::set<Cell> seen;
    auto const start = std::chrono::steady_clock::now();
    auto outOfTime = [&] {
        return config.timeLimitSeconds > 0 &&
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > config.timeLimitSeconds;
    };
    auto evaluate = [&](Cell const& c) {
        ScoredCell s{c, comparable(score(c))};
        seen.insert(c);
        result.history.push_back(s);
        if (result.history.size() == 1 || s.score > result.best.score) result.best = s;
        return s;
    };
    auto freshRandom = [&] {
        Cell c = randomCell(rng);
        while (seen.count(c) != 0U) c = randomCell(rng);
        return c;
    };

    std::size_t const warmup = config.algorithm == "random" ? config.budget : std::min(config.population, config.budget);
    std::deque<ScoredCell> population;
    while (result.history.size() < warmup && !(result.timedOut = outOfTime())) {
        population.push_back(evaluate(freshRandom()));
    }
    std::uniform_int_distribution<std::size_t> edge(0, 5);
    std::uniform_int_distribution<int> shift(1, kOps - 1);
    while (result.history.size() < config.budget && !result.timedOut && !(result.timedOut = outOfTime())) {
        // tournament: the best of `sample` members drawn with replacement
        std::uniform_int_distribution<std::size_t> pick(0, population.size() - 1);
        ScoredCell parent = population[pick(rng)];
        for (std::size_t i = 1; i < config.sample; ++i) {
            auto const& other = population[pick(rng)];
            if (other.score > parent.score) parent = other;
        }
        // mutate one edge to a different op; retry until the child is new (the space is finite but large)
        Cell child = parent.cell;
        for (int attempt = 0; attempt < 100 && (attempt == 0 || seen.count(child) != 0U); ++attempt) {
            child = parent.cell;
            auto const e = edge(rng);
            child[e] = (child[e] + shift(rng)) % kOps;
        }
        if (seen.count(child) != 0U) child = freshRandom();
        population.push_back(evaluate(child));
        if (population.size() > config.population) population.pop_front();
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

double expectedMaxOfNormals(std::size_t n) {
    if (n <= 1) return 0.0;
    // trapezoid on [-9, 9]: the integrand is below 1e-17 outside it for n <= 15625
    constexpr int kSteps = 18000;
    constexpr double kLow = -9.0, kHigh = 9.0;
    double const h = (kHigh - kLow) / kSteps;
    double const m = static_cast<double>(n);
    double sum = 0.0;
    for (int i = 0; i <= kSteps; ++i) {
        double const x = kLow + h * i;
        double const cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
        double const pdf = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
        double const f = cdf <= 0.0 ? 0.0 : x * m * pdf * std::exp((m - 1.0) * std::log(cdf));
        sum += (i == 0 || i == kSteps) ? 0.5 * f : f;
    }
    return sum * h;
}

CandidateValue searchValue(FrontCandidate const& candidate, std::size_t budget, double timeLeftSeconds) {
    CandidateValue v;
    v.cells = budget;
    if (timeLeftSeconds > 0 && candidate.secondsPerCell > 0) {
        double const affordable = std::floor(timeLeftSeconds / candidate.secondsPerCell);
        v.cells = static_cast<std::size_t>(std::clamp(affordable, 1.0, static_cast<double>(budget)));
    }
    v.expectedMax = expectedMaxOfNormals(v.cells);
    v.value = std::sin(std::numbers::pi * candidate.trainTau / 2.0) * v.expectedMax;
    return v;
}

std::size_t pickForSearch(std::vector<FrontCandidate> const& candidates, std::size_t budget, double timeLeftSeconds) {
    if (candidates.empty()) throw std::invalid_argument("no candidate formula to pick from");
    std::size_t best = 0;
    double bestValue = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        double const v = searchValue(candidates[i], budget, timeLeftSeconds).value;
        if (v > bestValue) {
            bestValue = v;
            best = i;
        }
    }
    return best;
}

std::optional<std::size_t> pickWithinCost(std::vector<FrontCandidate> const& candidates, double maxCost) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        // a relative tolerance, so that a sum of the same medians in another order still counts as equal
        if (candidates[i].recordedCost > maxCost * (1.0 + 1e-9) + 1e-12) continue;
        if (!best || candidates[i].trainTau > candidates[*best].trainTau) best = i;
    }
    return best;
}

}  // namespace zcgp::cli
