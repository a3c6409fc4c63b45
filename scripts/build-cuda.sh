#!/usr/bin/env bash
# Configures and builds zcgp (zcgp and zcgp-torch) against a CUDA LibTorch: the one given with --torch, else the
# one inside the current Python's torch (torch.utils.cmake_prefix_path; PyTorch's wheels ship a CUDA LibTorch).
# Every other dependency comes from Debian (scripts/setup.sh), or from --prefix DIR (searched first).
# Nothing is downloaded. See docs/gpu.md.
#
#   scripts/build-cuda.sh [--torch DIR] [--prefix DIR] [--build-dir DIR] [--python PY] [--jobs N] [--tests]
#     --torch DIR      a LibTorch CMake prefix: the folder holding Torch/TorchConfig.cmake (for an unpacked
#                      LibTorch archive: libtorch/share/cmake)
#     --prefix DIR     where the other dependencies are installed, if not from Debian (CMAKE_PREFIX_PATH)
#     --build-dir DIR  default build/cuda
#     --python PY      the Python whose torch is used when --torch is not given (default python3)
#     --jobs N         parallel compile jobs (default: all cores)
#     --tests          also build the Catch2 test binaries
# Ends by printing the zcgp path and whether this LibTorch has CUDA; exit 2 on a usage or setup error.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
torch_prefix="" deps_prefix="" build="$root/build/cuda" python=python3 jobs="$(nproc)" tests=OFF

die() { echo "build-cuda: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --torch) [ $# -ge 2 ] || die "--torch needs a folder"; torch_prefix="$2"; shift 2 ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; deps_prefix="$2"; shift 2 ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a folder"; build="$2"; shift 2 ;;
    --python) [ $# -ge 2 ] || die "--python needs an interpreter"; python="$2"; shift 2 ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; jobs="$2"; shift 2 ;;
    --tests) tests=ON; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (valid: --torch, --prefix, --build-dir, --python, --jobs, --tests)" ;;
  esac
done

abi=""
if [ -z "$torch_prefix" ]; then
  ask='import torch; print(torch.utils.cmake_prefix_path); print(torch.__version__); print(torch.version.cuda or "none"); print(int(torch._C._GLIBCXX_USE_CXX11_ABI))'
  if ! info=$("$python" -c "$ask" 2>/dev/null); then
    # a pyenv or venv python3 first on PATH may lack the system's torch
    [ "$python" = python3 ] && [ -x /usr/bin/python3 ] && info=$(/usr/bin/python3 -c "$ask" 2>/dev/null) && python=/usr/bin/python3 \
      || die "no --torch given and '$python' cannot import torch"
  fi
  torch_prefix=$(sed -n 1p <<<"$info")
  echo "build-cuda: $python's torch $(sed -n 2p <<<"$info") (CUDA $(sed -n 3p <<<"$info")) at $torch_prefix"
  abi=$(sed -n 4p <<<"$info")
fi
[ -f "$torch_prefix/Torch/TorchConfig.cmake" ] || die "no Torch/TorchConfig.cmake under '$torch_prefix' (give the LibTorch CMake prefix with --torch)"
# the LibTorch libraries: <prefix>/share/cmake -> <prefix>/lib (wheels, archives); <libdir>/cmake -> <libdir> (Debian)
torch_lib=""
for d in "$torch_prefix/../../lib" "$torch_prefix/.."; do
  if [ -f "$d/libtorch_cpu.so" ]; then torch_lib="$(cd "$d" && pwd)"; break; fi
done
[ -n "$torch_lib" ] || die "no libtorch_cpu.so next to '$torch_prefix' (looked in ../../lib and ..)"
if [ -z "$abi" ]; then
  # the pre-C++11 ABI names std::string without the __cxx11 namespace
  # (grep -c reads all of nm's output: grep -q would end the pipe early and fail it under pipefail)
  cxx11=$(nm -D --defined-only "$torch_lib/libtorch_cpu.so" 2>/dev/null | grep -c "__cxx11" || true)
  if [ "${cxx11:-0}" -gt 0 ]; then abi=1; else abi=0; fi
fi
if [ "$abi" = "0" ]; then
  die "this LibTorch uses the pre-C++11 std::string ABI (_GLIBCXX_USE_CXX11_ABI=0), but Debian's libraries \
(fmt, Boost, TBB) use the C++11 ABI: use a LibTorch built with the C++11 ABI (the 'cxx11-abi' LibTorch \
archives, or PyTorch 2.7+ wheels) and pass it with --torch"
fi
has_cuda=no
if ls "$torch_lib"/libtorch_cuda*.so "$torch_lib"/libc10_cuda.so >/dev/null 2>&1; then has_cuda=yes; fi
if [ "$has_cuda" = no ]; then
  echo "build-cuda: warning: $torch_lib has no libtorch_cuda.so: this LibTorch is CPU-only, zcgp will run on the CPU" >&2
elif ! command -v nvcc >/dev/null; then
  echo "build-cuda: note: no nvcc on PATH; LibTorch's CMake config may ask for the CUDA toolkit (docs/gpu.md)" >&2
fi

prefix_path="$torch_prefix"
[ -n "$deps_prefix" ] && prefix_path="$deps_prefix;$torch_prefix"
# ZCGP_OPENBLAS=OFF: a wheel's LibTorch carries its own BLAS (MKL, linked in), so OpenBLAS would serve nothing
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZCGP_WITH_TORCH=ON -DZCGP_OPENBLAS=OFF \
      -DZCGP_BUILD_TESTS="$tests" -DCMAKE_PREFIX_PATH="$prefix_path"
if [ "$tests" = ON ]; then
  cmake --build "$build" -j "$jobs"
else
  cmake --build "$build" -j "$jobs" --target zcgp zcgp-torch
fi
echo "build-cuda: built $build/experiments/zcgp (and zcgp-torch) against $torch_prefix; LibTorch with CUDA: $has_cuda"
