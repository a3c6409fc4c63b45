#!/usr/bin/env bash
# Paper budget: 100 train archs, population 100, 50 generations, SEEDS seeds per task, on the 11 tasks of
# nb201 (3), nb301 (1) and tnb101_micro (7). Prints mean held-out Kendall tau per task (GP and the best
# hand-crafted proxy chosen on train) and the number of runs whose formula is non-finite on some architecture.
#   [GENERATIONS=50] experiments/bench/evolve_paper_budget.sh [BUILD_DIR] [SEEDS] [extra zcgp evolve flags...]
# (GENERATIONS=200 / 1000 give the budget curve in docs/engine.md)
set -euo pipefail
BUILD=${1:-build/release}
SEEDS=${2:-10}
shift $(( $# >= 2 ? 2 : $# )) || true
OUT=${OUT:-runs/paper_budget}
GENERATIONS=${GENERATIONS:-50}
mkdir -p "$OUT"
TASKS="nb201/cifar10 nb201/cifar100 nb201/ImageNet16-120 nb301/cifar10 tnb101_micro/class_scene
tnb101_micro/class_object tnb101_micro/autoencoder tnb101_micro/normal tnb101_micro/jigsaw
tnb101_micro/room_layout tnb101_micro/segmentsemantic"
: > "$OUT/results.jsonl"
for task in $TASKS; do
  for seed in $(seq 0 $((SEEDS - 1))); do
    dir="$OUT/$(echo "$task" | tr '/' '_')_s$seed"
    "$BUILD/experiments/zcgp" evolve --task "$task" --train-archs 100 --population 100 --generations "$GENERATIONS" \
        --seed "$seed" --threads 2 --quiet --json --force --out "$dir" "$@" >> "$OUT/results.jsonl"
  done
done
python3 - "$OUT/results.jsonl" <<'PY'
import json, sys, statistics as st
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["tasks"][0], []).append(r)
print(f"{'task':32s} {'runs':>4s} {'GP test tau':>11s} {'median':>7s} {'hand-crafted':>12s} {'GP train':>8s} {'size':>5s} {'non-finite':>10s} {'sec/run':>7s}")
gp_all, hc_all = [], []
for t, rs in by.items():
    gp = [r["test_tau"] for r in rs]; hc = [r["best_handcrafted"]["test_tau"] for r in rs]
    gp_all.append(st.mean(gp)); hc_all.append(st.mean(hc))
    bad = sum(1 for r in rs if not r["finite_on_all_archs"])
    print(f"{t:32s} {len(rs):4d} {st.mean(gp):11.3f} {st.median(gp):7.3f} {st.mean(hc):12.3f} "
          f"{st.mean(r['train_tau'] for r in rs):8.3f} {st.mean(r['size'] for r in rs):5.1f} {bad:10d} "
          f"{st.mean(r['seconds'] for r in rs):7.2f}")
print(f"{'mean over tasks':32s} {len(rows):4d} {st.mean(gp_all):11.3f} {'':7s} {st.mean(hc_all):12.3f}")
PY
