#!/usr/bin/env bash
# One column of the lever ablation (docs/results.md section 2d): the paper budget (100 train architectures,
# population 100, 50 generations, seeds 0-9) at the defaults plus FLAGS, on the 11 tasks of issue 13 or the nine
# NAS-Bench-360 tasks; the same splits in every column (the split is drawn from the seed). Prints one JSON line
# (mean held-out tau over tasks, mean formula size, non-finite runs, wall time, per-task means) and appends it to
# runs/sweep/summary.jsonl. Held-out taus are only reported, never used inside a run.
#   [SEEDS="10 11 ..."] [POP=100] [GENS=50] experiments/bench/evolve_levers.sh NAME 11|nb360 [zcgp evolve flags...]   (default seeds 0-9)
set -euo pipefail
cd "$(dirname "$0")/../.."
NAME=$1; SET=$2; shift 2
OUT=runs/sweep/$SET/$NAME
mkdir -p $OUT
if [ "$SET" = 11 ]; then TASKS="nb201/cifar10 nb201/cifar100 nb201/ImageNet16-120 nb301/cifar10 tnb101_micro/class_scene tnb101_micro/class_object tnb101_micro/autoencoder tnb101_micro/normal tnb101_micro/jigsaw tnb101_micro/room_layout tnb101_micro/segmentsemantic"
else TASKS="nb201/ninapro nb201/scifar100 nb201/svhn nb301/ninapro nb301/scifar100 nb301/svhn tnb101_micro/ninapro tnb101_micro/scifar100 tnb101_micro/svhn"; fi
: > $OUT/results.jsonl
start=$(date +%s.%N)
for t in $TASKS; do for s in ${SEEDS:-0 1 2 3 4 5 6 7 8 9}; do
  build/release/experiments/zcgp evolve --task $t --train-archs 100 --population ${POP:-100} --generations ${GENS:-50} --seed $s --threads 2 --quiet --json --force --checkpoint-every 0 --out $OUT/$(echo $t | tr / _)_s$s "$@" >> $OUT/results.jsonl
done; done
end=$(date +%s.%N)
python3 - $OUT/results.jsonl "$NAME" "$SET" "$(echo "$end - $start" | bc)" "$*" <<'PY'
import json,sys,statistics as st
rows=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by={}
for r in rows: by.setdefault(r["tasks"][0],[]).append(r)
per={t:st.mean(r["test_tau"] for r in rs) for t,rs in by.items()}
mean=st.mean(per.values()); size=st.mean(r["size"] for r in rows); bad=sum(not r["finite_on_all_archs"] for r in rows)
line=json.dumps({"name":sys.argv[2],"set":sys.argv[3],"flags":sys.argv[5],"mean":round(mean,4),"size":round(size,2),"nonfinite":bad,"runs":len(rows),"wall_s":round(float(sys.argv[4]),1),"per_task":{t:round(v,4) for t,v in per.items()}})
print(line)
open("runs/sweep/summary.jsonl","a").write(line+"\n")
PY
