#!/usr/bin/python3
"""Kendall tau-b: zcgp (bench_kendall) against scipy.stats.kendalltau, same n values, same run, same data recipe.

    /usr/bin/python3 experiments/bench/kendall_vs_scipy.py [--bench build/fitness/bench/bench_kendall]
                                                           [--seconds 0.5] [--n 100 1000 15625]

Data (as in bench_kendall.cpp): truth = integers in [0, n/4), scores = truth + integers in [0, n/4], so both have
ties. Prints a markdown table; ratio = zcgp calls/s / scipy calls/s (higher is better for zcgp).
"""
import argparse
import json
import pathlib
import subprocess
import time

import numpy as np
import scipy
from scipy import stats

ROOT = pathlib.Path(__file__).resolve().parents[2]


def time_scipy(n, seconds, rng):
    truth = rng.integers(0, max(1, n // 4), n).astype(float)
    scores = [truth + rng.integers(0, max(1, n // 4) + 1, n) for _ in range(16)]
    stats.kendalltau(truth, scores[0], variant="b")  # warm-up
    calls = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        stats.kendalltau(truth, scores[calls % 16], variant="b")
        calls += 1
        elapsed = time.perf_counter() - start
    return calls / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=str(ROOT / "build" / "fitness" / "bench" / "bench_kendall"))
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum timing per case")
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000, 15625])
    args = parser.parse_args()

    out = subprocess.run([args.bench, str(args.seconds), *map(str, args.n)], check=True, capture_output=True,
                         text=True).stdout
    zcgp = {(r["impl"], r["n"]): r for r in map(json.loads, out.splitlines())}
    rng = np.random.default_rng(42)
    print(f"scipy {scipy.__version__}, numpy {np.__version__}; min {args.seconds} s per case\n")
    print("| n | scipy calls/s | kendallTau calls/s | KendallTau calls/s | KendallTau ns/call | kendallTau / scipy | KendallTau / scipy |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.n:
        sp = time_scipy(n, args.seconds, rng)
        free = zcgp[("kendallTau", n)]["calls_per_s"]
        fixed = zcgp[("KendallTau", n)]
        print(f"| {n} | {sp:,.0f} | {free:,.0f} | {fixed['calls_per_s']:,.0f} | {fixed['ns_per_call']:,.0f} "
              f"| {free / sp:.1f}x | {fixed['calls_per_s'] / sp:.1f}x |")


if __name__ == "__main__":
    main()
