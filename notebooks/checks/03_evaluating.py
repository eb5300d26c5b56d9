"""The checks of 03_evaluating.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import checks, close, expect, show


@checks("flip_rate")
def _flip_rate(fn):
    cases = [([1.0, 2.0], [3.0, 4.0], 0.0), ([1.0, 5.0], [3.0, 4.0], 0.5), ([4.0, 3.0], [5.0, 1.0], 0.5),
             ([90.1, 90.5, 90.3], [90.2, 90.0], 1 / 6), ([90.2, 90.0], [90.1, 90.5, 90.3], 1 / 6)]
    for a, b, wanted in cases:
        got = fn(a, b)
        expect(close(got, wanted), f"flip_rate({a}, {b}) returned {show(got)}, expected {wanted:.3f}: the means say "
               f"{'a' if sum(a) / len(a) > sum(b) / len(b) else 'b'} is better; count the (x, y) pairs that say the "
               f"opposite and divide by the number of pairs, {len(a) * len(b)}")
    rng = random.Random(3)
    for _ in range(200):
        a = [rng.gauss(0, 1) for _ in range(rng.randint(1, 4))]
        b = [rng.gauss(0.5, 1) for _ in range(rng.randint(1, 4))]
        if abs(sum(a) / len(a) - sum(b) / len(b)) < 1e-9:
            continue
        a_better = sum(a) / len(a) > sum(b) / len(b)
        wanted = sum((x > y) != a_better for x in a for y in b) / (len(a) * len(b))
        expect(close(fn(a, b), wanted), f"flip_rate({[round(x, 3) for x in a]}, {[round(y, 3) for y in b]}) should be "
                                        f"{wanted:.3f}, got {show(fn(a, b))}")


@checks("kendall_tau")
def _kendall_tau(fn):
    from minas import analysis
    expect(close(fn([1, 2, 3, 4], [10, 20, 30, 40]), 1.0), "two lists in the same order must give τ = 1")
    expect(close(fn([1, 2, 3, 4], [40, 30, 20, 10]), -1.0), "two lists in opposite orders must give τ = -1")
    expect(close(fn([1, 2, 3], [1, 3, 2]), 1 / 3), "for [1, 2, 3] vs [1, 3, 2]: 2 pairs agree and 1 disagrees "
                                                   "out of 3, so τ = (2 - 1) / 3")
    rng = random.Random(4)
    for n in (2, 5, 12, 40):
        a = rng.sample(range(1000), n)
        b = [x + rng.gauss(0, 300) for x in a]
        wanted, got = analysis.kendall_tau(a, b), fn(a, b)
        expect(close(got, wanted), f"on {n} random pairs of scores τ should be {wanted:.4f}, your function gives {show(got)} "
                                   f"(τ depends only on the order of the values, not on their size)")
