#!/usr/bin/env bash
# What two cores of this machine give to two independent jobs: the control for every "both cores" figure
# (the 2-thread evolution loop, gather under mpirun). The benchmark's zcgp configuration (evolve_vs_deap.sh:
# nb201/cifar10, 100 train architectures, population 100, 50 generations, scalar functions), one thread, no
# checkpoints, SEEDS runs alone and then SEEDS runs as concurrent pairs (two processes, nothing shared). Prints the
# median loop seconds (the JSON `seconds`) of each, and the throughput of two concurrent jobs over one:
# 2 x alone / together (2.0 = two full cores; 1.0 = no gain from the second).
#   experiments/bench/two_core_ceiling.sh [BUILD_DIR] [SEEDS]
set -euo pipefail
BUILD=${1:-build/release}
SEEDS=${2:-6}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/runs"
loop() {
  "$BUILD/experiments/zcgp" evolve --task nb201/cifar10 --train-archs 100 --population 100 --generations 50 \
    --functions scalar --quiet --json --seed "$1" --threads 1 --checkpoint-every 0 --out "$TMP/runs/$2" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["seconds"])'
}
for s in $(seq 1 "$SEEDS"); do loop "$s" "alone$s"; done > "$TMP/alone"
for s in $(seq 1 "$SEEDS"); do
  loop "$s" "a$s" > "$TMP/a$s" &
  loop "$s" "b$s" > "$TMP/b$s" &
  wait -n && wait -n || { echo "a concurrent run failed" >&2; exit 1; }
done
cat "$TMP"/a* "$TMP"/b* > "$TMP/together"
python3 - "$TMP/alone" "$TMP/together" <<'PY'
import statistics as st, sys
alone = st.median(float(x) for x in open(sys.argv[1]))
together = st.median(float(x) for x in open(sys.argv[2]))
print(f"1-thread loop alone {alone:.4f} s, two at once {together:.4f} s each: "
      f"two concurrent jobs give {2 * alone / together:.2f}x the throughput of one")
PY
