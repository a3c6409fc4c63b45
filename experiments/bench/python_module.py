#!/usr/bin/env python3
"""Costs of the Python module (docs/python.md, "Costs"), on the system interpreter:

1. import time: `python3 -c "import zcgp"` against `python3 -c "import numpy"` (zcgp imports numpy), whole
   processes, median of RUNS; and whether the import loads LibTorch (it must not: zcgp._torch is loaded by score()).
2. overhead of evolve from Python against the CLI at the paper budget (nb201/cifar10, 100 train architectures,
   population 100, 50 generations), seeds 0..SEEDS-1: the wall time of `zcgp evolve ... --quiet --out DIR` as a
   process, the wall time of zcgp.evolve(...) in a warm interpreter, and the evolution loop's own seconds
   (result.json "seconds") of each; both give the same formula for every seed (asserted).
3. the GIL is released: two Python threads each running a longer evolve (threads=1, population 200, 200
   generations) at once, against the same two runs one after the other.

    PYTHONPATH=build/release/python /usr/bin/python3 experiments/bench/python_module.py [--build build/release]
        [--data data] [--runs 10] [--seeds 10]
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def median_wall(cmd, runs, env=None):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--data", default="data")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    import os
    env = dict(os.environ, PYTHONPATH=str(Path(args.build) / "python"))
    cli = str(Path(args.build) / "experiments" / "zcgp")

    # 1. import time
    numpy_s = median_wall([sys.executable, "-c", "import numpy"], args.runs, env)
    zcgp_s = median_wall([sys.executable, "-c", "import zcgp"], args.runs, env)
    torch_loaded = subprocess.run(
        [sys.executable, "-c", "import sys, zcgp; print(any('libtorch' in l for l in open('/proc/self/maps')))"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()
    print(f"import: python3 -c 'import numpy' {numpy_s * 1e3:.0f} ms, 'import zcgp' {zcgp_s * 1e3:.0f} ms "
          f"(+{(zcgp_s - numpy_s) * 1e3:.0f} ms); LibTorch mapped after import zcgp: {torch_loaded}")

    import zcgp
    budget = dict(train_archs=100, population=100, generations=50)

    # 2. evolve from Python against the CLI, paper budget
    cli_wall, cli_loop, py_wall, py_loop = [], [], [], []
    zcgp.evolve(task="nb201/cifar10", data=args.data, seed=0, progress=False, **budget)  # warm the page cache
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            out = Path(tmp) / f"cli{seed}"
            t = time.perf_counter()
            subprocess.run([cli, "evolve", "--task", "nb201/cifar10", "--data", args.data, "--seed", str(seed),
                            "--train-archs", "100", "--population", "100", "--generations", "50", "--quiet",
                            "--out", str(out)], check=True)
            cli_wall.append(time.perf_counter() - t)
            cli_report = json.loads((out / "result.json").read_text())
            cli_loop.append(cli_report["seconds"])
            t = time.perf_counter()
            r = zcgp.evolve(task="nb201/cifar10", data=args.data, seed=seed, progress=False, **budget)
            py_wall.append(time.perf_counter() - t)
            py_loop.append(r.report["seconds"])
            assert r.formula == cli_report["formula"] and r.test_tau == cli_report["test_tau"], seed
    med = statistics.median
    print(f"paper budget, nb201/cifar10, {args.seeds} seeds (median): CLI process {med(cli_wall) * 1e3:.1f} ms "
          f"(evolution loop {med(cli_loop) * 1e3:.1f} ms); zcgp.evolve {med(py_wall) * 1e3:.1f} ms (loop "
          f"{med(py_loop) * 1e3:.1f} ms); Python - CLI: {(med(py_wall) - med(cli_wall)) * 1e3:+.1f} ms per run; "
          f"same formula and held-out tau on every seed")

    # 3. GIL: two threads at once against one after the other
    long_run = dict(train_archs=100, population=200, generations=200, threads=1, progress=False)

    def one(seed, times):
        t = time.perf_counter()
        zcgp.evolve(task="nb201/cifar10", data=args.data, seed=seed, **long_run)
        times.append(time.perf_counter() - t)

    sequential = []
    t0 = time.perf_counter()
    one(1, sequential)
    one(2, sequential)
    sequential_s = time.perf_counter() - t0
    concurrent = []
    threads = [threading.Thread(target=one, args=(s, concurrent)) for s in (1, 2)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    concurrent_s = time.perf_counter() - t0
    print(f"GIL: two evolve runs (threads=1, population 200, 200 generations) one after the other {sequential_s:.2f} s, "
          f"in two Python threads at once {concurrent_s:.2f} s ({sequential_s / concurrent_s:.2f}x; "
          f"{os.cpu_count()} CPUs, shared with whatever else runs)")


if __name__ == "__main__":
    main()
