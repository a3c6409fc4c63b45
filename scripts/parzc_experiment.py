#!/usr/bin/python3
"""ParZC against the GP against a random forest, side by side on the same splits (docs/parzc.md).

For every train size and seed:
  1. `zcgp evolve` over the cache's node-wise statistics (--terminals raw) on a table of the cache's
     architectures (its ids are the cache keys, the target NB201 test accuracy): its seeded split is the split
     every other column uses (result.json per_task[0].train_keys);
  2. `zcgp evolve` over the cached proxies of the same table (--terminals cached), same seed, same split;
     its best_handcrafted is the best hand-crafted proxy chosen on train;
  3. `zcgp parzc train --train-keys` with --loss diffkendall, mse and both;
  4. a 300-tree random forest (scikit-learn) on the flattened node-wise statistics (the same 98-slot layout,
     asinh), trained on the same train keys;
  5. as a control, ParZC with the train labels shuffled.
Held-out = every other architecture of the cache. Writes runs.csv and summary.md into --out; run again into the
same --out, it keeps runs.csv's rows and runs only the sizes and seeds not in it (an interrupted grid resumes).

  /usr/bin/python3 scripts/parzc_experiment.py --stats CACHE --out DIR [--sizes 78,156,469] [--seeds 0-4]
      [--epochs 30] [--samples 8] [--zcgp build/release/experiments/zcgp] [--data data]
"""
import argparse, csv, json, math, os, struct, subprocess, sys, time

import numpy as np
from scipy.stats import kendalltau, spearmanr
from sklearn.ensemble import RandomForestRegressor

KINDS = ["grad_l2", "snip_layer", "synflow_layer"]


def read_cache(path):
    b = open(path, "rb").read()
    assert b[:8] == b"ZCGPSTAT" and struct.unpack("<Q", b[8:16])[0] == 1, path
    h_len = struct.unpack("<Q", b[16:24])[0]
    h = json.loads(b[24:24 + h_len])
    base = 24 + h_len
    arrays = {a["name"]: a for a in h["arrays"]}

    def load(name):
        a = arrays[name]
        return np.frombuffer(b, "<f8" if a["dtype"] == "<f8" else "<u8", a["count"], base + a["offset"])

    n = h["architecture_count"]
    proxies = load("proxies").reshape(len(h["proxies"]), n)
    stats = {s["name"]: (load(f"statistics/{s['name']}/offsets"), load(f"statistics/{s['name']}/values"))
             for s in h["statistics"]}
    return h, [p["name"] for p in h["proxies"]], proxies, stats


def layer_slots(key):
    """The 98 fixed slots of an NB201 cell's layers (as zcgp::proxy_cache::parzc::nb201LayerSlots)."""
    ops = [int(t) for t in key.strip("()").split(",")]
    slots, nxt = [0], 1
    for c in range(15):
        slots += [nxt + e for e in range(6) if ops[e] in (2, 3)]
        nxt += 6
        if c in (4, 9):
            slots += [nxt, nxt + 1, nxt + 2]
            nxt += 3
    return slots + [nxt]


def nb201_string(key):
    names = ["skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3"]
    o = [names[int(t)] for t in key.strip("()").split(",")]
    # tuple edges by source (1<-0),(2<-0),(3<-0),(2<-1),(3<-1),(3<-2); the string by target
    return f"|{o[0]}~0|+|{o[1]}~0|{o[3]}~1|+|{o[2]}~0|{o[4]}~1|{o[5]}~2|"


def run(cmd, log):
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    log.write(f"$ {' '.join(cmd)}\n{p.stderr[-2000:]}\n({time.time() - t:.1f} s, exit {p.returncode})\n")
    log.flush()
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return time.time() - t


def write_summary(rows, sizes, out):
    """summary.md: mean ± std (number of seeds) of the held-out tau per method and train size."""
    methods = []
    for r in rows:
        if r["method"] not in methods:
            methods.append(r["method"])
    lines = ["| method | " + " | ".join(f"{n} train" for n in sizes) + " |",
             "| --- | " + " | ".join("---:" for _ in sizes) + " |"]
    for m in methods:
        cells = []
        for n in sizes:
            v = [float(r["test_tau"]) for r in rows if r["method"] == m and int(r["size"]) == n]
            cells.append(f"{np.mean(v):.3f} ± {np.std(v):.3f} ({len(v)})" if v else "")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    summary = "\n".join(lines) + "\n"
    open(os.path.join(out, "summary.md"), "w").write(summary)
    print(summary)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stats", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="78,156,469")
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--population", type=int, default=100)
    ap.add_argument("--generations", type=int, default=50)
    ap.add_argument("--evolve-arg", action="append", default=[],
                    help="one more flag (or value) for every zcgp evolve run; repeat it (the config's evolve_args)")
    ap.add_argument("--zcgp", default="build/release/experiments/zcgp")
    ap.add_argument("--data", default="data")
    ap.add_argument("--summarize", action="store_true", help="only rewrite summary.md from an existing runs.csv")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    if a.summarize:
        write_summary(list(csv.DictReader(open(os.path.join(a.out, "runs.csv")))), sizes, a.out)
        return
    lo, _, hi = a.seeds.partition("-")
    seeds = list(range(int(lo), int(hi or lo) + 1))
    os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, "commands.log"), "a")
    stats_path = os.path.abspath(a.stats)

    header, proxy_names, proxies, stats = read_cache(stats_path)
    keys = header["architectures"]
    acc = {}
    with open(os.path.join(a.data, "nb201", "nb201_test_accuracy_200ep.csv")) as f:
        for row in csv.DictReader(f):
            acc[row["ArchitectureString"]] = float(row["CIFAR10TestAccuracy200Epochs"])
    y = np.array([acc[nb201_string(k)] for k in keys])
    # the evolve table: id = cache key, target = accuracy, the gathered (non-NaN) proxies as columns
    kept = [i for i, p in enumerate(proxy_names) if not np.isnan(proxies[i]).any()]
    table = os.path.join(a.out, "parzc_archs.csv")
    with open(table, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", "accuracy"] + [proxy_names[i] for i in kept])
        for j, k in enumerate(keys):
            w.writerow([k, repr(y[j])] + [repr(proxies[i][j]) for i in kept])
    # flattened node-wise statistics for the forest, in ParZC's slot layout
    X = np.zeros((len(keys), 98 * len(KINDS)))
    for j, k in enumerate(keys):
        slots = layer_slots(k)
        for c, name in enumerate(KINDS):
            off, val = stats[name]
            X[j, c * 98 + np.array(slots)] = val[off[j]:off[j + 1]]
    X = np.arcsinh(X)
    index = {k: j for j, k in enumerate(keys)}

    # resume: the rows of an earlier invocation into the same --out are kept, and a (size, seed) whose rows are
    # already in runs.csv is not run again (a size and seed is written to runs.csv only once all its columns are done)
    runs_csv = os.path.join(a.out, "runs.csv")
    settings = dict(stats=stats_path, epochs=a.epochs, samples=a.samples, population=a.population,
                    generations=a.generations)
    settings_file = os.path.join(a.out, "settings.json")
    if os.path.exists(runs_csv) and os.path.exists(settings_file):
        before = json.load(open(settings_file))
        if before != settings:
            sys.exit(f"{a.out}: its runs.csv was made with {before}, this command has {settings}; "
                     "use another --out to start over")
    json.dump(settings, open(settings_file, "w"))
    rows = list(csv.DictReader(open(runs_csv))) if os.path.exists(runs_csv) else []
    done = {(int(r["size"]), int(r["seed"])) for r in rows}
    for seed in seeds:
        for n in sizes:
            tag = f"n{n}-seed{seed}"
            if (n, seed) in done:
                print(f"{tag}: already in runs.csv", flush=True)
                continue
            base = [a.zcgp]
            common = ["--table", table, "--target", "accuracy", "--id", "arch", "--train-archs", str(n),
                      "--seed", str(seed), "--population", str(a.population), "--generations", str(a.generations),
                      "--threads", "1", "--quiet", "--force", "--data", a.data] + a.evolve_arg
            raw_dir = os.path.join(a.out, tag, "evolve_raw")
            t = run(base + ["evolve"] + common + ["--stats", stats_path, "--allow-stats-mismatch", "--terminals", "raw",
                                                  "--out", raw_dir], log)
            raw = json.load(open(os.path.join(raw_dir, "result.json")))
            train_keys = raw["per_task"][0]["train_keys"]
            keys_file = os.path.join(a.out, tag, "train_keys.txt")
            open(keys_file, "w").write("\n".join(train_keys) + "\n")
            rows.append(dict(size=n, seed=seed, method="evolve raw statistics", test_tau=raw["test_tau"], seconds=t,
                             detail=raw["formula"]))
            cached_dir = os.path.join(a.out, tag, "evolve_cached")
            t = run(base + ["evolve"] + common + ["--out", cached_dir], log)
            cached = json.load(open(os.path.join(cached_dir, "result.json")))
            assert cached["per_task"][0]["train_keys"] == train_keys, "evolve runs of one seed must share the split"
            rows.append(dict(size=n, seed=seed, method="evolve cached proxies", test_tau=cached["test_tau"], seconds=t,
                             detail=cached["formula"]))
            hc = cached.get("best_handcrafted")
            if hc:
                rows.append(dict(size=n, seed=seed, method="best hand-crafted (chosen on train)",
                                 test_tau=hc["test_tau"], seconds=0, detail=hc["name"]))
            for loss, extra in [("diffkendall", []), ("mse", []), ("both", []), ("diffkendall", ["--shuffle-labels"])]:
                d = os.path.join(a.out, tag, "parzc_" + loss + ("_shuffled" if extra else ""))
                t = run(base + ["parzc", "train", "--task", "nb201/cifar10", "--stats", stats_path, "--train-keys",
                                keys_file, "--seed", str(seed), "--loss", loss, "--epochs", str(a.epochs),
                                "--samples", str(a.samples), "--device", "cpu", "--threads", "1", "--quiet", "--force",
                                "--out", d, "--data", a.data] + extra, log)
                r = json.load(open(os.path.join(d, "result.json")))
                rows.append(dict(size=n, seed=seed, method=f"ParZC {loss}" + (" (shuffled labels)" if extra else ""),
                                 test_tau=r["test_tau"], seconds=t,
                                 detail=f"std~|rank error| spearman {r['test_uncertainty_spearman']}"))
            tr = np.array([index[k] for k in train_keys])
            te = np.array(sorted(set(range(len(keys))) - set(tr.tolist())))
            t0 = time.time()
            rf = RandomForestRegressor(n_estimators=300, random_state=seed, n_jobs=1).fit(X[tr], y[tr])
            tau = kendalltau(rf.predict(X[te]), y[te]).correlation
            rows.append(dict(size=n, seed=seed, method="random forest on flattened statistics", test_tau=tau,
                             seconds=time.time() - t0, detail=""))
            with open(runs_csv, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
                w.writeheader()
                w.writerows(rows)
            print(f"{tag}: done", flush=True)

    write_summary(rows, sizes, a.out)


if __name__ == "__main__":
    main()
