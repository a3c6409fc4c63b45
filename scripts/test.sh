#!/usr/bin/env bash
# Installs dependencies, prepares data, builds (release preset) and runs the whole test suite, then the fuzz targets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./scripts/setup.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)"
ctest --preset release -j "$(nproc)"
# libFuzzer targets (tests/fuzz, clang with ASan and UBSan): regression inputs, then 30 s of fuzzing per target
cmake --preset fuzz
cmake --build --preset fuzz -j "$(nproc)"
tests/fuzz/run.sh build/fuzz 30
