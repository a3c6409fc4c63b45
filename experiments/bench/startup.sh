#!/usr/bin/env bash
# Start-up cost of the zcgp executable: shared libraries it loads (ldd) and whole-process wall time (hyperfine,
# Debian package hyperfine) of `zcgp --help` and of the README's main job (zcgp evolve --task nb201/cifar10 at
# the paper budget, seed 0), for one build or side by side for two (e.g. before and after a change).
#   experiments/bench/startup.sh [BUILD_DIR] [OTHER_BUILD_DIR] [RUNS]
set -euo pipefail
BUILDS=("${1:-build/release}")
[ -n "${2:-}" ] && BUILDS+=("$2")
RUNS=${3:-20}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for b in "${BUILDS[@]}"; do
  for exe in "$b/experiments/zcgp" "$b/experiments/zcgp-torch"; do
    [ -x "$exe" ] && echo "$exe: $(ldd "$exe" | wc -l) shared libraries ($(ldd "$exe" | grep -c -E 'libtorch|libc10|libcaffe2') of LibTorch)"
  done
done
cmds=()
for b in "${BUILDS[@]}"; do
  cmds+=("$b/experiments/zcgp --help" \
         "$b/experiments/zcgp evolve --task nb201/cifar10 --train-archs 100 --population 100 --generations 50 --seed 0 --quiet --out $TMP/run")
done
hyperfine -N --warmup 3 --runs "$RUNS" --export-markdown "$TMP/startup.md" "${cmds[@]}" >/dev/null
cat "$TMP/startup.md"
