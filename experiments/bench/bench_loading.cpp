// Benchmark: loading every benchmark file in the data directory -- zc_*.json, nb360/, nb201_zen_full/,
// zen_transbench101_micro/, nb201_full/*.csv, lm/ -- into tasks (target: under one second).
// usage: bench_loading [DATA_DIR] [REPEATS]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <fmt/core.h>

#include "zcgp/proxy_cache/Benchmark.hpp"

int main(int argc, char** argv) {
    std::filesystem::path const data = argc > 1 ? argv[1] : (std::getenv("ZCGP_DATA") ? std::getenv("ZCGP_DATA") : "data");
    int const repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    std::vector<double> seconds;
    std::size_t tasks = 0;
    std::size_t archs = 0;
    std::uintmax_t bytes = 0;
    for (auto const* dir : {"nbsz", "lm"}) {
        if (!std::filesystem::is_directory(data / dir)) continue;
        for (auto const& entry : std::filesystem::recursive_directory_iterator(
                 data / dir, std::filesystem::directory_options::follow_directory_symlink)) {
            auto const name = entry.path().filename().string();
            if (entry.is_regular_file() && (name.ends_with(".json") || name.ends_with(".csv"))) bytes += entry.file_size();
        }
    }
    for (int r = 0; r < repeats; ++r) {
        auto const start = std::chrono::steady_clock::now();
        auto const benchmark = zcgp::proxy_cache::Benchmark::load(data);
        auto const all = benchmark.tasks();  // parses every source
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        tasks = all.size();
        archs = 0;
        for (auto const* t : all) archs += t->size();
    }
    std::sort(seconds.begin(), seconds.end());
    fmt::print("{{\"bench\": \"loading\", \"tasks\": {}, \"archs\": {}, \"input_mib\": {:.2f}, \"repeats\": {}, "
               "\"median_s\": {:.4f}, \"min_s\": {:.4f}, \"mib_per_s\": {:.1f}}}\n",
               tasks, archs, static_cast<double>(bytes) / (1 << 20), repeats, seconds[seconds.size() / 2], seconds.front(),
               static_cast<double>(bytes) / (1 << 20) / seconds[seconds.size() / 2]);
    return 0;
}
