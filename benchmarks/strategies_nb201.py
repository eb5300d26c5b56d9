"""Strategies on NAS-Bench-201: mean best validation accuracy after N queries over many seeds.

Random search's exact expectation is computed from the table itself (order statistics of the
maximum of N draws with replacement), so the table shows whether random search is implemented
right, and by how many standard errors every other strategy beats it.

    python benchmarks/strategies_nb201.py [--dataset cifar10] [--seeds 50] [--queries 100]
"""
from __future__ import annotations

import argparse

import minas
from minas.benchmarks import NASBench201
from minas.estimators import Tabular

from comparison import STRATEGY_ROWS, print_comparison


def expected_random_best(values: list[float], queries: int) -> float:
    """E[max of `queries` uniform draws with replacement] = sum_k v_(k) [(k/n)^q - ((k-1)/n)^q]."""
    ordered, n = sorted(values), len(values)
    return sum(v * ((k / n) ** queries - ((k - 1) / n) ** queries) for k, v in enumerate(ordered, start=1))


def bests(strategy_name: str, estimator: Tabular, seeds: int, queries: int, **settings) -> list[float]:
    """The best validation accuracy of each seed's search."""
    space = minas.spaces.CellSpace()
    return [minas.Search(space, minas.strategies.STRATEGIES.create(strategy_name, **settings), estimator,
                         trials=queries, seed=seed).run().best.val_acc for seed in range(seeds)]


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
    exact = expected_random_best(table, args.queries)
    print_comparison(STRATEGY_ROWS, lambda name, settings: [bests(name, estimator, args.seeds, args.queries, **settings)],
                     ["mean best"], first=[("random search, exact expectation", exact)])


if __name__ == "__main__":
    main()
