#include "zcgp/proxy_cache/torch/Blas.hpp"

#include <dlfcn.h>

#include <filesystem>

#include <torch/torch.h>

#ifdef ZCGP_OPENBLAS
extern "C" {
char* openblas_get_config();
void openblas_set_num_threads(int threads);
}
#endif

namespace zcgp::proxy_cache {
namespace {

std::string definingFile(char const* symbol) {
    void* address = dlsym(RTLD_DEFAULT, symbol);
    Dl_info info{};
    if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
    std::error_code ec;
    auto const resolved = std::filesystem::canonical(info.dli_fname, ec);
    return ec ? std::string(info.dli_fname) : resolved.string();
}

bool sgemmIsOpenBlas() {
    auto const sgemm = definingFile("sgemm_");
    return !sgemm.empty() && sgemm == definingFile("openblas_get_config");
}

}  // namespace

std::string blasLibrary() {
    auto const sgemm = definingFile("sgemm_");
    if (sgemm.empty()) return "none";
#ifdef ZCGP_OPENBLAS
    if (sgemmIsOpenBlas()) return sgemm + " (" + openblas_get_config() + ")";
#endif
    return sgemm;
}

std::string blasFamily() { return sgemmIsOpenBlas() ? "openblas" : "reference"; }

void alignBlasThreads() {
#ifdef ZCGP_OPENBLAS
    if (sgemmIsOpenBlas()) openblas_set_num_threads(torch::get_num_threads());
#endif
}

}  // namespace zcgp::proxy_cache
