#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET ...]
# Replays every regression input of each target (regressions/<target>/; files named known-* would be skipped, reproducers of crashes
# that are not fixed yet, see docs/fuzzing.md), then fuzzes it for SECONDS over a scratch copy of its corpus.
# Fails on the first crash, sanitizer report, leak, timeout or broken property. Build with the fuzz preset:
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

for t in "${targets[@]}"; do
    bin="$build/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz: $bin is missing (cmake --build --preset fuzz)" >&2; exit 1; }
    mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
    mapfile -t regressions < <(find "$here/regressions/$t" -type f ! -name 'known-*' ! -name '.*' 2>/dev/null | sort)
    if [ ${#regressions[@]} -gt 0 ]; then
        echo "fuzz: $t: replaying ${#regressions[@]} regression inputs"
        "$bin" "${flags[@]}" "${regressions[@]}" > "$work/$t.regressions.log" 2>&1 ||
            { tail -n 40 "$work/$t.regressions.log"; echo "fuzz: $t: a regression input fails" >&2; exit 1; }
    fi
    echo "fuzz: $t: fuzzing for ${seconds}s"
    # a fixed mutation seed (ZCGP_FUZZ_SEED, default 1) keeps the short CI run repeatable; long campaigns vary it
    if ! "$bin" "${flags[@]}" -seed="${ZCGP_FUZZ_SEED:-1}" -max_total_time="$seconds" -artifact_prefix="$work/artifacts/$t/" \
            "$work/corpus/$t" "$here/corpus/$t" > "$work/$t.log" 2>&1; then
        tail -n 60 "$work/$t.log"
        echo "fuzz: $t: crash; the input is in $work/artifacts/$t/ (keep it under tests/fuzz/regressions/$t/)" >&2
        exit 1
    fi
    { grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t.log" | tail -n 1
      grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' "$work/$t.log"; } | sed "s/^/fuzz: $t: /" || true
done
echo "fuzz: all targets clean"
