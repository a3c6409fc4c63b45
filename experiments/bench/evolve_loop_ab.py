#!/usr/bin/env python3
"""A/B of the evolution loop of two zcgp builds (result.json "seconds", the loop only) at the paper budget on
nb201/cifar10, seeds 0..9 interleaved, REPS rounds, threads=1; checks both give the same formulas and held-out taus.
Used to price the position-independent code the Python module needs (docs/python.md, "Costs"):

    cmake -S . -B build/nopy -G Ninja -DCMAKE_BUILD_TYPE=Release -DZCGP_PYTHON=OFF -DZCGP_WITH_TORCH=OFF \\
          -DZCGP_BUILD_TESTS=OFF && cmake --build build/nopy --target zcgp
    python3 experiments/bench/evolve_loop_ab.py build/release build/nopy [--reps 3] [--data data]
"""
import argparse
import json
import statistics
import subprocess
import tempfile

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("a")
ap.add_argument("b")
ap.add_argument("--reps", type=int, default=3)
ap.add_argument("--data", default="data")
args = ap.parse_args()
builds = [args.a, args.b]
loops = {b: [] for b in builds}
results = {b: [] for b in builds}
for _ in range(args.reps):
    for seed in range(10):
        for b in builds:
            with tempfile.TemporaryDirectory() as d:
                subprocess.run([f"{b}/experiments/zcgp", "evolve", "--task", "nb201/cifar10", "--data", args.data,
                                "--seed", str(seed), "--threads", "1", "--quiet", "--out", f"{d}/r"], check=True)
                r = json.load(open(f"{d}/r/result.json"))
                loops[b].append(r["seconds"])
                results[b].append((r["formula"], r["test_tau"]))
for b in builds:
    print(f"{b}: evolution loop median {statistics.median(loops[b]) * 1e3:.1f} ms, min {min(loops[b]) * 1e3:.1f} ms "
          f"over {len(loops[b])} runs")
print("same formulas and held-out taus:", results[args.a] == results[args.b])
