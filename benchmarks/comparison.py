"""What the strategy benchmarks share: the strategies they compare and the table they print.

Each row is a strategy (a registered name and settings) run with many seeds; each column is a
measurement per seed, shown as its mean and standard error. "vs random" is the first column's
margin over the first row (random search) in combined standard errors.
"""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable, Sequence

Row = tuple[str, dict[str, Any]]

STRATEGY_ROWS: list[Row] = [("random", {}), ("evolution", {}), ("evolution", {"aging": False}), ("local", {}),
                            ("local", {"first_improvement": False}), ("reinforce", {}), ("bayesopt", {})]


def label(name: str, settings: dict[str, Any]) -> str:
    return name + "".join(f" {k}={v}" for k, v in settings.items())


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) / len(values) ** 0.5


def print_comparison(rows: list[Row], run: Callable[[str, dict[str, Any]], list[list[float]]],
                     columns: list[str], first: list[tuple[str, float]] = ()) -> None:
    """Print one line per row: `run(name, settings)` returns one list of per-seed values per column.
    `first` are lines of a label and one number (e.g. an exact expectation) printed above the rows."""
    print(f"{'strategy':<34}" + "".join(f" {c:>9} {'s.e.':>6}" for c in columns) + f" {'vs random':>10} {'seconds':>8}")
    for text, value in first:
        print(f"{text:<34} {value:9.2f}")
    baseline = None
    for name, settings in rows:
        start = time.perf_counter()
        stats = [mean_se(values) for values in run(name, settings)]
        mean, se = stats[0]
        gap = "" if baseline is None else f"{(mean - baseline[0]) / (se ** 2 + baseline[1] ** 2) ** 0.5:+9.1f}σ"
        baseline = baseline or (mean, se)
        print(f"{label(name, settings):<34}" + "".join(f" {m:9.2f} {s:6.2f}" for m, s in stats)
              + f" {gap:>10} {time.perf_counter() - start:8.1f}", flush=True)
