"""How well does a cheap estimate rank architectures? Rank correlations, top-k overlap, a scatter plot.

Kendall's τ and Spearman's ρ are the measures NAS papers report for predictors and zero-cost
proxies (e.g. Abdelfattah et al., ICLR 2021; White et al., "How Powerful are Performance
Predictors in NAS?", NeurIPS 2021). Also the numbers behind other views of results: the Pareto
front of accuracy against a cost, mean best-so-far curves over seeds (anytime plots), and which op
leads each edge of a one-shot strategy. Written with numpy only; matplotlib loads only to plot.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np


def _pair(a: Sequence[float], b: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"need two 1-D sequences of equal length, got shapes {a.shape} and {b.shape}")
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def _ranks(v: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties getting the mean of the ranks they span."""
    order = np.argsort(v, kind="mergesort")
    ranks = np.empty(len(v))
    ranks[order] = np.arange(1, len(v) + 1)
    _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return (sums / counts)[inverse]


def spearman_rho(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's ρ: the Pearson correlation of the (tie-averaged) ranks. NaN pairs are dropped."""
    a, b = _pair(a, b)
    if len(a) < 2:
        return float("nan")
    ra, rb = _ranks(a) - (len(a) + 1) / 2, _ranks(b) - (len(b) + 1) / 2
    denominator = np.sqrt((ra ** 2).sum() * (rb ** 2).sum())
    return float((ra * rb).sum() / denominator) if denominator else float("nan")


def kendall_tau(a: Sequence[float], b: Sequence[float]) -> float:
    """Kendall's τ-b: (concordant - discordant pairs), corrected for ties. O(n²) time, in blocks of 128 rows:
    on all 15,625 cells of NAS-Bench-201 that keeps the transient memory near 60 MB (blocks of 512 took 240 MB
    and were twice as slow), which a class sharing one JupyterHub notices."""
    a, b = _pair(a, b)
    n = len(a)
    if n < 2:
        return float("nan")
    s = ties_a = ties_b = 0.0
    for start in range(0, n, 128):
        da = np.sign(a[start:start + 128, None] - a[None, :])
        db = np.sign(b[start:start + 128, None] - b[None, :])
        s += (da * db).sum()
        ties_a += (da != 0).sum()
        ties_b += (db != 0).sum()
    denominator = np.sqrt(ties_a * ties_b)   # both count ordered pairs, like s
    return float(s / denominator) if denominator else float("nan")


def top_k_overlap(scores: Sequence[float], truth: Sequence[float], k: int) -> float:
    """Fraction of the true top-`k` architectures that are also among the `k` best by `scores`."""
    scores, truth = _pair(scores, truth)
    k = min(int(k), len(truth))
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    best_by_score = set(np.argsort(-scores, kind="mergesort")[:k])
    best_truly = set(np.argsort(-truth, kind="mergesort")[:k])
    return len(best_by_score & best_truly) / k


def compare(scores: Sequence[float], truth: Sequence[float], cost: Sequence[float] | float | None = None) -> dict[str, Any]:
    """τ, ρ, top-10 % overlap, number of architectures and (given `cost`) mean seconds per estimate."""
    n = len(_pair(scores, truth)[0])
    out = {"kendall_tau": kendall_tau(scores, truth), "spearman_rho": spearman_rho(scores, truth),
           "top10pct_overlap": top_k_overlap(scores, truth, max(1, round(0.1 * n))), "n": n}
    if cost is not None:
        out["seconds_per_estimate"] = float(np.mean(cost))
    return out


def scatter_figure(scores: Sequence[float], truth: Sequence[float], name: str, cost: Any = None):
    """A matplotlib `Figure` (no pyplot; a notebook shows it as an image): ranks of `scores` against true
    accuracy, stats in the title."""
    from .viz import new_figure
    stats = compare(scores, truth, cost)
    s, t = _pair(scores, truth)
    fig = new_figure((5, 4))
    ax = fig.add_subplot()
    ax.scatter(_ranks(s) / len(s), t, s=6, alpha=0.5)
    ax.set_xlabel(f"{name} (rank percentile)")
    ax.set_ylabel("true accuracy")
    title = (f"{name}: τ = {stats['kendall_tau']:.3f}, ρ = {stats['spearman_rho']:.3f}, "
             f"top-10% = {stats['top10pct_overlap']:.0%}")
    if "seconds_per_estimate" in stats:
        title += f"\n{stats['seconds_per_estimate']:.3g} s per estimate"
    ax.set_title(title, fontsize=9)
    return fig


def pareto_front(frame: Any, x: str, y: str = "val_acc", *, minimize_x: bool = True, maximize_y: bool = True):
    """The rows of `frame` (a pandas DataFrame) that no other row dominates, ordered along the front from the
    best `x` (the cheapest) to the best `y`. A row dominates another when it is at least as good in both
    columns and better in one; rows with a missing `x` or `y` take no part. Equal rows on the front are kept."""
    xs = frame[x].to_numpy(dtype=float) * (1.0 if minimize_x else -1.0)        # minimise xs ...
    ys = frame[y].to_numpy(dtype=float) * (1.0 if maximize_y else -1.0)        # ... and maximise ys
    rows = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    rows = rows[np.lexsort((-ys[rows], xs[rows]))]                             # cheapest first, best first on ties
    keep, best, last = [], -np.inf, None
    for r in rows:
        if ys[r] > best or (xs[r], ys[r]) == last:
            keep.append(r)
            best, last = ys[r], (xs[r], ys[r])
    return frame.iloc[keep]


def best_so_far_curves(runs: Sequence[tuple[Sequence[float], Sequence[float]]], by: str = "evaluations",
                       points: int = 200) -> dict[str, Any]:
    """Mean and standard error over `runs` of the best accuracy found so far, for anytime plots.

    Each run is (accuracies, costs) in evaluation order (NaN for a failed trial). `by="evaluations"` gives one
    point per evaluation, up to the shortest run; `by="cost"` gives `points` log-spaced cumulative costs over
    the window that every run covers (from the latest first evaluation to the earliest end), each run holding
    its best until its next evaluation. At each point the mean is over the runs that have a success by then;
    `n` is the number of runs."""
    if by not in ("evaluations", "cost"):
        raise ValueError(f"by must be 'evaluations' or 'cost', not {by!r}")
    if not runs:
        return {"x": np.array([]), "mean": np.array([]), "se": np.array([]), "n": 0}
    best = [np.fmax.accumulate(np.asarray(acc, dtype=float)) for acc, _ in runs]
    if by == "evaluations":
        length = min(len(b) for b in best)
        x, values = np.arange(1, length + 1), np.array([b[:length] for b in best])
    else:
        ends = [np.cumsum(np.asarray(cost, dtype=float)) for _, cost in runs]
        lo = max(max(e[0], np.finfo(float).tiny) for e in ends)
        hi = min(e[-1] for e in ends)
        x = np.geomspace(lo, hi, points) if hi > lo else np.array([hi] if hi == lo else [])
        values = np.array([b[np.searchsorted(e, x, side="right") - 1] for b, e in zip(best, ends)])
        values = values.reshape(len(runs), -1)
    counts = np.isfinite(values).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(values, axis=0) / counts
        sd = np.sqrt(np.nansum((values - mean) ** 2, axis=0) / (counts - 1))
        se = np.where(counts > 1, sd / np.sqrt(counts), 0.0)
    return {"x": x, "mean": mean, "se": se, "n": len(runs)}


def dominant_ops(alphas: Mapping[str, Mapping[str, float]]) -> dict[str, str]:
    """The strongest op on each edge of a one-shot strategy's architecture weights `{edge: {op: weight}}`."""
    return {edge: max(weights, key=weights.get) for edge, weights in alphas.items()}


def op_share(alphas: Mapping[str, Mapping[str, float]], op: str = "skip_connect") -> float:
    """The fraction of edges on which `op` is the strongest: DARTS' skip-connect collapse shows as it nears 1
    (Zela et al., "Understanding and Robustifying Differentiable Architecture Search", ICLR 2020)."""
    tops = dominant_ops(alphas)
    return sum(top == op for top in tops.values()) / len(tops) if tops else 0.0
