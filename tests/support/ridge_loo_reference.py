#!/usr/bin/env python3
"""Independent reference for RidgeWeights' leave-one-out predictions (tests/experiments/ridge_loo.cpp).

Reads a CSV (task, y, x1..xK), and for every row refits the ridge explicitly on all the other rows and predicts the
left-out one. The model is the one RidgeWeights fits: the target of each task is its accuracy ranks (average ties)
centred and divided by the task's size; an unpenalised intercept; the penalty N*lambda*sd_k^2*w_k^2 on each raw
weight (N rows pooled over tasks, sd_k the population standard deviation of term k over all N rows), which is the
ridge on the standardised terms; a term constant over the rows is left out. Prints one prediction per row.
"""
import sys

import numpy as np
from scipy.stats import rankdata

rows = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
lam = float(sys.argv[2])
task, acc, X = rows[:, 0].astype(int), rows[:, 1], rows[:, 2:]
y = np.empty_like(acc)
for t in np.unique(task):
    m = task == t
    n = m.sum()
    y[m] = (rankdata(acc[m]) - (n + 1) / 2) / n
N = len(y)
sd = X.std(axis=0)
keep = sd > 1e-12 * np.max(np.abs(X.mean(axis=0)) + sd)
X, sd = X[:, keep], sd[keep]
A = np.hstack([np.ones((N, 1)), X])
P = np.diag(np.concatenate([[0.0], N * lam * sd**2]))
for i in range(N):
    o = np.arange(N) != i
    beta = np.linalg.solve(A[o].T @ A[o] + P, A[o].T @ y[o])
    print(repr(float(A[i] @ beta)))
