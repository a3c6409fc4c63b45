"""Shared fixtures of the Python module's tests: the zcgp binary of the same build, and the real data directory.

ctest runs these with PYTHONPATH=<build>/python and ZCGP_CLI=<build>/experiments/zcgp (tests/CMakeLists.txt)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def data_dir() -> str:
    data = os.environ.get("ZCGP_DATA") or str(ROOT / "data")
    if not (Path(data) / "nbsz").is_dir():
        pytest.fail(f"no benchmark data in {data}: run scripts/setup.sh or set ZCGP_DATA")
    return data


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("ZCGP_CLI") or str(ROOT / "build/release/experiments/zcgp")
    if not Path(path).is_file():
        pytest.fail(f"no zcgp binary at {path}: build it, or set ZCGP_CLI")
    return path


def run_cli(cli: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([cli, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"zcgp {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def cli_json(cli: str, *args: str):
    return json.loads(run_cli(cli, *args).stdout)
