"""Rank statistics against scipy, Formula against the engine's values from `zcgp export --values-csv`, tasks
against `zcgp tasks --format json`."""
import csv
import math

import numpy as np
import pytest

import zcgp
from conftest import cli_json, run_cli

scipy_stats = pytest.importorskip("scipy.stats")


@pytest.fixture(scope="module")
def c10(data_dir):
    return zcgp.load_task("nb201/cifar10", data=data_dir)


def test_rank_statistics_equal_scipy(c10):
    y = c10.accuracy
    for name, x in c10.proxies.items():
        ok = ~np.isnan(x)
        assert ok.sum() > 100
        assert zcgp.kendall_tau(x[ok], y[ok]) == pytest.approx(scipy_stats.kendalltau(x[ok], y[ok])[0], abs=1e-12), name
        assert zcgp.spearman(x[ok], y[ok]) == pytest.approx(scipy_stats.spearmanr(x[ok], y[ok])[0], abs=1e-12), name
        assert zcgp.pearson(x[ok], y[ok]) == pytest.approx(np.corrcoef(x[ok], y[ok])[0, 1], abs=1e-12), name
    # ties on both sides (tau-b): rounded values
    rng = np.random.default_rng(0)
    a, b = np.round(rng.normal(size=500), 1), np.round(rng.normal(size=500), 1)
    assert zcgp.kendall_tau(a, b) == pytest.approx(scipy_stats.kendalltau(a, b)[0], abs=1e-12)


def test_top_k(c10):
    y = c10.accuracy
    x = c10.proxies["synflow"]
    ok = ~np.isnan(x)
    x, y = x[ok], y[ok]
    # reference: the share of the k largest by score that are among the k largest by accuracy, k = round(0.1 n),
    # ties at the cut broken by the lower index
    k = max(1, math.floor(0.1 * len(x) + 0.5))
    top_x, top_y = set(np.argsort(-x, kind="stable")[:k]), set(np.argsort(-y, kind="stable")[:k])
    assert zcgp.top_k(x, y, fraction=0.1) == pytest.approx(len(top_x & top_y) / k, abs=1e-15)
    with pytest.raises(ValueError):
        zcgp.top_k(x, y, fraction=0)
    with pytest.raises(ValueError):
        zcgp.kendall_tau(x, y[:-1])


def test_load_task_matches_zcgp_tasks(cli, data_dir, c10):
    listing = {t["task"]: t for t in cli_json(cli, "tasks", "--format", "json", "--data", data_dir) if "error" not in t}
    assert zcgp.tasks(data=data_dir) == list(listing)
    entry = listing["nb201/cifar10"]
    assert len(c10.archs) == entry["archs"] == len(c10.accuracy)
    assert sorted(c10.proxies) == sorted(entry["proxies"])
    for name, values in c10.proxies.items():
        assert values.dtype == np.float64 and len(values) == entry["archs"]
        assert int(np.isnan(values).sum()) == entry["missing"].get(name, 0), name
    assert c10.archs[0].startswith("(")
    with pytest.raises(ValueError, match="cifar11"):
        zcgp.load_task("nb201/cifar11", data=data_dir)


@pytest.mark.parametrize("task,formula", [
    ("nb201/cifar10", "log(nwot) + synflow"),
    ("nb201/cifar10", "(jacov * sigmoid(snip)) / (flops - params)"),
    ("tnb101_micro/room_layout", "aq(min(grad_norm, fisher), plain) + sqrt(abs(zen))"),
])
def test_formula_equals_the_engine_on_every_architecture(cli, data_dir, tmp_path, task, formula):
    t = zcgp.load_task(task, data=data_dir)
    values_csv = tmp_path / "values.csv"
    run_cli(cli, "export", "--formula", formula, "--task", task, "--normalize", "none", "--data", data_dir,
            "--out", str(tmp_path / "proxy.hpp"), "--values-csv", str(values_csv))
    with open(values_csv) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 0.9 * len(t.archs)  # every usable architecture of the task
    # the proxies (values.csv also holds the raw graph features of the architectures, which load_task has not)
    terminals = [c for c in rows[0] if c not in ("key", "value") and not c.startswith("graph_")]
    f = zcgp.Formula(formula, terminals=terminals)
    mine = f(t.proxies)
    index = {k: i for i, k in enumerate(t.archs)}
    assert all(not math.isnan(float(row["value"])) for row in rows)  # finite everywhere: a value to compare per row
    for row in rows:
        expected = float(row["value"])
        got = mine[index[row["key"]]]
        assert (math.isnan(expected) and math.isnan(got)) or got == expected, (row["key"], got, expected)


def test_formula_on_a_dataframe_and_errors():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [3.0, 5.0, 7.0]})
    f = zcgp.Formula("a * b - a", terminals=["a", "b"])
    np.testing.assert_array_equal(f(df), np.array([2.0, 8.0, 24.0]))
    # a missing input is NaN in its row only; so is a row where the formula is not finite (square(1e200) = inf),
    # while the protected operators stay finite (x / 0 = 1, exp(1000) = exp(50))
    g = zcgp.Formula("square(a) + b / (a - a) + exp(a * 1000)", terminals=["a", "b"])
    got = g({"a": np.array([0.0, 1e200, 1.0, 2.0]), "b": np.array([1.0, 1.0, np.nan, 3.0])})
    np.testing.assert_allclose(got, np.array([2.0, np.nan, np.nan, 4.0 + 1.0 + np.exp(50.0)]), rtol=1e-15)
    with pytest.raises(ValueError, match="b"):
        f({"a": np.ones(3)})
    with pytest.raises(ValueError):
        zcgp.Formula("a + c", terminals=["a", "b"])
