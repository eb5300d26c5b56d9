"""The checks of 07_multi_fidelity.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import checks, expect, show


# max / min an exact power of eta: math.log(243, 3) is 4.999999999999999 and math.log(1000, 10) is
# 2.9999999999999996, so a count of halvings taken from a logarithm comes out one short
EXACT_POWERS = ((1, 243, 3), (2, 486, 3), (1, 1000, 10), (3, 6, 2), (4, 36, 3), (5, 80, 4))
LOG_HINT = (" — here max / min is an exact power of eta, and a logarithm in floating point lands just below it "
            "(math.log(243, 3) is 4.999999999999999), so int() or floor() of it is one short. Count the halvings with "
            "a loop: while max_budget / eta ** (s + 1) >= min_budget")


@checks("bracket")
def _bracket(fn):
    from minas.strategies import SuccessiveHalving
    for lo, hi, eta in ((1, 10, 3), (1, 16, 2), (1, 10, 2), (3, 10, 3), (1, 100, 3), (2, 50, 4), (1, 27, 3),
                        (4, 10, 3), (5, 5, 3), (1, 200, 5), (1, 26, 3), (1, 10, 4), *EXACT_POWERS):
        sh = SuccessiveHalving(min_budget=lo, max_budget=hi, eta=eta)
        budgets, sizes = sh.shape(sh.s_max)
        call = f"bracket({lo}, {hi}, {eta})"
        got = fn(lo, hi, eta)
        expect(isinstance(got, (tuple, list)) and len(got) == 2, f"return a pair (budgets, sizes), got {show(got)}")
        got_budgets, got_sizes = list(got[0]), list(got[1])
        expect(len(got_budgets) == len(budgets), f"{call} has {len(budgets)} rungs (s = {len(budgets) - 1} halvings: "
               f"{hi} / {eta}**{len(budgets) - 1} >= {lo} but {hi} / {eta}**{len(budgets)} < {lo}); yours has "
               f"{len(got_budgets)}" + (LOG_HINT if (lo, hi, eta) in EXACT_POWERS else ""))
        expect(got_budgets == budgets, f"{call}: the budgets should be {budgets}, got {got_budgets}"
               + (" (count down from max_budget: the last rung trains with the full budget)" if got_budgets[-1] != hi else ""))
        expect(all(isinstance(b, int) for b in got_budgets), f"{call}: budgets are whole epochs; return ints "
                                                             f"(round(...)), got {got_budgets}")
        expect(got_sizes == sizes, f"{call}: the rungs should have {sizes} cells, got {got_sizes} (the first has "
                                   f"eta**s, and each keeps len(rung) // eta)")


@checks("promote")
def _promote(fn):
    nan = float("nan")
    rung = [("a", 90.0), ("b", 95.0), ("c", 80.0), ("d", 97.0), ("e", 85.0), ("f", 92.0)]
    got = fn(list(rung), 3)
    expect(isinstance(got, (list, tuple)), f"return a list of cells, got {show(got)}")
    expect(not any(isinstance(c, tuple) for c in got), f"return the cells only, not (cell, val_acc) pairs: got {show(got)}")
    expect(list(got) == ["d", "b"], f"of {rung} with eta=3, the 6 // 3 = 2 best are ['d', 'b'] (best first); got {show(got)}")
    expect(list(fn(list(rung), 2)) == ["d", "b", "f"], f"with eta=2, keep the 3 best, best first: ['d', 'b', 'f']; "
                                                        f"got {show(fn(list(rung), 2))}")
    expect(list(fn([("a", 1.0), ("b", 2.0)], 3)) == ["b"], "a rung smaller than eta still promotes one cell, its best")
    failed = [("a", nan), ("b", 50.0), ("c", nan), ("d", 40.0), ("e", 10.0), ("f", nan)]
    expect(list(fn(list(failed), 3)) == ["b", "d"], f"with failed trials (NaN) in {failed}: never promote them, keep "
                                                     f"the 2 best finished ones, ['b', 'd']; got {show(fn(list(failed), 3))}")
    lone = [("a", nan), ("b", nan), ("c", 30.0), ("d", nan), ("e", nan), ("f", nan)]
    expect(list(fn(list(lone), 3)) == ["c"], f"only 'c' finished in {lone}: promote ['c'] alone, never a NaN; got "
                                              f"{show(fn(list(lone), 3))}")
    ties = [("a", 90.0), ("b", 95.0), ("c", 95.0), ("d", 80.0), ("e", 95.0), ("f", 70.0)]
    expect(list(fn(list(ties), 2)) == ["b", "c", "e"], "cells with equal accuracy keep their order in `results` "
                                                        "(as sorted(..., reverse=True) does)")
    rng = random.Random(7)
    for _ in range(200):
        n, eta = rng.randint(1, 30), rng.randint(2, 4)
        accs = rng.sample(range(1000), n)
        results = [(f"cell {i}", acc / 10) for i, acc in enumerate(accs)]
        wanted = [c for c, _ in sorted(results, key=lambda p: -p[1])[:max(1, n // eta)]]
        got = list(fn(list(results), eta))
        expect(got == wanted, f"a rung of {n} cells with eta={eta} should promote {len(wanted)} cells, best first; "
                              f"got {len(got)}" + ("" if len(got) != len(wanted) else " in another order or others"))
