"""One-shot strategies on MNIST-1D, judged by minas' own table.

    python benchmarks/one_shot_mnist1d.py [--strategies darts gdas drnas enas] [--seeds 5] [--ops OP ...]

Each strategy searches the table's four-op cell space with its default settings (a supernet
trained on MNIST-1D on this machine's CPU), and the table looks up how good each epoch's derived
cell truly is. Printed per strategy and seed: wall-clock minutes, the final cell, its table
accuracy, and its rank among the 4,096 cells as a top fraction (0.20 = the top fifth), with the
share of `skip_connect` on the final cell's edges (DARTS' collapse shows there); then per strategy
how many seeds' cells are in the top fifth. `--ops` searches a space of some of the table's ops
(without `none`, say), still ranked among all the table's cells.

The reference for that count is the table's own reproducibility: of the cells in the top fifth by
one training seed, the share also in the top fifth by the other. A method cannot be expected to
land in the top fifth more reliably than the table agrees with itself.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import minas
from minas.benchmarks import MNIST1DBench
from minas.estimators import Tabular
from minas.spaces import CellSpace
from minas.strategies import STRATEGIES


def top_fraction(bench: MNIST1DBench, accuracy: float) -> float:
    """The share of the space's cells at least as accurate as `accuracy` (by mean validation accuracy)."""
    scores = [bench.query(cell)["val_acc"] for cell in bench.space.enumerate()]
    return sum(s >= accuracy for s in scores) / len(scores)


def top_fifth_agreement(bench: MNIST1DBench) -> float:
    """Of the cells in the top fifth by the table's first training run, the share also in the top fifth by its
    second (0.20 if the runs were unrelated, 1.0 if they agreed)."""
    runs = np.array([bench.query(cell)["val_acc_runs"] for cell in bench.space.enumerate()])
    top = runs >= np.quantile(runs, 0.8, axis=0)
    return float((top[:, 0] & top[:, 1]).sum() / top[:, 0].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strategies", nargs="+", default=["darts", "gdas", "drnas", "enas"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ops", nargs="+", default=list(MNIST1DBench.space.ops),
                        help="the ops of the searched space: the table's (default) or some of them")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bench = MNIST1DBench()
    space = CellSpace(ops=args.ops)
    print(f"{bench!r}: {bench.unique()} distinct cells; CPU threads: {torch.get_num_threads()}; the table's two "
          f"runs agree on {top_fifth_agreement(bench):.0%} of the top fifth; searching {space!r}")
    print(f"{'strategy':<10} {'seed':>4} {'minutes':>8} {'val %':>7} {'test %':>7} {'top':>6} {'skip':>5}  cell")
    tops = {}
    for name in args.strategies:
        tops[name] = []
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = minas.search(space, STRATEGIES.create(name), Tabular(bench), trials=10_000, seed=seed)
            minutes = (time.perf_counter() - start) / 60
            final = result.trials.iloc[-1]
            row = bench.query(final["arch"])
            skip = final["arch"].count("skip_connect") / len(bench.space.edges)
            tops[name].append(top_fraction(bench, row["val_acc"]))
            print(f"{name:<10} {seed:>4} {minutes:>8.1f} {row['val_acc']:>7.2f} {row['test_acc']:>7.2f} "
                  f"{tops[name][-1]:>6.2f} {skip:>5.0%}  {final['arch']}", flush=True)
    print()
    for name, found in tops.items():
        print(f"{name:<10} top fifth in {sum(t <= 0.2 for t in found)} of {len(found)} seeds; "
              f"median top {np.median(found):.2f}")


if __name__ == "__main__":
    main()
