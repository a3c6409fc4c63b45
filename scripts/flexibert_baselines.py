#!/usr/bin/python3
"""The baselines of the LPZero-on-FlexiBERT experiment (experiments/configs/lpzero_flexibert.toml), on exactly the
splits of its evolve runs: for each run folder's result.json (train_keys), over the other architectures of
flexibert/glue:

  - LPZero's searched proxy (the `lpzero` column of BERT_results_activation_lpzero.csv), held-out Kendall tau;
  - the best hand-crafted proxy of the table chosen on train (the 15 training-free columns, not `lpzero`; sign
    chosen on train as zcgp does), held-out tau;
  - the number of encoder layers (a structural count, not a column of the table), held-out tau;
  - a 300-tree random forest (scikit-learn) regressing GLUE on the 15 columns (log / asinh, z-scored as
    scripts/deap_baseline.py), trained on the train keys; held-out tau of its predictions.

usage: flexibert_baselines.py RESULTS_DIR [--data data]   (RESULTS_DIR holds runs/<set>/seed<N>/result.json)
Prints a markdown table (mean ± std over the seeds) and one JSON line per seed to stderr.
"""
import argparse
import csv
import glob
import json
import os
import sys

import numpy as np
from scipy.stats import kendalltau
from sklearn.ensemble import RandomForestRegressor


def transform(x):
    y = np.log(x) if x.min() > 0 else np.arcsinh(x / (np.median(np.abs(x)) or 1.0))
    sd = y.std()
    return (y - y.mean()) / (sd if sd > 0 else 1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--data", default="data")
    ap.add_argument("--trees", type=int, default=300)
    args = ap.parse_args()
    rows = list(csv.DictReader(open(os.path.join(args.data, "lm", "BERT_results_activation_lpzero.csv"))))
    ids = [r["ID"] for r in rows]
    glue = np.array([float(r["GLUE Score"]) for r in rows])
    columns = [c for c in rows[0] if c not in ("ID", "GLUE Score", "lpzero")]
    X = np.array([transform(np.array([float(r[c]) for r in rows])) for c in columns]).T
    lpzero = np.array([float(r["lpzero"]) for r in rows])
    # the number of encoder layers (2 or 4), from BERT_benchmark.json: the structural baseline
    configs = {str(a["id"]): a for a in json.load(open(os.path.join(args.data, "lm", "BERT_benchmark.json")))}
    layers = np.array([len(configs[i]["hparams"]["model_hparam_overrides"]["nas_config"]["encoder_layers"])
                       for i in ids], dtype=float)
    # one split per seed: every terminal set of a seed is evolved on the same train sample
    splits = {}
    for path in sorted(glob.glob(os.path.join(args.results, "runs", "*", "seed*", "result.json"))):
        r = json.load(open(path))
        keys = r["per_task"][0]["train_keys"]
        if r["seed"] in splits and splits[r["seed"]] != keys:
            sys.exit(f"{path}: seed {r['seed']} has another train sample than its other runs")
        splits[r["seed"]] = keys
    if not splits:
        sys.exit(f"no runs/*/seed*/result.json under {args.results}")
    out = {"lpzero": [], "handcrafted": [], "rf": [], "layers": []}
    for seed, keys in sorted(splits.items()):
        train = np.isin(ids, keys)
        test = ~train
        lp = kendalltau(lpzero[test], glue[test])[0]
        taus = [kendalltau(X[train, c], glue[train])[0] for c in range(len(columns))]
        best = int(np.nanargmax(np.abs(taus)))
        sign = 1.0 if taus[best] >= 0 else -1.0
        hc = kendalltau(sign * X[test, best], glue[test])[0]
        rf = RandomForestRegressor(n_estimators=args.trees, random_state=seed, n_jobs=1)
        rf.fit(X[train], glue[train])
        rft = kendalltau(rf.predict(X[test]), glue[test])[0]
        out["lpzero"].append(lp)
        out["handcrafted"].append(hc)
        out["rf"].append(rft)
        out["layers"].append(kendalltau(layers[test], glue[test])[0])
        print(json.dumps({"seed": seed, "train": int(train.sum()), "test": int(test.sum()), "lpzero_test_tau": lp,
                          "handcrafted": columns[best], "handcrafted_test_tau": hc, "rf_test_tau": rft}),
              file=sys.stderr)
    names = {"lpzero": "LPZero's searched proxy (`lpzero` column)",
             "handcrafted": "best hand-crafted column, chosen on train",
             "rf": f"random forest ({args.trees} trees) on the 15 cached columns",
             "layers": "number of encoder layers (2 or 4; not a proxy of the table)"}
    print(f"| baseline ({len(splits)} seeds, same splits) | held-out Kendall tau |")
    print("| --- | --- |")
    for k, v in out.items():
        print(f"| {names[k]} | {np.mean(v):.3f} ± {np.std(v):.3f} |")


if __name__ == "__main__":
    main()
