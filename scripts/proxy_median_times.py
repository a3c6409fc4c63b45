#!/usr/bin/env python3
"""Median recorded compute time (the suite's "time", seconds) of every proxy of one task of a
NAS-Bench-Suite-Zero zc_*.json file, as JSON {proxy: median}. The independent reference of zcgp's formula cost
(tests/engine/cli_cost.cpp).  usage: proxy_median_times.py zc_nasbench201.json cifar10"""
import json
import statistics
import sys

records = json.load(open(sys.argv[1]))[sys.argv[2]]
times = {}
for rec in records.values():
    for proxy, value in rec.items():
        if isinstance(value, dict) and isinstance(value.get("time"), (int, float)) and value["time"] >= 0:
            times.setdefault(proxy, []).append(float(value["time"]))
print(json.dumps({p: statistics.median(t) for p, t in sorted(times.items())}))
