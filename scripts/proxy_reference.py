#!/usr/bin/python3
"""Write the PyTorch reference for zcgp's NB201 proxies (--out): the 13 NAS-Bench-Suite-Zero proxies of a few NB201
architectures, computed independently in PyTorch (Debian's python3-torch), on the same weights and inputs as
zcgp's native scorer. tests/proxy_cache/torch/ProxyReferenceTest.cpp runs it on the machine it tests (float32
gradients depend on the CPU's kernels: tests/proxy_cache/torch/ProxyReference.hpp) and compares zcgp's values.

The network and the proxy definitions are those of experiments/bench/pytorch_proxies.py (NASLib's way: every proxy
on its own copy of the network with its own passes); this script only feeds them zcgp's inputs:

- weights: torch.manual_seed(seed) before the network is built, in the same construction order as zcgp's
  Nb201Network (stem; per stage the reduction block's conv_a, conv_b, shortcut conv, then the 5 cells' conv edges in
  NASLib tuple order; classifier) and with the same default initialisation of the same LibTorch 1.13, so the
  weights are the same tensors; l2_norm, a function of the weights alone, checks it;
- inputs: zcgp draws its batch's crops and flips with std::mt19937_64, which Python cannot reproduce without copying
  libstdc++'s distributions, so the batch is read from a dump that zcgp writes (the hidden test
  "[proxy-reference-inputs]"): int64 N, C, H, W, then N*C*H*W float32 images, then N int64 labels (little-endian).
  The fixture records a fingerprint of that batch, which the test checks before comparing proxies.

    cmake --build build/release --target zcgp_test_proxy_cache
    build/release/tests/zcgp_test_proxy_cache "[proxy-reference-inputs]"
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OMP_NUM_THREADS=1 \\
        /usr/bin/python3 scripts/proxy_reference.py \\
        --batch-file build/release/proxy_reference/nb201_cifar10_b8_seed0.bin --out reference.json

Besides each proxy the output stores, for plain and grasp (sums of signed terms that largely cancel), the sum of
the terms' absolute values: float32 rounding is relative to the terms, so the test scales its tolerance by it.
"""
import argparse
import copy
import importlib.util
import json
import math
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Every op, 0 to 6 conv edges; the last cell (every edge 'none') has no path from input to output, and four of its
# proxies are non-finite (stored as -1e8): the sentinel convention is compared too.
ARCHS = ["(0, 2, 3, 2, 3, 1)", "(2, 3, 4, 0, 2, 1)", "(4, 4, 4, 4, 4, 4)", "(2, 2, 2, 2, 2, 2)", "(3, 0, 1, 4, 3, 2)",
         "(1, 1, 1, 1, 1, 1)"]


def load_bench():
    spec = importlib.util.spec_from_file_location("pytorch_proxies", ROOT / "experiments" / "bench" / "pytorch_proxies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_batch(path):
    raw = pathlib.Path(path).read_bytes()
    n, c, h, w = np.frombuffer(raw, dtype="<i8", count=4)
    count = int(n * c * h * w)
    images = np.frombuffer(raw, dtype="<f4", count=count, offset=32).reshape(int(n), int(c), int(h), int(w))
    labels = np.frombuffer(raw, dtype="<i8", count=int(n), offset=32 + 4 * count)
    if len(raw) != 32 + 4 * count + 8 * int(n):
        sys.exit(f"{path}: {len(raw)} bytes, expected {32 + 4 * count + 8 * int(n)} for a batch of {n}x{c}x{h}x{w}")
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.copy())


def fingerprint(x, y):
    """Per sample: the sum of its values and the sum weighted by column index (catches flips and shifted crops)."""
    xd = x.double()
    cols = torch.arange(x.shape[3], dtype=torch.float64)
    return {"labels": [int(v) for v in y],
            "sample_sum": [float(v) for v in xd.sum((1, 2, 3))],
            "sample_column_weighted_sum": [float(v) for v in (xd * cols).sum((1, 2, 3))]}


def score(fn, net, x, y):
    # On a cell whose every path is 'none', numpy's eigvalsh raises on the NaN correlation matrix of the zero
    # Jacobian (jacov) and math.log raises on zen's zero feature difference, where zcgp gets NaN and -inf:
    # both sides have a non-finite score
    try:
        return float(fn(net, x, y))
    except (np.linalg.LinAlgError, ValueError):
        return math.nan


def grasp_abs_terms(bench, net, x, y):
    """sum |W * Hg| of GraSP's terms (grasp itself is sum -W * Hg), computed like bench.p_grasp."""
    ws = [m.weight for m in bench.weight_layers(net)]
    g = torch.autograd.grad(F.cross_entropy(net(x), y), ws)
    gf = torch.autograd.grad(F.cross_entropy(net(x), y), ws, create_graph=True)
    z = sum((a.detach() * b).sum() for a, b in zip(g, gf))
    hg = torch.autograd.grad(z, ws)
    return sum((w * h).abs().sum().item() for w, h in zip(ws, hg))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch-file", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--arch", action="append", help=f"NASLib tuple (repeatable; default {ARCHS})")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    bench = load_bench()
    x, y = read_batch(args.batch_file)
    if x.shape[1:] != (3, 32, 32):
        sys.exit(f"{args.batch_file}: only CIFAR-10 (3x32x32) batches are supported, got {tuple(x.shape[1:])}")
    archs = args.arch or ARCHS
    rows = []
    for arch in archs:
        ops = [int(t) for t in arch.strip("()").split(",")]
        torch.manual_seed(args.seed)
        net = bench.Nb201(ops, 10)
        net.train()
        proxies = {name: score(fn, copy.deepcopy(net), x, y) for name, fn in bench.PROXIES.items()}
        # zcgp (and NASLib's ZeroCost predictor) stores a non-finite score as -1e8
        proxies = {k: (v if math.isfinite(v) else -1e8) for k, v in proxies.items()}
        scale = {"plain": proxies["snip"], "grasp": grasp_abs_terms(bench, copy.deepcopy(net), x, y)}
        rows.append({"arch": arch, "proxies": proxies, "abs_terms": scale})
        print(f"{arch}: done", file=sys.stderr)
    out = {
        "generator": "scripts/proxy_reference.py",
        "blas": bench.blas_family(),
        "command": " ".join(sys.argv),
        "torch": torch.__version__,
        "space": "nb201", "dataset": "cifar10", "batch": int(x.shape[0]), "seed": args.seed,
        "batch_fingerprint": fingerprint(x, y),
        "archs": rows,
    }
    pathlib.Path(args.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
