// Statistics cache I/O timing on a synthetic cache shaped like `zcgp gather --archs all15625`: 13 proxies and
// 20 per-layer statistics of ~60 values per architecture (the NB201 scorer's layout).
// usage: bench_statistics_cache [ARCHS=15625] [DIR=/tmp]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "zcgp/proxy_cache/ArchitectureSelection.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/proxy_cache/StatisticsJournal.hpp"

namespace pc = zcgp::proxy_cache;
namespace fs = std::filesystem;

namespace {
double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

int main(int argc, char** argv) {
    std::size_t const n = argc > 1 ? std::stoull(argv[1]) : 15625;
    fs::path const dir = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path();
    std::vector<std::string> const proxies = {"epe_nas", "fisher", "flops",   "grad_norm", "grasp", "jacov", "l2_norm",
                                              "nwot",    "params", "plain",   "snip",      "synflow", "zen"};
    std::vector<std::string> keys;
    std::vector<pc::ArchitectureMeasurement> ms;
    std::uint64_t state = 1;
    auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) * 0x1.0p-53;
    };
    for (std::size_t i = 0; i < n; ++i) {
        pc::ArchitectureMeasurement m;
        m.archKey = fmt::format("({}, {}, {}, {}, {}, {})", i / 3125 % 5, i / 625 % 5, i / 125 % 5, i / 25 % 5,
                                i / 5 % 5, i % 5);
        for (auto const& p : proxies) {
            m.proxies[p] = next();
        }
        auto layers = 20 + static_cast<std::size_t>(next() * 80);
        for (int s = 0; s < 20; ++s) {
            std::vector<double> v(layers);
            for (auto& x : v) {
                x = next();
            }
            m.statistics.push_back({fmt::format("stat{:02}", s), std::move(v)});
        }
        keys.push_back(m.archKey);
        ms.push_back(std::move(m));
    }
    pc::GatherOptions o;
    o.space = "nb201";
    o.dataset = "cifar10";
    o.device = "cpu";
    o.zcgpVersion = "bench";
    o.selection = "bench";
    o.selectionSize = n;
    o.selectionHash = pc::selectionHash(keys);

    auto t = std::chrono::steady_clock::now();
    pc::StatisticsCacheBuilder builder(o, proxies);
    for (auto const& m : ms) {
        builder.append(m);
    }
    auto cache = builder.build();
    double const tBuild = since(t);

    auto const file = dir / "bench_statistics_cache.zcstats";
    fs::remove(file);
    t = std::chrono::steady_clock::now();
    cache.write(file);
    double const tWrite = since(t);
    auto const bytes = fs::file_size(file);

    t = std::chrono::steady_clock::now();
    auto back = pc::StatisticsCache::read(file);
    double const tRead = since(t);
    if (!back.sameContent(cache)) {
        std::fprintf(stderr, "round trip differs\n");
        return 1;
    }

    t = std::chrono::steady_clock::now();
    std::size_t hits = 0;
    for (auto const& k : keys) {
        hits += back.findArchitecture(k).has_value() ? 1U : 0U;
    }
    double const tFind = since(t);

    auto const journalFile = dir / "bench_statistics_cache.journal";
    fs::remove(journalFile);
    t = std::chrono::steady_clock::now();
    {
        auto journal = pc::StatisticsJournal::create(journalFile, o, proxies);
        for (std::size_t i = 0; i < ms.size(); ++i) {
            journal.append(ms[i]);
            if ((i + 1) % 16 == 0) {
                journal.sync();
            }
        }
        journal.sync();
    }
    double const tJournal = since(t);
    t = std::chrono::steady_clock::now();
    auto resumed = pc::StatisticsJournal::readRecords(journalFile);
    double const tJournalRead = since(t);

    std::vector<pc::StatisticsCache> shards;
    for (std::uint64_t s = 0; s < 4; ++s) {
        auto so = o;
        so.shardIndex = s;
        so.shardCount = 4;
        pc::StatisticsCacheBuilder b(so, proxies);
        for (std::size_t i = s; i < n; i += 4) {
            b.append(ms[i]);
        }
        shards.push_back(b.build());
    }
    t = std::chrono::steady_clock::now();
    auto merged = pc::StatisticsCache::merge(shards);
    double const tMerge = since(t);
    if (!merged.sameContent(cache) || resumed.size() != n || hits != n) {
        std::fprintf(stderr, "merge, journal or lookup mismatch\n");
        return 1;
    }

    std::size_t values = 0;
    for (auto const& s : cache.statistics()) {
        values += s.values.size();
    }
    fmt::print("archs {}  statistics {}  values {}  file {:.1f} MB\n", n, cache.statistics().size(), values,
               static_cast<double>(bytes) / 1e6);
    fmt::print("build (append)    {:8.3f} s\n", tBuild);
    fmt::print("write (atomic)    {:8.3f} s\n", tWrite);
    fmt::print("read (validated)  {:8.3f} s\n", tRead);
    fmt::print("findArchitecture  {:8.3f} us/key\n", 1e6 * tFind / static_cast<double>(n));
    fmt::print("journal append    {:8.3f} s  (fsync every 16)  {:.1f} MB\n", tJournal,
               static_cast<double>(fs::file_size(journalFile)) / 1e6);
    fmt::print("journal read      {:8.3f} s\n", tJournalRead);
    fmt::print("merge 4 shards    {:8.3f} s\n", tMerge);
    fs::remove(file);
    fs::remove(journalFile);
    return 0;
}
