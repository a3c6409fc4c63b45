#!/usr/bin/python3
"""Random-forest anchors of the quality issue: a 300-tree random forest (scikit-learn, Debian python3-sklearn)
regresses accuracy on the task's cached proxies (--features proxies) or on the proxies and the graph features of
each architecture (--features proxies+graph; `zcgp features --kind graph`, not computed again here), trained on
the train architectures of a zcgp run (--split RESULT.json) or of a keys file (--train-keys), so that it is paired
with the run; its predictions rank the held-out architectures (Kendall tau-b against accuracy).

Data: the architectures and usable proxies zcgp evolve keeps (scripts/zcgp_data.py), raw (a forest is invariant
to monotone transforms of a feature). A forest is not a formula: it is the learned-model anchor a symbolic proxy is
compared with, not something zcgp can export.

  /usr/bin/python3 scripts/rf_baseline.py --task nb201/cifar10 [--seeds 0-9 | --split runs/c10/result.json]
                   [--features proxies|proxies+graph] [--trees 300] [--train-archs 100]
Prints one JSON object per seed: task, seed, features, train_tau, test_tau, seconds, split.
"""
import argparse, json, os, sys, time

import numpy as np
from scipy.stats import kendalltau
from sklearn.ensemble import RandomForestRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zcgp_data  # noqa: E402


def seeds(spec):
    if "-" in spec:
        a, b = spec.split("-")
        return range(int(a), int(b) + 1)
    return [int(s) for s in spec.split(",")]


def main():
    ap = argparse.ArgumentParser()
    zcgp_data.add_arguments(ap)
    ap.add_argument("--task", default="nb201/cifar10")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--train-archs", type=int, default=100)
    ap.add_argument("--features", default="proxies", choices=["proxies", "proxies+graph"])
    args = ap.parse_args()
    graph = args.features == "proxies+graph"
    keys, names, X, acc, gnames, G = zcgp_data.load(args, args.task, graph=graph)
    if graph:
        X = np.hstack([X, G])
    for seed in seeds(args.seeds):
        train, test, split = zcgp_data.split(args, args.task, keys, args.train_archs, seed)
        start = time.perf_counter()
        rf = RandomForestRegressor(n_estimators=args.trees, random_state=seed, n_jobs=1)
        rf.fit(X[train], acc[train])
        seconds = time.perf_counter() - start
        print(json.dumps({"task": args.task, "seed": seed, "features": args.features, "proxies": names,
                          "graph_features": len(gnames), "train_archs": len(train),
                          "train_tau": kendalltau(rf.predict(X[train]), acc[train]).correlation,
                          "test_tau": kendalltau(rf.predict(X[test]), acc[test]).correlation,
                          "seconds": seconds, "split": split}), flush=True)


if __name__ == "__main__":
    main()
