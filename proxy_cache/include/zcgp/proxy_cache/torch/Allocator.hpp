#pragma once
// Process-wide allocator policy for tensor work on the CPU.

namespace zcgp::proxy_cache {

// LibTorch's CPU tensors come from malloc. glibc serves blocks above its mmap threshold (128 kB at first) with a
// fresh mmap and returns them on free, so every 4 MB activation of a measurement is page-faulted in again, and it
// trims the heap top above 128 kB free. This raises the mmap threshold to glibc's maximum (32 MB on 64-bit) and the
// trim threshold to 1 GB, so freed activations are reused from the heap: about 3% of an NB201 measurement at batch
// 64 (docs/proxies.md). The memory stays with the process until it exits. Called once per process (later calls do
// nothing); an explicit MALLOC_*_ / GLIBC_TUNABLES setting in the environment is left alone.
void keepFreedTensorMemory();

}  // namespace zcgp::proxy_cache
