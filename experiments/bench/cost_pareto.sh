#!/usr/bin/env bash
# The cost front of tau against compute cost on the three NAS-Bench-201 tasks: one default `zcgp evolve` per task
# (paper budget, seed SEED), its result.json "cost_pareto" (ascending seconds per architecture, each point a
# strictly better train tau than every cheaper one), printed as a table and drawn with gnuplot into
# OUT/cost_pareto.png: train tau (the front, a staircase) and held-out tau of each front point against cost.
#   experiments/bench/cost_pareto.sh [BUILD_DIR] [SEED] [extra zcgp evolve flags...]
set -euo pipefail
BUILD=${1:-build/release}
SEED=${2:-0}
shift $(( $# >= 2 ? 2 : $# )) || true
OUT=${OUT:-results/cost_pareto}
mkdir -p "$OUT"
plot=""
colour=0
for task in nb201/cifar10 nb201/cifar100 nb201/ImageNet16-120; do
  stem=$(echo "$task" | tr '/' '_')
  "$BUILD/experiments/zcgp" evolve --task "$task" --seed "$SEED" --quiet --json "$@" > "$OUT/$stem.json"
  python3 - "$OUT/$stem.json" "$OUT/$stem.dat" "$task" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for p in r["cost_pareto"]:
        f.write(f'{p["cost"]} {p["train_tau"]} {p["test_tau"]}\n')
print(f'{sys.argv[3]}: reported formula cost {r["cost"]:.3f} s, held-out tau {r["test_tau"]:.3f}')
print(f'  {"cost s":>7s} {"train":>6s} {"held-out":>8s}  formula')
for p in r["cost_pareto"]:
    print(f'  {p["cost"]:7.3f} {p["train_tau"]:6.3f} {p["test_tau"]:8.3f}  {p["formula"]}')
PY
  colour=$((colour + 1))
  plot="$plot'$OUT/$stem.dat' using 1:2 with steps lw 1 dt 2 lc $colour title '$task train (the front)', "
  plot="$plot'$OUT/$stem.dat' using 1:3 with linespoints lw 2 lc $colour title '$task held-out', "
done
gnuplot <<GP
set terminal pngcairo size 900,600
set output '$OUT/cost_pareto.png'
set title 'Cost front (seed $SEED, flags: ${*:-defaults}): Kendall tau against seconds per architecture'
set xlabel 'cost: seconds per architecture (sum of the median recorded times of the proxies read)'
set ylabel 'Kendall tau (train: dashed steps; held-out: points)'
set key bottom right
set grid
plot ${plot%, }
GP
echo "plot: $OUT/cost_pareto.png"
