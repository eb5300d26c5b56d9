"""Build minas' MNIST-1D table: train every distinct cell with the fixed protocol, two seeds each.

    python -m minas.benchmarks.build_mnist1d --workers 2 --minutes 60   # one sitting
    python -m minas.benchmarks.build_mnist1d --pack                      # write the shipped file

Each finished (cell, seed) is one flushed line in `--work`'s part files, so the build can be
stopped at any moment (Ctrl-C, kill, a closed laptop) and resumed by running the same command;
it loses at most the trainings in flight. Work is done in a fixed shuffled order, so a partial
table is a uniform sample of the space. Each worker trains on one CPU thread.
"""
from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from .mnist1d import OPS, PROTOCOL, SEEDS, TABLE, MNIST1DBench

WORK = TABLE.parent / "cache" / "mnist1d_cells_build"


def jobs() -> list[tuple[str, int]]:
    """Every (representative cell, seed) to train, in the fixed shuffled build order."""
    space = MNIST1DBench.space
    representatives: dict[str, str] = {}
    for cell in space.enumerate():
        representatives.setdefault(space.canonical(cell), str(cell))
    todo = [(arch, seed) for arch in representatives.values() for seed in SEEDS]
    random.Random(0).shuffle(todo)
    return todo


def finished(work: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """The records in the part files; a line cut short by a kill is ignored (it is trained again)."""
    records = {}
    for part in sorted(work.glob("part-*.jsonl")):
        for line in part.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            records[record["arch"], record["seed"]] = record
    return records


def latency(net, input_shape, repeats: int = 30) -> float:
    """Median seconds of one forward pass on one input, on the CPU, after a warm-up."""
    import torch
    x = torch.zeros(1, *input_shape)
    net.eval()
    times = []
    with torch.no_grad():
        for i in range(repeats + 5):
            start = time.perf_counter()
            net(x)
            if i >= 5:
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def train(arch: str, seed: int) -> dict[str, Any]:
    """One training run with the protocol, and the network's size and speed."""
    from ..estimators import Training
    space = MNIST1DBench.space
    estimator = Training(**PROTOCOL, test_curve=True, device="cpu")
    estimator.bind(seed)
    estimator.space = space
    result = estimator.evaluate(space.parse(arch))
    net = space.to_module(space.parse(arch), input_shape=estimator.data.input_shape,
                          num_classes=estimator.data.num_classes, channels=PROTOCOL["channels"], cells=PROTOCOL["cells"])
    return {"arch": arch, "seed": seed, "val": result.curve, "test": result.extra["test_curve"],
            "train_time": round(result.cost, 3), "params": result.params, "flops": result.flops,
            "latency": latency(net, estimator.data.input_shape)}


def worker(rank: int, todo: list[tuple[str, int]], work: Path, deadline: float) -> None:
    import torch
    torch.set_num_threads(1)
    with open(work / f"part-{rank}.jsonl", "a") as out:
        for arch, seed in todo:
            if time.time() > deadline:
                return
            out.write(json.dumps(train(arch, seed)) + "\n")
            out.flush()
            os.fsync(out.fileno())


def build(work: Path = WORK, workers: int = 2, minutes: float = float("inf")) -> int:
    """Train what is not yet in `work`, for at most `minutes`; returns how many runs remain."""
    from tqdm.auto import tqdm
    work.mkdir(parents=True, exist_ok=True)
    all_jobs = jobs()
    done = finished(work)
    todo = [job for job in all_jobs if job not in done]
    print(f"MNIST-1D table: {len(all_jobs)} runs ({len(all_jobs) // len(SEEDS)} distinct cells x {len(SEEDS)} seeds), "
          f"{len(done)} done, {len(todo)} to go, {workers} workers on one CPU thread each, "
          f"{'no time limit' if minutes == float('inf') else f'stopping after {minutes:g} min'}", flush=True)
    deadline = time.time() + minutes * 60
    procs = [mp.get_context("spawn").Process(target=worker, args=(rank, todo[rank::workers], work, deadline))
             for rank in range(workers)]
    for p in procs:
        p.start()
    with tqdm(total=len(all_jobs), initial=len(done), unit="run") as bar:
        while any(p.is_alive() for p in procs):
            time.sleep(5)
            bar.update(len(finished(work)) - bar.n)
        bar.update(len(finished(work)) - bar.n)
    return len(all_jobs) - len(finished(work))


def pack(work: Path = WORK, out: Path = TABLE, partial: bool = False) -> None:
    """Write the table from a complete build; `partial=True` writes the cells finished so far, with
    one or both seeds (for development: lookups of the other cells fail, naming the cell)."""
    space = MNIST1DBench.space
    done = finished(work)
    missing = [job for job in jobs() if job not in done]
    if missing and not partial:
        raise SystemExit(f"the build is not complete: {len(missing)} runs missing; run the build again first")
    cells: dict[str, dict[str, Any]] = {}
    for (arch, seed), r in sorted(done.items(), key=lambda item: item[0][1]):
        row = cells.setdefault(space.canonical(space.parse(arch)), {
            "arch": arch, "params": r["params"], "flops": r["flops"], "val": [], "test": [], "train_time": [],
            "latencies": []})
        row["val"].append(r["val"])
        row["test"].append(r["test"])
        row["train_time"].append(r["train_time"])
        row["latencies"].append(r["latency"])
    for row in cells.values():
        row["latency"] = round(statistics.median(row.pop("latencies")), 6)
    table = {"ops": list(OPS), "protocol": PROTOCOL, "seeds": list(SEEDS), "cells": cells}
    with gzip.open(out, "wt") as f:
        json.dump(table, f, separators=(",", ":"))
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB, {len(cells)} distinct cells)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="processes, one CPU thread each (default 2)")
    parser.add_argument("--minutes", type=float, default=float("inf"), help="stop starting new runs after this long")
    parser.add_argument("--work", type=Path, default=WORK, help=f"folder of the part files (default {WORK})")
    parser.add_argument("--pack", action="store_true", help=f"write {TABLE.name} from a complete build")
    parser.add_argument("--partial", type=Path, metavar="FILE", help="write the cells finished so far to FILE")
    args = parser.parse_args(argv)
    if args.partial:
        pack(args.work, args.partial, partial=True)
    elif args.pack:
        pack(args.work)
    else:
        left = build(args.work, args.workers, args.minutes)
        print("complete: run again with --pack" if left == 0 else f"{left} runs left: run the same command again")


if __name__ == "__main__":
    main()
