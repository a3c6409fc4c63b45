#!/usr/bin/env python3
"""Costs of the Python module (docs/python.md, "Costs"), on the system interpreter:

1. import time: `python3 -c "import zcgp"` against `python3 -c "import numpy"` (zcgp imports numpy), whole
   processes, median of RUNS; and whether the import loads LibTorch (it must not: zcgp._torch is loaded by score()).
2. overhead of evolve from Python against the CLI at the paper budget (nb201/cifar10, 100 train architectures,
   population 100, 50 generations), seeds 0..SEEDS-1: the wall time of `zcgp evolve ... --quiet --out DIR` as a
   process, the wall time of zcgp.evolve(...) in a warm interpreter, and the evolution loop's own seconds
   (result.json "seconds") of each; both give the same formula for every seed (asserted).
3. the GIL is released: two Python threads each running a longer evolve (threads=1, population 200, 200
   generations) at once, against the same two runs one after the other; beside it, the same pair as two zcgp
   processes (what the machine's free cores allow at that moment: on a loaded machine neither pair can be faster),
   and a pure-Python counting thread's rate while an evolve runs in another thread, against its rate alone (near 0
   if evolve held the GIL; near 1 with a free core).

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

    # 1. import time, inside fresh interpreters: numpy first (zcgp needs it), then what zcgp adds
    code = ("import time; t = time.perf_counter(); import numpy; a = time.perf_counter(); import zcgp; "
            "b = time.perf_counter(); print(a - t, b - a, any('libtorch' in l for l in open('/proc/self/maps')))")
    numpy_s, zcgp_s, torch_loaded = [], [], set()
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        a, b, torch = out.stdout.split()
        numpy_s.append(float(a))
        zcgp_s.append(float(b))
        torch_loaded.add(torch)
    total = statistics.median(
        [median_wall([sys.executable, "-c", "import zcgp"], 1, env) for _ in range(args.runs)])
    print(f"import (median of {args.runs} fresh interpreters): import numpy {statistics.median(numpy_s) * 1e3:.1f} ms, "
          f"then import zcgp {statistics.median(zcgp_s) * 1e3:.1f} ms more; the whole `python3 -c 'import zcgp'` "
          f"process {total * 1e3:.0f} ms; LibTorch mapped after import zcgp: {' '.join(sorted(torch_loaded))}")

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
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [cli, "evolve", "--task", "nb201/cifar10", "--data", args.data, "--train-archs", "100", "--population",
               "200", "--generations", "200", "--threads", "1", "--quiet"]
        t0 = time.perf_counter()
        for seed in (1, 2):
            subprocess.run(cmd + ["--seed", str(seed), "--out", f"{tmp}/s{seed}"], check=True)
        cli_sequential_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        procs = [subprocess.Popen(cmd + ["--seed", str(seed), "--out", f"{tmp}/c{seed}"]) for seed in (1, 2)]
        for p in procs:
            assert p.wait() == 0
        cli_concurrent_s = time.perf_counter() - t0
    print(f"GIL: two evolve runs (threads=1, population 200, 200 generations) one after the other {sequential_s:.2f} s, "
          f"in two Python threads at once {concurrent_s:.2f} s ({sequential_s / concurrent_s:.2f}x); the same as two "
          f"zcgp processes: {cli_sequential_s:.2f} s, at once {cli_concurrent_s:.2f} s "
          f"({cli_sequential_s / cli_concurrent_s:.2f}x); {os.cpu_count()} CPUs, shared with whatever else runs")

    def count(stop, out):
        n = 0
        while not stop.is_set():
            n += 1
        out.append(n)

    def rate(during):
        stop, out = threading.Event(), []
        counter = threading.Thread(target=count, args=(stop, out))
        counter.start()
        t = time.perf_counter()
        during()
        elapsed = time.perf_counter() - t
        stop.set()
        counter.join()
        return out[0] / elapsed

    alone = rate(lambda: time.sleep(0.5))
    during = rate(lambda: zcgp.evolve(task="nb201/cifar10", data=args.data, seed=1, **long_run))
    print(f"GIL: a Python counting thread runs at {during / alone:.2f} of its solo rate while zcgp.evolve runs in "
          f"another thread ({alone:.3g} and {during:.3g} increments/s)")


if __name__ == "__main__":
    main()
