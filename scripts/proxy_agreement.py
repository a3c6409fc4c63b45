#!/usr/bin/env python3
"""Agreement of zcgp's native proxies with the stored NAS-Bench-Suite-Zero scores (docs/proxies.md).

Reads `zcgp score --json` output (JSON lines) for two seeds over the same NB201 architectures and prints a
markdown table: per proxy, Spearman between zcgp (first seed) and the stored scores, zcgp's self-agreement
between the two seeds (the ceiling), and the target. A second table compares Spearman with NB201's 200-epoch
test accuracy (keyed by arch string) for zcgp's and the stored scores over the same architectures.

usage: proxy_agreement.py RUN_SEED_A.jsonl RUN_SEED_B.jsonl [--data data] [--task cifar10]
"""
import argparse
import csv
import json

from scipy.stats import spearmanr

PROXIES = ["epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "params", "plain",
           "snip", "synflow", "zen"]
HIGH_TARGET = {"params", "flops", "synflow", "l2_norm"}
ACC_COLUMN = {"cifar10": "CIFAR10TestAccuracy200Epochs", "cifar100": "CIFAR100TestAccuracy200Epochs",
              "ImageNet16-120": "ImageNetTestAccuracy200Epochs"}


def load_run(path):
    rows = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                rows[r["arch"]] = r
    return rows


def rho(a, b):
    return float(spearmanr(a, b)[0]) if len(a) > 2 else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_a")
    ap.add_argument("run_b")
    ap.add_argument("--data", default="data")
    ap.add_argument("--task", default="cifar10")
    args = ap.parse_args()
    a, b = load_run(args.run_a), load_run(args.run_b)
    with open(f"{args.data}/nbsz/zc_nasbench201.json") as f:
        stored = json.load(f)[args.task]  # Python's json accepts the -Infinity tokens
    acc = {}
    with open(f"{args.data}/nb201/nb201_test_accuracy_200ep.csv") as f:
        for r in csv.DictReader(f):
            acc[r["ArchitectureString"]] = float(r[ACC_COLUMN[args.task]])
    archs = [k for k in a if k in stored]
    both = [k for k in archs if k in b]
    meta = next(iter(a.values()))
    print(f"{len(archs)} NB201 {args.task} architectures (seed {meta['seed']}, batch {meta['batch']}, "
          f"{meta['device']}); self-agreement over the {len(both)} also scored with seed "
          f"{next(iter(b.values()))['seed']}.\n")
    print("| proxy | Spearman vs stored | archs | self-agreement (2 seeds) | target | met |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for p in PROXIES:
        have = [k for k in archs if p in stored[k] and p in a[k]["proxies"]]  # a few records lack a proxy
        vs = rho([a[k]["proxies"][p] for k in have], [stored[k][p]["score"] for k in have]) if have else float("nan")
        self_ = rho([a[k]["proxies"][p] for k in both], [b[k]["proxies"][p] for k in both])
        if p in HIGH_TARGET:
            target, met = ">= 0.95", vs >= 0.95
        else:
            target, met = ">= 0.8 or within 0.05 of self", vs >= 0.8 or vs >= self_ - 0.05
        shown = f"{vs:.3f}" if have else "n/a (not stored)"
        print(f"| {p} | {shown} | {len(have)} | {self_:.3f} | {target} | {'yes' if have and met else ('-' if not have else 'no')} |")
    print("\n| proxy | zcgp vs test accuracy | stored vs test accuracy | difference | within 0.05 | archs |")
    print("| --- | ---: | ---: | ---: | --- | ---: |")
    for p in ["nwot", "synflow", "jacov", "snip", "grad_norm", "fisher", "grasp", "epe_nas", "l2_norm", "plain",
              "params", "flops", "zen"]:
        have = [k for k in archs if a[k]["arch_string"] in acc]
        with_stored = [k for k in have if p in stored[k]]  # a few records lack a proxy
        if with_stored:
            z = rho([a[k]["proxies"][p] for k in with_stored], [acc[a[k]["arch_string"]] for k in with_stored])
            s = rho([stored[k][p]["score"] for k in with_stored], [acc[a[k]["arch_string"]] for k in with_stored])
            print(f"| {p} | {z:.3f} | {s:.3f} | {z - s:+.3f} | {'yes' if abs(z - s) <= 0.05 else 'no'} "
                  f"| {len(with_stored)} |")
        else:
            z = rho([a[k]["proxies"][p] for k in have], [acc[a[k]["arch_string"]] for k in have])
            print(f"| {p} | {z:.3f} | n/a (not stored) | | | {len(have)} |")
    secs = [r["seconds"] for r in a.values()]
    print(f"\nmean seconds per architecture (seed {meta['seed']} run): {sum(secs) / len(secs):.2f}")


if __name__ == "__main__":
    main()
