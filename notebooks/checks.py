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
