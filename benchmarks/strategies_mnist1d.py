"""Strategies on minas' MNIST-1D table at equal *simulated* cost, multi-fidelity ones included.

Every search gets the same budget of training seconds, read from the table (`--trainings` full
10-epoch trainings of an average cell): a strategy that trains candidates for fewer epochs
(successive halving, Hyperband) looks at more of them. For each strategy and seed the table
prints the cell the search picked (its best trial) by its full-training validation accuracy (the
mean over the table's seeds, whatever budget the search saw it at) and its test accuracy, as
means over seeds with standard errors, and the margin over random search in standard errors.

`--table` reads another table file, e.g. a partial one written during the build with
`python -m minas.benchmarks.build_mnist1d --partial /tmp/partial.json.gz`: the searches then run on
the cells that table holds (a uniform sample of the space), and only REINFORCE, which builds its
cells edge by edge, proposes some outside it, which fail at no cost.

    python benchmarks/strategies_mnist1d.py [--seeds 30] [--trainings 100] [--table PATH] [--noise]
"""
from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path

import torch

import minas
from minas.benchmarks import MNIST1DBench
from minas.benchmarks.mnist1d import TABLE
from minas.estimators import Tabular
from minas.spaces import CellSpace

from comparison import STRATEGY_ROWS, print_comparison

ROWS = STRATEGY_ROWS + [("successive_halving", {}), ("hyperband", {})]


class TableCells(CellSpace):
    """The cells a (partial) table holds: sampling, mutation and neighbourhoods stay among them."""

    def __init__(self, bench: MNIST1DBench):
        super().__init__(bench.space.ops, bench.space.nodes)
        self.cells = [cell for cell in CellSpace.enumerate(self) if _known(bench, cell)]
        self.known = set(self.cells)

    @property
    def size(self) -> int:
        return len(self.cells)

    def sample(self, rng: random.Random):
        return rng.choice(self.cells)

    def mutate(self, arch, rng: random.Random):
        """A random known neighbour (CellSpace's mutation: one edge, another op), else a random known cell."""
        neighbours = self.neighbours(arch)
        return rng.choice(neighbours) if neighbours else self.sample(rng)

    def neighbours(self, arch):
        return [cell for cell in super().neighbours(arch) if cell in self.known]

    def enumerate(self):
        return iter(self.cells)


def _known(bench: MNIST1DBench, cell) -> bool:
    try:
        bench.query(cell)
    except KeyError:
        return False
    return True


def chosen_cells(space, strategy: str, settings: dict, estimator: Tabular, seeds: int,
                 max_cost: float) -> list[list[float]]:
    """Per seed, the full-training validation and test accuracy of the cell the search picked."""
    bench, val, test = estimator.bench, [], []
    for seed in range(seeds):
        search = minas.Search(space, minas.strategies.STRATEGIES.create(strategy, **settings), estimator,
                              trials=100_000, max_cost=max_cost, seed=seed)
        while search.step() is not None:
            pass
        row = bench.query(search.best.arch)
        val.append(row["val_acc"])
        test.append(row["test_acc"])
    return [val, test]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--trainings", type=float, default=100, help="the cost budget, in full trainings of an average cell")
    p.add_argument("--table", type=Path, default=TABLE)
    p.add_argument("--noise", action="store_true", help="draw one recorded training run per lookup, not the mean")
    args = p.parse_args()
    torch.set_num_threads(1)        # lookups leave only tiny tensors (REINFORCE's policy, BANANAS' MLPs)
    bench = MNIST1DBench(args.table)
    space = TableCells(bench)
    if space.size == bench.space.size:
        space = bench.space
    cells = list(space.enumerate())
    full = [bench.query(cell) for cell in cells]
    one_training = statistics.fmean(row["train_time"] for row in full)
    print(f"{bench!r}: {space.size} of {bench.space.size} cells ({bench.unique()} distinct networks); "
          f"optimum val {max(r['val_acc'] for r in full):.2f}, mean {statistics.fmean(r['val_acc'] for r in full):.2f}")
    print(f"{args.seeds} seeds x {args.trainings:g} trainings of {one_training:.1f} s "
          f"({args.trainings * one_training:.0f} simulated seconds per search)"
          f"{', one recorded run drawn per lookup' if args.noise else ''}\n")
    estimator = Tabular(bench, noise=args.noise)
    print_comparison(ROWS, lambda name, settings: chosen_cells(space, name, settings, estimator, args.seeds,
                                                               args.trainings * one_training),
                     ["val", "test"])


if __name__ == "__main__":
    main()
