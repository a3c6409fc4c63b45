#!/usr/bin/env bash
# Same evolve configuration (nb201/cifar10, 100 train archs, population 100, 50 generations, tournament 5,
# crossover 0.9, mutation 0.3, same scalar function set and protected semantics, logz terminals) timed in
# zcgp (1 and 2 threads; checkpoints at the defaults, every 10 generations but at least 1 s apart, so only the
# last one in a run this short; every 10 generations with --checkpoint-seconds 0; or none) and in DEAP
# (scripts/deap_baseline.py, Debian python3-deap). DEAP evaluates every candidate on all architectures (numpy,
# so the cost per primitive is mostly interpreter overhead); zcgp evaluates the 100 train architectures and
# checks every architecture before a formula can become the best (docs/engine.md): both return a formula that
# is finite everywhere.
#
# Two ratios, from the same paired runs (for each seed DEAP runs, then each zcgp configuration):
#   loop:          the evolution loop alone: DEAP's `seconds` (eaSimple) against zcgp's JSON `seconds`
#                  (evolution, its log and its checkpoints; loading and the final report excluded);
#   whole process: wall time of `python3 scripts/deap_baseline.py ...` against `zcgp evolve ...`, from exec to
#                  exit (start-up, loading the data, evolution, report, writing the run folder).
# Medians over the seeds (this machine's timings are noisy); "per evaluation" divides each side's loop time by
# its own number of fitness evaluations (zcgp evaluates more: pruned offspring are regenerated).
#   experiments/bench/evolve_vs_deap.sh [BUILD_DIR] [SEEDS]
set -euo pipefail
BUILD=${1:-build/release}
SEEDS=${2:-5}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 - "$BUILD" "$SEEDS" "$TMP" <<'PY'
import json, subprocess, sys, time, statistics as st
build, seeds, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
common = ["--task", "nb201/cifar10", "--train-archs", "100", "--population", "100", "--generations", "50",
          "--functions", "scalar", "--quiet", "--json"]

def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, json.loads(out)

# DEAP's data comes from `zcgp features` (scripts/zcgp_data.py, the same architectures and proxies zcgp keeps); it is
# exported once here, outside the timed region, so that no zcgp process counts in DEAP's whole-process time.
proxies_json = f"{tmp}/proxies.json"
with open(proxies_json, "w") as f:
    subprocess.run([f"{build}/experiments/zcgp", "features", "--task", "nb201/cifar10", "--kind", "proxies",
                    "--format", "json"], stdout=f, check=True)
rows = {}
for seed in range(seeds):
    wall, d = timed(["/usr/bin/python3", "scripts/deap_baseline.py", "--task", "nb201/cifar10", "--seed", str(seed),
                     "--proxies-json", proxies_json])
    rows.setdefault("deap", []).append((wall, d))
    # (threads, --checkpoint-every, --checkpoint-seconds): the defaults are 10 and 1 s, so a run this short writes
    # only the checkpoint after its last generation; the "seconds=0" rows write every 10 generations regardless
    for threads, ck, cs in [(1, 10, None), (2, 10, None), (1, 10, 0), (2, 10, 0), (1, 0, None), (2, 0, None)]:
        extra = ["--checkpoint-seconds", str(cs)] if cs is not None else []
        wall, d = timed([f"{build}/experiments/zcgp", "evolve", *common, "--seed", str(seed), "--threads", str(threads),
                         "--checkpoint-every", str(ck), *extra, "--out", f"{tmp}/z{seed}_{threads}_{ck}_{cs}"])
        label = f"zcgp threads={threads} checkpoint-every={ck}" + (f" seconds={cs}" if cs is not None else "")
        rows.setdefault(label, []).append((wall, d))

med = lambda rs, f: st.median(f(w, r) for w, r in rs)
deap_loop = med(rows["deap"], lambda w, r: r["seconds"])
deap_eval = med(rows["deap"], lambda w, r: r["seconds"] / r["evaluations"])
deap_wall = med(rows["deap"], lambda w, r: w)
print(f"{'run (median of ' + str(seeds) + ' paired seeds)':50s} {'loop s':>8s} {'evals':>6s} {'test tau':>8s} "
      f"{'loop ratio':>10s} {'per eval':>8s} {'process s':>9s} {'process ratio':>13s}")
for k, rs in rows.items():
    loop = med(rs, lambda w, r: r["seconds"])
    e = med(rs, lambda w, r: r["seconds"] / r["evaluations"])
    wall = med(rs, lambda w, r: w)
    print(f"{k:50s} {loop:8.4f} {st.mean(r['evaluations'] for _, r in rs):6.0f} {st.mean(r['test_tau'] for _, r in rs):8.3f} "
          f"{deap_loop / loop:9.1f}x {deap_eval / e:7.1f}x {wall:9.3f} {deap_wall / wall:12.1f}x")
PY
