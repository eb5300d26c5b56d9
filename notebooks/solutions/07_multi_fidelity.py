"""Solutions to the exercises of 07_multi_fidelity.ipynb (for instructors; see notebooks/README.md)."""
import math


def bracket(min_budget, max_budget, eta):
    s = 0
    while max_budget / eta ** (s + 1) >= min_budget:
        s += 1
    budgets = [max(min_budget, round(max_budget / eta ** (s - k))) for k in range(s + 1)]
    sizes = [eta ** (s - k) for k in range(s + 1)]
    return budgets, sizes


def promote(results, eta):
    finished = [(cell, acc) for cell, acc in results if not math.isnan(acc)]
    ranked = sorted(finished, key=lambda pair: pair[1], reverse=True)
    return [cell for cell, _ in ranked[:max(1, len(results) // eta)]]
