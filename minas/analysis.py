"""How well does a cheap estimate rank architectures? Rank correlations, top-k overlap, a scatter plot.

Kendall's τ and Spearman's ρ are the measures NAS papers report for predictors and zero-cost
proxies (e.g. Abdelfattah et al., ICLR 2021; White et al., "How Powerful are Performance
Predictors in NAS?", NeurIPS 2021). Written with numpy only; matplotlib loads only to plot.
"""
from __future__ import annotations

from typing import Any, Sequence

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
    """Kendall's τ-b: (concordant - discordant pairs), corrected for ties. O(n²) memory in blocks."""
    a, b = _pair(a, b)
    n = len(a)
    if n < 2:
        return float("nan")
    s = ties_a = ties_b = 0.0
    for start in range(0, n, 512):
        da = np.sign(a[start:start + 512, None] - a[None, :])
        db = np.sign(b[start:start + 512, None] - b[None, :])
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
    """A matplotlib `Figure` (no pyplot): ranks of `scores` against true accuracy, stats in the title."""
    from matplotlib.figure import Figure
    stats = compare(scores, truth, cost)
    s, t = _pair(scores, truth)
    fig = Figure(figsize=(5, 4), layout="constrained")
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
