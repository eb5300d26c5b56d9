"""One-shot strategies on MNIST-1D, judged by minas' own table.

    python benchmarks/one_shot_mnist1d.py [--strategies darts gdas drnas enas] [--seeds 1]

Each strategy searches the table's four-op cell space with its default settings (a supernet
trained on MNIST-1D on this machine's CPU), and the table looks up how good each epoch's derived
cell truly is. Printed per strategy and seed: wall-clock minutes, the final cell, its table
accuracy, and its rank among the 4,096 cells as a top fraction (0.20 = the top fifth), with the
share of `skip_connect` on the final cell's edges (DARTS' collapse shows there).
"""
from __future__ import annotations

import argparse
import time

import torch

import minas
from minas.benchmarks import MNIST1DBench
from minas.estimators import Tabular
from minas.strategies import STRATEGIES


def top_fraction(bench: MNIST1DBench, accuracy: float) -> float:
    """The share of the space's cells at least as accurate as `accuracy` (by mean validation accuracy)."""
    scores = [bench.query(cell)["val_acc"] for cell in bench.space.enumerate()]
    return sum(s >= accuracy for s in scores) / len(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strategies", nargs="+", default=["darts", "gdas", "drnas", "enas"])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bench = MNIST1DBench()
    print(f"{bench!r}: {bench.unique()} distinct cells; CPU threads: {torch.get_num_threads()}")
    print(f"{'strategy':<10} {'seed':>4} {'minutes':>8} {'val %':>7} {'test %':>7} {'top':>6} {'skip':>5}  cell")
    for name in args.strategies:
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = minas.search(bench.space, STRATEGIES.create(name), Tabular(bench), trials=10_000, seed=seed)
            minutes = (time.perf_counter() - start) / 60
            final = result.trials.iloc[-1]
            row = bench.query(final["arch"])
            skip = final["arch"].count("skip_connect") / len(bench.space.edges)
            print(f"{name:<10} {seed:>4} {minutes:>8.1f} {row['val_acc']:>7.2f} {row['test_acc']:>7.2f} "
                  f"{top_fraction(bench, row['val_acc']):>6.2f} {skip:>5.0%}  {final['arch']}", flush=True)


if __name__ == "__main__":
    main()
