"""Several candidates at once: the same search sequentially (with its best thread setting), with local workers,
and through Ray, in one run; trials per minute and the ratio to sequential.

    python benchmarks/parallel.py                      # 40 candidates x 5 epochs of MNIST-1D, 2 workers
    python benchmarks/parallel.py --trials 4 --epochs 1 --workers 2     # a quick check that it works

Small networks scale poorly with threads (on MNIST-1D a candidate trains about 1.5 times as fast on 2 threads as on
1), so the sequential baseline is measured with 1 thread and with all the cores' threads and the faster one is kept;
the workers then get their share of the cores each (`minas.executors.plan`). Every run evaluates the same
candidates (random search, same seed), so each trial's result must be the same in all three: the script checks
it. Goals on a 2-core machine: >= 1.6x with 2 local workers, >= 1.5x through Ray. Run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import os
import time

import torch

import minas
from minas.estimators import Training
from minas.spaces import CellSpace
from minas.strategies import RandomSearch


def run(trials: int, epochs: int, **where) -> tuple[float, minas.Search]:
    """Seconds for the whole search (workers started included), and the search."""
    training = Training(dataset="mnist1d", epochs=epochs, latency_runs=0)
    start = time.perf_counter()
    search = minas.Search(CellSpace(), RandomSearch(), training, trials=trials, seed=0, **where)
    search.run()
    return time.perf_counter() - start, search


def numbers(search: minas.Search) -> list[tuple]:
    return [(t.index, str(t.arch), round(t.val_acc, 6)) for t in sorted(search.trials, key=lambda t: t.index)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=40)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--no-ray", action="store_true", help="skip the Ray run")
    args = p.parse_args()
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")      # a local Ray stays on 127.0.0.1
    cores = os.cpu_count() or 1
    rows, timings, reference = [], {}, None
    for threads in sorted({1, cores}):
        torch.set_num_threads(threads)
        timings[threads], search = run(args.trials, args.epochs)
        rows.append((f"sequential, {threads} thread{'s' * (threads > 1)}", timings[threads]))
        reference = reference or numbers(search)             # the 1-thread numbers: workers get 1 thread here
    best_threads = min(timings, key=timings.get)
    best = timings[best_threads]
    torch.set_num_threads(cores)                             # the workers share these
    seconds, search = run(args.trials, args.epochs, workers=args.workers)
    rows.append((search.describe_workers(), seconds))
    same = numbers(search) == reference
    if not args.no_ray:
        torch.set_num_threads(1)
        seconds, ray_search = run(args.trials, args.epochs, workers=args.workers, executor="ray")
        rows.append((ray_search.describe_workers() + " (Ray's start included)", seconds))
        same = same and numbers(ray_search) == reference
        import ray
        ray.shutdown()
    print(f"{args.trials} candidates x {args.epochs} epochs of MNIST-1D, random search; {cores} CPU cores")
    print(f"{'how':<62} {'seconds':>8} {'trials/min':>11} {'vs sequential':>14}")
    for how, seconds in rows:
        print(f"{how:<62} {seconds:8.1f} {60 * args.trials / seconds:11.1f} {best / seconds:13.2f}x")
    print(f"(sequential's best: {best_threads} thread{'s' * (best_threads > 1)})")
    print("every trial's result identical to the 1-thread sequential run:", "yes" if same else
          "NO: a defect, since a trial's result must depend only on its architecture, budget and seed")


if __name__ == "__main__":
    main()
