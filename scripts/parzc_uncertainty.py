#!/usr/bin/python3
"""Is ParZC's uncertainty useful? (docs/parzc.md, "Beyond the paper")

1. From a parzc_experiment.py grid (--grid DIR): per train size, the Spearman correlation between the predicted std
   and the absolute rank error |rank(mean) - rank(accuracy)| on the held-out cells of each DiffKendall run
   (result.json test_uncertainty_spearman), mean, std and sign over the seeds.
2. Zero-shot search with the ParZC model as the objective, with and without an uncertainty bonus: for every model
   seed m of --model-seeds and search seed s of --search-seeds, `zcgp search --objective parzc --run
   GRID/n{size}-seed{m}/parzc_diffkendall --seed s` with each bonus of --bonuses, regularized evolution over the
   same number of scored cells (--archs). Paired by (model, search seed), so a difference isolates the bonus. Reports the chosen cells' CIFAR-10 test accuracy
   per bonus and, against bonus 0, the paired mean difference with a bootstrap 95% interval, how many pairs chose
   another cell and how many of those a better one, and the exact Wilcoxon signed-rank p-value over the pairs that
   differ (scipy).
Writes uncertainty.csv, searches.csv and uncertainty.md into --out.

  /usr/bin/python3 scripts/parzc_uncertainty.py --grid DIR --out DIR [--size 469] [--seeds 0-4] [--archs 100]
      [--model-seeds 0-4] [--search-seeds 0-1] [--bonuses 0,1,10] [--zcgp build/release/experiments/zcgp] [--data data]
"""
import argparse, csv, json, os, subprocess, sys, time

import numpy as np
from scipy.stats import wilcoxon


def seeds_of(spec):
    lo, _, hi = spec.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=469)
    ap.add_argument("--model-seeds", default="0-4")
    ap.add_argument("--search-seeds", default="0-1")
    ap.add_argument("--archs", type=int, default=100)
    ap.add_argument("--bonuses", default="0,1,10")
    ap.add_argument("--zcgp", default="build/release/experiments/zcgp")
    ap.add_argument("--data", default="data")
    ap.add_argument("--summarize", action="store_true", help="only rewrite uncertainty.md from the csv files")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    pairs = [(m, s) for m in seeds_of(a.model_seeds) for s in seeds_of(a.search_seeds)]
    bonuses = [float(b) for b in a.bonuses.split(",")]
    lines = []

    # 1. the std against the absolute rank error, from the grid's DiffKendall runs
    rows = []
    for name in sorted(os.listdir(a.grid)):
        f = os.path.join(a.grid, name, "parzc_diffkendall", "result.json")
        if name.startswith("n") and os.path.exists(f):
            r = json.load(open(f))
            rows.append(dict(size=r["train_archs"], seed=r["seed"], spearman=r["test_uncertainty_spearman"],
                             test_tau=r["test_tau"]))
    with open(os.path.join(a.out, "uncertainty.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["size", "seed", "spearman", "test_tau"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    lines += ["| train archs | Spearman(std, abs. rank error), mean ± std | seeds | negative |", "| ---: | ---: | ---: | ---: |"]
    for n in sorted({r["size"] for r in rows}):
        v = np.array([r["spearman"] for r in rows if r["size"] == n])
        lines.append(f"| {n} | {v.mean():+.3f} ± {v.std():.3f} | {len(v)} | {(v < 0).sum()} |")
    lines.append("")

    # 2. search with and without the bonus, paired by seed
    searches = []
    if a.summarize:
        searches = [dict(r, bonus=float(r["bonus"]), cifar10=float(r["cifar10"]))
                    for r in csv.DictReader(open(os.path.join(a.out, "searches.csv")))]
        pairs = sorted({(int(r["model_seed"]), int(r["seed"])) for r in searches})
    for m, s in ([] if a.summarize else pairs):
        run = os.path.join(a.grid, f"n{a.size}-seed{m}", "parzc_diffkendall")
        for b in bonuses:
            cmd = [a.zcgp, "search", "--objective", "parzc", "--run", run, "--uncertainty-bonus", repr(b),
                   "--algorithm", "evolution", "--archs", str(a.archs), "--seed", str(s), "--device", "cpu",
                   "--data", a.data, "--json"]
            t = time.time()
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
            j = json.loads(p.stdout)
            searches.append(dict(model_seed=m, seed=s, bonus=b, archs_scored=j["archs_scored"], arch=j["best"]["arch"],
                                 cifar10=j["best"]["test_accuracy"]["cifar10"], mean=j["best"].get("parzc_mean"),
                                 std=j["best"].get("parzc_std"), failed_cells=j["failed_cells"],
                                 seconds=round(time.time() - t, 1)))
            print(f"model {m} seed {s} bonus {b}: {j['best']['arch']} {j['best']['test_accuracy']['cifar10']:.2f} "
                  f"({time.time() - t:.0f} s)", flush=True)
            with open(os.path.join(a.out, "searches.csv"), "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(searches[0].keys()), lineterminator="\n")
                w.writeheader()
                w.writerows(searches)
    acc = {b: np.array([r["cifar10"] for r in searches if r["bonus"] == b]) for b in bonuses}
    lines += [f"Search: regularized evolution, {a.archs} cells scored per search, models n{a.size}-seed{{m}} for m in "
              f"{a.model_seeds}, search seeds {a.search_seeds}: {len(pairs)} pairs per bonus.", "",
              "| bonus | chosen cell's CIFAR-10 accuracy, mean ± std | vs bonus 0: mean diff [bootstrap 95%] | "
              "pairs with another cell (better) | Wilcoxon p (those pairs) |",
              "| ---: | ---: | ---: | ---: | ---: |"]
    rng = np.random.default_rng(0)
    for b in bonuses:
        cell = f"| {b:g} | {acc[b].mean():.2f} ± {acc[b].std():.2f} |"
        if b == bonuses[0]:
            lines.append(cell + " | | |")
            continue
        d = acc[b] - acc[bonuses[0]]
        boot = [rng.choice(d, len(d)).mean() for _ in range(10000)]
        lo, hi = np.percentile(boot, [2.5, 97.5])
        nz = d[d != 0]
        p = f"{wilcoxon(nz, method='exact').pvalue:.3f}" if len(nz) > 0 else "-"
        lines.append(cell + f" {d.mean():+.2f} [{lo:+.2f}, {hi:+.2f}] | {len(nz)} ({int((nz > 0).sum())}) | {p} |")
    md = "\n".join(lines) + "\n"
    open(os.path.join(a.out, "uncertainty.md"), "w").write(md)
    print(md)


if __name__ == "__main__":
    main()
