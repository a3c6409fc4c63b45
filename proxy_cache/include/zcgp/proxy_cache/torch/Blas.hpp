#pragma once
// Which BLAS serves LibTorch's GEMMs in this process (Debian's LibTorch calls the system BLAS; zcgp-torch links
// OpenBLAS ahead of it, see the root CMakeLists.txt). Float32 results depend on it in their last digits, so
// measurements and fixtures say which one they came from.
#include <string>

namespace zcgp::proxy_cache {

// The file that defines sgemm_ first in this process's symbol lookup (what LibTorch's calls bind to), with
// OpenBLAS's configuration string when it is OpenBLAS, e.g.
// "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so (OpenBLAS 0.3.21 DYNAMIC_ARCH ...)".
// "none" when no BLAS is loaded.
[[nodiscard]] std::string blasLibrary();

// "openblas" when sgemm_ binds to OpenBLAS, else "reference" (any other BLAS, e.g. netlib's libblas.so.3).
[[nodiscard]] std::string blasFamily();

// Sets OpenBLAS's thread count to LibTorch's intra-op thread count (OpenBLAS otherwise starts one thread per core
// when neither OPENBLAS_NUM_THREADS nor OMP_NUM_THREADS is set). Does nothing with another BLAS.
void alignBlasThreads();

}  // namespace zcgp::proxy_cache
