#!/usr/bin/env python3
# %% [markdown]
# # Evolving a zero-cost proxy with zcgp, from Python
#
# A notebook-style script (cells marked `# %%`, so VS Code and Jupytext open it as a notebook); it also runs top to
# bottom as a plain script:
#
#     PYTHONPATH=build/release/python python3 examples/evolve_a_proxy.py [--data data] [--out examples-out]
#
# It loads a NAS-Bench-201 task, looks at the hand-crafted proxies, evolves a formula on 100 train architectures,
# plots its Pareto front (size against train and held-out Kendall tau) to pareto.png, exports it as C++, evaluates
# it on the raw scores of every architecture, and (where zcgp was built with LibTorch) scores a new architecture.
import argparse
import os
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY") and "ipykernel" not in sys.modules:
    matplotlib.use("Agg")  # no display: render to files only
import matplotlib.pyplot as plt
import numpy as np

import zcgp

in_notebook = "ipykernel" in sys.modules
ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.environ.get("ZCGP_DATA", "data"))
ap.add_argument("--out", default="examples-out")
args = ap.parse_args([] if in_notebook else None)
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
print("zcgp", zcgp.__version__)

# %% [markdown]
# ## A task and its hand-crafted proxies
# `load_task` gives every architecture of the task with its cached proxy scores (NaN where the benchmark has none)
# and its accuracy.

# %%
task = zcgp.load_task("nb201/cifar10", data=args.data)
print(task)
for name, scores in sorted(task.proxies.items()):
    ok = ~np.isnan(scores)
    print(f"  {name:<10} Kendall tau {zcgp.kendall_tau(scores[ok], task.accuracy[ok]):+.3f} on {ok.sum()} archs")

# %% [markdown]
# ## Evolve a formula
# The options are `zcgp evolve`'s flags in snake_case, with the same defaults; this is the paper budget. The formula
# is written over logz-transformed terminals (`result.report["normalize"]`), fitted without labels.

# %%
result = zcgp.evolve(task="nb201/cifar10", data=args.data, train_archs=100, population=100, generations=50, seed=0)
print(result)
h = result.best_handcrafted
print(f"best hand-crafted proxy (chosen on the train architectures): {h['name']}, held-out tau {h['test_tau']:.4f}")

# %% [markdown]
# ## The Pareto front: formula size against train tau (and held-out tau, from result.json)

# %%
front = result.report["pareto"]
sizes = [p["size"] for p in front]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(sizes, [p["train_tau"] for p in front], "o-", label="train tau (100 architectures)")
ax.plot(sizes, [p["test_tau"] for p in front], "s--", label=f"held-out tau ({result.report['per_task'][0]['test_archs']})")
ax.axhline(h["test_tau"], color="grey", lw=0.8, label=f"best hand-crafted ({h['name']}), held-out")
ax.set_xlabel("formula size (nodes)")
ax.set_ylabel("Kendall tau")
ax.set_title("nb201/cifar10: Pareto front of one run (seed 0)")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out / "pareto.png", dpi=120)
print(f"wrote {out / 'pareto.png'}")
for size, formula, train_tau in result.pareto:
    print(f"  size {size:>2}  train tau {train_tau:.4f}  {formula}")

# %% [markdown]
# ## Export it as C++, and evaluate a formula on raw scores
# `to_cpp()` is the header `zcgp export --run` writes: one inline function of the raw proxy scores. `Formula`
# evaluates a formula over raw arrays with the engine's interpreter; with `normalize="none"` the evolved formula
# is over the raw scores themselves.

# %%
(out / "proxy.hpp").write_text(result.to_cpp())
print(f"wrote {out / 'proxy.hpp'}")
raw = zcgp.evolve(task="nb201/cifar10", data=args.data, normalize="none", terminals="cached", seed=0,
                   progress=False)
f = zcgp.Formula(raw.formula, terminals=list(task.proxies))
values = f(task.proxies)
ok = ~np.isnan(values)
print(f"{raw.formula}\n  over raw scores: Kendall tau {zcgp.kendall_tau(values[ok], task.accuracy[ok]):.4f} on all "
      f"{ok.sum()} scored architectures (held-out only: {raw.test_tau:.4f})")

# %% [markdown]
# ## Score a new architecture natively (builds with LibTorch)

# %%
try:
    scored = zcgp.score(space="nb201", dataset="cifar10", arch="(0, 2, 3, 2, 3, 1)", proxies=["synflow", "nwot"],
                        batch=16, data=args.data)
    print(f"{scored['arch']} on {scored['device']}: {scored['proxies']} ({scored['seconds']:.2f} s)")
except RuntimeError as e:  # a build without LibTorch
    print(f"score: {e}")
