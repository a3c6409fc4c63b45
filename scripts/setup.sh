#!/usr/bin/env bash
# Installs the Debian packages zcgp needs (only the missing ones; idempotent; works as root or via sudo),
# then prepares the data directory (default ./data, or $ZCGP_DATA).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libeigen3-dev libboost-program-options-dev libfmt-dev libtbb-dev catch2
  nlohmann-json3-dev rapidjson-dev libtomlplusplus-dev libcsv-dev libopenmpi-dev openmpi-bin
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  libxgboost-dev pybind11-dev python3-pybind11 python3-dev python3-pytest python3-tqdm python3-matplotlib python3-pandas
  gnuplot-nox hyperfine python3 python3-scipy python3-deap python3-sklearn python3-torch python3-numpy
  libopenblas0-pthread libopenblas-pthread-dev
)

# zcgp-torch links Debian's OpenBLAS (CMake ZCGP_OPENBLAS), which then serves LibTorch's GEMMs in zcgp's own
# processes only (1.4x faster NB201 scoring, about 30x a FlexiBERT gather; docs/proxies.md). The system BLAS/LAPACK
# alternatives are pinned to what they are now (netlib on a fresh machine) before installing it, so that installing
# it does not change every other program's numbers.
blas_pin() {
  for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
    local current
    current="$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p')"
    if [ -n "$current" ]; then "${sudo_cmd[@]}" update-alternatives --set "$alt" "$current" > /dev/null; fi
  done
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  blas_pin
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# ---- data ----
data="${ZCGP_DATA:-$root/data}"
shared="$root/../shared"
mkdir -p "$data"
if [ -d "$shared/nbsz" ]; then
  for d in nbsz nb201 images lm; do
    if [ -d "$shared/$d" ] && [ ! -e "$data/$d" ]; then
      ln -s "$(cd "$shared/$d" && pwd)" "$data/$d"
    fi
  done
  echo "setup: data directory $data links ../shared/{nbsz,nb201,images,lm}"
elif ls "$data"/nbsz/zc_*.json "$data"/zc_*.json >/dev/null 2>&1; then
  echo "setup: using the NAS-Bench-Suite-Zero files already in $data"
else
  cat >&2 <<MSG
setup: no benchmark data found (looked for ../shared/nbsz and $data/nbsz/zc_*.json).
Download the official files and place them under $data:
  - NAS-Bench-Suite-Zero proxy scores (zc_nasbench101.json, zc_nasbench201.json, zc_nasbench301.json,
    zc_transbench101_micro.json, zc_transbench101_macro.json): NASLib, https://github.com/automl/NASLib
    (see its docs/ and naslib/data; the zero-cost benchmark archive is linked from the NASLib README),
    into $data/nbsz/
  - zen scores for TransNAS micro: naslib/data/zc_benchmarks/all_benchmarks_zen.zip, unzipped into
    $data/nbsz/zen_transbench101_micro/
  - NAS-Bench-201 test accuracies (nb201_test_accuracy_200ep.csv), from NATS-Bench / NAS-Bench-201
    (https://github.com/D-X-Y/NATS-Bench), into $data/nb201/
  - CIFAR-10/100 test images (binary version, https://www.cs.toronto.edu/~kriz/cifar.html): the first 20
    records of test_batch.bin / test.bin as $data/images/cifar10_test_first20.bin and cifar100_test_first20.bin
MSG
  exit 1
fi
