#!/usr/bin/env bash
# The main job: install dependencies, build (release preset), prepare data/, then evolve a zero-cost proxy
# for NAS-Bench-201 CIFAR-10 and print the formula and its held-out Kendall tau.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./scripts/setup.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)"
./build/release/experiments/zcgp evolve --task nb201/cifar10 --train-archs 100 --population 100 --generations 50 \
    --seed 0 --force --out runs/main "$@"
