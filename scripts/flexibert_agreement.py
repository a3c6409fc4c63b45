#!/usr/bin/python3
"""Agreement of zcgp's native FlexiBERT proxies with the LM benchmark's stored columns (docs/proxies.md).

Reads two statistics caches from `zcgp gather --task flexibert/glue` (seeds A and B, the same architectures) and
data/lm/BERT_results_activation_lpzero.csv. Prints a markdown table: per proxy, Spearman between zcgp (seed A) and
the stored column over the architectures of both, zcgp's self-agreement between the two seeds (the ceiling), and
Kendall tau against GLUE of zcgp's value and of the stored one.

usage: flexibert_agreement.py SEED_A.zcstats SEED_B.zcstats [--data data]
"""
import argparse
import csv
import json
import os
import struct

import numpy as np
from scipy.stats import kendalltau, spearmanr

COLUMNS = {
    "synaptic_diversity": "Synaptic Diversity",
    "synaptic_diversity_normalized": "Synaptic Diversity Normalized",
    "synaptic_saliency": "Synaptic Saliency",
    "synaptic_saliency_normalized": "Synaptic Saliency Normalized",
    "activation_distance": "Activation Distance",
    "activation_distance_normalized": "Activation Distance Normalized",
    "jacobian_score": "Jacobian Score",
    "jacobian_score_cosine": "Jacobian Score Normalized",
    "params": "Number of Parameters",
    "head_importance": "Head Importance",
    "head_importance_normalized": "Head Importance Normalized",
    "head_confidence": "Head Confidence",
    "head_confidence_normalized": "Head Confidence Normalized",
    "head_softmax_confidence": "Head Softmax Confidence",
    "head_softmax_confidence_normalized": "Head Softmax Confidence Normalized",
}


def read_cache(path):
    """The proxy columns of a .zcstats file (docs/statistics-cache.md), by architecture key."""
    b = open(path, "rb").read()
    assert b[:8] == b"ZCGPSTAT" and struct.unpack("<Q", b[8:16])[0] == 1, path
    h_len = struct.unpack("<Q", b[16:24])[0]
    h = json.loads(b[24:24 + h_len])
    base = 24 + h_len
    arrays = {a["name"]: a for a in h["arrays"]}
    a = arrays["proxies"]
    values = np.frombuffer(b, "<f8", a["count"], base + a["offset"])
    n = h["architecture_count"]
    names = [p["name"] for p in h["proxies"]]
    return h["architectures"], {p: values[c * n:(c + 1) * n] for c, p in enumerate(names)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cache_a")
    ap.add_argument("cache_b")
    ap.add_argument("--data", default="data")
    args = ap.parse_args()
    keys_a, a = read_cache(args.cache_a)
    keys_b, b = read_cache(args.cache_b)
    rows = {r["ID"]: r for r in csv.DictReader(open(os.path.join(args.data, "lm", "BERT_results_activation_lpzero.csv")))}
    common = [k for k in keys_a if k in set(keys_b) and k in rows]
    ia = {k: i for i, k in enumerate(keys_a)}
    ib = {k: i for i, k in enumerate(keys_b)}
    glue = np.array([float(rows[k]["GLUE Score"]) for k in common])
    print(f"{len(common)} architectures\n")
    print("| proxy | stored column | Spearman zcgp vs stored | zcgp seed A vs B (ceiling) | tau(GLUE) zcgp | tau(GLUE) stored |")
    print("| --- | --- | --- | --- | --- | --- |")
    for p, col in COLUMNS.items():
        x = np.array([a[p][ia[k]] for k in common])
        y = np.array([b[p][ib[k]] for k in common])
        s = np.array([float(rows[k][col]) for k in common])
        print(f"| `{p}` | {col} | {spearmanr(x, s)[0]:.3f} | {spearmanr(x, y)[0]:.3f} | "
              f"{kendalltau(x, glue)[0]:.3f} | {kendalltau(s, glue)[0]:.3f} |")


if __name__ == "__main__":
    main()
