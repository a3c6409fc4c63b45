#!/usr/bin/env bash
# ctest "python:cmake --install ...": installs the build's python component into PREFIX, then imports zcgp from
# there (not from the build tree) in a clean directory and runs a formula and a short evolution on real data.
#   tests/python/installed.sh BUILD_DIR PREFIX SITE_DIR PYTHON DEFAULT_DATA
set -euo pipefail
build=$1 prefix=$2 site=$3 python=$4 data=${ZCGP_DATA:-$5}  # $ZCGP_DATA first, as for every test
rm -rf "$prefix"
cmake --install "$build" --component python --prefix "$prefix" >/dev/null
cd "$(mktemp -d)"
PYTHONPATH="$prefix/$site" "$python" - "$prefix" "$data" <<'PY'
import sys
import zcgp
assert zcgp.__file__.startswith(sys.argv[1]), zcgp.__file__
assert list(zcgp.Formula("a * b - a", terminals=["a", "b"])({"a": [2.0, 1.0], "b": [3.0, 5.0]})) == [4.0, 4.0]
r = zcgp.evolve(task="nb201/cifar10", data=sys.argv[2], generations=3, population=20, progress=False)
assert -1 <= r.test_tau <= 1 and r.report["generations"] == 3, r
print(f"installed zcgp {zcgp.__version__} from {zcgp.__file__}: {r}")
PY
