"""The checks of 11_hardware_aware.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import Wrong, checks, close, expect, show


@checks("pareto_indices")
def _pareto_indices(fn):
    import pandas as pd
    from minas import analysis

    def front(costs, accs):
        got = fn(list(costs), list(accs))
        try:
            got = [int(i) for i in got]
        except (TypeError, ValueError):
            raise Wrong(f"return a list of indices (ints), got {show(got)}") from None
        expect(len(got) == len(set(got)), f"return each index once, got {got}")
        return set(got)

    cases = [([1, 2, 3, 2], [70, 80, 75, 60], {0, 1}, "the example"),
             ([1, 1, 2], [50, 50, 40], {0, 1}, "two identical points do not dominate each other: keep both"),
             ([1, 1], [50, 60], {1}, "at equal cost the more accurate point dominates"),
             ([1, 2], [50, 50], {0}, "at equal accuracy the cheaper point dominates"),
             ([5], [10], {0}, "a single point is its own front")]
    for costs, accs, wanted, why in cases:
        got = front(costs, accs)
        expect(got == wanted, f"costs {costs}, accuracies {accs}: the front is {sorted(wanted)}, you return "
                              f"{sorted(got)} ({why}; lower cost and higher accuracy are better)")
    rng = random.Random(11)
    for _ in range(100):
        n = rng.randint(2, 60)
        costs = [rng.randint(1, 12) for _ in range(n)]
        accs = [rng.randint(50, 62) for _ in range(n)]
        wanted = set(analysis.pareto_front(pd.DataFrame({"cost": costs, "val_acc": accs}), "cost").index)
        got = front(costs, accs)
        expect(got == wanted, f"for costs {costs} and accuracies {accs} the front is {sorted(wanted)}, "
                              f"you return {sorted(got)}")


@checks("reward")
def _reward(fn):
    cases = [((90.0, 2.0, 1.0), 90 * 2 ** -0.07, "the example: 90 × (2 / 1) ** -0.07"),
             ((90.0, 0.5, 1.0), 90 * 0.5 ** -0.07, "below the target the reward exceeds the accuracy (alpha < 0)"),
             ((90.0, 1.0, 1.0), 90.0, "at the target the reward is the accuracy"),
             ((80.0, 30.0, 10.0, 0.0, -1.0), 80 / 3, "with the hard constraint (0, -1), 3 times the target divides by 3"),
             ((80.0, 5.0, 10.0, 0.0, -1.0), 80.0, "with the hard constraint, any cost within the target keeps the accuracy"),
             ((80.0, 5.0, 10.0, -0.5, -2.0), 80 * 0.5 ** -0.5, "below the target the exponent is alpha"),
             ((80.0, 20.0, 10.0, -0.5, -2.0), 80 * 2 ** -2, "above the target the exponent is beta")]
    for args, wanted, why in cases:
        got = fn(*args)
        expect(close(got, wanted), f"reward{args} should be {wanted:.4f}, got {show(got)} ({why})")
    rng = random.Random(12)
    for _ in range(200):
        acc, cost, target = rng.uniform(10, 99), rng.uniform(1e3, 3e4), rng.uniform(5e3, 2e4)
        alpha, beta = -rng.uniform(0, 1), -rng.uniform(0, 2)
        wanted = acc * (cost / target) ** (alpha if cost <= target else beta)
        got = fn(acc, cost, target, alpha, beta)
        expect(close(got, wanted), f"reward({acc:.2f}, {cost:.0f}, {target:.0f}, {alpha:.3f}, {beta:.3f}) should be "
                                   f"{wanted:.4f}, got {show(got)}")
