"""Every performance estimator against minas' MNIST-1D table: how well does each rank cells, at what cost?

Draws `--archs` distinct cells (seeded) of the table's space, scores each with every estimator, and
prints Spearman's ρ, Kendall's τ and the top-10 % overlap with the table's final validation accuracy
(mean of its two seeds), next to the seconds each estimate cost and that cost as a fraction of the
full training measured in the same run (the table's protocol, retrained here with a new seed). The
first rows are references read from the table: its seed 0's final accuracy (one of the two runs the
truth averages, so it shares half the truth's noise: an upper bound, not a reachable target), and the
same runs' accuracy after 1 and 3 epochs (what successive halving sees). Their cost is the training time
the table recorded when it was built, on whatever machine built it.

    python benchmarks/estimators_mnist1d.py [--archs 50] [--seed 0] [--only training,zero_cost:synflow]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any, Callable

import torch

from minas.analysis import compare
from minas.benchmarks import MNIST1DBench
from minas.benchmarks.mnist1d import PROTOCOL
from minas.estimators import OneShot, Training, ZeroCost, proxies
from minas.estimators.base import derive_seed

Scores = tuple[list[float], float]          # one score per cell, seconds per cell


def distinct_cells(bench: MNIST1DBench, n: int, seed: int) -> list:
    """`n` cells drawn uniformly from the space, no two computing the same network (and, with a
    partial table, only cells it holds)."""
    cells, seen, rng = [], set(), random.Random(seed)
    for cell in rng.sample(list(bench.space.enumerate()), bench.space.size):
        if bench.space.canonical(cell) not in seen and bench.knows(cell):
            seen.add(bench.space.canonical(cell))
            cells.append(cell)
        if len(cells) == n:
            return cells
    return cells


def run(estimator: Any, cells: list, space: Any, seed: int) -> Scores:
    """Score every cell, as a search would (a fresh seed per trial); also the seconds per cell,
    including whatever the estimator does once (a supernet's training)."""
    estimator.prepare(space)
    start, scores = time.perf_counter(), []
    for i, cell in enumerate(cells):
        estimator.bind(derive_seed(seed, "estimators_mnist1d", i))
        scores.append(estimator.evaluate(cell).val_acc)
    return scores, (time.perf_counter() - start) / len(cells)


def table_rows(bench: MNIST1DBench, cells: list) -> dict[str, Scores]:
    """References from the table itself: one seed against the mean, and the same runs' early epochs."""
    rows = {"table: seed 0's final accuracy": ([bench.query(c)["val_acc_runs"][0] for c in cells],
                                               statistics.fmean(bench.query(c)["train_time"] for c in cells))}
    for k in (1, 3):
        records = [bench.query(c, epochs=k) for c in cells]
        rows[f"table: accuracy after {k} epoch{'s' * (k > 1)}"] = (
            [r["val_acc"] for r in records], statistics.fmean(r["train_time"] for r in records))
    return rows


def estimators() -> dict[str, Callable[[], Any]]:
    """Label -> a fresh estimator; the first (full training) is the reference cost."""
    full = dict(PROTOCOL)
    return {"training: full protocol, new seed": lambda: Training(**full),
            "training: 1 epoch": lambda: Training(**full | {"epochs": 1}),
            "training: 3 epochs": lambda: Training(**full | {"epochs": 3}),
            "training: 10 epochs on 25 % of the data": lambda: Training(**full | {"fraction": 0.25}),
            "training: 3 epochs, 3-fold cross-validation": lambda: Training(**full | {"epochs": 3, "folds": 3}),
            "one_shot: supernet, uniform paths": lambda: OneShot(),
            **{f"zero_cost: {name}": (lambda name=name: ZeroCost(proxy=name, channels=PROTOCOL["channels"]))
               for name in proxies.names()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (the table used 1)")
    parser.add_argument("--only", default="", help="comma-separated label prefixes, e.g. training,zero_cost:synflow")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bench = MNIST1DBench()
    cells = distinct_cells(bench, args.archs, args.seed)
    truth = [bench.query(c)["val_acc"] for c in cells]
    print(f"{len(cells)} distinct cells of {bench.space!r}; truth: the table's final validation accuracy "
          f"({min(truth):.1f} to {max(truth):.1f} %); CPU, {torch.get_num_threads()} thread(s)\n")
    wanted = [p.strip().replace(":", ": ") for p in args.only.split(",") if p.strip()]
    makers = estimators()
    full = next(iter(makers))
    rows = {full: run(makers.pop(full)(), cells, bench.space, args.seed)} | table_rows(bench, cells)
    print(f"{'estimator':<46} {'ρ':>6} {'τ':>6} {'top10%':>7} {'s/cell':>8} {'cost/full':>10}")
    for label, make in [*rows.items(), *makers.items()]:
        if wanted and label not in rows and not any(label.startswith(w) for w in wanted):
            continue
        scores, cost = make if label in rows else run(make(), cells, bench.space, args.seed)
        stats = compare(scores, truth)
        print(f"{label:<46} {stats['spearman_rho']:6.3f} {stats['kendall_tau']:6.3f} "
              f"{stats['top10pct_overlap']:7.0%} {cost:8.3f} {cost / rows[full][1]:10.4f}", flush=True)


if __name__ == "__main__":
    main()
