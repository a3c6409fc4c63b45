#!/usr/bin/env python3
"""Write N NB201 cells drawn uniformly without replacement from all 15,625 (fixed seed), one NASLib tuple per line.

The list is the --archs FILE of the ParZC gather (docs/parzc.md): `zcgp gather --archs N` draws from the 725
cells of zc_nasbench201.json only, while ParZC samples the whole space. Python's random.Random(seed).sample over a
sequence is stable across CPython 3 versions, so the same seed gives the same list everywhere.

    python3 scripts/parzc_archs.py --count 1000 --seed 0 > /work/parzc-data/nb201-random1000-seed0.txt
"""
import argparse
import itertools
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cells = list(itertools.product(range(5), repeat=6))  # (a, b, c, d, e, f), lexicographic: all 15,625
    if not 0 < args.count <= len(cells):
        parser.error(f"--count must be in 1..{len(cells)}, got {args.count}")
    print(f"# {args.count} NB201 cells drawn from all {len(cells)} with random.Random({args.seed}).sample")
    for cell in random.Random(args.seed).sample(cells, args.count):
        print("(" + ", ".join(map(str, cell)) + ")")


if __name__ == "__main__":
    main()
