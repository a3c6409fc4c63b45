#pragma once
// Shared helpers of the libFuzzer targets: a per-process scratch file for loaders that read paths, and a loud
// failure for broken properties (libFuzzer reports the abort as a crash and saves the input).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace zcgp::fuzz {

// A scratch directory of this process (fork/jobs modes run several processes at once).
inline std::filesystem::path scratchDir() {
    static std::filesystem::path const dir = [] {
        // tmpfs when there is one: the cache writer fsyncs, which on a disk would bound the executions per second
        std::filesystem::path const base = std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                                     : std::filesystem::temp_directory_path();
        auto d = base / ("zcgp_fuzz_" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::filesystem::path writeScratch(std::filesystem::path const& relative, std::string_view bytes) {
    auto path = scratchDir() / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

[[noreturn]] inline void propertyFailed(std::string const& what) {
    std::fprintf(stderr, "zcgp fuzz: property violated: %s\n", what.c_str());
    std::abort();
}

}  // namespace zcgp::fuzz
