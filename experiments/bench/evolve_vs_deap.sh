#!/usr/bin/env bash
# Same evolve configuration (nb201/cifar10, 100 train archs, population 100, 50 generations, tournament 5,
# crossover 0.9, mutation 0.3, same scalar function set and protected semantics, logz terminals) timed in
# zcgp (1 and 2 threads) and in DEAP (scripts/deap_baseline.py, Debian python3-deap). Evolution time only
# (data loading excluded on both sides). DEAP evaluates every candidate on all architectures (numpy, so the
# cost per primitive is mostly interpreter overhead); zcgp evaluates the 100 train architectures and checks
# every architecture before a formula can become the best (docs/engine.md): both return a formula that is
# finite everywhere.   experiments/bench/evolve_vs_deap.sh [BUILD_DIR] [SEEDS]
set -euo pipefail
BUILD=${1:-build/release}
SEEDS=${2:-3}
TMP=$(mktemp -d)
python3 - "$BUILD" "$SEEDS" "$TMP" <<'PY'
import json, subprocess, sys, statistics as st
build, seeds, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
common = ["--task", "nb201/cifar10", "--train-archs", "100", "--population", "100", "--generations", "50",
          "--functions", "scalar", "--quiet", "--json"]
rows = {}
for seed in range(seeds):
    d = json.loads(subprocess.run(["/usr/bin/python3", "scripts/deap_baseline.py", "--task", "nb201/cifar10",
                                   "--seed", str(seed)], capture_output=True, text=True, check=True).stdout)
    rows.setdefault("deap", []).append(d)
    for threads, ck in [(1, 10), (2, 10), (1, 0), (2, 0)]:
        out = subprocess.run([f"{build}/experiments/zcgp", "evolve", *common, "--seed", str(seed), "--threads",
                              str(threads), "--checkpoint-every", str(ck), "--out", f"{tmp}/z{seed}_{threads}_{ck}"],
                             capture_output=True, text=True, check=True).stdout
        rows.setdefault(f"zcgp threads={threads} checkpoint-every={ck}", []).append(json.loads(out))
# medians over seeds (this machine's timings are noisy); "per evaluation" divides each side's time by its own
# number of fitness evaluations (zcgp evaluates more: pruned offspring are regenerated)
deap = st.median(r["seconds"] for r in rows["deap"])
deap_eval = st.median(r["seconds"] / r["evaluations"] for r in rows["deap"])
print(f"{'run (median of ' + str(seeds) + ' seeds)':40s} {'seconds':>8s} {'evals':>6s} {'test tau':>8s} {'ratio vs DEAP':>13s} {'per evaluation':>14s}")
for k, rs in rows.items():
    s = st.median(r["seconds"] for r in rs)
    e = st.median(r["seconds"] / r["evaluations"] for r in rs)
    print(f"{k:40s} {s:8.4f} {st.mean(r['evaluations'] for r in rs):6.0f} {st.mean(r['test_tau'] for r in rs):8.3f} "
          f"{deap / s:13.1f} {deap_eval / e:14.1f}")
PY
rm -rf "$TMP"
