// Writes the seed corpus of the statistics-cache target with the library's own writer:
//   make_cache_seeds DIR   ->  DIR/small.zcstats, DIR/empty.zcstats, DIR/shard1of2.zcstats
// (real gathered caches are 16 KB and more per architecture; these keep every seed at a few hundred bytes).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>

#include "zcgp/proxy_cache/StatisticsCache.hpp"

using namespace zcgp::proxy_cache;

namespace {
GatherOptions options(std::uint64_t shardIndex, std::uint64_t shardCount, std::uint64_t selectionSize) {
    GatherOptions o;
    o.space = "nb201";
    o.dataset = "cifar10";
    o.batchSize = 16;
    o.proxies = "nwot,synflow";
    o.device = "cpu";
    o.zcgpVersion = "0.1.0";
    o.selection = "3";
    o.selectionSize = selectionSize;
    o.selectionHash = "fnv1a64:0000000000000000";
    o.shardIndex = shardIndex;
    o.shardCount = shardCount;
    return o;
}

void write(std::filesystem::path const& path, GatherOptions o, int archs) {
    StatisticsCacheBuilder builder(std::move(o), {"nwot", "synflow"});
    for (int i = 0; i < archs; ++i) {
        ArchitectureMeasurement m;
        m.archKey = "(" + std::to_string(i) + ", 2, 3, 2, 3, 1)";
        m.proxies["nwot"] = 700.5 + i;
        if (i != 1) m.proxies["synflow"] = i == 2 ? std::numeric_limits<double>::infinity() : 41.9;  // NaN, inf
        m.statistics.push_back({"weight_l2", std::vector<double>(static_cast<std::size_t>(i), 0.25 * i)});  // ragged
        m.statistics.push_back({"grad_abs_mean", {1e-3 * i, -2.0}});
        builder.append(m);
    }
    std::filesystem::remove(path);
    builder.build().write(path);
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_cache_seeds DIR\n");
        return 2;
    }
    std::filesystem::path const dir = argv[1];
    std::filesystem::create_directories(dir);
    write(dir / "small.zcstats", options(0, 1, 3), 3);
    write(dir / "empty.zcstats", options(0, 1, 0), 0);
    write(dir / "shard1of2.zcstats", options(1, 2, 3), 1);
    return 0;
}
