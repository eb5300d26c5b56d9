"""Strategies on NAS-Bench-201: mean best validation accuracy after N queries over many seeds.

Random search's exact expectation is computed from the table itself (order statistics of the
maximum of N draws with replacement), so the table shows whether random search is implemented
right, and by how many standard errors every other strategy beats it.

    python benchmarks/strategies_nb201.py [--dataset cifar10] [--seeds 50] [--queries 100]
"""
from __future__ import annotations

import argparse
import statistics
import time

import minas
from minas.benchmarks import NASBench201
from minas.estimators import Tabular


def expected_random_best(values: list[float], queries: int) -> float:
    """E[max of `queries` uniform draws with replacement] = sum_k v_(k) [(k/n)^q - ((k-1)/n)^q]."""
    ordered, n = sorted(values), len(values)
    return sum(v * ((k / n) ** queries - ((k - 1) / n) ** queries) for k, v in enumerate(ordered, start=1))


def mean_best(strategy_name: str, estimator: Tabular, seeds: int, queries: int, **settings) -> tuple[float, float]:
    space = minas.spaces.CellSpace()
    bests = [minas.Search(space, minas.strategies.STRATEGIES.create(strategy_name, **settings), estimator,
                          trials=queries, seed=seed).run().best.val_acc for seed in range(seeds)]
    return statistics.fmean(bests), statistics.stdev(bests) / seeds ** 0.5


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="cifar10")
    p.add_argument("--seeds", type=int, default=50)
    p.add_argument("--queries", type=int, default=100)
    args = p.parse_args()
    bench = NASBench201(args.dataset)
    estimator = Tabular(bench)
    table = [bench.query(arch)["val_acc"] for arch in bench.space.enumerate()]
    print(f"NAS-Bench-201 {bench.dataset}, validation accuracy (200 epochs, mean of runs), "
          f"{args.seeds} seeds x {args.queries} queries; optimum {max(table):.2f}\n")
    print(f"{'strategy':<34} {'mean best':>9} {'s.e.':>6} {'vs random':>10} {'seconds':>8}")
    print(f"{'random search, exact expectation':<34} {expected_random_best(table, args.queries):9.2f}")
    rows = [("random", {}), ("evolution", {}), ("evolution", {"aging": False}), ("local", {}),
            ("local", {"first_improvement": False}), ("reinforce", {}), ("bayesopt", {})]
    baseline = None
    for name, settings in rows:
        start = time.perf_counter()
        mean, se = mean_best(name, estimator, args.seeds, args.queries, **settings)
        label = name + "".join(f" {k}={v}" for k, v in settings.items())
        gap = "" if baseline is None else f"{(mean - baseline[0]) / (se ** 2 + baseline[1] ** 2) ** 0.5:+9.1f}σ"
        baseline = baseline or (mean, se)
        print(f"{label:<34} {mean:9.2f} {se:6.2f} {gap:>10} {time.perf_counter() - start:8.1f}")


if __name__ == "__main__":
    main()
