"""The checks of 12_capstone.ipynb's exercises (see checks/__init__.py).

The capstone is scored where the student cannot have tuned: on ImageNet16-120, which the notebook never
shows, with seeds it never uses. Before that, the check refuses what is not the student's own strategy:
one of minas' strategies, a subclass whose `ask` is still minas' (a new name only), a strategy that hands
its work to one of minas', one that asks for exactly the cells a built-in asks for, and one that asks for
the same cells whatever scores it is told (it knows good cells from elsewhere, not from `tell`)."""
import random

from checks.common import Wrong, bench, checks, expect, space

HELD_OUT = "ImageNet16-120"          # the notebook develops on CIFAR-10 and shows CIFAR-100, never this one
SEEDS = range(7_000, 7_020)          # 20 seeds that no cell of the notebook uses
QUERIES = 100
BUILT_INS = ("random", "evolution", "local", "reinforce", "bayesopt")   # the strategies that run on a table
COMPARED = 30                        # queries over which a copy is told apart from the original


def _from_minas(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "minas"


def _not_a_copy(strategy) -> None:
    """Refuse minas' own strategies, renamed subclasses of them, and wrappers around them."""
    import minas
    cls = type(strategy)
    expect(not _from_minas(cls),
           f"that is minas' own {cls.__name__}: the challenge is to write your own class, with its own ask()")
    owner = next(k for k in cls.__mro__ if "ask" in vars(k))
    expect(not _from_minas(owner),
           f"{cls.__name__} only renames minas' {owner.__name__}: its ask() is {owner.__name__}'s. Write your own "
           f"ask() (your class may still use the space's sample, mutate and neighbours)")
    strategy.setup(space(), random.Random(0))
    for name, value in vars(strategy).items():
        expect(not (isinstance(value, minas.strategies.Strategy) and _from_minas(type(value))),
               f"{cls.__name__} hands its work to minas' {type(value).__name__} (self.{name}): write the search "
               f"yourself")


def _asks(make, estimator, seed: int, queries: int) -> list[str]:
    import minas
    search = minas.Search(space(), make(), estimator, trials=queries, seed=seed)
    search.run()
    return [str(t.arch) for t in search.trials]


def _not_the_same_search(fn, table) -> None:
    """Refuse a strategy that asks, trial by trial, for what a built-in asks (with the same seed)."""
    import minas
    seed = SEEDS[0]
    yours = _asks(fn, table, seed, COMPARED)
    for name in BUILT_INS:
        try:
            theirs = _asks(lambda: minas.strategies.STRATEGIES.create(name), table, seed, COMPARED)
        except Exception:                            # a built-in that cannot run here proves nothing
            continue
        expect(yours != theirs, f"your strategy asks for exactly the cells minas' {name!r} asks for, query by "
                                f"query: it is {name} under another name. Change what it does, not what it is called")


def _scrambled():
    """An estimator that scores every cell with a fixed pseudo-random number: scores that mean nothing."""
    import minas

    class Scrambled(minas.estimators.Estimator):
        name = "scrambled"

        def evaluate(self, arch, budget=None):
            return minas.estimators.Result(val_acc=random.Random(f"scrambled {arch}").uniform(10, 95), cost=1.0)
    return Scrambled()


def _random_expectation(values: list[float], n: int) -> float:
    s, m = sorted(values), len(values)
    return sum(v * ((k / m) ** n - ((k - 1) / m) ** n) for k, v in enumerate(s, start=1))


@checks("make_strategy")
def _make_strategy(fn):
    import numpy as np

    import minas
    first, second = fn(), fn()
    expect(isinstance(first, minas.strategies.Strategy),
           f"return an instance of a minas.strategies.Strategy subclass (e.g. MyStrategy()), not {first!r}")
    expect(first is not second, "make_strategy() returned the same object twice: return a *new* instance each time "
                                "(every search needs a fresh strategy)")
    _not_a_copy(first)
    table = minas.estimators.Tabular(bench(HELD_OUT))
    _not_the_same_search(fn, table)
    random_mean = _random_expectation([bench(HELD_OUT).query(c)["val_acc"] for c in space().enumerate()], QUERIES)
    best = np.array([minas.search(space(), fn(), table, trials=QUERIES, seed=seed).best.val_acc for seed in SEEDS])
    mean, se = best.mean(), best.std(ddof=1) / np.sqrt(len(best))
    gap = (mean - random_mean) / max(se, 1e-9)
    summary = (f"On {HELD_OUT}, which this notebook never shows, over {len(SEEDS)} seeds it never uses, your strategy "
               f"found {mean:.2f} ± {se:.2f} % on average with {QUERIES} queries; random search expects "
               f"{random_mean:.2f} %")
    ideas = "Ideas: keep the best cells and mutate them; never evaluate a cell twice."
    expect(mean > random_mean, f"not yet. {summary}: that is below random search. {ideas}")
    expect(gap > 2, f"not yet. {summary}, only {gap:+.1f} standard errors above it (you need more than +2). {ideas}")
    if _asks(fn, table, SEEDS[0], QUERIES) == _asks(fn, _scrambled(), SEEDS[0], QUERIES):
        raise Wrong("your strategy asks for the same 100 cells whether the scores it is told are real or "
                    "meaningless: it does not learn from tell(), so its good cells come from somewhere else (a "
                    "table, a list). Fair play: learn about architectures only through tell()")
    return summary + f" (+{gap:.1f} SE). Compare it with the scoreboard: did your lead on CIFAR-10 carry over?"
