"""The data and splits of the Python baselines, taken from zcgp itself so that every column is measured on the
same architectures and the same train split as `zcgp evolve`:

- `zcgp features --task T --kind proxies --format json`: the architectures and usable proxies zcgp evolve keeps
  (its missing-value policy), raw, with the target (negated for a lower-is-better one);
- `zcgp features --task T --kind graph --format json`: the graph features (zcgp's ArchitectureGraph library; they are
  not computed again here);
- the train split: `--split RESULT.json` (per_task[].train_keys of a zcgp evolve run on the task) or
  `--train-keys FILE` (one architecture key per line); without either, a seeded numpy permutation (not paired).
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np


def add_arguments(ap):
    ap.add_argument("--data", default=os.environ.get("ZCGP_DATA", "data"))
    ap.add_argument("--zcgp", default=os.environ.get("ZCGP_BINARY", ""),
                    help="the zcgp binary (default: $ZCGP_BINARY, build/release/experiments/zcgp, or zcgp on PATH)")
    ap.add_argument("--split", default="", help="a zcgp evolve result.json: train on its per_task train_keys")
    ap.add_argument("--train-keys", default="", help="a file of train architecture keys, one per line")
    ap.add_argument("--exclude", action="append", default=[], help="a proxy dropped, as zcgp evolve --exclude")
    ap.add_argument("--proxies-json", default="",
                    help="read the proxies from this saved `zcgp features --kind proxies --format json` output instead "
                         "of running zcgp (experiments/bench/evolve_vs_deap.sh: keeps a zcgp process out of DEAP's time)")


def zcgp_binary(given):
    if given:
        return given
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(here, "..", "build", "release", "experiments", "zcgp")
    if os.path.exists(built):
        return built
    found = shutil.which("zcgp")
    if found:
        return found
    sys.exit("baseline: no zcgp binary (build it, or pass --zcgp / set ZCGP_BINARY)")


def features(args, task, kind):
    if kind == "proxies" and getattr(args, "proxies_json", ""):
        with open(args.proxies_json) as f:
            return json.load(f)
    cmd = [zcgp_binary(args.zcgp), "features", "--task", task, "--kind", kind, "--format", "json", "--data", args.data]
    for e in args.exclude:
        cmd += ["--exclude", e]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"baseline: {' '.join(cmd)} failed: {run.stderr.strip()}")
    return json.loads(run.stdout)


def load(args, task, graph=False):
    """keys, proxy names, raw proxies (n x p), target (n), graph names, graph features (n x g or None)."""
    rows = features(args, task, "proxies")
    keys = list(rows)
    names = [c for c in next(iter(rows.values())) if c != "target"]
    X = np.array([[rows[k][c] for c in names] for k in keys], dtype=float)
    y = np.array([rows[k]["target"] for k in keys], dtype=float)
    gnames, G = [], None
    if graph:
        g = features(args, task, "graph")
        gnames = list(next(iter(g.values())))
        G = np.array([[g[k][c] for c in gnames] for k in keys], dtype=float)
    return keys, names, X, y, gnames, G


def split(args, task, keys, train_archs, seed):
    """(train indices, test indices, how the split was chosen). Every key of a given split must be a task key."""
    index = {k: i for i, k in enumerate(keys)}
    train_keys = None
    if args.split:
        result = json.load(open(args.split))
        per_task = [t for t in result.get("per_task", []) if t.get("task") == task]
        if not per_task or not per_task[0].get("train_keys"):
            sys.exit(f"baseline: {args.split} has no train_keys for task {task}")
        train_keys, source = per_task[0]["train_keys"], f"train_keys of {args.split}"
    elif args.train_keys:
        train_keys = [line.strip() for line in open(args.train_keys) if line.strip()]
        source = f"keys of {args.train_keys}"
    if train_keys is not None:
        missing = [k for k in train_keys if k not in index]
        if missing:
            sys.exit(f"baseline: {source}: architecture '{missing[0]}' is not one of task {task}'s")
        train = np.array(sorted(index[k] for k in set(train_keys)))
    else:
        if train_archs >= len(keys):
            sys.exit(f"baseline: --train-archs {train_archs} must be below the {len(keys)} architectures of {task}")
        rng = np.random.RandomState(seed)
        train = np.sort(rng.permutation(len(keys))[:train_archs])
        source = f"numpy permutation, seed {seed} (not zcgp's split)"
    test = np.setdiff1d(np.arange(len(keys)), train)
    return train, test, source


def signed_log(X):
    """sign(x) log(1 + |x|): the ridge's transform of raw proxies (fitted on nothing)."""
    return np.sign(X) * np.log1p(np.abs(X))


def logz(X):
    """zcgp's --normalize logz per column, fitted without labels on all architectures (the DEAP pipeline)."""
    out = np.empty_like(X)
    for c in range(X.shape[1]):
        x = X[:, c]
        y = np.log(x) if x.min() > 0 else np.arcsinh(x / (np.median(np.abs(x)) or 1.0))
        sd = y.std()
        out[:, c] = (y - y.mean()) / (sd if sd > 0 else 1.0)
    return out
