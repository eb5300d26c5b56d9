"""The checks of 12_capstone.ipynb's exercises (see checks/__init__.py)."""
from checks.common import bench, checks, expect, space


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
