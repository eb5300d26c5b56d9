"""Zero-cost proxies on NAS-Bench-201: how well does a proxy at initialisation rank architectures?

Scores `--archs` distinct architectures drawn uniformly (seeded) from the 15,625 NAS-Bench-201
cells with minas' NAS-Bench-201 network as the benchmark trained it (C=16, N=5, 3x32x32 input,
10 classes), writes `arch,score` rows, and prints Spearman's ρ and Kendall's τ against the
200-epoch CIFAR-10 validation accuracy of `minas.benchmarks.NASBench201("cifar10")`.
Abdelfattah et al. (ICLR 2021, Table 1) report ρ = 0.737 for synflow on all 15,625 cells.

Data-dependent proxies (snip, naswot, ...) are given one batch of `--batch-size` random normal
inputs with random labels (no CIFAR-10 download needed), so their numbers are a lower bound of
what a real CIFAR-10 batch gives. If `../shared/benchmarks/nb201_zc_proxies.csv` exists, the ρ of the
published NAS-Bench-Suite-Zero scores on the same architectures is printed for comparison.

    python benchmarks/zero_cost_nb201.py --proxy synflow --archs 1000 --out scores.csv [--seed 0]
"""
from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from minas.analysis import compare, kendall_tau, spearman_rho
from minas.benchmarks import NASBench201
from minas.estimators import ZeroCost, proxies
from minas.estimators.base import derive_seed

PUBLISHED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "nb201_zc_proxies.csv"
PUBLISHED_NAMES = {"jacob_cov": "jacov", "naswot": "nwot"}   # minas name -> NAS-Bench-Suite-Zero column


def published_rho(proxy: str, archs: list, truth: list[float]) -> str | None:
    """ρ of the published c10 column of `proxy` on the `archs` it covers, or None without the file."""
    if not PUBLISHED.exists():
        return None
    import pandas as pd
    column = "c10_" + PUBLISHED_NAMES.get(proxy, proxy)
    table = pd.read_csv(PUBLISHED, dtype={"ops": str})
    if column not in table:
        return None
    by_ops = dict(zip(table["ops"], table[column]))
    space = NASBench201.space
    pairs = [(by_ops.get("".join(str(space.ops.index(op)) for op in a.ops)), t) for a, t in zip(archs, truth)]
    pairs = [(s, t) for s, t in pairs if s == s and s is not None]
    rho = spearman_rho(*zip(*pairs))
    return f"published {column} on the {len(pairs)} of these archs it covers: ρ = {rho:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proxy", default="synflow", choices=proxies.names())
    parser.add_argument("--archs", type=int, default=1000)
    parser.add_argument("--out", default="scores.csv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    bench = NASBench201("cifar10")
    space = bench.space
    cells = list(space.enumerate())
    archs = random.Random(args.seed).sample(cells, args.archs)
    estimator = ZeroCost(proxy=args.proxy, input_shape=(3, 32, 32), num_classes=10, channels=16, cells=5,
                         batch_size=args.batch_size, data_seed=args.seed)
    estimator.prepare(space)

    scores, costs, start = [], [], time.perf_counter()
    for arch in archs:
        estimator.bind(derive_seed(args.seed, arch))
        result = estimator.evaluate(arch)
        scores.append(result.val_acc)
        costs.append(result.cost)
    wall = time.perf_counter() - start
    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["arch", "score"])
        writer.writerows((str(a), repr(s)) for a, s in zip(archs, scores))

    truth = [bench.query(a)["val_acc"] for a in archs]
    stats = compare(scores, truth, costs)
    print(f"{args.proxy} on {args.archs} NAS-Bench-201 archs (seed {args.seed}) vs CIFAR-10 200-epoch val acc:")
    print(f"  Spearman rho = {stats['spearman_rho']:.3f}   Kendall tau = {kendall_tau(scores, truth):.3f}   "
          f"top-10% overlap = {stats['top10pct_overlap']:.0%}")
    print(f"  {wall / args.archs:.3f} s per architecture ({wall:.0f} s in all); scores written to {args.out}")
    line = published_rho(args.proxy, archs, truth)
    if line:
        print("  " + line)


if __name__ == "__main__":
    main()
