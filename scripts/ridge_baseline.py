#!/usr/bin/python3
"""Ridge anchor of the quality issue: a ridge regression (scikit-learn RidgeCV, Debian python3-sklearn) on the
signed-log proxies sign(x) log(1 + |x|) and the graph features of each architecture (`zcgp features --kind graph`),
standardised on the train architectures, fitted to the train architectures' accuracy ranks. It is a linear closed
formula (one weight per feature); its value ranks the held-out architectures (Kendall tau-b against accuracy).
The regularisation strength is chosen by leave-one-out on the train architectures only.

Split: the train architectures of a zcgp run (--split RESULT.json) or of a keys file (--train-keys), so that it is
paired with the run; without either, a seeded permutation (scripts/zcgp_data.py).

  /usr/bin/python3 scripts/ridge_baseline.py --task nb301/cifar10 [--seeds 0-9 | --split runs/c10/result.json]
                   [--features proxies+graph|proxies] [--train-archs 100]
Prints one JSON object per seed: task, seed, features, terms, alpha, train_tau, test_tau, seconds, split.
"""
import argparse, json, os, sys, time

import numpy as np
from scipy.stats import kendalltau, rankdata
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zcgp_data  # noqa: E402
from rf_baseline import seeds  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    zcgp_data.add_arguments(ap)
    ap.add_argument("--task", default="nb201/cifar10")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--train-archs", type=int, default=100)
    ap.add_argument("--features", default="proxies+graph", choices=["proxies", "proxies+graph"])
    args = ap.parse_args()
    graph = args.features == "proxies+graph"
    keys, names, X, acc, gnames, G = zcgp_data.load(args, args.task, graph=graph)
    X = zcgp_data.signed_log(X)
    if graph:
        X = np.hstack([X, G])
    for seed in seeds(args.seeds):
        train, test, split = zcgp_data.split(args, args.task, keys, args.train_archs, seed)
        start = time.perf_counter()
        # columns constant on the train architectures carry nothing the fit can use: dropped (train only)
        keep = X[train].std(axis=0) > 0
        model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
        model.fit(X[train][:, keep], rankdata(acc[train]) / len(train))
        seconds = time.perf_counter() - start
        predict = lambda rows: model.predict(X[rows][:, keep])  # noqa: E731
        print(json.dumps({"task": args.task, "seed": seed, "features": args.features, "terms": int(keep.sum()),
                          "alpha": float(model[-1].alpha_), "train_archs": len(train),
                          "train_tau": kendalltau(predict(train), acc[train]).correlation,
                          "test_tau": kendalltau(predict(test), acc[test]).correlation,
                          "finite_on_all_archs": bool(np.all(np.isfinite(predict(np.arange(len(keys)))))),
                          "seconds": seconds, "split": split}), flush=True)


if __name__ == "__main__":
    main()
