// Times zcgp::fitness::kendallTau (allocating, NaN-aware) and KendallTau (fixed truth, allocation-free) on random
// tied data. Emits one JSON line per (implementation, n):
//   {"bench":"kendall","impl":"KendallTau","n":100,"calls":...,"seconds":...,"ns_per_call":...,"calls_per_s":...}
// Usage: bench_kendall [min_seconds_per_case=0.5] [n ...]   (default n: 100 1000 15625)
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "zcgp/fitness/RankStatistics.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Truth: integers in [0, n/4) (many ties, like accuracies rounded to a few digits). Scores: truth plus integer
// noise, so they correlate with the truth and also have ties.
std::vector<double> makeTruth(std::mt19937_64& rng, std::size_t n) {
    std::uniform_int_distribution<int> level(0, std::max(1, static_cast<int>(n / 4)) - 1);
    std::vector<double> v(n);
    for (auto& e : v) {
        e = static_cast<double>(level(rng));
    }
    return v;
}

std::vector<double> makeScores(std::mt19937_64& rng, std::vector<double> const& truth) {
    std::uniform_int_distribution<int> noise(0, std::max(1, static_cast<int>(truth.size() / 4)));
    std::vector<double> v(truth.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = truth[i] + static_cast<double>(noise(rng));
    }
    return v;
}

template <typename F>
void timeCase(char const* impl, std::size_t n, double minSeconds, std::vector<std::vector<double>> const& scores,
              F&& f) {
    double sink = 0.0;
    // Warm-up, also fixes the batch size to roughly 10 ms.
    std::size_t batch = 1;
    for (;;) {
        auto const t0 = Clock::now();
        for (std::size_t i = 0; i < batch; ++i) {
            sink += f(scores[i % scores.size()]);
        }
        if (std::chrono::duration<double>(Clock::now() - t0).count() > 0.01) {
            break;
        }
        batch *= 2;
    }
    std::size_t calls = 0;
    auto const start = Clock::now();
    double elapsed = 0.0;
    while (elapsed < minSeconds) {
        for (std::size_t i = 0; i < batch; ++i) {
            sink += f(scores[(calls + i) % scores.size()]);
        }
        calls += batch;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    fmt::print("{{\"bench\":\"kendall\",\"impl\":\"{}\",\"n\":{},\"calls\":{},\"seconds\":{:.6f},\"ns_per_call\":{:.1f},"
               "\"calls_per_s\":{:.1f},\"checksum\":{:.6f}}}\n",
               impl, n, calls, elapsed, 1e9 * elapsed / static_cast<double>(calls),
               static_cast<double>(calls) / elapsed, sink / static_cast<double>(calls + batch));
}

}  // namespace

int main(int argc, char** argv) {
    double const minSeconds = argc > 1 ? std::atof(argv[1]) : 0.5;
    std::vector<std::size_t> sizes;
    for (int i = 2; i < argc; ++i) {
        sizes.push_back(static_cast<std::size_t>(std::atol(argv[i])));
    }
    if (sizes.empty()) {
        sizes = {100, 1000, 15625};
    }
    std::mt19937_64 rng(42);
    for (std::size_t n : sizes) {
        auto const truth = makeTruth(rng, n);
        std::vector<std::vector<double>> scores;
        // Many distinct score vectors: with only a few, repeated, the branch predictor learns the comparisons
        // of the sort-based versions and flatters them (a GP never scores the same vector twice).
        std::size_t const vectors = std::clamp<std::size_t>(4'000'000 / std::max<std::size_t>(n, 1), 16, 4096);
        for (std::size_t i = 0; i < vectors; ++i) {
            scores.push_back(makeScores(rng, truth));
        }
        timeCase("kendallTau", n, minSeconds, scores,
                 [&](std::vector<double> const& s) { return zcgp::fitness::kendallTau(truth, s); });
        zcgp::fitness::KendallTau tau(truth);
        timeCase("KendallTau", n, minSeconds, scores, [&](std::vector<double> const& s) { return tau(s); });
    }
    return 0;
}
