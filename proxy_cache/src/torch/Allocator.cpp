#include "zcgp/proxy_cache/torch/Allocator.hpp"

#include <cstdlib>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace zcgp::proxy_cache {

void keepFreedTensorMemory() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        if (std::getenv("GLIBC_TUNABLES") != nullptr || std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr ||
            std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr) {
            return;
        }
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    });
#endif
}

}  // namespace zcgp::proxy_cache
