#!/usr/bin/python3
"""Write tests/fixtures/weighted_tau.json: random (scores, truth) pairs with ties, and scipy's weighted tau on them.

The weights are the ones zcgp's fitness::WeightedTau uses: element i gets rank r_i = the number of elements with a
strictly larger truth (0 for the best, shared by ties), weight 1 / (1 + r_i) (scipy's default hyperbolic weigher),
and a pair the sum of its two weights (additive=True). scipy computes it as
stats.weightedtau(scores, truth, rank=r). An undefined tau (constant scores or truth) is stored as null. Uses
Debian's python3-scipy:

    /usr/bin/python3 scripts/make_weighted_tau_fixtures.py
"""
import json
import math
import pathlib
import warnings

import numpy as np
import scipy
from scipy import stats

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "weighted_tau.json"


def case(rng, n, score_levels, truth_levels):
    def draw(levels):
        return rng.integers(0, levels, n).astype(float) if levels else rng.normal(size=n)
    scores, truth = draw(score_levels), draw(truth_levels)
    ranks = np.array([int(np.sum(truth > t)) for t in truth])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tau = float(stats.weightedtau(scores, truth, rank=ranks)[0])
    return {"name": f"n={n} score_levels={score_levels} truth_levels={truth_levels}", "scores": scores.tolist(),
            "truth": truth.tolist(), "ranks": ranks.tolist(), "weighted_tau": None if math.isnan(tau) else tau}


def main():
    rng = np.random.default_rng(20261201)
    cases = [case(rng, n, s, t) for n in (2, 3, 7, 30, 100) for s in (0, 1, 3) for t in (0, 4) for _ in range(2)]
    OUT.write_text(json.dumps({"generator": "scripts/make_weighted_tau_fixtures.py", "scipy": scipy.__version__,
                               "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
