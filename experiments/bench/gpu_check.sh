#!/usr/bin/env bash
# The GPU check, one prepared script that needs no network (docs/gpu.md):
#   1. builds zcgp against the machine's PyTorch (scripts/build-cuda.sh; Debian's CPU-only LibTorch if the
#      Python's torch has no CMake package);
#   2. scores the same architectures with the same seed and batch on CPU and on CUDA (zcgp score) and checks
#      that all 13 proxies agree within the tolerance below;
#   3. times zcgp gather on CUDA at batch 64 (architectures per second);
#   4. runs a zero-shot search (zcgp search, the evolved objective) on CUDA, stopped after at most 10 minutes.
# Without CUDA it still runs end to end: it says that CUDA is unavailable, compares CPU with 1 thread against
# CPU with all threads in step 2, and runs steps 3 and 4 on the CPU at a token size.
#
#   experiments/bench/gpu_check.sh [OUT_DIR]        (default: $OUT if set, else BUILD_DIR/gpu_check)
# Environment: GPU_CHECK_BUILD (build dir, default build/cuda), GPU_CHECK_TORCH (a LibTorch CMake prefix),
#   GPU_CHECK_ARCHS (architectures compared, default 12), GPU_CHECK_GATHER (architectures gathered, default 300),
#   GPU_CHECK_SEARCH_SECONDS (default 120, at most 600), GPU_CHECK_RTOL (default 1e-3), JOBS, ZCGP_DATA.
# Exit status: 0 if every step ran and the proxies agree, 1 if they disagree or a step failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
build=${GPU_CHECK_BUILD:-build/cuda}
out=${1:-${OUT:-$build/gpu_check}}
narchs=${GPU_CHECK_ARCHS:-12}
ngather=${GPU_CHECK_GATHER:-300}
search_seconds=${GPU_CHECK_SEARCH_SECONDS:-120}
rtol=${GPU_CHECK_RTOL:-1e-3}
jobs=${JOBS:-$(nproc)}
data=${ZCGP_DATA:-data}
[ "$search_seconds" -le 600 ] || search_seconds=600
mkdir -p "$out"
: >"$out/summary.txt"
log() { echo "gpu_check: $*" | tee -a "$out/summary.txt"; }
py=python3
python3 -c 'import json' 2>/dev/null || py=/usr/bin/python3

# ---- 1. build against the machine's PyTorch ----
torch_arg=()
if [ -n "${GPU_CHECK_TORCH:-}" ]; then
  torch_arg=(--torch "$GPU_CHECK_TORCH")
else
  prefix=""
  for p in python3 /usr/bin/python3; do
    prefix=$("$p" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) && break || prefix=""
  done
  if [ -z "$prefix" ] || [ ! -f "$prefix/Torch/TorchConfig.cmake" ]; then
    if [ -f /usr/lib/x86_64-linux-gnu/cmake/Torch/TorchConfig.cmake ]; then
      log "the Python's torch has no CMake package (${prefix:-no torch}); building against Debian's LibTorch"
      torch_arg=(--torch /usr/lib/x86_64-linux-gnu/cmake)
    fi
  fi
fi
start=$(date +%s)
if ! scripts/build-cuda.sh "${torch_arg[@]}" --build-dir "$build" --jobs "$jobs" >"$out/build.log" 2>&1; then
  tail -20 "$out/build.log" >&2
  log "build failed (log: $out/build.log)"
  exit 1
fi
log "$(tail -1 "$out/build.log") in $(( $(date +%s) - start )) s"
zcgp="$build/experiments/zcgp"

# ---- is CUDA there? ----
if "$zcgp" score --device cuda --arch "(0, 2, 3, 2, 3, 1)" --proxies params --data "$data" >/dev/null 2>"$out/cuda_probe.txt"; then
  cuda=yes
  log "CUDA is available: $("$py" -c 'import torch; print(torch.cuda.get_device_name(0))' 2>/dev/null || echo 'device name unknown')"
else
  cuda=no
  log "CUDA is unavailable ($(head -1 "$out/cuda_probe.txt")): the CUDA steps run on the CPU at a token size"
fi

# ---- 2. the 13 proxies, CPU against CUDA, same architectures, seed and batch ----
"$py" - "$narchs" >"$out/archs.txt" <<'PY'
import random, sys
rng = random.Random(14)  # a fixed sample of NB201 cells
for _ in range(int(sys.argv[1])):
    print("(" + ", ".join(str(rng.randrange(5)) for _ in range(6)) + ")")
PY
common=(score --arch-file "$out/archs.txt" --batch 64 --seed 0 --json --data "$data")
if [ "$cuda" = yes ]; then
  a_label="cpu" b_label="cuda"
  "$zcgp" "${common[@]}" --device cpu >"$out/score_a.jsonl"
  "$zcgp" "${common[@]}" --device cuda >"$out/score_b.jsonl"
else
  a_label="cpu, 1 thread" b_label="cpu, all threads (standing in for cuda)"
  OMP_NUM_THREADS=1 "$zcgp" "${common[@]}" --device cpu >"$out/score_a.jsonl"
  "$zcgp" "${common[@]}" --device cpu >"$out/score_b.jsonl"
fi
agree=0
"$py" - "$out/score_a.jsonl" "$out/score_b.jsonl" "$rtol" "$a_label" "$b_label" >"$out/agreement.txt" <<'PY' || agree=1
import json, math, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
b = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
rtol = float(sys.argv[3])
assert len(a) == len(b) and a, "both runs must score the same architectures"
proxies = sorted(a[0]["proxies"])
print(f"{len(a)} architectures, batch 64, seed 0: {sys.argv[4]} against {sys.argv[5]}; "
      f"tolerance |x - y| <= {rtol:g} * max(|x|, |y|, 1)")
print(f"{'proxy':12s} {'max |x - y|':>12s} {'max relative':>12s}  agree")
bad = 0
for p in proxies:
    worst_abs = worst_rel = 0.0
    for x, y in zip(a, b):
        assert x["arch"] == y["arch"]
        u, v = x["proxies"][p], y["proxies"][p]
        d = abs(u - v)
        worst_abs = max(worst_abs, d)
        worst_rel = max(worst_rel, d / max(abs(u), abs(v), 1.0))
    ok = worst_rel <= rtol
    bad += not ok
    print(f"{p:12s} {worst_abs:12.3g} {worst_rel:12.3g}  {'yes' if ok else 'NO'}")
print(f"{len(proxies) - bad} of {len(proxies)} proxies agree")
sys.exit(1 if bad else 0)
PY
cat "$out/agreement.txt" | tee -a "$out/summary.txt"

# ---- 3. gather on CUDA at batch 64 ----
device=cuda n=$ngather
[ "$cuda" = yes ] || { device=cpu; n=4; }
t0=$("$py" -c 'import time; print(time.time())')
"$zcgp" gather --task nb201/cifar10 --archs "$n" --batch 64 --seed 0 --device "$device" --data "$data" \
        --out "$out/gather.zcstats" 2>"$out/gather.log"
t1=$("$py" -c 'import time; print(time.time())')
log "$("$py" -c "import sys; n, s = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); \
print(f'gather on {sys.argv[4]}, batch 64: {n} architectures in {s:.1f} s (whole process) = {n / s:.2f} archs/s')" "$n" "$t0" "$t1" "$device")"

# ---- 4. zero-shot search, at most GPU_CHECK_SEARCH_SECONDS (<= 600) ----
"$zcgp" evolve --task nb201/cifar10 --seed 0 --quiet --out "$out/evolved" --data "$data" >/dev/null
limit=$search_seconds archs=15625
[ "$cuda" = yes ] || { limit=60; archs=3; }
timeout $((limit + 120)) "$zcgp" search --objective evolved --run "$out/evolved" --algorithm evolution \
        --archs "$archs" --time-limit "$limit" --batch 64 --device "$device" --json --data "$data" >"$out/search.json"
log "$("$py" -c "import json, sys; j = json.load(open(sys.argv[1])); b = j['best']; \
print(f\"search on {j['device']}: {j['archs_scored']} cells in {j['seconds']:.1f} s = {j['archs_scored'] / j['seconds']:.2f} cells/s; \
chosen {b['arch']}, CIFAR-10 test accuracy {b['test_accuracy']['cifar10']:.2f}\")" "$out/search.json")"

if [ "$agree" -ne 0 ]; then
  log "FAILED: the proxies disagree beyond the tolerance ($out/agreement.txt)"
  exit 1
fi
log "done (CUDA: $cuda); figures in $out/summary.txt"
