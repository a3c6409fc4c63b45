#!/usr/bin/python3
"""Random-forest anchor of the GP issue: a 300-tree random forest (scikit-learn, Debian python3-sklearn)
regresses accuracy on the task's cached proxies, trained on the same number of random train architectures as
`zcgp evolve --train-archs`; its predictions rank the held-out architectures (Kendall tau-b against accuracy).

Data pipeline and split as scripts/deap_baseline.py (same loader: logz-transformed proxies, architectures
missing a kept proxy dropped, seed -> numpy permutation). A forest is not a formula: it is the learned-model
anchor a symbolic proxy is compared with, not something zcgp can export.

  /usr/bin/python3 scripts/rf_baseline.py --task nb201/cifar10 [--seeds 0-9] [--trees 300] [--train-archs 100]
Prints one JSON object per seed: task, seed, train_tau, test_tau, seconds.
"""
import argparse, json, os, sys, time

import numpy as np
from scipy.stats import kendalltau
from sklearn.ensemble import RandomForestRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deap_baseline import load  # noqa: E402  (same data pipeline as the DEAP baseline)


def seeds(spec):
    if "-" in spec:
        a, b = spec.split("-")
        return range(int(a), int(b) + 1)
    return [int(s) for s in spec.split(",")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("ZCGP_DATA", "data"))
    ap.add_argument("--task", default="nb201/cifar10")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--train-archs", type=int, default=100)
    args = ap.parse_args()
    names, X, acc = load(args.data, args.task)
    X = X.T
    n = X.shape[0]
    if args.train_archs >= n:
        sys.exit(f"rf_baseline: --train-archs {args.train_archs} must be below the {n} usable architectures of {args.task}")
    for seed in seeds(args.seeds):
        np.random.seed(seed)
        idx = np.random.permutation(n)
        train, test = np.sort(idx[: args.train_archs]), np.sort(idx[args.train_archs:])
        start = time.perf_counter()
        rf = RandomForestRegressor(n_estimators=args.trees, random_state=seed, n_jobs=1)
        rf.fit(X[train], acc[train])
        seconds = time.perf_counter() - start
        print(json.dumps({"task": args.task, "seed": seed, "proxies": names,
                          "train_tau": kendalltau(rf.predict(X[train]), acc[train]).correlation,
                          "test_tau": kendalltau(rf.predict(X[test]), acc[test]).correlation,
                          "seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
