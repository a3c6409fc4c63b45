#!/usr/bin/env bash
# zcgp gather across the machine's two cores (issue 14 §2): the same N NB201 architectures (the first N of the
# seeded shuffle, `--archs N`), batch 16 and 64, CPU, gathered three ways in one run, back to back:
#   1 process, 1 intra-op thread (OMP_NUM_THREADS=1)             the baseline
#   1 process, 2 intra-op threads (OMP_NUM_THREADS=2)            LibTorch's own parallelism
#   mpirun -n 2, 1 intra-op thread per rank (two architectures at a time)
#   two independent processes at once (--shard 0/2 and 1/2, 1 thread each), then --merge: the control. Nothing is
#   shared between them, so their speed-up is what this machine's two cores give to any two-process split
#   (memory bandwidth and cache shared by the cores included); mpirun cannot beat it.
# Wall time from exec to exit (LibTorch start-up included), architectures per hour, speed-up over the baseline, and
# whether each cache is byte-identical to the baseline's (it must be: same architectures, batch and seed).
# Needs both cores free to mean anything: run it alone (zlock holds only one of the two build slots).
#   experiments/bench/gather_scaling.sh [BUILD_DIR] [N_ARCHS] [BATCHES]
set -euo pipefail
BUILD=${1:-build/release}
N=${2:-8}
BATCHES=${3:-"16 64"}
ZCGP="$BUILD/experiments/zcgp"
MPIRUN=${MPIRUN:-mpirun}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
common=(gather --task nb201/cifar10 --archs "$N" --seed 0 --device cpu)
printf '%-34s %5s %8s %10s %8s %s\n' "configuration" batch "wall s" "archs/h" speed-up "cache = baseline"
for b in $BATCHES; do
  base=""
  for cfg in single1 single2 mpi2 shards2; do
    out="$TMP/$cfg-b$b.zcstats"
    start=$(date +%s.%N)
    case $cfg in
      single1) OMP_NUM_THREADS=1 "$ZCGP" "${common[@]}" --batch "$b" --out "$out" >/dev/null 2>"$TMP/err" ;;
      single2) OMP_NUM_THREADS=2 "$ZCGP" "${common[@]}" --batch "$b" --out "$out" >/dev/null 2>"$TMP/err" ;;
      mpi2) OMP_NUM_THREADS=1 "$MPIRUN" -n 2 --oversubscribe "$ZCGP" "${common[@]}" --batch "$b" --out "$out" \
              >/dev/null 2>"$TMP/err" ;;
      shards2) for r in 0 1; do
                 OMP_NUM_THREADS=1 "$ZCGP" "${common[@]}" --batch "$b" --shard "$r/2" --out "$out.s$r" \
                   >/dev/null 2>"$TMP/err$r" &
               done
               ok=0; for r in 0 1; do wait -n || ok=1; done
               [ $ok = 0 ] && "$ZCGP" gather --merge "$out" "$out.s0" "$out.s1" >/dev/null 2>"$TMP/err" \
                 || { cat "$TMP"/err* >&2; false; } ;;
    esac || { cat "$TMP/err" >&2; exit 1; }
    wall=$(echo "$(date +%s.%N) - $start" | bc -l)
    [ -z "$base" ] && base=$wall
    same=$(cmp -s "$out" "$TMP/single1-b$b.zcstats" && echo yes || echo NO)
    label=$(case $cfg in single1) echo "1 process, 1 thread";; single2) echo "1 process, 2 intra-op threads";;
                           mpi2) echo "mpirun -n 2, 1 thread each";;
                           shards2) echo "2 processes (shards) + --merge";; esac)
    printf '%-34s %5s %8.1f %10.0f %7.2fx %s\n' "$label" "$b" "$wall" "$(echo "$N * 3600 / $wall" | bc -l)" \
           "$(echo "$base / $wall" | bc -l)" "$same"
  done
done
