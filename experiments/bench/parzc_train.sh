#!/usr/bin/env bash
# Training time of ParZC (zcgp parzc train, DiffKendall) on 469 train architectures of a statistics cache, on one
# CPU core (--threads 1, OMP/OpenBLAS threads 1), with the machine's libblas.so.3 and, where Debian's OpenBLAS is
# installed, with it (LD_LIBRARY_PATH, this process only): MABN is dense float32 GEMMs, so the BLAS decides.
# Prints seconds per epoch and the whole training (the run's result.json "seconds"; prediction not included).
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
for s in "${settings[@]}"; do
  env=(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1)
  [ "$s" = openblas ] && env+=(LD_LIBRARY_PATH=$OPENBLAS)
  env "${env[@]}" "$BUILD/experiments/zcgp" parzc train --task nb201/cifar10 --stats "$CACHE" --train-archs 469 \
      --seed 0 --epochs "$EPOCHS" --samples 1 --device cpu --threads 1 --quiet --out "$TMP/$s" --data "$DATA"
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(f\"{sys.argv[2]:>8} BLAS: {r['seconds']:.1f} s for {r['epochs']} epochs ({r['seconds']/r['epochs']:.2f} s/epoch) on 469 archs, held-out tau {r['test_tau']:.3f}\")" "$TMP/$s/result.json" "$s"
done
