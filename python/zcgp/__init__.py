"""zcgp: evolve zero-cost proxy formulas for neural architecture search, from Python.

The module runs zcgp's own C++ code in-process (no subprocess): ``evolve`` runs the ``zcgp evolve`` command on the
argument vector its keyword options become, so every option, default, check and error message is the CLI's, and
its results equal ``zcgp evolve`` with the same options. The GIL is released while the engine runs. See
docs/python.md; the API with its docstrings is in __init__.pyi.
"""
from __future__ import annotations

import csv as _csv
import json as _json
import math as _math
import os as _os
import sys as _sys
import tempfile as _tempfile
import weakref as _weakref
from pathlib import Path as _Path

import numpy as _np

from . import _zcgp

__version__: str = _zcgp.__version__
__all__ = ["__version__", "tasks", "load_task", "Task", "evolve", "Result", "Formula", "kendall_tau", "spearman",
           "pearson", "top_k", "score"]

kendall_tau = _zcgp.kendall_tau
spearman = _zcgp.spearman
pearson = _zcgp.pearson
top_k = _zcgp.top_k


def tasks(data: str | _os.PathLike | None = None) -> list[str]:
    return list(_zcgp.tasks(None if data is None else _os.fspath(data)))


class Task:
    def __init__(self, raw: dict):
        self.id: str = raw["id"]
        self.archs: list[str] = list(raw["archs"])
        self.proxies: dict[str, _np.ndarray] = dict(raw["proxies"])
        self.accuracy: _np.ndarray = raw["accuracy"]
        self.target: str = raw["target"]
        self.target_negated: bool = raw["target_negated"]
        self.source: str = raw["source"]

    def __len__(self) -> int:
        return len(self.archs)

    def __repr__(self) -> str:
        return f"Task({self.id!r}: {len(self.archs)} architectures, proxies {sorted(self.proxies)})"


def load_task(id: str, data: str | _os.PathLike | None = None) -> Task:
    return Task(_zcgp.load_task(id, None if data is None else _os.fspath(data)))


# ---- progress ----------------------------------------------------------------------------------------------------

def _in_notebook() -> bool:
    shell = _sys.modules.get("IPython")
    try:
        return shell is not None and type(shell.get_ipython()).__name__ == "ZMQInteractiveShell"
    except Exception:  # noqa: BLE001 - IPython present but not running
        return False


def _stderr_is_terminal() -> bool:
    try:
        return _sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """The callback the native side calls at each progress-bar update: a tqdm bar per label (ensemble members have
    their own), or a plain line on stderr when tqdm is not installed."""

    def __init__(self):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        self._tqdm = tqdm
        self._bars: dict[str, object] = {}

    def __call__(self, label: str, done: int, total: int, detail: str) -> None:
        if self._tqdm is not None:
            bar = self._bars.get(label)
            if bar is None:
                bar = self._bars[label] = self._tqdm(total=total, desc=(label.strip() or "evolve"), unit="gen",
                                                     leave=False)
            bar.n = min(done, total)
            bar.set_postfix_str(detail, refresh=False)
            bar.refresh()
        else:
            _sys.stderr.write(f"\r{label}{done}/{total}  {detail}")
            _sys.stderr.flush()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        if self._tqdm is None:
            _sys.stderr.write("\r\033[K")


def _run(command: str, args: list[str], progress: bool) -> None:
    shown = _Progress() if progress else None
    try:
        code = _zcgp.run_command(command, args, shown)
    finally:
        if shown is not None:
            shown.close()
    if code != 0:
        raise RuntimeError(f"zcgp {command} {' '.join(args)}: exit code {code}")


# ---- evolve ------------------------------------------------------------------------------------------------------

def _columns(features) -> dict[str, _np.ndarray]:
    """A dict of arrays or a pandas DataFrame as name -> float64 array."""
    if hasattr(features, "columns") and hasattr(features, "__getitem__") and not isinstance(features, dict):
        return {str(c): _np.asarray(features[c], dtype=float) for c in features.columns}
    if isinstance(features, dict):
        return {str(k): _np.asarray(v, dtype=float) for k, v in features.items()}
    raise TypeError(f"features: expected a dict of arrays or a pandas DataFrame, got {type(features).__name__}")


def _write_table(path: _Path, features, target) -> str:
    """features and target as the CSV table `zcgp evolve --table` reads (NaN -> an empty cell: a missing score);
    returns the target column's name. Floats are written with repr(), which reads back to the same double."""
    columns = _columns(features)
    if not columns:
        raise ValueError("features: no columns")
    y = _np.asarray(target, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"target: expected a 1-d array, got {y.ndim} dimensions")
    for name, values in columns.items():
        if values.ndim != 1 or len(values) != len(y):
            raise ValueError(f"features[{name!r}]: {values.size} values for {len(y)} targets")
    target_name = "target"
    while target_name in columns:
        target_name = "_" + target_name
    names = list(columns)
    with open(path, "w", newline="") as f:
        w = _csv.writer(f)
        w.writerow(names + [target_name])
        for i in range(len(y)):
            row = [columns[n][i] for n in names] + [y[i]]
            w.writerow(["" if _math.isnan(v) else repr(float(v)) for v in row])
    return target_name


class Result:
    """One `zcgp evolve` run: its result.json (to_json()), log.jsonl (log) and run directory (dir)."""

    def __init__(self, run_dir: _Path, data: str | None, features: bool, scratch=None):
        self.dir = run_dir
        self._data = data
        self._scratch = scratch  # the temporary directory that holds the run, kept while this object lives
        self._text = (run_dir / "result.json").read_text()
        self.report: dict = _json.loads(self._text)
        r = self.report
        self.formula: str = r["formula"]
        self.size: int = r["size"]
        self.train_tau: float = _num(r["train_tau"])
        self.test_tau: float = _num(r["test_tau"])
        self.test_spearman: float = _num(r["test_spearman"])
        keys = [k for t in r["per_task"] for k in t["train_keys"]]
        # a features= table has no id column: its architectures are rows 1..n; here they are array indices
        self.train_archs: list = [int(k) - 1 for k in keys] if features else keys
        self.pareto: list[tuple[int, str, float]] = [(p["size"], p["formula"], _num(p["train_tau"]))
                                                     for p in r["pareto"]]
        self.best_handcrafted: dict | None = r["best_handcrafted"]
        self.log: list[dict] = []
        # one log per population: the run's, each island's (island-J), each ensemble member's or its islands'
        parts = [(None, run_dir)] if "ensemble" not in r else \
            [(k, run_dir / m["dir"]) for k, m in enumerate(r["members"])]
        for member, d in parts:
            islands = sorted((int(p.name[7:]) for p in d.glob("island-*") if p.name[7:].isdigit()))
            logs = [(None, d / "log.jsonl")] if not islands else [(j, d / f"island-{j}" / "log.jsonl") for j in islands]
            for island, path in logs:
                if not path.exists():
                    continue
                for line in path.read_text().splitlines():
                    if line.strip():
                        entry = _json.loads(line)
                        if member is not None:
                            entry["member"] = member
                        if island is not None:
                            entry["island"] = island
                        self.log.append(entry)

    def to_json(self) -> str:
        return self._text

    def to_cpp(self, name: str = "zc_proxy") -> str:
        with _tempfile.TemporaryDirectory(prefix="zcgp-export-") as tmp:
            header = _Path(tmp) / "proxy.hpp"
            args = ["--run", str(self.dir), "--out", str(header), "--name", name]
            if self._data is not None:
                args += ["--data", self._data]
            _run("export", args, progress=False)
            return header.read_text()

    def __repr__(self) -> str:
        return (f"Result({self.formula!r}, size {self.size}, train tau {self.train_tau:.4f}, "
                f"held-out tau {self.test_tau:.4f})")


def _num(v) -> float:
    return float("nan") if v is None else float(v)


def evolve(task: str | list[str] | None = None, *, table: str | _os.PathLike | list | None = None,
           features=None, target=None, id: str | None = None, exclude: list[str] | str | None = None,
           data: str | _os.PathLike | None = None, out: str | _os.PathLike | None = None,
           progress: bool | None = None, **options) -> Result:
    if features is not None and (task is not None or table is not None):
        raise ValueError("evolve: give one of task=, table= and features=")
    if isinstance(exclude, str):
        exclude = [exclude]
    data = None if data is None else _os.fspath(data)
    scratch = None
    if out is None:
        scratch = _tempfile.TemporaryDirectory(prefix="zcgp-evolve-")
        run_dir = _Path(scratch.name) / "run"
    else:
        run_dir = _Path(out)
    flags = dict(task=task, table=table, target=target, id=id, exclude=exclude, data=data)
    if features is not None:
        if target is None:
            raise ValueError("evolve: features= needs target= (an array of the ground truth)")
        if id is not None:
            raise ValueError("evolve: id= names a column of table=; features= rows are their array indices")
        # the run's options.json names the table, so it lives as long as the run: beside it in the temporary
        # folder, or as OUT.features.csv next to a kept run (export and evaluate --run read it again)
        csv_path = _Path(scratch.name) / "features.csv" if scratch is not None else \
            run_dir.parent / (run_dir.name + ".features.csv")
        flags.update(table=str(csv_path), target=_write_table(csv_path, features, target))
    for key in ("out", "quiet", "json", "resume"):
        if key in options:
            raise ValueError(f"evolve: {key}= is not an option here (the result is returned; give out= to keep the "
                             f"run's files)")
    flags.update(options)
    flags["out"] = str(run_dir)
    flags["quiet"] = not options.get("verbose", False)
    args = _zcgp.evolve_arguments(flags)
    if progress is None:
        progress = _stderr_is_terminal() or _in_notebook()
    _run("evolve", args, progress)
    return Result(run_dir, data, features is not None, scratch)


# ---- formulas ----------------------------------------------------------------------------------------------------

class Formula:
    """An infix formula over named terminals, evaluated by zcgp's interpreter on raw arrays."""

    def __init__(self, expr: str, terminals: list[str]):
        self._native = _zcgp.Formula(expr, list(terminals))

    @property
    def expr(self) -> str:
        return self._native.expr

    @property
    def terminals(self) -> list[str]:
        return list(self._native.terminals)

    @property
    def size(self) -> int:
        return self._native.size

    def __call__(self, features) -> _np.ndarray:
        columns = _columns(features)
        missing = [t for t in self.terminals if t not in columns]
        if missing:
            raise ValueError(f"Formula {self.expr!r}: no column for terminal(s) {', '.join(missing)} "
                             f"(given: {', '.join(columns)})")
        return self._native.evaluate([columns[t] for t in self.terminals])

    def __repr__(self) -> str:
        return f"Formula({self._native.formatted!r}, terminals={self.terminals!r})"


# ---- native scoring ----------------------------------------------------------------------------------------------

def score(space: str = "nb201", dataset: str = "cifar10", arch: str | list[str] | None = None,
          proxies: str | list[str] = "all", batch: int = 64, seed: int = 0, device: str = "auto",
          data: str | _os.PathLike | None = None, statistics: bool = False):
    try:
        from . import _torch  # LibTorch is loaded on the first score() call only
    except ImportError as e:
        raise RuntimeError("zcgp.score needs a build with LibTorch (-DZCGP_WITH_TORCH=ON)") from e
    archs = [] if arch is None else [arch] if isinstance(arch, str) else list(arch)  # none: the CLI's error
    args = [f"--space={space}", f"--dataset={dataset}", f"--batch={batch}", f"--seed={seed}", f"--device={device}",
            "--proxies=" + (proxies if isinstance(proxies, str) else ",".join(proxies))]
    args += [f"--arch={a}" for a in archs]
    if data is not None:
        args.append(f"--data={_os.fspath(data)}")
    if statistics:
        args.append("--statistics")
    results = [_json.loads(line) for line in _torch.score(args).splitlines() if line.strip()]
    return results[0] if isinstance(arch, str) else results
