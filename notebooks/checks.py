"""The checks of the notebook exercises, one per exercise, keyed by the exercise's function name.

A check calls the student's function on test inputs and raises `Wrong("what is wrong, and a hint")`
at the first problem, or returns an optional note to print after the ✓. `exercises.verdict` runs
it. Checks test properties and compare with minas where they can, so they do not give the answer
away; tests/test_exercises.py makes sure each one rejects deliberately wrong answers.
"""
from __future__ import annotations

import math
import random
from functools import lru_cache
from typing import Any, Callable

from exercises import Wrong

CHECKS: dict[str, Callable[[Callable], str | None]] = {}


def checks(name: str):
    def register(fn):
        CHECKS[name] = fn
        return fn
    return register


def expect(condition: Any, message: str) -> None:
    if not condition:
        raise Wrong(message)


def show(value: Any) -> str:
    """A value as the student would write it: numbers short and plain (no np.float64(...))."""
    try:
        if isinstance(value, bool) or not hasattr(value, "__float__"):
            return repr(value)
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)


def close(a: Any, b: float, tol: float = 1e-6) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)
    except (TypeError, ValueError):
        return False


@lru_cache(maxsize=None)
def space():
    import minas
    return minas.spaces.CellSpace()


@lru_cache(maxsize=None)
def bench(dataset: str = "cifar10"):
    import minas
    return minas.benchmarks.NASBench201(dataset)


class FakeEstimator:
    """Scores every architecture with a fixed pseudo-random number and remembers what it scored."""

    def __init__(self):
        self.scored: list[tuple[Any, float]] = []

    def evaluate(self, arch, budget=None):
        from minas.estimators import Result
        score = random.Random(str(arch)).uniform(10, 95)
        self.scored.append((arch, score))
        return Result(val_acc=score, cost=1.0)


# --- 01 what is NAS ---------------------------------------------------------------------------

@checks("resnet_cell")
def _resnet_cell(fn):
    from minas.spaces import ArchError
    text = fn()
    expect(isinstance(text, str), f"return the cell as a string, not a {type(text).__name__}")
    try:
        cell = space().parse(text)
    except ArchError as e:
        raise Wrong(f"that string is not a cell yet. {e}") from None
    wanted = {(1, 0): "nor_conv_3x3", (2, 1): "nor_conv_3x3", (3, 0): "skip_connect", (3, 2): "skip_connect"}
    wrong = [f"edge {j} -> {i} carries {op}, but the ResNet block has {wanted.get((i, j), 'none')} there"
             for i, j, op in cell.edges() if op != wanted.get((i, j), "none")]
    expect(not wrong, "; ".join(wrong))


@checks("random_search")
def _random_search(fn):
    for trials, seed in ((25, 3), (1, 4), (40, 5)):
        fake = FakeEstimator()
        out = fn(space(), fake, trials, random.Random(seed))
        expect(isinstance(out, (tuple, list)) and len(out) == 2, f"return a pair (best_arch, best_val_acc), got {out!r}")
        arch, acc = out
        expect(len(fake.scored) == trials, f"with trials={trials} it evaluated {len(fake.scored)} architectures; "
                                           f"it should evaluate exactly {trials}")
        expect(len({str(a) for a, _ in fake.scored}) >= 0.8 * trials,
               f"it evaluated only {len({str(a) for a, _ in fake.scored})} different architectures in {trials} "
               f"trials: draw a new one with space.sample(rng) in every trial")
        best = max(s for _, s in fake.scored)
        expect(close(acc, best), f"it returned the score {show(acc)}, but the best score it saw was {best:.3f}")
        expect(any(str(a) == str(arch) and close(s, best) for a, s in fake.scored),
               "the score is the best one, but the architecture returned with it is not the one that scored it")
        again = fn(space(), FakeEstimator(), trials, random.Random(seed))
        expect(str(again[0]) == str(arch), "two runs with the same seed found different architectures: draw them "
                                           "with the `rng` you are given, `space.sample(rng)`, so a seed repeats the search")


# --- 02 search spaces -------------------------------------------------------------------------

@checks("space_size")
def _space_size(fn):
    import minas
    for k in range(1, 9):
        for n in range(2, 8):
            wanted = k ** (n * (n - 1) // 2)
            got = fn(k, n)
            expect(got == wanted and not isinstance(got, float),
                   f"space_size({k}, {n}) returned {show(got)}, but {n} nodes have {n * (n - 1) // 2} edges, so there are "
                   f"{wanted:,} cells" + (" (return an exact int: use ** on ints, not floats)" if got == wanted else ""))
            if k <= 5:
                expect(minas.spaces.CellSpace(minas.spaces.NB201_OPS[:k], n).size == got, "disagrees with CellSpace.size")


@checks("decode")
def _decode(fn):
    import minas
    small = minas.spaces.CellSpace(("none", "skip_connect", "nor_conv_3x3"), nodes=3)
    for sp in (space(), small):
        rng = random.Random(1)
        for _ in range(100):
            cell = sp.sample(rng)
            got = fn(sp.encode(cell), sp)
            expect(isinstance(got, minas.spaces.Cell),
                   f"return a Cell, e.g. Cell(tuple(op_names)); got a {type(got).__name__}: {show(got)}")
            expect(got == cell, f"decode(space.encode(cell)) gave {got} instead of {cell}"
                   + (f" in a space with {len(sp.ops)} ops and {len(sp.edges)} edges: use space.ops and "
                      f"len(space.edges), not fixed numbers" if sp is small else ""))


def _dead(cell, sp):
    from minas.spaces import Cell
    out = set()
    for e, (target, source, _) in enumerate(cell.edges()):
        if len({sp.canonical(Cell(cell.ops[:e] + (o,) + cell.ops[e + 1:])) for o in sp.ops}) == 1:
            out.add((source, target))
    return out


@checks("dead_edges")
def _dead_edges(fn):
    sp, rng = space(), random.Random(2)
    cells = [sp.parse("|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")]
    cells += [sp.sample(rng) for _ in range(300)]
    for cell in cells:
        got = fn(cell, sp)
        try:
            got = {tuple(e) for e in got}
        except TypeError:
            raise Wrong(f"return a list of (source, target) pairs, got {show(got)}") from None
        wanted = _dead(cell, sp)
        extra, missing = sorted(got - wanted), sorted(wanted - got)
        expect(not extra, f"for {cell} you call {extra} dead, but some op on {extra[0] if extra else ''} changes the "
                          f"network (pairs are (source, target), source < target)")
        expect(not missing, f"for {cell} the edges {missing} are dead too: no op on them changes space.canonical(cell)")


# --- 03 evaluating ----------------------------------------------------------------------------

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


# --- 04 black-box search ----------------------------------------------------------------------

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


# --- 05 comparing strategies ------------------------------------------------------------------

@checks("mean_and_se")
def _mean_and_se(fn):
    import numpy as np
    out = fn([1.0, 2.0, 3.0, 4.0])
    expect(isinstance(out, (tuple, list)) and len(out) == 2, f"return a pair (mean, standard_error), got {out!r}")
    m, se = out
    expect(close(m, 2.5), f"the mean of [1, 2, 3, 4] is 2.5, got {show(m)}")
    sd = np.std([1, 2, 3, 4], ddof=1)
    expect(not close(se, sd), "that is the standard deviation; the standard error divides it by √n")
    expect(not close(se, np.std([1, 2, 3, 4]) / 2), "use the sample standard deviation, with n - 1 in the denominator "
                                                    "(np.std(values, ddof=1))")
    expect(close(se, sd / 2), f"the SE of [1, 2, 3, 4] is {sd / 2:.4f}, got {show(se)}")
    rng = random.Random(6)
    for n in (2, 5, 30):
        values = np.array([rng.gauss(90, 0.5) for _ in range(n)])
        m, se = fn(values)
        expect(close(m, values.mean()) and close(se, values.std(ddof=1) / np.sqrt(n)),
               f"wrong for {n} values (also for numpy arrays): expected ({values.mean():.4f}, "
               f"{values.std(ddof=1) / np.sqrt(n):.4f}), got ({show(m)}, {show(se)})")


@checks("best_within")
def _best_within(fn):
    import pandas as pd
    costs, accs = [10.0, 20.0, 5.0, 40.0], [80.0, 85.0, 90.0, 95.0]
    for budget, wanted in ((100.0, 95.0), (75.0, 95.0), (74.9, 90.0), (35.0, 90.0), (34.0, 85.0), (30.0, 85.0),
                           (10.0, 80.0)):
        got = fn(costs, accs, budget)
        expect(close(got, wanted), f"best_within({costs}, {accs}, {budget}) returned {show(got)}, expected {wanted}: the "
               f"cumulated costs are 10, 30, 35, 75, so the trials up to total {budget} count")
    got = fn(costs, accs, 5.0)
    expect(isinstance(got, float) and math.isnan(got), f"when not even the first trial fits, return float('nan'), got {show(got)}")
    expect(close(fn([10.0, 20.0, 5.0], [90.0, 80.0, 85.0], 1000.0), 90.0), "return the best accuracy, not the last one")
    expect(close(fn(pd.Series(costs), pd.Series(accs), 34.0), 85.0), "it should work with pandas Series too (columns of "
                                                                      "a trials table)")


# --- 06 model-based search --------------------------------------------------------------------

def _encoded(seed: int, n: int):
    import numpy as np
    rng = random.Random(seed)
    cells = [space().sample(rng) for _ in range(n)]
    return (np.array([space().encode(c) for c in cells]), np.array([bench().query(c)["val_acc"] for c in cells]))


@checks("fit_predictor")
def _fit_predictor(fn):
    import numpy as np
    from minas import analysis
    X, y = _encoded(102, 150)
    X_test, y_test = _encoded(1102, 300)
    predict = fn(X, y)
    expect(callable(predict), f"return a function predict(X_new), not a {type(predict).__name__}")
    out = np.asarray(predict(X_test), dtype=float).reshape(-1)
    expect(out.shape == (300,), f"predict() of 300 encodings should return 300 numbers, got shape {out.shape}")
    expect(np.isfinite(out).all(), "some predictions are NaN or infinite")
    expect(out.std() > 1e-9, "every prediction is the same number: the predictor must depend on the encoding")
    tau = analysis.kendall_tau(out, y_test)
    expect(tau >= 0.3, f"your predictor ranks 300 new cells with τ = {tau:.2f}; aim for at least 0.3 "
                       f"(a ridge regression on the one-hot encoding gets about 0.45)")
    return f"τ = {tau:.2f} on 300 cells it has not seen."


@checks("thompson_pick")
def _thompson_pick(fn):
    import numpy as np
    got = list(fn([80.0, 90.0, 85.0, 70.0], [0.0, 0.0, 0.0, 0.0], 2, random.Random(0)))
    expect(got == [1, 2], f"with no uncertainty (std 0) Thompson sampling is greedy: the 2 best of means "
                          f"[80, 90, 85, 70] are [1, 2], best first; got {got}")
    got = list(fn(np.array([80.0, 90.0, 85.0]), np.array([1.0, 1.0, 1.0]), 3, random.Random(1)))
    expect(sorted(got) == [0, 1, 2], f"with k = all candidates, return every index once; got {got}")
    rng = random.Random(2)
    picks = [fn([90.0, 85.0], [0.1, 3.0], 1, rng) for _ in range(2000)]
    expect(all(len(p) == 1 for p in picks), "with k=1 return a list of one index")
    share = sum(p[0] == 1 for p in picks) / len(picks)
    expect(share > 0.01, "a candidate predicted 85 ± 3 should sometimes beat one predicted 90 ± 0.1 (a draw from "
                         "N(85, 3) exceeds 90 about 5 % of the time): draw one number per candidate with rng.gauss")
    expect(share < 0.12, f"the candidate predicted 85 ± 3 was picked {share:.0%} of the time, but a draw from N(85, 3) "
                         f"beats one from N(90, 0.1) only about 5 % of the time")
    a = list(fn([1.0, 2.0, 3.0], [5.0, 5.0, 5.0], 2, random.Random(3)))
    b = list(fn([1.0, 2.0, 3.0], [5.0, 5.0, 5.0], 2, random.Random(3)))
    expect(a == b, "the same seed gave different picks: use the `rng` you are given")


# --- 07 multi-fidelity ------------------------------------------------------------------------

@checks("bracket")
def _bracket(fn):
    from minas.strategies import SuccessiveHalving
    for lo, hi, eta in ((1, 10, 3), (1, 16, 2), (1, 10, 2), (3, 10, 3), (1, 100, 3), (2, 50, 4), (1, 27, 3),
                        (4, 10, 3), (5, 5, 3), (1, 200, 5)):
        sh = SuccessiveHalving(min_budget=lo, max_budget=hi, eta=eta)
        budgets, sizes = sh.shape(sh.s_max)
        call = f"bracket({lo}, {hi}, {eta})"
        got = fn(lo, hi, eta)
        expect(isinstance(got, (tuple, list)) and len(got) == 2, f"return a pair (budgets, sizes), got {show(got)}")
        got_budgets, got_sizes = list(got[0]), list(got[1])
        expect(len(got_budgets) == len(budgets), f"{call} has {len(budgets)} rungs (s = {len(budgets) - 1} halvings: "
               f"{hi} / {eta}**{len(budgets) - 1} >= {lo} but {hi} / {eta}**{len(budgets)} < {lo}); yours has "
               f"{len(got_budgets)}")
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


# --- 08 zero-cost proxies ---------------------------------------------------------------------

@checks("grad_norm")
def _grad_norm(fn):
    import copy

    import torch
    from minas.estimators import proxies
    reference = proxies.get("grad_norm")
    cases = [("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|", (3, 8, 8)),
             ("|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|", (3, 8, 8)),
             ("|nor_conv_1x1~0|+|skip_connect~0|nor_conv_3x3~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|", (1, 40))]
    for k, (text, shape) in enumerate(cases):
        torch.manual_seed(k)
        net = space().to_module(space().parse(text), input_shape=shape, num_classes=10, channels=4, cells=1)
        twin = copy.deepcopy(net)
        g = torch.Generator().manual_seed(k)
        x, y = torch.randn(8, *shape, generator=g), torch.randint(0, 10, (8,), generator=g)
        got, wanted = fn(net, x.clone(), y.clone()), reference(twin, x.clone(), y.clone())
        expect(isinstance(got, (float, int)) or (hasattr(got, "item") and getattr(got, "numel", lambda: 1)() == 1),
               f"return one number (a Python float), got {type(got).__name__}")
        expect(close(got, wanted, 1e-4), f"for {text} on inputs of shape {shape} you get {float(got):.6g}, minas' "
               f"grad_norm gives {wanted:.6g}. Sum the L2 norms (not squared) of the *gradients* of the weights of "
               f"Conv1d, Conv2d and Linear layers only (not batch norm), after loss.backward()")


@checks("prefilter")
def _prefilter(fn):
    rng = random.Random(8)
    cells = [f"cell {i}" for i in range(30)]
    scores = [rng.uniform(0, 1) for _ in cells]
    truth = {c: rng.uniform(50, 95) for c in cells}
    for k in (1, 5, 12):
        asked = []

        def evaluate(cell):
            asked.append(cell)
            return truth[cell]
        out = fn(cells, scores, k, evaluate)
        expect(isinstance(out, (tuple, list)) and len(out) == 2, f"return a pair (best_cell, best_accuracy), got {out!r}")
        top = {cells[i] for i in sorted(range(len(cells)), key=lambda i: -scores[i])[:k]}
        expect(len(asked) == k, f"with k={k} it called evaluate {len(asked)} times; evaluations are expensive: exactly {k}")
        expect(set(asked) == top, f"with k={k} it evaluated other cells than the {k} with the highest scores")
        best = max(top, key=truth.get)
        expect(out[0] == best and close(out[1], truth[best]),
               f"with k={k} the best evaluated cell is {best!r} ({truth[best]:.2f}); you returned {out!r}")


# --- 09 weight sharing ------------------------------------------------------------------------

@checks("sample_path")
def _sample_path(fn):
    import torch

    import minas
    spaces = (minas.benchmarks.MNIST1DBench.space, minas.spaces.CellSpace(),
              minas.spaces.CellSpace(("none", "skip_connect", "nor_conv_3x3"), nodes=3))
    for sp in spaces:
        edges, ops = len(sp.edges), len(sp.ops)
        w = fn(sp, random.Random(0))
        expect(isinstance(w, torch.Tensor), f"return a torch tensor (e.g. torch.zeros(...) with the 1s set), "
                                            f"not a {type(w).__name__}")
        expect(tuple(w.shape) == (edges, ops), f"in a space with {edges} edges and {ops} ops the weights have shape "
                                               f"({edges}, {ops}): one row per edge, one column per op; got {tuple(w.shape)}")
        expect(w.is_floating_point(), f"return a float tensor (the network multiplies by it), not {w.dtype}")
        expect(bool(((w == 0) | (w == 1)).all() and (w.sum(1) == 1).all()),
               f"each row must hold a single 1 and zeros elsewhere; got\n{w}")
        with torch.random.fork_rng():
            torch.manual_seed(1)
            a = fn(sp, random.Random(5))
            torch.manual_seed(2)
            b = fn(sp, random.Random(5))
        expect(torch.equal(a, b), "two calls with the same seed gave different paths: draw with the `rng` you are "
                                  "given (rng.randrange, or space.sample(rng)), not torch's or Python's global generator")
        rng = random.Random(1)
        draws = torch.stack([fn(sp, rng) for _ in range(3000)])
        share = draws.mean(0)
        worst = float((share - 1 / ops).abs().max())
        expect(worst < 0.05, f"over 3000 paths every op should be chosen on every edge about 1/{ops} of the time; "
                             f"one (edge, op) was chosen {float(share.flatten()[int((share - 1 / ops).abs().argmax())]):.0%} "
                             f"of the time (is `none` or the last op left out?)")
        same = float((draws[:, 0].argmax(1) == draws[:, -1].argmax(1)).float().mean())
        expect(abs(same - 1 / ops) < 0.05, f"the first and last edge chose the same op in {same:.0%} of the paths; "
                                           f"drawn independently, that happens about 1/{ops} of the time")


# --- 10 DARTS ---------------------------------------------------------------------------------

@checks("mixed_op")
def _mixed_op(fn):
    import torch

    import minas
    from minas.spaces.cell_supernet import MixedCell
    cases = ((minas.benchmarks.MNIST1DBench.space, 1, (8, 4, 20)), (space(), 2, (4, 4, 6, 6)))
    with torch.random.fork_rng():
        torch.manual_seed(10)
        for sp, dim, shape in cases:
            cell = MixedCell(sp, dim, 4).eval()
            x = torch.randn(*shape)
            for k in range(len(sp.edges)):
                ops = [None if op == "none" else module for op, module in zip(sp.ops, cell.edges[k])]
                alpha = (2 * torch.randn(len(sp.ops))).requires_grad_()
                with torch.no_grad():
                    wanted = cell.edge(k, x, torch.softmax(alpha, dim=0), one_hot=False)
                got = fn(x, ops, alpha)
                expect(isinstance(got, torch.Tensor) and got.shape == wanted.shape,
                       f"return a tensor shaped like an op's output {tuple(wanted.shape)}, got a "
                       f"{type(got).__name__} of shape {tuple(getattr(got, 'shape', ()))}")
                gap = float((got.detach() - wanted).abs().max())
                expect(torch.allclose(got, wanted, atol=1e-5),
                       f"with ops {list(sp.ops)} and alpha = {[round(a, 2) for a in alpha.tolist()]} the mixed output "
                       f"differs from Σ softmax(alpha)[o] · o(x) by up to {gap:.3g} (the "
                       f"softmax runs over every op, `none` included; `none` adds nothing to the sum)")
                expect(got.requires_grad, "the output has no gradient with respect to alpha: compute the weights "
                                          "with torch operations on alpha itself (no .detach(), .item() or numpy)")
                got.sum().backward()
                expect(alpha.grad is not None and bool(torch.isfinite(alpha.grad).all()),
                       "alpha received no gradient: compute the weights with torch.softmax(alpha, dim=0)")


@checks("derive")
def _derive(fn):
    import minas
    from minas.spaces import Cell
    rng = random.Random(10)
    for sp in (minas.benchmarks.MNIST1DBench.space, space()):
        keys = [f"{j}->{i}" for i, j in sp.edges]
        for trial in range(60):
            alphas = {}
            for key in keys:
                raw = [rng.random() + (3.0 if op == "none" and rng.random() < 0.4 else 0.0) for op in sp.ops]
                alphas[key] = {op: v / sum(raw) for op, v in zip(sp.ops, raw)}
            if trial % 2:                                  # the same weights, the edges listed in another order
                alphas = dict(sorted(alphas.items(), key=lambda _: rng.random()))
            wanted = Cell(tuple(max((op for op in alphas[key] if op != "none"), key=alphas[key].get) for key in keys))
            got = fn(alphas, sp)
            expect(isinstance(got, Cell), f"return a minas.spaces.Cell, e.g. Cell(tuple(ops)); got {show(got)}")
            expect("none" not in got.ops, f"you derived {got}: DARTS' rule leaves `none` out, take the heaviest of "
                                          f"the other ops")
            expect(got == wanted, f"for these weights the cell is {wanted}, you derived {got}"
                   + (" (the edges are listed in another order than space.edges here: go through space.edges and "
                      "look up alphas[f'{j}->{i}'])" if trial % 2 else ""))


# --- 11 hardware-aware ------------------------------------------------------------------------

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


# --- 12 capstone ------------------------------------------------------------------------------

@checks("make_strategy")
def _make_strategy(fn):
    import numpy as np

    import minas
    first, second = fn(), fn()
    expect(isinstance(first, minas.strategies.Strategy),
           f"return an instance of a minas.strategies.Strategy subclass (e.g. MyStrategy()), not {first!r}")
    expect(first is not second, "make_strategy() returned the same object twice: return a *new* instance each time "
                                "(every search needs a fresh strategy)")
    values = [bench().query(c)["val_acc"] for c in space().enumerate()]
    n = 100
    s, m = sorted(values), len(values)
    random_mean = sum(v * ((k / m) ** n - ((k - 1) / m) ** n) for k, v in enumerate(s, start=1))
    table = minas.estimators.Tabular(bench())
    best = np.array([minas.search(space(), fn(), table, trials=n, seed=1000 + seed).best.val_acc for seed in range(10)])
    mean, se = best.mean(), best.std(ddof=1) / np.sqrt(len(best))
    gap = (mean - random_mean) / max(se, 1e-9)
    summary = (f"Over 10 seeds of {n} queries your strategy found {mean:.2f} ± {se:.2f} % on average; random search "
               f"expects {random_mean:.2f} %")
    ideas = "Ideas: keep the best cells and mutate them; never evaluate a cell twice."
    expect(mean > random_mean, f"not yet. {summary}: that is below random search. {ideas}")
    expect(gap > 2, f"not yet. {summary}, only {gap:+.1f} standard errors above it (you need more than +2). {ideas}")
    return summary + f" (+{gap:.1f} SE). Now look at the scoreboard: does it hold on the other datasets?"


# --- 13 designing spaces ----------------------------------------------------------------------

class Recorder:
    """What a build receives as `hp`: answers every decision with `pick` (default: its first option) and
    records the decisions made, in order, as (name, options)."""

    def __init__(self, pick: Callable[[str, tuple], Any] | None = None):
        self.made: list[tuple[str, tuple]] = []
        self.pick = pick or (lambda name, options: options[0])

    def choice(self, name, options):
        self.made.append((name, tuple(options)))
        return self.pick(name, tuple(options))


def _module(fn, hp, input_shape, num_classes):
    """The student's build run once: it must return a torch.nn.Module."""
    import torch.nn as nn
    net = fn(hp, input_shape, num_classes)
    expect(isinstance(net, nn.Module), f"return the network (a torch.nn.Module, e.g. nn.Sequential(...)), not "
                                       f"{type(net).__name__}")
    return net


def _outputs(net, input_shape, num_classes, what):
    import torch
    try:
        with torch.no_grad():
            out = net.eval()(torch.zeros(2, *input_shape))
    except RuntimeError as e:
        raise Wrong(f"{what}: the network fails on a batch of 2 inputs of shape {tuple(input_shape)} ({e}); build "
                    f"it from input_shape and num_classes rather than from fixed numbers") from None
    expect(tuple(out.shape) == (2, num_classes), f"{what}: for a batch of 2 inputs of shape {tuple(input_shape)} and "
                                                 f"num_classes={num_classes} the network must give logits of shape "
                                                 f"(2, {num_classes}), not {tuple(out.shape)}")


def _layers(net, kind):
    return [m for m in net.modules() if isinstance(m, kind)]


@checks("mlp")
def _mlp(fn):
    import torch.nn as nn
    from minas.spaces import define
    recorder = Recorder()
    _module(fn, recorder, (1, 40), 10)
    wanted = [("width", (32, 64, 128)), ("activation", ("relu", "tanh")), ("dropout", (0.0, 0.5))]
    names = [name for name, _ in recorder.made]
    expect(names == [name for name, _ in wanted], f"make three decisions, in this order: hp.choice('width', ...), "
                                                  f"hp.choice('activation', ...), hp.choice('dropout', ...); yours: "
                                                  f"{names}")
    for (name, options), (_, right) in zip(recorder.made, wanted):
        expect(options == right, f"the options of {name!r} are {list(right)}, yours are {list(options)}")
    space = define(fn, input_shape=(1, 40))
    expect(space.size == 12, f"the space should hold 3 × 2 × 2 = 12 architectures, yours holds {space.size}")
    for shape, classes in (((1, 40), 10), ((3, 8, 8), 4)):
        size = math.prod(shape)
        for arch in space.enumerate():
            net = space.to_module(arch, input_shape=shape, num_classes=classes)
            what = f"with {arch} for inputs of shape {shape}"
            _outputs(net, shape, classes, what)
            linear, width = _layers(net, nn.Linear), arch["width"]
            expect([(m.in_features, m.out_features) for m in linear] == [(size, width), (width, classes)],
                   f"{what}: the two nn.Linear layers should be {size}→{width} and {width}→{classes} (the input's "
                   f"size is the product of input_shape), yours are "
                   f"{[f'{m.in_features}→{m.out_features}' for m in linear]}")
            act = {"relu": nn.ReLU, "tanh": nn.Tanh}[arch["activation"]]
            expect(len(_layers(net, act)) == 1 and not _layers(net, nn.Tanh if act is nn.ReLU else nn.ReLU),
                   f"{what}: the activation should be one nn.{act.__name__}")
            drops = [m.p for m in _layers(net, nn.Dropout)]
            expect(drops == [arch["dropout"]] or (arch["dropout"] == 0.0 and not drops),
                   f"{what}: expected nn.Dropout(p={arch['dropout']}), found dropout {drops or 'none'}")
    return "12 architectures: 3 widths × 2 activations × 2 dropout rates."


@checks("chain_size")
def _chain_size(fn):
    from minas.spaces import ChainSpace

    def ask(widths, depths, kernels, expansions, se, why):
        wanted = ChainSpace(widths, depths, kernels, expansions, se).size
        got = fn([list(w) for w in widths], list(depths), list(kernels), list(expansions), se)
        expect(isinstance(got, (int, float)) and not isinstance(got, bool) and got == wanted,
               f"chain_size({[list(w) for w in widths]}, {list(depths)}, {list(kernels)}, {list(expansions)}, {se}) "
               f"is {wanted:,}, you return {show(got)} ({why})")

    small = [([[4, 8]], [1], [3], [1], False, "one stage of one block: only its width varies"),
             ([[4]], [1, 2], [3], [1], False, "one width, one kind of block: only the depth varies"),
             ([[4]], [2], [3, 5], [1, 3], False, "a fixed depth of 2: two blocks of 4 kinds each"),
             ([[4]], [1, 2], [3, 5], [1, 3], False, "depth 1 or 2: the second block exists only at depth 2"),
             ([[4]], [1], [3, 5], [1], True, "squeeze-and-excitation doubles each stage"),
             ([[4], [8]], [1], [3], [1], True, "each stage decides SE on or off for itself"),
             ([[4, 8], [8, 16]], [1, 2], [3], [1, 6], True, "two stages multiply"),
             ([[4], [8], [16]], [1, 3], [3, 5, 7], [1], False, "three stages, depths 1 or 3")]
    for widths, depths, kernels, expansions, se, why in small:
        space = ChainSpace(widths, depths, kernels, expansions, se)
        expect(space.count() == space.size, "minas' own count disagrees with its formula: tell your instructor")
        ask(widths, depths, kernels, expansions, se, why)
    ask([[8, 12, 16], [16, 24, 32], [32, 48, 64]], [1, 2, 3], [3, 5, 7], [1, 3, 6], True, "minas' ChainSpace()")
    ask([[16, 32]] * 4, [2, 3, 4], [3, 5], [3, 6], False, "four stages of up to four blocks")
    return f"ChainSpace() holds {ChainSpace().size:,} chains; the NAS-Bench-201 cell space 15,625."


@checks("conv_stack")
def _conv_stack(fn):
    import torch.nn as nn
    from minas.spaces import define
    for depth in (1, 4):                                      # run directly first: errors name the student's line
        _module(fn, Recorder(lambda name, options: depth if name == "depth" else options[0]), (1, 40), 10)
    space = define(fn, input_shape=(1, 40))
    options = {d.name: d.options for d in space.decisions}
    wanted = {"depth": (1, 2, 3, 4), **{f"kernel{i}": (3, 5, 7) for i in range(4)}}
    expect(set(options) == set(wanted), f"the space should make the decisions depth, kernel0, ..., kernel3; "
                                        f"yours makes {', '.join(options)}")
    for name, right in wanted.items():
        expect(options[name] == right, f"the options of {name!r} are {list(right)}, yours are {list(options[name])}")
    for depth in (1, 2, 3, 4):
        arch = space.make(lambda d: depth if d.name == "depth" else d.options[-1])
        applies = list(space.choices_of(arch))
        right = ["depth", *(f"kernel{i}" for i in range(depth))]
        expect(applies == right, f"with depth={depth} the decisions that apply should be {', '.join(right)} (a layer's "
                                 f"kernel exists only when the depth reaches it); yours: {', '.join(applies)}")
    expect(space.size == 120, f"the space should hold 3 + 9 + 27 + 81 = 120 architectures, yours holds {space.size}")
    rng = random.Random(13)
    for arch in [space.sample(rng) for _ in range(12)]:
        for shape, classes in (((1, 40), 10), ((2, 24), 3)):
            net = space.to_module(arch, input_shape=shape, num_classes=classes)
            what = f"with {arch} for inputs of shape {shape}"
            _outputs(net, shape, classes, what)
            convs = _layers(net, nn.Conv1d)
            kernels = [arch[f"kernel{i}"] for i in range(arch["depth"])]
            expect([m.kernel_size[0] for m in convs] == kernels,
                   f"{what}: the network should have {arch['depth']} nn.Conv1d layer(s) with kernels {kernels}, yours "
                   f"has kernels {[m.kernel_size[0] for m in convs]}")
            expect(convs[0].in_channels == shape[0], f"{what}: the first convolution takes input_shape[0] = {shape[0]} "
                                                     f"channels, yours {convs[0].in_channels}")
    return "120 architectures, and each kernel decision exists only when the depth reaches its layer."
