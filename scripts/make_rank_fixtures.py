#!/usr/bin/python3
"""Write tests/fixtures/rank_statistics.json: random vectors with ties and NaNs, and scipy's statistics on them.

Missing values are pairwise-complete (scipy's nan_policy='omit'): each statistic is computed by scipy on the pairs
where neither x nor y is NaN. NaN (inputs and results) is stored as null. Uses Debian's python3-scipy:

    /usr/bin/python3 scripts/make_rank_fixtures.py
"""
import json
import math
import pathlib
import warnings

import numpy as np
import scipy
from scipy import stats

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "rank_statistics.json"


def nan_to_none(values):
    return [None if math.isnan(v) else float(v) for v in values]


def scipy_stats(x, y):
    keep = ~(np.isnan(x) | np.isnan(y))
    cx, cy = x[keep], y[keep]
    if cx.size < 2:
        return math.nan, math.nan, math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kendall = float(stats.kendalltau(cx, cy, variant="b")[0])
        spearman = float(stats.spearmanr(cx, cy)[0])
        pearson = float(stats.pearsonr(cx, cy)[0])
        # Sanity check: explicit masking is what nan_policy='omit' means for kendalltau.
        if np.isnan(x).any() or np.isnan(y).any():
            omitted = float(stats.kendalltau(x, y, variant="b", nan_policy="omit")[0])
            assert (math.isnan(omitted) and math.isnan(kendall)) or abs(omitted - kendall) < 1e-12, (omitted, kendall)
    return kendall, spearman, pearson


def main():
    rng = np.random.default_rng(20240601)
    cases = []

    def add(name, x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        kendall, spearman, pearson = scipy_stats(x, y)
        cases.append({"name": name, "x": nan_to_none(x), "y": nan_to_none(y),
                      "kendall": None if math.isnan(kendall) else kendall,
                      "spearman": None if math.isnan(spearman) else spearman,
                      "pearson": None if math.isnan(pearson) else pearson})

    for n in (2, 3, 4, 5, 8, 13, 30, 100, 257):
        for levels in (2, 3, 5, 20):
            x = rng.integers(0, levels, n).astype(float)
            y = (x * rng.integers(-1, 2) + rng.integers(0, levels, n)).astype(float)
            add(f"ties n={n} levels={levels}", x, y)
            xn, yn = x.copy(), y.copy()
            xn[rng.random(n) < 0.15] = np.nan
            yn[rng.random(n) < 0.15] = np.nan
            add(f"ties+nan n={n} levels={levels}", xn, yn)
        x = rng.normal(size=n)
        add(f"continuous n={n}", x, 0.5 * x + rng.normal(size=n))
    add("constant x", [1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0])
    add("all nan", [math.nan] * 4, [1.0, 2.0, 3.0, 4.0])
    add("one complete pair", [1.0, math.nan, 3.0], [1.0, 2.0, math.nan])
    add("reversed", [1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 4.0, 3.0, 2.0, 1.0])

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "scripts/make_rank_fixtures.py", "scipy": scipy.__version__,
                               "cases": cases}, allow_nan=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
