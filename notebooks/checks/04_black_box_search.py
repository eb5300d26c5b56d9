"""The checks of 04_black_box_search.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import checks, close, expect, show


def _expected_best(values, n):
    s, m = sorted(values), len(values)
    return sum(v * ((k / m) ** n - ((k - 1) / m) ** n) for k, v in enumerate(s, start=1))


@checks("expected_best")
def _expected_best_check(fn):
    cases = [([1.0, 2.0], 1, 1.5), ([1.0, 2.0], 2, 1.75), ([2.0, 1.0], 2, 1.75), ([1.0, 1.0, 2.0], 2, 14 / 9),
             ([5.0], 3, 5.0)]
    for values, n, wanted in cases:
        got = fn(values, n)
        expect(close(got, wanted), f"expected_best({values}, {n}) returned {show(got)}, should be {wanted:.4f}"
               + (" (draws are with replacement: the same value can be drawn twice)" if values == [1.0, 2.0] and n == 2 else ""))
    many = [round(80 + 0.37 * k % 12, 2) for k in range(40)]
    for n in (100, 1000):                        # 40 ** 100 overflows a 64-bit int; (k / M) ** n does not
        got, wanted = fn(many, n), _expected_best(many, n)
        expect(close(got, wanted), f"expected_best of 40 values with n={n} should be {wanted:.4f}, got {show(got)}: "
                                   f"k ** n and M ** n are too big for numpy's 64-bit ints (they wrap around); "
                                   f"compute (k / M) ** n, a float between 0 and 1")
    rng = random.Random(5)
    for _ in range(20):
        values = [round(rng.uniform(0, 100), 1) for _ in range(rng.randint(2, 30))]
        n = rng.randint(1, 50)
        got, wanted = fn(values, n), _expected_best(values, n)
        expect(close(got, wanted), f"expected_best of {len(values)} values with n={n} should be {wanted:.4f}, got {show(got)}")


def _members(accs):
    from types import SimpleNamespace
    return [SimpleNamespace(arch=f"member {i}", val_acc=a, index=i) for i, a in enumerate(accs)]


@checks("tournament")
def _tournament(fn):
    population = _members([88.0, 91.0, 70.0, 85.5, 90.2, 60.0, 89.9, 87.0, 86.0, 84.0])
    best, worst = population[1], population[5]
    got = fn(population, 3, random.Random(0))
    expect(any(got is m for m in population), f"return one of the population's trials, got {show(got)}")
    for seed in range(20):
        expect(fn(population, len(population), random.Random(seed)) is best,
               "with sample_size = the whole population, the tournament must return the best member")
    rng = random.Random(1)
    picks = [fn(population, 1, rng) for _ in range(2000)]
    expect(len({id(p) for p in picks}) == len(population),
           "with sample_size=1 every member should win sometimes (a single random member is drawn): "
           "draw the contenders at random with rng.sample")
    expect(sum(p is best for p in picks) < 0.3 * len(picks),
           "with sample_size=1 the best member wins far too often: draw the contenders at random, then take the best of them")
    rng = random.Random(2)
    picks = [fn(population, 2, rng) for _ in range(2000)]
    expect(not any(p is worst for p in picks),
           "with sample_size=2 the worst member won a tournament: draw *different* members (rng.sample, not rng.choices)")
    share = sum(p is best for p in picks) / len(picks)
    expect(0.12 < share < 0.3, f"with sample_size=2 the best of 10 members should win about 20 % of the tournaments "
                               f"(when it is drawn); it won {share:.0%}")
    first = [fn(population, 3, random.Random(7)).index for _ in range(5)]
    expect(len(set(first)) == 1, "the same seed gave different winners: use the `rng` you are given, not `random`")


@checks("remove_one")
def _remove_one(fn):
    population = _members([88.0, 91.0, 70.0, 85.5, 60.0, 89.9])
    expect(fn(population, True) is population[0], "with aging, remove the oldest member, population[0]")
    expect(fn(population, False) is population[4], "without aging, remove the member with the lowest val_acc")
    population = _members([50.0, 91.0, 70.0])
    expect(fn(population, True) is population[0] and fn(population, False) is population[0],
           "when the oldest is also the worst, both rules remove it")
    population = _members([95.0, 40.0, 70.0])
    expect(fn(population, True) is population[0], "with aging the oldest goes even when it is the best")
    expect(fn(population, False) is population[1], "without aging, remove the member with the lowest val_acc")
