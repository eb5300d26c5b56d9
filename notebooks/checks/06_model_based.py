"""The checks of 06_model_based.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import bench, checks, expect, space


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
