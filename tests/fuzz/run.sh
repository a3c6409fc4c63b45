#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET ...]
# Replays every regression input of each target (regressions/<target>/; files named known-* would be skipped, reproducers of crashes
# that are not fixed yet, see docs/fuzzing.md), then fuzzes it for SECONDS over a scratch copy of its corpus.
# Fails on the first crash, sanitizer report, leak, timeout or broken property. Targets run FUZZ_JOBS at a time
# (default: the number of cores). Build with the fuzz preset:
#   cmake --preset fuzz && cmake --build --preset fuzz && tests/fuzz/run.sh build/fuzz 30
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SECONDS [TARGET ...]" >&2; exit 2; }
build="$(cd "$1" && pwd)"
seconds="$2"
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(benchmark_json statistics_cache formula csv config_toml)

# every UBSan report is fatal except the one suppressed by name; ASan reports leaks too
export UBSAN_OPTIONS="suppressions=$here/ubsan.supp:halt_on_error=1:print_stacktrace=1:report_error_type=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
work="$build/fuzz-work"
flags=(-timeout=20 -rss_limit_mb=2048 -print_final_stats=1)

# One target: replay, then fuzz; its lines go to its own log and summary, printed when it ends.
fuzz_one() {
    local t=$1 bin="$build/tests/fuzz/fuzz_$1"
    mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
    local regressions
    mapfile -t regressions < <(find "$here/regressions/$t" -type f ! -name 'known-*' ! -name '.*' 2>/dev/null | sort)
    if [ ${#regressions[@]} -gt 0 ]; then
        echo "fuzz: $t: replaying ${#regressions[@]} regression inputs"
        "$bin" "${flags[@]}" "${regressions[@]}" > "$work/$t.regressions.log" 2>&1 ||
            { tail -n 40 "$work/$t.regressions.log"; echo "fuzz: $t: a regression input fails" >&2; return 1; }
    fi
    echo "fuzz: $t: fuzzing for ${seconds}s"
    # a fixed mutation seed (ZCGP_FUZZ_SEED, default 1) keeps the short CI run repeatable; long campaigns vary it
    if ! "$bin" "${flags[@]}" -seed="${ZCGP_FUZZ_SEED:-1}" -max_total_time="$seconds" -artifact_prefix="$work/artifacts/$t/" \
            "$work/corpus/$t" "$here/corpus/$t" > "$work/$t.log" 2>&1; then
        tail -n 60 "$work/$t.log"
        echo "fuzz: $t: crash; the input is in $work/artifacts/$t/ (keep it under tests/fuzz/regressions/$t/)" >&2
        return 1
    fi
    { grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t.log" | tail -n 1
      grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' "$work/$t.log"; } | sed "s/^/fuzz: $t: /" || true
}

for t in "${targets[@]}"; do
    [ -x "$build/tests/fuzz/fuzz_$t" ] || { echo "fuzz: $build/tests/fuzz/fuzz_$t is missing (cmake --build --preset fuzz)" >&2; exit 1; }
done
# FUZZ_JOBS targets at a time (default: the cores), each a single-threaded libFuzzer process with its own corpus
# copy, so a target's run does not depend on the others; after the first failure no new target starts.
jobs="${FUZZ_JOBS:-$(nproc)}"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive integer, not '$jobs'" >&2; exit 2; }
mkdir -p "$work"
for t in "${targets[@]}"; do rm -f "$work/$t.out"; done
declare -A running=()
failed=""
for t in "${targets[@]}"; do
    while [ ${#running[@]} -ge "$jobs" ]; do
        wait -n -p done_pid || { failed="${running[$done_pid]}"; unset "running[$done_pid]"; break 2; }
        unset "running[$done_pid]"
    done
    fuzz_one "$t" > "$work/$t.out" 2>&1 &
    running[$!]=$t
done
while [ -z "$failed" ] && [ ${#running[@]} -gt 0 ]; do
    wait -n -p done_pid || failed="${running[$done_pid]}"
    unset "running[$done_pid]"
done
wait || true  # the ones still running end within their own time limit
for t in "${targets[@]}"; do [ -f "$work/$t.out" ] && cat "$work/$t.out"; done
if [ -n "$failed" ]; then echo "fuzz: $failed failed (above)" >&2; exit 1; fi
echo "fuzz: all targets clean"
