"""zcgp: evolve zero-cost proxy formulas for neural architecture search, from Python.

Runs zcgp's own C++ code in this process: ``evolve`` runs the ``zcgp evolve`` command on the argument vector its
keyword options become, so options, defaults, checks and error messages are the CLI's (a bad value raises
``ValueError`` with the CLI's text), and ``evolve(task=..., seed=s, threads=1)`` gives exactly the formula and taus
of ``zcgp evolve --task ... --seed s --threads 1``. The GIL is released while the engine runs.
"""
import os
from typing import Any, Mapping, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str
"""The zcgp version this module was built from (``zcgp --version``)."""

_Path = Union[str, os.PathLike[str]]
_Features = Union[Mapping[str, npt.ArrayLike], Any]  # a dict of arrays, or a pandas DataFrame


def tasks(data: _Path | None = None) -> list[str]:
    """The task ids in the data directory, as ``zcgp tasks`` lists them ("nb201/cifar10", ...).

    data: the data directory; default ``$ZCGP_DATA``, else ``./data`` (as the CLI's ``--data``).
    """


class Task:
    """One benchmark task as cached: every architecture, with NaN where a proxy is missing."""
    id: str
    archs: list[str]
    """Canonical architecture keys, e.g. "(0, 2, 3, 2, 3, 1)" on NAS-Bench-201."""
    proxies: dict[str, np.ndarray]
    """Proxy name -> float64 array over ``archs``; NaN where the benchmark did not compute it."""
    accuracy: np.ndarray
    """The ground truth over ``archs`` (higher is better; negated if ``target_negated``)."""
    target: str
    target_negated: bool
    source: str
    """The file or folder the task was read from."""

    def __len__(self) -> int: ...


def load_task(id: str, data: _Path | None = None) -> Task:
    """A task's architectures, cached proxy scores and ground truth, e.g. ``load_task("nb201/cifar10")``.

    Raises ValueError naming the task (and listing the valid ones) if it is unknown.
    """


class Result:
    """One ``zcgp evolve`` run."""
    formula: str
    """The best formula (run best by train tau - parsimony * size), over the run's transformed terminals
    (``report["normalize"]``, logz by default; ``normalize="none"`` writes it over the raw scores)."""
    size: int
    train_tau: float
    """Kendall tau-b on the train architectures (aggregated over tasks)."""
    test_tau: float
    """Kendall tau-b on the held-out architectures, never used for fitting or selection."""
    test_spearman: float
    train_archs: list[Any]
    """The train architectures: their keys for task= and table=, row indices (int) for features=."""
    pareto: list[tuple[int, str, float]]
    """The Pareto front (size, formula, train tau), size ascending, each better than every smaller one."""
    best_handcrafted: dict[str, Any] | None
    """The best single proxy chosen on the train architectures: name, train_tau, test_tau, test_spearman."""
    log: list[dict[str, Any]]
    """One dict per generation (log.jsonl); for an ensemble, each member's with a "member" key."""
    report: dict[str, Any]
    """The whole result.json."""
    dir: os.PathLike[str]
    """The run directory (temporary, removed with this object, unless evolve(out=...) was given)."""

    def to_json(self) -> str:
        """result.json's text, as ``zcgp evolve --out DIR`` writes it."""

    def to_cpp(self, name: str = "zc_proxy") -> str:
        """The self-contained C++ header ``zcgp export --run DIR`` writes: one inline function of the raw scores."""


def evolve(task: str | Sequence[str] | None = None, *, table: _Path | Sequence[_Path] | None = None,
           features: _Features | None = None, target: str | npt.ArrayLike | None = None, id: str | None = None,
           exclude: str | Sequence[str] | None = None, data: _Path | None = None, out: _Path | None = None,
           progress: bool | None = None, **options: Any) -> Result:
    """Evolve a proxy formula by genetic programming, exactly as ``zcgp evolve``.

    Give one of
      task="nb201/cifar10" (or a list: multi-task fitness),
      table="mine.csv", target="acc" (column), id="arch" (optional), exclude=["time"],
      features={"synflow": a, "nwot": b} or a pandas DataFrame, target=array (same length): a table whose rows
        are the architectures; the held-out split is the CLI's (train_archs rows drawn by the seed).
    options are the CLI's flags in snake_case with its defaults and checks: train_archs=100, population=100,
    generations=50, seed=0, threads=0 (all), normalize="logz+robust", max_size=20, parsimony=0.0025, islands="auto", ensemble=1,
    proxies=[...], terminals="auto" (cached, plus graph where the space is known), stats="c10.zcstats", time_limit=0, ... (``zcgp evolve --help``). A list is a
    repeated flag (task, exclude) or a comma list (proxies); True gives a switch (force=True), False leaves it out.
    out: keep the run's files there (result.json, log.jsonl, checkpoints), as ``--out``; default a temporary folder.
    progress: a progress bar (tqdm when installed; in a terminal and in Jupyter); None: shown when stderr is a
      terminal or in Jupyter; False: silent.
    Raises ValueError with the CLI's message for a bad option, task, table or column.
    """


class Formula:
    """A formula over named terminals, evaluated by zcgp's interpreter (the protected operators of the engine and
    of the exported C++: x / 0 = 1, log|x|, sqrt|x|, ...)."""
    expr: str
    terminals: list[str]
    size: int

    def __init__(self, expr: str, terminals: Sequence[str]) -> None:
        """Parse expr (e.g. "log(nwot) + synflow") over the given terminal names; ValueError if it does not parse."""

    def __call__(self, features: _Features) -> np.ndarray:
        """The formula on every row of a dict of arrays or a DataFrame holding every terminal (float64 array)."""


def kendall_tau(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Kendall tau-b (ties handled as scipy.stats.kendalltau), O(n log n)."""


def spearman(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Spearman rank correlation (average ranks for ties)."""


def pearson(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Pearson correlation."""


def top_k(x: npt.ArrayLike, y: npt.ArrayLike, fraction: float = 0.1) -> float:
    """Top-k agreement: the share of the k largest x that are among the k largest y, k = max(1, round(fraction n))
    over the complete pairs; ties at the cut broken by the lower index. ValueError unless 0 < fraction <= 1."""


def score(space: str = "nb201", dataset: str = "cifar10", arch: str | Sequence[str] | None = None,
          proxies: str | Sequence[str] = "all", batch: int = 64, seed: int = 0, device: str = "auto",
          data: _Path | None = None, statistics: bool = False) -> dict[str, Any] | list[dict[str, Any]]:
    """Score NAS-Bench-201 architectures natively with LibTorch, exactly as ``zcgp score --json`` (in builds with
    LibTorch; LibTorch is loaded on the first call, by the extension zcgp._torch).

    arch: a NASLib tuple "(0, 2, 3, 2, 3, 1)" or an NB201 string, or a list of them. proxies: "all" or names.
    device: auto | cpu | cuda. statistics: also the per-layer raw statistics. Returns one dict per architecture
    (arch, arch_string, proxies: name -> value, seconds, device, ...), a list of them when arch is a list.
    Raises ValueError with the CLI's message for a bad architecture, proxy, dataset or option."""
