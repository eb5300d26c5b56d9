"""Solutions to the exercises of 03_evaluating.ipynb (for instructors; see notebooks/README.md)."""
from statistics import mean


def flip_rate(runs_a, runs_b):
    a_better = mean(runs_a) > mean(runs_b)
    pairs = [(x, y) for x in runs_a for y in runs_b]
    return sum((x > y) != a_better for x, y in pairs) / len(pairs)


def kendall_tau(a, b):
    n = len(a)
    score = 0
    for i in range(n):
        for j in range(i + 1, n):
            agree = (a[i] - a[j]) * (b[i] - b[j])
            score += 1 if agree > 0 else -1
    return score / (n * (n - 1) / 2)
