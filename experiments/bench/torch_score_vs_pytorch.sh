#!/usr/bin/env bash
# Native scoring (zcgp score: all 13 proxies + per-layer raw statistics, shared passes) against the usual PyTorch
# way (experiments/bench/pytorch_proxies.py: one proxy at a time, own forward/backward each), one NB201
# architecture, batch 64, CPU, same thread count for both. Reports the best of REPEAT runs of each, the ratios and
# architectures per hour.
#
# The PyTorch script runs twice: with the machine's libblas.so.3 (Debian's default: the reference netlib BLAS) and
# with Debian's OpenBLAS (LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread), since zcgp-torch links
# OpenBLAS itself (CMake ZCGP_OPENBLAS) and the fair comparison is against the script on the same BLAS. Each
# zcgp binary given is measured as it was built (its BLAS is printed).
#
# A second zcgp row runs the same binary with --bn-double-backward libtorch (LibTorch's own batch-norm double
# backward instead of the fused kernel), paired in the same run.
#
# usage: experiments/bench/torch_score_vs_pytorch.sh [ZCGP_BINARY [BEFORE_BINARY]]
#   env: ARCH="(0, 2, 3, 2, 3, 1)" BATCH=64 THREADS=1 REPEAT=3 ZCGP_DATA=data
set -euo pipefail
cd "$(dirname "$0")/../.."
ZCGP=${1:-build/release/experiments/zcgp}
BEFORE=${2:-}
ARCH=${ARCH:-"(0, 2, 3, 2, 3, 1)"}
BATCH=${BATCH:-64}
THREADS=${THREADS:-1}
REPEAT=${REPEAT:-3}
DATA=${ZCGP_DATA:-data}
OPENBLAS=/usr/lib/x86_64-linux-gnu/openblas-pthread
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS

args=()
for _ in $(seq "$REPEAT"); do args+=(--arch "$ARCH"); done
native() {  # best seconds and BLAS of one zcgp binary (extra arguments go to zcgp score)
  local bin=$1; shift
  "$bin" score --data "$DATA" "${args[@]}" --batch "$BATCH" --device cpu --statistics --json "$@" \
    | python3 -c 'import sys, json; r = [json.loads(l) for l in sys.stdin]; print(min(x["seconds"] for x in r), "|", r[0].get("blas", "(not reported)"))'
}
script() {  # best seconds of the PyTorch script, with the given environment
  env "$@" /usr/bin/python3 experiments/bench/pytorch_proxies.py --data "$DATA" --arch "$ARCH" --batch "$BATCH" \
    --repeat "$REPEAT" | python3 -c 'import sys, json; d = json.loads(sys.stdin.read()); print(d["seconds_per_arch"], "|", d.get("blas"))'
}
rows=()
rows+=("zcgp score|$(native "$ZCGP")")
rows+=("zcgp score --bn-double-backward libtorch|$(native "$ZCGP" --bn-double-backward libtorch)")
[ -n "$BEFORE" ] && rows+=("zcgp score, before|$(native "$BEFORE")")
rows+=("PyTorch script, system BLAS|$(script)")
[ -e "$OPENBLAS/libblas.so.3" ] && rows+=("PyTorch script, OpenBLAS|$(script LD_LIBRARY_PATH=$OPENBLAS)")

python3 - "$ARCH" "$BATCH" "$THREADS" "$REPEAT" "${rows[@]}" <<'PY'
import sys
arch, batch, threads, repeat, *rows = sys.argv[1:]
rows = [(label, float(s.split("|")[0]), s.split("|", 1)[1].strip()) for label, s in (r.split("|", 1) for r in rows)]
print(f"arch {arch}, batch {batch}, {threads} thread(s), best of {repeat}; 13 proxies (+ statistics for zcgp)")
zcgp = rows[0][1]
print(f"| run | s / arch | archs / hour | script / zcgp score | BLAS |")
print(f"| --- | ---: | ---: | ---: | --- |")
for label, s, blas in rows:
    ratio = f"{s / zcgp:.2f}x" if label.startswith("PyTorch") else ("1.00x (reference)" if s == zcgp else f"{s / zcgp:.2f}x slower")
    print(f"| {label} | {s:.2f} | {3600 / s:.0f} | {ratio} | {blas} |")
PY
