#!/usr/bin/python3
"""What the evolved FlexiBERT formulas of an lpzero_flexibert run compute (docs/results.md section 9): for each run
folder RESULTS_DIR/runs/<set>/seed<N>, the formula's value on every architecture (`zcgp export --values-csv`), and
on the run's held-out architectures:

  - held-out Kendall tau (as zcgp reports it);
  - tau within each depth group (2 and 4 encoder layers), averaged; runs whose formula is constant within both
    groups are counted apart;
  - distinct values among the 400 held-out architectures, and whether the formula reads a cached proxy;
  - tau of the same formula with each depth group collapsed to its median (a pure function of depth);
  - tau of the formula's values rounded to 10 significant digits (rounding noise of a formula that computes depth,
    e.g. norm(normalize(v)) = sqrt(L) up to a few ulps, otherwise breaks the ties at random).

usage: flexibert_formula_analysis.py RESULTS_DIR [--data data] [--zcgp build/release/experiments/zcgp] [SET ...]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.stats import kendalltau


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("sets", nargs="*", default=["raw", "cached", "both"])
    ap.add_argument("--data", default="data")
    ap.add_argument("--zcgp", default="build/release/experiments/zcgp")
    args = ap.parse_args()
    configs = {str(a["id"]): a for a in json.load(open(os.path.join(args.data, "lm", "BERT_benchmark.json")))}
    depth = {k: len(v["hparams"]["model_hparam_overrides"]["nas_config"]["encoder_layers"]) for k, v in configs.items()}
    rows = list(csv.DictReader(open(os.path.join(args.data, "lm", "BERT_results_activation_lpzero.csv"))))
    glue = {r["ID"]: float(r["GLUE Score"]) for r in rows}
    cached = [c.replace(" ", "_") for c in rows[0] if c not in ("ID", "GLUE Score", "lpzero")]
    print("| terminals | runs | held-out tau | within-depth tau (runs constant within depth) | distinct values of 400 "
          "| reads a cached proxy | collapsed to depth medians | rounded to 10 digits |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for terminal_set in args.sets:
            acc = []
            seed = 0
            while os.path.exists(os.path.join(args.results, "runs", terminal_set, f"seed{seed}", "result.json")):
                run = os.path.join(args.results, "runs", terminal_set, f"seed{seed}")
                seed += 1
                r = json.load(open(os.path.join(run, "result.json")))
                train = set(r["per_task"][0]["train_keys"])
                values_csv = os.path.join(tmp, "values.csv")
                subprocess.run([args.zcgp, "export", "--run", run, "--data", args.data, "--out", os.path.join(tmp, "p.hpp"),
                                "--values-csv", values_csv], check=True, capture_output=True)
                values = {row["key"]: float(row["value"]) for row in csv.DictReader(open(values_csv))}
                test = [k for k in values if k not in train]
                x = np.array([values[k] for k in test])
                y = np.array([glue[k] for k in test])
                layers = np.array([depth[k] for k in test])
                within = [kendalltau(x[layers == l], y[layers == l])[0] for l in (2, 4) if np.ptp(x[layers == l]) > 0]
                medians = np.array([np.median(x[layers == l]) for l in layers])
                rounded = np.array([float(f"{v:.10g}") for v in x])
                acc.append((kendalltau(x, y)[0], np.mean(within) if within else np.nan, len(np.unique(x)),
                            any(name in r["formula"] for name in cached), kendalltau(medians, y)[0],
                            kendalltau(rounded, y)[0]))
                print(json.dumps({"set": terminal_set, "seed": r["seed"], "test_tau": acc[-1][0],
                                  "rounded_tau": acc[-1][5], "distinct": acc[-1][2], "formula": r["formula"]}),
                      file=sys.stderr)
            if not acc:
                sys.exit(f"no runs/{terminal_set}/seed*/result.json under {args.results}")
            a = np.array(acc, dtype=float)
            print(f"| {terminal_set} | {len(a)} | {a[:, 0].mean():.3f} | {np.nanmean(a[:, 1]):+.3f} "
                  f"({int(np.isnan(a[:, 1]).sum())}) | {a[:, 2].mean():.0f} | {int(a[:, 3].sum())} | "
                  f"{a[:, 4].mean():.3f} | {a[:, 5].mean():.3f} |")


if __name__ == "__main__":
    main()
