#!/usr/bin/env python3
"""Independent reference for zcgp's binned entropies (tests/proxy_cache/analysis_information.cpp).

Re-implements NAS-Bench-Suite-Zero's estimator (plotting/PlotMutualInformation.ipynb) with numpy only:
round(1 + 3.322 ln n) equal-width bins (numpy.histogram_bin_edges, last edge + 1, numpy.digitize) and plug-in
entropies in bits from numpy.unique counts of the joint bin tuples.

    /usr/bin/python3 scripts/entropy_reference.py tests/fixtures/information_fixture.csv acc p1 p2 p3
"""
import csv
import itertools
import json
import sys

import numpy as np


def discretize(values, bins):
    edges = np.histogram_bin_edges(values, bins=bins)
    edges[-1] += 1
    return np.digitize(values, edges)


def entropy(*variables):
    joint = np.stack(variables, axis=1)
    _, counts = np.unique(joint, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def main():
    path, target, proxies = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(path) as f:
        rows = list(csv.DictReader(f))
    acc = np.array([float(r[target]) for r in rows])
    bins = int(np.round(1 + 3.322 * np.log(len(acc))))
    a = discretize(acc, bins)
    z = {p: discretize(np.array([float(r[p]) for r in rows]), bins) for p in proxies}
    out = {"bins": bins, "H(acc)": entropy(a)}
    for p in proxies:
        out[f"H(acc|{p})"] = entropy(a, z[p]) - entropy(z[p])
    for p, q in itertools.combinations(proxies, 2):
        out[f"H(acc|{p},{q})"] = entropy(a, z[p], z[q]) - entropy(z[p], z[q])
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
