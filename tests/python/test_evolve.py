"""zcgp.evolve against the zcgp binary: same options, same result; the CLI's errors as ValueError."""
import json
import subprocess
import sys

import numpy as np
import pytest

import zcgp
from conftest import cli_json, run_cli

BUDGET = dict(train_archs=60, population=40, generations=8)


def cli_flags(**options):
    return [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]


@pytest.mark.parametrize("task,seed", [("nb201/cifar10", 3), ("tnb101_micro/room_layout", 11)])
def test_evolve_equals_cli(cli, data_dir, task, seed):
    expected = cli_json(cli, "evolve", "--task", task, "--data", data_dir, "--threads=1", f"--seed={seed}",
                        *cli_flags(**BUDGET), "--json", "--quiet")
    r = zcgp.evolve(task=task, data=data_dir, seed=seed, threads=1, progress=False, **BUDGET)
    assert r.formula == expected["formula"]
    assert r.size == expected["size"]
    # bit for bit: the same code ran on the same inputs
    assert r.train_tau == expected["train_tau"]
    assert r.test_tau == expected["test_tau"]
    assert r.test_spearman == expected["test_spearman"]
    assert r.train_archs == expected["per_task"][0]["train_keys"]
    assert r.pareto == [(p["size"], p["formula"], p["train_tau"]) for p in expected["pareto"]]
    assert r.best_handcrafted == expected["best_handcrafted"]
    assert [e["generation"] for e in r.log] == list(range(BUDGET["generations"] + 1))
    report = json.loads(r.to_json())
    assert report["per_task"][0]["test_archs"] == expected["per_task"][0]["test_archs"]


def test_options_map_to_flags(cli, data_dir):
    # lists repeat a repeatable flag (--task), and are comma lists otherwise (--proxies); floats round-trip
    options = dict(task=["nb201/cifar10", "nb201/cifar100"], proxies=["jacov", "nwot", "synflow", "zen"],
                   parsimony=0.0037, aggregate="worst", seed=5, **BUDGET)
    r = zcgp.evolve(data=data_dir, threads=1, progress=False, **options)
    expected = cli_json(cli, "evolve", "--task", "nb201/cifar10", "--task", "nb201/cifar100", "--data", data_dir,
                        "--proxies", "jacov,nwot,synflow,zen", "--parsimony", "0.0037", "--aggregate", "worst",
                        "--seed", "5", "--threads", "1", *cli_flags(**BUDGET), "--json", "--quiet")
    assert r.formula == expected["formula"]
    assert r.test_tau == expected["test_tau"]
    assert r.report["tasks"] == ["nb201/cifar10", "nb201/cifar100"]
    names = {t["name"].removesuffix("_r") for t in r.report["terminals"]}  # logz and robust views
    assert r.report["terminal_set"] == "cached,graph"  # the default (auto): NB201's graph features too
    assert {n for n in names if not n.startswith("graph_")} == {"jacov", "nwot", "synflow", "zen"}
    assert "graph_paths_conv3" in names


def test_early_stop_is_counted_as_the_cli_counts_it(cli, data_dir):
    # LPZero's early stop (issue 16): early_stop=4 is --early-stop 4, its rejections are in the report per rule
    r = zcgp.evolve(task="nb201/cifar10", data=data_dir, seed=2, threads=1, progress=False, early_stop=4, **BUDGET)
    expected = cli_json(cli, "evolve", "--task", "nb201/cifar10", "--data", data_dir, "--seed=2", "--threads=1",
                        "--early-stop=4", *cli_flags(**BUDGET), "--json", "--quiet")
    assert r.report["pruned"] == expected["pruned"]
    assert r.report["pruned"]["early_stop"] > 0
    assert r.formula == expected["formula"]


@pytest.mark.parametrize("python_options,cli_args", [
    (dict(population=1), ["--population=1"]),
    (dict(mutation_rate=1.5), ["--mutation-rate=1.5"]),
    (dict(populaton=50), ["--populaton=50"]),
    (dict(normalize="log"), ["--normalize=log"]),
])
def test_bad_option_raises_the_cli_message(cli, data_dir, python_options, cli_args):
    p = run_cli(cli, "evolve", "--task=nb201/cifar10", f"--data={data_dir}", *cli_args, "--quiet", check=False)
    assert p.returncode == 2
    line = p.stderr.strip().splitlines()[-1]
    assert line.startswith("zcgp: error: ")
    with pytest.raises(ValueError) as e:
        zcgp.evolve(task="nb201/cifar10", data=data_dir, progress=False, **python_options)
    assert str(e.value) == line[len("zcgp: error: "):]


def test_unknown_task_raises_the_cli_message(cli, data_dir):
    p = run_cli(cli, "evolve", "--task=nb201/cifar11", f"--data={data_dir}", "--quiet", check=False)
    with pytest.raises(ValueError) as e:
        zcgp.evolve(task="nb201/cifar11", data=data_dir, progress=False)
    assert str(e.value) == p.stderr.strip().splitlines()[-1][len("zcgp: error: "):]


def test_planted_signal_is_recovered():
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    n = 600
    x = rng.normal(size=n)
    y = x + 0.2 * rng.normal(size=n)  # tau(x, y) is about 0.87
    features = {"x": np.exp(x), "noise_a": rng.normal(size=n), "noise_b": rng.uniform(1, 2, size=n)}
    # normalize="none": the formula is over the raw arrays, so it can be re-evaluated here
    r = zcgp.evolve(features=features, target=y, normalize="none", train_archs=100, population=60, generations=15,
                    seed=0, threads=1, progress=False)
    assert r.test_tau > 0.8, r
    assert len(r.train_archs) == 100 and all(0 <= i < n for i in r.train_archs)
    held_out = np.setdiff1d(np.arange(n), r.train_archs)
    assert r.report["per_task"][0]["test_archs"] == len(held_out) == 500
    values = zcgp.Formula(r.formula, terminals=list(features))(features)
    assert scipy_stats.kendalltau(values[held_out], y[held_out])[0] == pytest.approx(r.test_tau, abs=1e-12)
    train = np.array(r.train_archs)
    assert scipy_stats.kendalltau(values[train], y[train])[0] == pytest.approx(r.train_tau, abs=1e-12)


def test_features_from_a_dataframe_equal_a_dict():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.normal(size=200), "b": rng.uniform(size=200)})
    y = df["a"] * 2 + rng.normal(size=200)
    r1 = zcgp.evolve(features=df, target=y.to_numpy(), generations=5, population=30, seed=1, threads=1, progress=False)
    r2 = zcgp.evolve(features={"a": df["a"].to_numpy(), "b": df["b"].to_numpy()}, target=y, generations=5,
                     population=30, seed=1, threads=1, progress=False)
    assert (r1.formula, r1.test_tau, r1.train_archs) == (r2.formula, r2.test_tau, r2.train_archs)


def test_features_with_out_keep_their_table_beside_the_run(cli, data_dir, tmp_path):
    rng = np.random.default_rng(5)
    x = rng.normal(size=150)
    out = tmp_path / "mine"
    r = zcgp.evolve(features={"x": x, "z": rng.normal(size=150)}, target=x + rng.normal(size=150), out=out,
                    generations=3, population=20, threads=1, progress=False)
    assert (tmp_path / "mine.features.csv").is_file() and (out / "result.json").is_file()
    # the kept run can be exported by the CLI later: its table is where options.json says
    assert r.to_cpp() == run_cli(cli, "export", "--run", str(out)).stdout


def test_to_cpp_is_the_export_header(cli, data_dir, tmp_path):
    out = tmp_path / "run"
    r = zcgp.evolve(task="nb201/cifar10", data=data_dir, out=out, seed=2, threads=1, progress=False, **BUDGET)
    assert (out / "result.json").exists()  # out= keeps the run's files
    header = run_cli(cli, "export", "--run", str(out), "--data", data_dir).stdout
    assert r.to_cpp() == header
    assert "inline double zc_proxy(" in header


def test_progress_callback_sees_every_generation(data_dir, monkeypatch):
    seen = []

    class Recorder:
        def __init__(self):
            pass

        def __call__(self, label, done, total, detail):
            seen.append((done, total))

        def close(self):
            pass

    monkeypatch.setattr(zcgp, "_Progress", Recorder)
    zcgp.evolve(task="nb201/cifar10", data=data_dir, seed=0, threads=1, progress=True, **BUDGET)
    assert seen[-1] == (BUDGET["generations"], BUDGET["generations"])
    assert [d for d, _ in seen] == list(range(BUDGET["generations"] + 1))


def test_an_exception_in_the_progress_callback_stops_the_run_and_leaves_nothing(data_dir, tmp_path, monkeypatch):
    class Stop(Exception):
        pass

    class Stopper:
        def __call__(self, label, done, total, detail):
            if done == 3:
                raise Stop("stopped at generation 3")

        def close(self):
            pass

    monkeypatch.setattr(zcgp, "_Progress", Stopper)
    out = tmp_path / "run"
    with pytest.raises(Stop, match="generation 3"):
        zcgp.evolve(task="nb201/cifar10", data=data_dir, out=out, progress=True, threads=1, **BUDGET)
    assert not out.exists()  # as the CLI after an error: a fresh run that fails leaves nothing behind


def test_ctrl_c_interrupts_a_long_run(data_dir, tmp_path):
    # SIGINT to a process inside zcgp.evolve: KeyboardInterrupt at the next generation, no run left behind
    code = f"""
import os, signal, threading, zcgp
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
try:
    zcgp.evolve(task="nb201/cifar10", data={data_dir!r}, generations=10**6, threads=1, out={str(tmp_path / 'run')!r},
                progress=False)
except KeyboardInterrupt:
    print("interrupted")
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.stdout.strip() == "interrupted", p.stderr
    assert not (tmp_path / "run").exists()


def test_progress_true_draws_a_tqdm_bar(data_dir, capfd):
    pytest.importorskip("tqdm")
    zcgp.evolve(task="nb201/cifar10", data=data_dir, seed=0, threads=1, progress=True, **BUDGET)
    err = capfd.readouterr().err
    assert f"{BUDGET['generations']}/{BUDGET['generations']}" in err and "gen" in err, err
    zcgp.evolve(task="nb201/cifar10", data=data_dir, seed=0, threads=1, progress=False, **BUDGET)
    assert capfd.readouterr().err == ""  # progress=False is silent


def test_table_with_id_and_exclude_equals_cli(cli, data_dir, tmp_path):
    t = zcgp.load_task("nb201/cifar10", data=data_dir)
    table = tmp_path / "mine.csv"
    with open(table, "w") as f:
        f.write("arch,synflow,nwot,jacov,time,acc\n")
        for i, key in enumerate(t.archs):
            cells = [t.proxies[p][i] for p in ("synflow", "nwot", "jacov")] + [float(i), t.accuracy[i]]
            f.write(f'"{key}",' + ",".join("" if np.isnan(v) else repr(float(v)) for v in cells) + "\n")
    expected = cli_json(cli, "evolve", "--table", str(table), "--target", "acc", "--id", "arch", "--exclude", "time",
                        "--seed=4", "--threads=1", *cli_flags(**BUDGET), "--json", "--quiet")
    r = zcgp.evolve(table=table, target="acc", id="arch", exclude="time", seed=4, threads=1, progress=False, **BUDGET)
    assert (r.formula, r.test_tau, r.train_archs) == (expected["formula"], expected["test_tau"],
                                                      expected["per_task"][0]["train_keys"])
    assert {x["name"].removesuffix("_r") for x in r.report["terminals"]} == {"synflow", "nwot", "jacov"}  # time excluded
    assert r.train_archs[0].startswith("(")  # the id column's keys


def test_ensemble_log_has_every_member(cli, data_dir):
    options = dict(ensemble=2, generations=3, population=20, seed=1, threads=1)
    r = zcgp.evolve(task="nb201/cifar10", data=data_dir, progress=False, **options)
    expected = cli_json(cli, "evolve", "--task=nb201/cifar10", f"--data={data_dir}", *cli_flags(**options), "--json",
                        "--quiet")
    assert r.formula == expected["formula"] and r.report["ensemble"] == 2
    assert [(e["member"], e["generation"]) for e in r.log] == [(m, g) for m in (0, 1) for g in range(4)]


def test_islands_log_has_every_island(cli, data_dir):
    # a population of 60 is split into two islands by default
    options = dict(generations=3, population=60, seed=2, threads=1)
    r = zcgp.evolve(task="nb201/cifar10", data=data_dir, progress=False, **options)
    expected = cli_json(cli, "evolve", "--task=nb201/cifar10", f"--data={data_dir}", *cli_flags(**options), "--json",
                        "--quiet")
    assert r.formula == expected["formula"] and r.report["islands"] == 2
    assert [b["dir"] for b in r.report["island_bests"]] == ["island-0", "island-1"]
    assert [(e["island"], e["generation"]) for e in r.log] == [(j, g) for j in (0, 1) for g in range(4)]
    # an ensemble has one population per member unless islands are asked for
    plain = zcgp.evolve(task="nb201/cifar10", data=data_dir, progress=False, ensemble=2, **options)
    assert plain.report["islands"] == 1 and all("island" not in e for e in plain.log)
    both = zcgp.evolve(task="nb201/cifar10", data=data_dir, progress=False, ensemble=2, islands=2, **options)
    assert [(e["member"], e["island"]) for e in both.log if e["generation"] == 0] == [(0, 0), (0, 1), (1, 0), (1, 1)]
