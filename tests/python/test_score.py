"""zcgp.score against `zcgp score --json` (builds with LibTorch): the same command, the same numbers."""
import importlib.util
import json
import subprocess
import sys

import pytest

import zcgp
from conftest import run_cli

if importlib.util.find_spec("zcgp._torch") is None:
    pytest.skip("this build has no LibTorch (zcgp._torch)", allow_module_level=True)


def test_import_does_not_load_libtorch():
    code = "import zcgp; print(any('libtorch' in line for line in open('/proc/self/maps')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_score_equals_the_cli(cli, data_dir):
    archs = ["(0, 2, 3, 2, 3, 1)", "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|"]
    lines = run_cli(cli, "score", "--dataset", "cifar100", "--proxies", "synflow,nwot,grad_norm", "--batch", "8",
                    "--seed", "3", "--device", "cpu", "--data", data_dir, *[f"--arch={a}" for a in archs],
                    "--json").stdout.splitlines()
    expected = [json.loads(line) for line in lines]
    got = zcgp.score(space="nb201", dataset="cifar100", arch=archs, proxies=["synflow", "nwot", "grad_norm"], batch=8,
                     seed=3, device="cpu", data=data_dir)
    assert [g["arch"] for g in got] == [e["arch"] for e in expected]
    assert [g["proxies"] for g in got] == [e["proxies"] for e in expected]
    one = zcgp.score(dataset="cifar100", arch=archs[0], proxies="synflow,nwot,grad_norm", batch=8, seed=3,
                     device="cpu", data=data_dir)
    assert one["proxies"] == expected[0]["proxies"]


def test_bad_architecture_raises_the_cli_message(cli, data_dir):
    p = run_cli(cli, "score", "--arch", "(9, 2, 3, 2, 3, 1)", "--data", data_dir, check=False)
    assert p.returncode == 2
    with pytest.raises(ValueError) as e:
        zcgp.score(arch="(9, 2, 3, 2, 3, 1)", data=data_dir)
    assert str(e.value) == p.stderr.strip().splitlines()[-1][len("zcgp: error: "):]
