#!/usr/bin/env bash
# Training time of ParZC (zcgp parzc train, DiffKendall) on 469 train architectures of a statistics cache, on one
# CPU core (--threads 1, OMP/OpenBLAS threads 1), with the machine's libblas.so.3 and, where Debian's OpenBLAS is
# installed, with it (LD_LIBRARY_PATH, this process only): MABN is dense float32 GEMMs, so the BLAS decides.
# Prints per setting: wall seconds per epoch (the run's log.jsonl), where an epoch's time goes (its phase_seconds:
# forward passes and losses, backward, Adam steps, the per-epoch train tau, the checkpoint), and the process's CPU
# seconds (user + system, /usr/bin/time), which a loaded machine inflates less than wall time.
#   experiments/bench/parzc_train.sh CACHE.zcstats [EPOCHS=100] [BUILD_DIR=build/release] [DATA=data]
set -euo pipefail
CACHE=${1:?usage: parzc_train.sh CACHE.zcstats [EPOCHS] [BUILD_DIR] [DATA]}
EPOCHS=${2:-100}
BUILD=${3:-build/release}
DATA=${4:-data}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OPENBLAS=/usr/lib/x86_64-linux-gnu/openblas-pthread
settings=("system")
[ -e "$OPENBLAS/libblas.so.3" ] && settings+=("openblas")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${settings[@]}"; do
  env=(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1)
  [ "$s" = openblas ] && env+=(LD_LIBRARY_PATH=$OPENBLAS)
  /usr/bin/time -f "%U %S %e" -o "$TMP/$s.time" env "${env[@]}" "$BUILD/experiments/zcgp" parzc train \
      --task nb201/cifar10 --stats "$CACHE" --train-archs 469 --seed 0 --epochs "$EPOCHS" --samples 1 --device cpu \
      --threads 1 --quiet --out "$TMP/$s" --data "$DATA"
  python3 - "$TMP/$s" "$s" "$TMP/$s.time" <<'PY'
import json, sys
run, name, timing = sys.argv[1:4]
r = json.load(open(f"{run}/result.json"))
logs = [json.loads(l) for l in open(f"{run}/log.jsonl")]
user, sys_, wall = (float(v) for v in open(timing).read().split())
n = len(logs)
phases = {k: sum(l["phase_seconds"][k] for l in logs) / n for k in logs[0]["phase_seconds"]}
print(f"{name:>8} BLAS: {r['seconds']:.1f} s for {n} epochs ({r['seconds'] / n:.2f} s/epoch) on 469 archs, "
      f"held-out tau {r['test_tau']:.3f}; process {wall:.1f} s wall, {user:.1f} s user + {sys_:.1f} s system CPU")
print("          per epoch: " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
PY
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
