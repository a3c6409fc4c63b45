#pragma once
// A small real statistics cache for the ParZC tests: 48 NB201 CIFAR-10 cells (`--archs 48`, the seeded sample of
// the suite's architectures) gathered by the real zcgp binary at batch 2 (14 s measured on the loaded machine), once per
// build of zcgp-torch: later tests reuse the file. Gathered into a private name, then renamed, so a reader never
// sees a partial file.
#include <filesystem>
#include <string>
#include <unistd.h>

#include "RunCommand.hpp"
#include "TempDir.hpp"

namespace zcgp::test {

inline std::filesystem::path parzcTestCache() {
    auto const dir = std::filesystem::path(ZCGP_BINARY_DIR) / "parzc_test";
    // keyed by the build of zcgp-torch that gathers it: tests compare the cache with fresh measurements bit for bit,
    // so a cache from an earlier build (other kernels, another BLAS) must not be reused
    auto const gatherer = std::filesystem::path(ZCGP_CLI_PATH).parent_path() / "zcgp-torch";
    auto const build = std::filesystem::last_write_time(gatherer).time_since_epoch().count();
    auto const file = dir / ("nb201-cifar10-archs48-b2-seed0-" + std::to_string(build) + ".zcstats");
    if (std::filesystem::exists(file)) return file;
    std::filesystem::create_directories(dir);
    for (auto const& old : std::filesystem::directory_iterator(dir)) {  // caches of earlier builds
        if (old.path().filename().string().starts_with("nb201-cifar10-archs48-")) std::filesystem::remove(old.path());
    }
    auto const tmp = dir / ("gathering-" + std::to_string(::getpid()) + ".zcstats");
    std::filesystem::remove(tmp);
    std::filesystem::remove(tmp.string() + ".journal");
    auto const r = runCommand(zcgpCli("gather --task nb201/cifar10 --archs 48 --batch 2 --seed 0 --device cpu "
                                      "--proxies grad_norm,snip,synflow,params,flops --out " + tmp.string()));
    if (r.exitCode != 0) throw std::runtime_error("gathering the ParZC test cache failed: " + r.err);
    std::filesystem::rename(tmp, file);
    return file;
}

// zcgpCli for the ParZC commands. MABN is dominated by dense matrix products (float32 GEMM); where the machine's
// libblas.so.3 alternative is the reference BLAS (as on the development machine) they run 10-40x slower than
// with OpenBLAS, so the child runs with Debian's OpenBLAS build when it is installed. Only speed differs: every
// comparison in these tests is between runs under the same setting.
inline std::string parzcCli(std::string const& args) {
    std::filesystem::path const openblas = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
    std::string const prefix = std::filesystem::exists(openblas / "libblas.so.3")
                                   ? "env LD_LIBRARY_PATH=" + openblas.string() + " OPENBLAS_NUM_THREADS=1 "
                                   : "";
    return prefix + zcgpCli(args);
}

}  // namespace zcgp::test
