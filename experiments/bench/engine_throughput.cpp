// Interpreter throughput: node evaluations per second (tree nodes x architectures / seconds) on the real
// nb201/cifar10 terminals, swept over thread counts, for a fixed set of random PTC2 trees.
//   engine_throughput [DATA_DIR] [TREES=2000] [SECONDS_PER_POINT=2]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/engine/Operators.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using namespace zcgp;

int main(int argc, char** argv) {
    std::string dataDir = argc > 1 ? argv[1] : "data";
    std::size_t nTrees = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000;
    double seconds = argc > 3 ? std::strtod(argv[3], nullptr) : 2.0;
    auto bench = proxy_cache::Benchmark::load(dataDir);
    auto const& table = bench.task("nb201/cifar10");
    // terminals: every proxy, architectures complete on all of them
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < table.size(); ++r) {
        if (table.present.row(static_cast<Eigen::Index>(r)).all()) rows.push_back(r);
    }
    std::vector<std::string> keys;
    for (auto r : rows) keys.push_back(table.archs[r].key);
    primitives::Dataset data(keys);
    for (std::size_t c = 0; c < table.proxies.size(); ++c) {
        std::vector<double> v;
        for (auto r : rows) v.push_back(table.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)));
        data.addScalar(table.proxies[c], v);
    }
    data.normalize(primitives::Normalization::LogZScore);
    engine::TreeContext ctx;
    ctx.scalarTerminals = data.scalarCount();
    ctx.maxSize = 30;
    ctx.maxDepth = 10;
    ctx.prepare();
    engine::Random rng(1);
    engine::Ptc2 creator(30);
    std::vector<engine::Tree> trees;
    std::size_t nodes = 0;
    for (std::size_t i = 0; i < nTrees; ++i) {
        trees.push_back(creator.create(ctx, rng, i));
        nodes += trees.back().size();
    }
    engine::Interpreter interp(data);
    std::printf("nb201/cifar10: %zu architectures, %zu terminals; %zu random PTC2 trees, mean size %.1f\n",
                data.rows(), data.scalarCount(), trees.size(), static_cast<double>(nodes) / static_cast<double>(trees.size()));
    std::printf("%8s %14s %14s %10s\n", "threads", "node-evals/s", "trees/s", "finite");
    unsigned hw = std::max(1U, std::thread::hardware_concurrency());
    for (unsigned threads = 1; threads <= hw; threads *= 2) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
        tbb::enumerable_thread_specific<std::pair<engine::Interpreter::Scratch, std::vector<double>>> workers(
            [&] { return std::make_pair(interp.makeScratch(64), std::vector<double>(data.rows())); });
        std::size_t reps = 0, finite = 0;
        auto start = std::chrono::steady_clock::now();
        double elapsed = 0.0;
        std::atomic<std::size_t> finiteCount{0};
        while (elapsed < seconds) {
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, trees.size(), 16), [&](auto const& r) {
                auto& w = workers.local();
                std::size_t ok = 0;
                for (auto i = r.begin(); i != r.end(); ++i) ok += interp.evaluate(trees[i], w.first, w.second) ? 1 : 0;
                finiteCount += ok;
            });
            ++reps;
            elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
        finite = finiteCount / reps;
        double nodeEvals = static_cast<double>(nodes) * static_cast<double>(data.rows()) * static_cast<double>(reps);
        std::printf("%8u %14.3g %14.3g %10zu\n", threads, nodeEvals / elapsed,
                    static_cast<double>(trees.size() * reps) / elapsed, finite);
        if (threads == hw) break;
        if (threads * 2 > hw) threads = hw / 2;  // always end with all hardware threads
    }
    return 0;
}
