"""The cell and the chain at equal wall-clock, under a parameter cap, on MNIST-1D and the 8x8 digits.

Each search is regularized evolution with low-fidelity training (`--epochs` per candidate) for `--minutes` of
training time (the sum of the trials' wall seconds, so both spaces get the same machine time), on one CPU thread.
Candidates over `--max-params` fail at once, untrained (`Training(max_params=...)`), and cost only the
seconds it took to build them. The best architecture is then trained fully (`--final-epochs` on every training
sample) and tested. For each dataset, space and seed the table prints the trials evaluated, the best validation
accuracy the search saw, the final test accuracy, the parameters and the CPU latency (batch 1, median of 20) of
the found network; then, per dataset and space, the mean test accuracy over seeds with its standard error.

The cell is NAS-Bench-201's with one cell per stage, at width C=16 on MNIST-1D (27k to 98k parameters, median
49k) and C=8 on the digits (19k to 69k, median 34k: 2-D kernels hold more weights); the chain is `ChainSpace()`'s
default (7k to 240k on MNIST-1D, median 36k; 7k to 310k on the digits, median 43k). The default cap of 50,000
parameters cuts into both spaces on both datasets.

    python benchmarks/spaces_mnist1d.py [--seeds 3] [--minutes 3] [--max-params 50000] [--datasets mnist1d digits]
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

import minas
from minas.estimators import Training
from minas.spaces import CellSpace, ChainSpace

SPACES = {"cell": CellSpace, "chain": ChainSpace}
KNOBS = {("cell", "mnist1d"): {"channels": 16, "cells": 1}, ("cell", "digits"): {"channels": 8, "cells": 1}}


def run(dataset: str, space_name: str, seed: int, args: argparse.Namespace) -> dict:
    """One search and the final training of its best architecture."""
    knobs = KNOBS.get((space_name, dataset), {})
    estimator = Training(dataset=dataset, epochs=args.epochs, max_params=args.max_params, latency_runs=20, **knobs)
    search = minas.Search(SPACES[space_name](), minas.strategies.RegularizedEvolution(), estimator, trials=None, seed=seed,
                          max_seconds=60 * args.minutes)
    start = time.perf_counter()
    search.run()
    final = search.train_best(args.final_epochs)
    ok = [t for t in search.trials if t.ok]
    return {"dataset": dataset, "space": space_name, "seed": seed, "trials": len(search.trials), "ok": len(ok),
            "val": search.best.val_acc, "test": final.test_acc, "params": final.params,
            "latency": final.extra["latency"], "arch": str(search.best.arch), "minutes": (time.perf_counter() - start) / 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["mnist1d", "digits"])
    parser.add_argument("--spaces", nargs="+", default=list(SPACES), choices=list(SPACES))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=3.0, help="training time per search")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per candidate")
    parser.add_argument("--final-epochs", type=int, default=30)
    parser.add_argument("--max-params", type=int, default=50_000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{args.minutes:g} minutes of training per search, {args.epochs} epochs per candidate, at most "
          f"{args.max_params:,} parameters, final training {args.final_epochs} epochs, 1 CPU thread\n")
    print(f"{'dataset':9} {'space':6} {'seed':>4} {'trials':>7} {'val %':>6} {'test %':>7} {'params':>7} "
          f"{'lat ms':>6}  architecture")
    rows = []
    for dataset in args.datasets:
        for space in args.spaces:
            for seed in range(args.seeds):
                r = run(dataset, space, seed, args)
                rows.append(r)
                print(f"{dataset:9} {space:6} {seed:>4} {r['ok']:>3}/{r['trials']:<3} {r['val']:6.2f} {r['test']:7.2f} "
                      f"{r['params']:>7,} {r['latency'] * 1e3:6.2f}  {r['arch']}", flush=True)
    print()
    for dataset in args.datasets:
        for space in args.spaces:
            tests = [r["test"] for r in rows if r["dataset"] == dataset and r["space"] == space]
            params = [r["params"] for r in rows if r["dataset"] == dataset and r["space"] == space]
            se = statistics.stdev(tests) / len(tests) ** 0.5 if len(tests) > 1 else float("nan")
            print(f"{dataset:9} {space:6} test {statistics.fmean(tests):6.2f} ± {se:4.2f} % over {len(tests)} seeds, "
                  f"median {statistics.median(params):,.0f} parameters")


if __name__ == "__main__":
    main()
