"""The checks of 05_comparing_strategies.ipynb's exercises (see checks/__init__.py)."""
import math
import random

from checks.common import checks, close, expect, show


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
    stamps = [1.7e9 + 0.1 * k for k in (3, 1, 4, 1, 5, 9, 2, 6)]     # seconds since 1970: big, close together
    m, se = fn(stamps)
    wanted = np.std(stamps, ddof=1) / np.sqrt(len(stamps))
    expect(close(m, np.mean(stamps), 1e-12) and close(se, wanted, 1e-6),
           f"for 8 time stamps near 1.7e9 s, 0.1 s apart, the SE is {wanted:.4f} s; you get {show(se)}. With numbers this "
           f"big, Σx² / n − mean² subtracts two nearly equal 19-digit numbers and floating point keeps only 16 digits: "
           f"first compute the mean, then sum the squared deviations from it")
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
