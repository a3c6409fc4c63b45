#!/usr/bin/env bash
# Native scoring (zcgp score: all 13 proxies + per-layer raw statistics, shared passes) against the usual PyTorch
# way (experiments/bench/pytorch_proxies.py: one proxy at a time, own forward/backward each), one NB201
# architecture, batch 64, CPU, same thread count for both. Reports the best of REPEAT runs of each, the ratio and
# architectures per hour.
#
# usage: experiments/bench/torch_score_vs_pytorch.sh [ZCGP_BINARY]
#   env: ARCH="(0, 2, 3, 2, 3, 1)" BATCH=64 THREADS=1 REPEAT=3 ZCGP_DATA=data
set -euo pipefail
cd "$(dirname "$0")/../.."
ZCGP=${1:-build/torch/experiments/zcgp}
ARCH=${ARCH:-"(0, 2, 3, 2, 3, 1)"}
BATCH=${BATCH:-64}
THREADS=${THREADS:-1}
REPEAT=${REPEAT:-3}
DATA=${ZCGP_DATA:-data}
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS

args=()
for _ in $(seq "$REPEAT"); do args+=(--arch "$ARCH"); done
native=$("$ZCGP" score --data "$DATA" "${args[@]}" --batch "$BATCH" --device cpu --statistics --json \
         | python3 -c 'import sys, json; print(min(json.loads(l)["seconds"] for l in sys.stdin))')
python=$(/usr/bin/python3 experiments/bench/pytorch_proxies.py --data "$DATA" --arch "$ARCH" --batch "$BATCH" \
         --repeat "$REPEAT" | python3 -c 'import sys, json; print(json.loads(sys.stdin.read())["seconds_per_arch"])')
python3 - "$native" "$python" <<PY
import sys
n, p = float(sys.argv[1]), float(sys.argv[2])
print(f"arch {sys.argv[0] and '$ARCH'}, batch $BATCH, $THREADS thread(s), best of $REPEAT")
print(f"zcgp score (13 proxies + statistics): {n:.2f} s/arch  ({3600 / n:.0f} archs/hour)")
print(f"PyTorch, one proxy at a time (13 proxies): {p:.2f} s/arch  ({3600 / p:.0f} archs/hour)")
print(f"speed-up: {p / n:.2f}x")
PY
