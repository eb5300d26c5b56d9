"""Solutions to the exercises of 05_comparing_strategies.ipynb (for instructors; see notebooks/README.md)."""
import math


def mean_and_se(values):
    values = [float(v) for v in values]
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, sd / math.sqrt(n)


def best_within(costs, accuracies, budget):
    best, spent = float("nan"), 0.0
    for cost, acc in zip(costs, accuracies):
        spent += cost
        if spent > budget:
            break
        best = acc if math.isnan(best) else max(best, acc)
    return best
