#!/usr/bin/python3
"""DEAP tree-GP baseline with the same data, split, function set and budget as `zcgp evolve`.

Data: the architectures and usable proxies zcgp evolve keeps, read from `zcgp features --kind proxies`
(scripts/zcgp_data.py), each proxy transformed like zcgp's --normalize logz (log if all positive, else
asinh(x / median|x|); then z-score over all architectures). Split: the train architectures of a zcgp run
(--split RESULT.json) or a keys file (--train-keys), so the comparison is paired; else a seeded permutation.
Fitness: Kendall tau-b on the train architectures, evaluated (like zcgp) on every architecture so non-finite
formulas are rejected.
Function set: zcgp's scalar primitives with the same protected semantics. Budget: population x generations,
tournament selection, one-point subtree crossover 0.9, uniform subtree mutation 0.3, elitism 1 (HallOfFame),
height limit.

  /usr/bin/python3 scripts/deap_baseline.py --task nb201/cifar10 --seed 0 [--split runs/c10/result.json]
                   [--population 100 --generations 50] [--zcgp build/release/experiments/zcgp]
Prints one JSON object: formula, train_tau, test_tau, seconds (evolution only), evaluations.
"""
import argparse, json, math, operator, os, random, sys, time

import numpy as np
from deap import algorithms, base, creator, gp, tools
from scipy.stats import kendalltau

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zcgp_data  # noqa: E402

EPS = 1e-12


def pdiv(a, b):
    with np.errstate(all="ignore"):
        return np.where(np.abs(b) < EPS, 1.0, a / np.where(np.abs(b) < EPS, 1.0, b))


def build_pset(names):
    pset = gp.PrimitiveSet("MAIN", len(names))
    pset.renameArguments(**{f"ARG{i}": n for i, n in enumerate(names)})
    with np.errstate(all="ignore"):
        for f, k, nm in [(np.add, 2, "add"), (np.subtract, 2, "sub"), (np.multiply, 2, "mul"), (pdiv, 2, "div"),
                         (lambda a, b: a / np.sqrt(1 + b * b), 2, "aq"), (np.minimum, 2, "min"), (np.maximum, 2, "max"),
                         (np.negative, 1, "neg"), (np.abs, 1, "abs"),
                         (lambda a: np.log(np.maximum(np.abs(a), EPS)), 1, "log"), (lambda a: np.sqrt(np.abs(a)), 1, "sqrt"),
                         (np.square, 1, "square"), (lambda a: np.exp(np.minimum(a, 50.0)), 1, "exp"), (np.tanh, 1, "tanh"),
                         (lambda a: 1.0 / (1.0 + np.exp(-a)), 1, "sigmoid"), (lambda a: pdiv(1.0, a), 1, "inv"),
                         (lambda a: np.maximum(a, 0.0), 1, "relu")]:
            pset.addPrimitive(f, k, name=nm)
    pset.addEphemeralConstant("const", lambda: round(random.uniform(-2, 2), 3))
    return pset


def main():
    ap = argparse.ArgumentParser()
    zcgp_data.add_arguments(ap)
    ap.add_argument("--task", default="nb201/cifar10")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--population", type=int, default=100)
    ap.add_argument("--generations", type=int, default=50)
    ap.add_argument("--train-archs", type=int, default=100)
    ap.add_argument("--max-height", type=int, default=8)
    args = ap.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    keys, names, raw, acc, _, _ = zcgp_data.load(args, args.task)
    X = zcgp_data.logz(raw).T
    n = X.shape[1]
    train, test, split = zcgp_data.split(args, args.task, keys, args.train_archs, args.seed)
    pset = build_pset(names)
    creator.create("FitnessMax", base.Fitness, weights=(1.0,))
    creator.create("Individual", gp.PrimitiveTree, fitness=creator.FitnessMax)
    tb = base.Toolbox()
    tb.register("expr", gp.genHalfAndHalf, pset=pset, min_=1, max_=4)
    tb.register("individual", tools.initIterate, creator.Individual, tb.expr)
    tb.register("population", tools.initRepeat, list, tb.individual)
    tb.register("compile", gp.compile, pset=pset)
    evaluations = [0]

    def values(ind):
        f = tb.compile(expr=ind)
        with np.errstate(all="ignore"):
            v = f(*X)
        return np.broadcast_to(np.asarray(v, dtype=float), (n,))

    def evaluate(ind):
        evaluations[0] += 1
        v = values(ind)
        if not np.all(np.isfinite(v)) or v.min() == v.max():
            return (-1.0,)
        t = kendalltau(v[train], acc[train]).correlation
        return (t if np.isfinite(t) else -1.0,)

    tb.register("evaluate", evaluate)
    tb.register("select", tools.selTournament, tournsize=5)
    tb.register("mate", gp.cxOnePoint)
    tb.register("expr_mut", gp.genFull, min_=0, max_=2)
    tb.register("mutate", gp.mutUniform, expr=tb.expr_mut, pset=pset)
    limit = gp.staticLimit(key=operator.attrgetter("height"), max_value=args.max_height)
    tb.decorate("mate", limit)
    tb.decorate("mutate", limit)
    start = time.perf_counter()
    pop = tb.population(n=args.population)
    hof = tools.HallOfFame(1)
    algorithms.eaSimple(pop, tb, cxpb=0.9, mutpb=0.3, ngen=args.generations, halloffame=hof, verbose=False)
    seconds = time.perf_counter() - start
    best = hof[0]
    v = values(best)
    finite = bool(np.all(np.isfinite(v)))
    test_tau = kendalltau(v[test], acc[test]).correlation if finite else float("nan")
    print(json.dumps({"task": args.task, "seed": args.seed, "formula": str(best), "size": len(best),
                      "train_tau": best.fitness.values[0], "test_tau": test_tau, "finite_on_all_archs": finite,
                      "seconds": seconds, "evaluations": evaluations[0],
                      "node_evaluations": None, "proxies": names, "train_archs": len(train), "split": split}))


if __name__ == "__main__":
    main()
