#!/usr/bin/env python3
"""Kendall tau-b of one NAS-Bench-360 proxy against val_accuracy, straight from the NASLib JSON list with scipy.

An independent reference for zcgp's loader and rank statistics (tests/experiments/cli_correlate.cpp):
    nb360_kendall.py DATA_DIR SPACE DATASET PROXY     e.g.  data nasbench201 ninapro jacov
Records are matched by position only to read one file; the -1e8 sentinel and non-finite scores are dropped
(pairwise-complete), as NASLib's and zcgp's readers do.
"""
import json
import math
import sys
from pathlib import Path

from scipy.stats import kendalltau


def main() -> None:
    data, space, dataset, proxy = sys.argv[1:5]
    path = Path(data) / "nbsz" / "nb360" / proxy / f"benchmark--{space}--{dataset}--0.json"
    records = json.loads(path.read_text())
    pairs = []
    for r in records:
        score = r[proxy]["score"] if isinstance(r[proxy], dict) else r[proxy]
        if score is None or not math.isfinite(score) or score == -100000000.0:
            continue
        pairs.append((score, r["val_accuracy"]))
    tau = kendalltau([p[0] for p in pairs], [p[1] for p in pairs]).statistic
    print(f"{tau:.17g}")


if __name__ == "__main__":
    main()
