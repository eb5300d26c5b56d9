"""The exercise mechanism of the notebooks (notebooks/exercises.py, checks/, solutions/).

Every exercise in a notebook has a check and a solution; the solution passes its check; an
unfilled stub is reported as not done (or runs the solution with MINAS_SOLUTIONS=1); and every
check rejects typical wrong answers — a check that cannot fail is a defect."""
import math
import random
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))

import checks  # noqa: E402
import exercises  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")   # tiny networks: one torch thread is far faster


def in_notebooks() -> dict[str, str]:
    """Exercise name -> notebook, from the @exercise functions of every notebook."""
    found = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                for name in re.findall(r"@exercise\s*\ndef (\w+)\(", cell.source):
                    assert name not in found, f"exercise {name} appears twice ({found.get(name)}, {path.name})"
                    found[name] = path.name
    return found


def named(name, fn):
    fn.__name__ = name
    return exercises.exercise(fn)


# --- deliberately wrong answers: typical mistakes, each of which its check must reject ---------------

class _Always:
    """A strategy that asks for the same cell every time."""

    def __new__(cls):
        import minas

        class Same(minas.strategies.Strategy):
            def ask(self):
                return self.space.parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|")
        return Same()


def _renamed():
    """minas' local search under a new name: a subclass that adds nothing."""
    from minas.strategies import LocalSearch

    class Renamed(LocalSearch):
        pass
    return Renamed()


def _calls_super():
    """A subclass whose ask() is its own on paper, but only calls minas' local search."""
    from minas.strategies import LocalSearch

    class Mine(LocalSearch):
        def ask(self):
            return super().ask()
    return Mine()


def _wrapper():
    """A strategy of its own class that hands every decision to minas' local search."""
    import minas

    class Wrapper(minas.strategies.Strategy):
        def setup(self, space, rng):
            super().setup(space, rng)
            self.inner = minas.strategies.LocalSearch()
            self.inner.setup(space, rng)

        def ask(self):
            return self.inner.ask()

        def tell(self, trial):
            super().tell(trial)
            self.inner.tell(trial)
    return Wrapper()


def _knows_the_answers():
    """Unfair play: asks for the 100 best cells of the CIFAR-10 table, best first, whatever it is told."""
    import minas

    class Cheat(minas.strategies.Strategy):
        def setup(self, space, rng):
            super().setup(space, rng)
            table = minas.benchmarks.NASBench201("cifar10")
            self.todo = sorted(space.enumerate(), key=lambda c: -table.query(c)["val_acc"])[:100]

        def ask(self):
            return self.todo[len(self.history)]
    return Cheat()


def _template_strategy():
    """The capstone's starting point as shipped (random search without repeats): it must not pass."""
    import minas
    for cell in nbformat.read(NOTEBOOKS / "12_capstone.ipynb", as_version=4).cells:
        if cell.cell_type == "code" and "class MyStrategy" in cell.source:
            namespace = {"minas": minas}
            exec(cell.source, namespace)
            return namespace["MyStrategy"]()
    raise AssertionError("12_capstone.ipynb has no MyStrategy template")


def _ridge(X, y, sign=1.0):
    X1 = np.hstack([np.asarray(X, float), np.ones((len(X), 1))])
    w = np.linalg.solve(X1.T @ X1 + np.eye(X1.shape[1]), X1.T @ np.asarray(y, float))
    return lambda Z: sign * (np.hstack([np.asarray(Z, float), np.ones((len(Z), 1))]) @ w)


def _grad_norm_with_bn(net, x, y):
    import torch.nn.functional as F
    net.train()
    F.cross_entropy(net(x), y).backward()
    return float(sum(p.grad.norm().item() for p in net.parameters() if p.grad is not None))


def _weight_norm(net, x, y):
    import torch.nn as nn
    return float(sum(m.weight.norm().item() for m in net.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear))))


def _naive_se(values):
    """Σx² / n − mean²: right on paper, and all digits lost when the values are big and close together."""
    a = np.asarray(values, dtype=float)
    return float(a.mean()), math.sqrt(max(0.0, (np.mean(a ** 2) - a.mean() ** 2) / (len(a) - 1)))


def _expected_best_in_int64(values, n):
    """The right formula with numpy's 64-bit ints: k ** n wraps around for big n."""
    s, k = np.sort(np.asarray(values, dtype=float)), np.arange(1, len(values) + 1, dtype=np.int64)
    return float(np.sum(s * (k ** n - (k - 1) ** n)) / float(len(values)) ** n)


def _bracket_by_log(lo, hi, eta, halvings=lambda lo, hi, eta: int(math.log(hi / lo, eta))):
    """The bracket with its number of halvings taken from a float logarithm (one short at exact powers)."""
    s = halvings(lo, hi, eta)
    return [max(lo, round(hi / eta ** (s - k))) for k in range(s + 1)], [eta ** (s - k) for k in range(s + 1)]


def _halvings(lo, hi, eta):
    """How many times a successive-halving bracket from `lo` to `hi` epochs divides by `eta`."""
    s = 0
    while hi / eta ** (s + 1) >= lo:
        s += 1
    return s


def _mlp(inputs=None, widths=(32, 64, 128), relu_only=False, dropout=True, classes=None):
    """The MLP build of notebook 13, with one mistake."""
    import torch.nn as nn

    def build(hp, input_shape, num_classes):
        width = hp.choice("width", list(widths))
        activation = hp.choice("activation", ["relu", "tanh"])
        p = hp.choice("dropout", [0.0, 0.5]) if dropout else 0.0
        act = nn.ReLU() if relu_only or activation == "relu" else nn.Tanh()
        return nn.Sequential(nn.Flatten(), nn.Linear(inputs or math.prod(input_shape), width), act, nn.Dropout(p),
                             nn.Linear(width, classes or num_classes))
    return build


def _stack(every_kernel=False, shared=False, offset=0, fewer=0, channels=None):
    """The conv-stack build of notebook 13, with one mistake."""
    import torch.nn as nn

    def build(hp, input_shape, num_classes):
        depth = hp.choice("depth", [1, 2, 3, 4])
        if every_kernel:                                  # all four kernels decided, whatever the depth
            kernels = [hp.choice(f"kernel{i}", [3, 5, 7]) for i in range(4)][:depth]
        elif shared:                                      # one kernel for every layer
            kernels = [hp.choice("kernel", [3, 5, 7])] * depth
        else:
            kernels = [hp.choice(f"kernel{i + offset}", [3, 5, 7]) for i in range(depth - fewer)]
        layers, c = [], channels or input_shape[0]
        for k in kernels:
            layers += [nn.Conv1d(c, 8, k, padding=k // 2), nn.ReLU()]
            c = 8
        return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, num_classes))
    return build


def _blocks(k, e):
    return len(k) * len(e)


WRONG = {
    "resnet_cell": [lambda: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|",
                    lambda: "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|",
                    lambda: 42],
    "random_search": [
        lambda space, est, trials, rng: max(((a, est.evaluate(a).val_acc) for a in [space.sample(rng) for _ in range(trials - 1)] or [space.sample(rng)]), key=lambda p: p[1]),
        lambda space, est, trials, rng: [(a, est.evaluate(a).val_acc) for a in [space.sample(rng) for _ in range(trials)]][-1],
        lambda space, est, trials, rng: min(((a, est.evaluate(a).val_acc) for a in [space.sample(rng) for _ in range(trials)]), key=lambda p: p[1]),
        lambda space, est, trials, rng: max(((a, est.evaluate(a).val_acc) for a in [space.sample(random.Random()) for _ in range(trials)]), key=lambda p: p[1]),
        lambda space, est, trials, rng: (lambda a: (a, max(est.evaluate(a).val_acc for _ in range(trials))))(space.sample(rng)),
    ],
    "space_size": [lambda k, n: k ** n, lambda k, n: k ** (n * (n - 1)), lambda k, n: float(k) ** (n * (n - 1) // 2),
                   lambda k, n: n ** (k * (k - 1) // 2), lambda k, n: int(math.pow(k, n * (n - 1) / 2)),
                   lambda k, n: int(k ** (n * (n - 1) / 2))],
    "decode": [lambda v, space: __import__("minas").spaces.Cell(tuple(space.ops[list(v[e * 5:e * 5 + 5]).index(1)] for e in range(6))),
               lambda v, space: [space.ops[list(v[e * len(space.ops):(e + 1) * len(space.ops)]).index(1)] for e in range(len(space.edges))],
               lambda v, space: __import__("minas").spaces.Cell(tuple(space.ops[list(v[e::len(space.edges)]).index(1)] if 1 in list(v[e::len(space.edges)]) else space.ops[0] for e in range(len(space.edges))))],
    "dead_edges": [lambda cell, space: [(j, i) for i, j, op in cell.edges() if op == "none"],
                   lambda cell, space: [],
                   lambda cell, space: [(i, j) for e, (i, j, _) in enumerate(cell.edges())
                                        if len({space.canonical(__import__("minas").spaces.Cell(cell.ops[:e] + (o,) + cell.ops[e + 1:])) for o in space.ops}) == 1]],
    "flip_rate": [lambda a, b: sum(x < y for x in a for y in b) / (len(a) * len(b)),
                  lambda a, b: sum((x > y) != (np.mean(a) > np.mean(b)) for x, y in zip(a, b)) / max(len(a), len(b)),
                  lambda a, b: 0.0],
    "kendall_tau": [lambda a, b: float(np.corrcoef(a, b)[0, 1]),
                    lambda a, b: __import__("minas").analysis.spearman_rho(a, b),
                    lambda a, b: sum(np.sign((a[i] - a[j]) * (b[i] - b[j])) for i in range(len(a)) for j in range(len(a)) if i != j) / len(a) ** 2],
    "expected_best": [lambda acc, n: float(np.mean(sorted(acc)[-n:])), lambda acc, n: max(acc),
                      lambda acc, n: float(np.mean(acc)),
                      lambda acc, n: sum(v * ((k / len(acc)) ** n - ((k - 1) / len(acc)) ** n) for k, v in enumerate(acc, start=1)),
                      _expected_best_in_int64],
    "tournament": [lambda pop, k, rng: max(pop, key=lambda t: t.val_acc),
                   lambda pop, k, rng: rng.choice(pop),
                   lambda pop, k, rng: max(rng.choices(pop, k=k), key=lambda t: t.val_acc),
                   lambda pop, k, rng: min(rng.sample(pop, k), key=lambda t: t.val_acc),
                   lambda pop, k, rng: max(random.sample(pop, k), key=lambda t: t.val_acc)],
    "remove_one": [lambda pop, aging: pop[0], lambda pop, aging: min(pop, key=lambda t: t.val_acc),
                   lambda pop, aging: pop[-1] if aging else min(pop, key=lambda t: t.val_acc),
                   lambda pop, aging: pop[0] if aging else max(pop, key=lambda t: t.val_acc)],
    "mean_and_se": [lambda v: (float(np.mean(v)), float(np.std(v, ddof=1))),
                    lambda v: (float(np.mean(v)), float(np.std(v) / np.sqrt(len(v)))),
                    lambda v: float(np.mean(v)), _naive_se],
    "best_within": [lambda c, a, b: max(a), lambda c, a, b: max([x for x, y in zip(a, c) if y <= b], default=float("nan")),
                    lambda c, a, b: max([x for x, s in zip(a, np.cumsum(list(c))) if s <= b], default=0.0),
                    lambda c, a, b: [x for x, s in zip(a, np.cumsum(list(c))) if s <= b][-1] if list(c)[0] <= b else float("nan")],
    "fit_predictor": [lambda X, y: (lambda Z: np.full(len(Z), float(np.mean(y)))),
                      lambda X, y: (lambda Z: np.random.default_rng(0).normal(size=len(Z))),
                      lambda X, y: _ridge(X, y, sign=-1.0),
                      lambda X, y: _ridge(X, y)(np.asarray(X))],
    "thompson_pick": [lambda m, s, k, rng: sorted(range(len(m)), key=lambda i: -m[i])[:k],
                      lambda m, s, k, rng: sorted(range(len(m)), key=lambda i: -(m[i] + 2 * s[i]))[:k],
                      lambda m, s, k, rng: rng.sample(range(len(m)), k),
                      lambda m, s, k, rng: sorted(range(len(m)), key=lambda i: rng.gauss(m[i], s[i]))[:k]],
    "bracket": [lambda lo, hi, eta: ([lo * eta ** k for k in range(_halvings(lo, hi, eta) + 1)],
                                     [eta ** (_halvings(lo, hi, eta) - k) for k in range(_halvings(lo, hi, eta) + 1)]),
                lambda lo, hi, eta: ([max(lo, round(hi / eta ** (_halvings(lo, hi, eta) - k))) for k in range(_halvings(lo, hi, eta) + 1)],
                                     [eta ** k for k in range(_halvings(lo, hi, eta) + 1)]),
                lambda lo, hi, eta: ([max(lo, hi / eta ** (_halvings(lo, hi, eta) - k)) for k in range(_halvings(lo, hi, eta) + 1)],
                                     [eta ** (_halvings(lo, hi, eta) - k) for k in range(_halvings(lo, hi, eta) + 1)]),
                lambda lo, hi, eta: ([max(lo, round(hi / eta ** (_halvings(lo, hi, eta) + 1 - k))) for k in range(_halvings(lo, hi, eta) + 2)],
                                     [eta ** (_halvings(lo, hi, eta) + 1 - k) for k in range(_halvings(lo, hi, eta) + 2)]),
                _bracket_by_log,
                lambda lo, hi, eta: _bracket_by_log(lo, hi, eta, lambda lo, hi, eta: math.floor(math.log(hi) / math.log(eta) - math.log(lo) / math.log(eta)))],
    "promote": [lambda results, eta: [c for c, a in sorted(results, key=lambda p: p[1])[:max(1, len(results) // eta)]],
                lambda results, eta: [c for c, a in sorted(results, key=lambda p: p[1], reverse=True)[:max(1, len(results) // eta)]],
                lambda results, eta: sorted((p for p in results if not math.isnan(p[1])), key=lambda p: p[1], reverse=True)[:max(1, len(results) // eta)],
                lambda results, eta: [c for c, a in sorted((p for p in results if not math.isnan(p[1])), key=lambda p: p[1], reverse=True)[:len(results) // eta]],
                lambda results, eta: [c for c, a in sorted((p for p in results if not math.isnan(p[1])), key=lambda p: p[1], reverse=True)[:-(-len(results) // eta)]]],
    "pareto_indices": [lambda c, a: [i for i in range(len(c)) if not any(c[j] <= c[i] and a[j] >= a[i] for j in range(len(c)) if j != i)],
                       lambda c, a: [i for i in range(len(c)) if not any(c[j] < c[i] and a[j] > a[i] for j in range(len(c)))],
                       lambda c, a: [i for i in range(len(c)) if not any(c[j] >= c[i] and a[j] <= a[i] and (c[j], a[j]) != (c[i], a[i]) for j in range(len(c)))],
                       lambda c, a: [min(range(len(c)), key=lambda i: c[i]), max(range(len(c)), key=lambda i: a[i])]],
    "reward": [lambda acc, cost, target, alpha=-0.07, beta=-0.07: acc * (target / cost) ** (alpha if cost <= target else beta),
               lambda acc, cost, target, alpha=-0.07, beta=-0.07: acc * (cost / target) ** beta,
               lambda acc, cost, target, alpha=-0.07, beta=-0.07: acc * (cost / target) ** (beta if cost <= target else alpha),
               lambda acc, cost, target, alpha=-0.07, beta=-0.07: acc * (1 + (alpha if cost <= target else beta) * (cost / target - 1))],
    "sample_path": [lambda space, rng: __import__("torch").eye(len(space.ops))[[0] * len(space.edges)],
                    lambda space, rng: __import__("torch").eye(len(space.ops))[[random.randrange(len(space.ops)) for _ in space.edges]],
                    lambda space, rng: __import__("torch").eye(len(space.ops))[[rng.randrange(len(space.ops)) for _ in space.edges]].T,
                    lambda space, rng: __import__("torch").eye(len(space.ops))[[rng.randrange(len(space.ops))] * len(space.edges)],
                    lambda space, rng: __import__("torch").eye(len(space.ops))[[rng.randrange(1, len(space.ops)) for _ in space.edges]],
                    lambda space, rng: space.sample(rng)],
    "mixed_op": [lambda x, ops, alpha: sum(alpha[k] * op(x) for k, op in enumerate(ops) if op is not None),
                 lambda x, ops, alpha: sum(w * op(x) for w, op in zip(__import__("torch").softmax(alpha[[k for k, op in enumerate(ops) if op is not None]], 0), [op for op in ops if op is not None])),
                 lambda x, ops, alpha: sum(op(x) for op in ops if op is not None) / len(ops),
                 lambda x, ops, alpha: sum(w * op(x) for w, op in zip(__import__("torch").softmax(alpha.detach(), 0), ops) if op is not None),
                 lambda x, ops, alpha: (ops[int(alpha.argmax())] or (lambda t: 0 * t))(x)],
    "derive": [lambda alphas, space: __import__("minas").spaces.Cell(tuple(max(alphas[f"{j}->{i}"], key=alphas[f"{j}->{i}"].get) for i, j in space.edges)),
               lambda alphas, space: __import__("minas").spaces.Cell(tuple(max((o for o in w if o != "none"), key=w.get) for w in alphas.values())),
               lambda alphas, space: tuple(max((o for o in alphas[f"{j}->{i}"] if o != "none"), key=alphas[f"{j}->{i}"].get) for i, j in space.edges),
               lambda alphas, space: __import__("minas").spaces.Cell(tuple(min((o for o in alphas[f"{j}->{i}"] if o != "none"), key=alphas[f"{j}->{i}"].get) for i, j in space.edges))],
    "grad_norm": [_grad_norm_with_bn, _weight_norm, lambda net, x, y: 1.0],
    "prefilter": [lambda cells, scores, k, ev: max(((c, ev(c)) for c in cells), key=lambda p: p[1]),
                  lambda cells, scores, k, ev: max(((cells[i], ev(cells[i])) for i in sorted(range(len(cells)), key=lambda i: scores[i])[:k]), key=lambda p: p[1]),
                  lambda cells, scores, k, ev: (lambda i: (cells[i], ev(cells[i])))(max(range(len(cells)), key=lambda i: scores[i]))],
    "mlp": [_mlp(inputs=40), _mlp(widths=(32, 64)), _mlp(relu_only=True), _mlp(dropout=False), _mlp(classes=10)],
    "chain_size": [lambda w, d, k, e, se: math.prod(len(x) * len(d) * _blocks(k, e) ** max(d) * (1 + se) for x in w),
                   lambda w, d, k, e, se: math.prod(len(x) * sum(_blocks(k, e) ** n for n in d) for x in w),
                   lambda w, d, k, e, se: math.prod(len(x) * sum(_blocks(k, e) * n for n in d) * (1 + se) for x in w),
                   lambda w, d, k, e, se: sum(len(x) * sum(_blocks(k, e) ** n for n in d) * (1 + se) for x in w),
                   lambda w, d, k, e, se: math.prod(len(x) * sum(_blocks(k, e) ** n for n in d) for x in w) * (1 + se),
                   lambda w, d, k, e, se: math.prod(len(x) * math.prod(_blocks(k, e) ** n for n in d) * (1 + se) for x in w)],
    "conv_stack": [_stack(every_kernel=True), _stack(shared=True), _stack(offset=1), _stack(fewer=1), _stack(channels=1)],
    "make_strategy": [lambda: __import__("minas").strategies.RandomSearch(), _Always, _template_strategy,
                      lambda: object(), lambda: __import__("minas").strategies.LocalSearch(),
                      lambda: __import__("minas").strategies.RegularizedEvolution(), _renamed, _calls_super, _wrapper,
                      _knows_the_answers],
}

EXERCISES = in_notebooks()


def test_every_exercise_has_a_check_a_solution_and_wrong_answers():
    assert EXERCISES, "no exercises found in notebooks/*.ipynb"
    for name, notebook in EXERCISES.items():
        assert name in checks.CHECKS, f"{notebook}: exercise {name} has no check in notebooks/checks/"
        assert callable(exercises.solution(name)), f"{notebook}: exercise {name} has no solution"
        assert WRONG.get(name), f"{notebook}: exercise {name} has no wrong answers in this test"
    assert set(checks.CHECKS) == set(EXERCISES), f"checks without an exercise: {set(checks.CHECKS) - set(EXERCISES)}"


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_solution_passes(name, monkeypatch):
    monkeypatch.delenv("MINAS_SOLUTIONS", raising=False)
    ok, message = exercises.verdict(named(name, exercises.solution(name)))
    assert ok and message.startswith("✓"), message
    assert "instructor's solution" not in message


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_an_unfilled_stub_is_not_done_until_solutions_are_on(name, monkeypatch):
    def stub(*args, **kwargs):
        raise NotImplementedError

    monkeypatch.delenv("MINAS_SOLUTIONS", raising=False)
    ok, message = exercises.verdict(named(name, stub))
    assert not ok and message.startswith("✗") and "not done yet" in message, message
    with pytest.raises(NotImplementedError, match="not done yet"):
        named(name, stub)()
    monkeypatch.setenv("MINAS_SOLUTIONS", "1")
    ok, message = exercises.verdict(named(name, stub))
    assert ok and "instructor's solution" in message, message


@pytest.mark.parametrize("name,k", [(n, k) for n in sorted(WRONG) for k in range(len(WRONG[n]))])
def test_every_check_rejects_a_wrong_answer(name, k, monkeypatch, capsys):
    monkeypatch.delenv("MINAS_SOLUTIONS", raising=False)
    fn = named(name, WRONG[name][k])
    exercises.check(fn)                       # what the student sees: printed, never raised
    printed = capsys.readouterr().out
    assert printed.startswith("✗") and "✓" not in printed, f"wrong answer #{k} to {name} was accepted: {printed}"
    assert "Traceback" not in printed


def test_a_crash_is_reported_with_the_students_line(monkeypatch):
    monkeypatch.delenv("MINAS_SOLUTIONS", raising=False)

    def space_size(num_ops, num_nodes):
        return num_ops ** undefined_name  # noqa: F821

    ok, message = exercises.verdict(exercises.exercise(space_size))
    assert not ok and "NameError" in message and "undefined_name" in message, message


def test_check_wants_an_exercise():
    ok, message = exercises.verdict(lambda: None)
    assert not ok and message.startswith("✗")


def test_grade_is_the_check_as_an_autograder_test(monkeypatch, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    monkeypatch.delenv("MINAS_SOLUTIONS", raising=False)
    exercises.grade(named("space_size", exercises.solution("space_size")))          # passes: no exception
    assert capsys.readouterr().out.startswith("✓")
    with pytest.raises(AssertionError, match="space_size"):
        exercises.grade(named("space_size", WRONG["space_size"][0]))
    monkeypatch.setenv("MINAS_SOLUTIONS", "1")                 # the solution standing in for a stub earns nothing
    with pytest.raises(AssertionError, match="only the instructor's solution ran"):
        exercises.grade(named("space_size", stub))
