"""Training's options: early stopping on learning curves (told by the search, exact on resume) and seeded
k-fold cross-validation."""
import math
import statistics
import tempfile

import pytest

import minas
from minas.estimators import Result, Training
from minas.estimators.splits import kfold_indices, splits
from minas.spaces import CellSpace
from minas.strategies import RandomSearch
from minas.trial import Trial

import fakes

pytestmark = pytest.mark.usefixtures("one_thread")

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
SMALL = CellSpace(ops=["none", "nor_conv_3x3"])     # cells whose output is cut off stay at chance
MARGIN, TRIALS = 25.0, 8


@pytest.fixture(scope="module")
def bumps():
    return fakes.bumps()


def _training(bumps, **settings):
    return Training(**(dict(dataset=bumps, epochs=4, channels=4, cells=1, batch_size=32, lr=0.05, device="cpu")
                       | settings))


def _reference(estimator, curve, budget=None, **extra):
    """Tell `estimator` about a finished trial with this learning curve."""
    estimator.tell(Trial(0, None, Result(val_acc=curve[-1], cost=1.0, curve=curve, extra=extra), budget=budget))


# --- early stopping --------------------------------------------------------------------------------

def test_a_candidate_far_behind_the_best_curve_stops(bumps, space):
    arch = space.parse(ARCH)
    estimator = _training(bumps, epochs=3, early_stop=10.0)
    estimator.bind(0)
    free = estimator.evaluate(arch)                         # nothing told yet: nothing to compare with
    assert len(free.curve) == 3 and "stopped_at" not in free.extra
    assert free.curve[0] + 10 < 100
    _reference(estimator, [100.0, 100.0, 100.0])
    costs = []
    for budget in (None, 3):                                # 3 epochs is this estimator's default budget
        stopped = estimator.evaluate(arch, budget)
        assert stopped.curve == free.curve[:1] and stopped.val_acc == free.curve[0]
        assert stopped.extra["stopped_at"] == 1 and stopped.test_acc is not None
        costs.append(stopped.cost)
    assert min(costs) < free.cost                            # it paid for one epoch of three (wall clock: the
                                                             # shared machine's load blurs finer comparisons)
    assert len(estimator.evaluate(arch, {"fraction": 0.5}).curve) == 3    # another budget: no reference

    estimator.prepare(space)                                 # a new search forgets the old curves;
    _reference(estimator, [100.0], stopped_at=1)             # neither a stopped trial ...
    estimator.tell(Trial(1, arch, None, error="boom"))      # ... nor a failed one is a reference
    assert estimator.evaluate(arch).curve == free.curve
    off = _training(bumps, epochs=3)
    off.bind(0)
    _reference(off, [100.0, 100.0, 100.0])
    assert off.evaluate(arch).curve == free.curve            # off by default


@pytest.fixture(scope="module")
def with_and_without(bumps):
    """The same random search (same cells, same seeds) without early stopping, and with it, the
    latter stopped after 4 trials and resumed from its run folder: (trials, best, trials, best, number
    of trials evaluated after the resume)."""
    full = minas.Search(SMALL, RandomSearch(), _training(bumps), trials=TRIALS, seed=0).run()
    with tempfile.TemporaryDirectory() as run_dir:
        def early(trials):
            return minas.Search(SMALL, RandomSearch(), _training(bumps, early_stop=MARGIN), trials=trials, seed=0,
                                run_dir=run_dir)
        early(4).run()
        search = early(TRIALS)
        fresh = []
        search.subscribe(lambda e: fresh.append(e) if e.kind == "trial_finished" and not e.data["replayed"] else None)
        early = search.run()
    return full.trials, full.best, early.trials, early.best, len(fresh)


def test_early_stopping_saves_cost_and_still_finds_the_best(with_and_without):
    full, full_best, early, early_best, _ = with_and_without
    assert list(early.arch) == list(full.arch)
    stopped = early.stopped_at.notna()
    assert 3 <= stopped.sum() < TRIALS
    reference = None                                         # replay the documented rule on the full curves
    for k in range(TRIALS):
        curve = full.curve[k]
        fires = [e for e in range(1, 4) if reference and max(curve[:e]) + MARGIN < max(reference[:e])]
        if fires:
            assert early.stopped_at[k] == fires[0] and early.curve[k] == curve[: fires[0]]
            assert early.val_acc[k] == curve[fires[0] - 1]
        else:
            assert math.isnan(early.stopped_at[k]) and early.curve[k] == curve
            if reference is None or curve[-1] > reference[-1]:
                reference = curve
    assert early.curve.map(len).sum() <= 0.8 * full.curve.map(len).sum()   # a fifth of the epochs saved
    assert (str(early_best.arch), early_best.val_acc) == (str(full_best.arch), full_best.val_acc)


def test_resume_with_early_stopping_is_exact(with_and_without):
    """The resumed search stopped exactly the trials the rule prescribes (checked above), the first
    new one included: only possible because the estimator was told the replayed trials' curves."""
    _, _, early, _, evaluated_after_resume = with_and_without
    assert evaluated_after_resume == TRIALS - 4
    assert early.stopped_at[:4].notna().any() and early.stopped_at[4] > 0


# --- k-fold cross-validation --------------------------------------------------------------------------

def test_kfold_indices_are_disjoint_seeded_and_cover_everything():
    parts = kfold_indices(62, 5, seed=0)
    assert sorted(len(p) for p in parts) == [12, 12, 12, 13, 13]
    assert sorted(i for p in parts for i in p.tolist()) == list(range(62))
    assert [p.tolist() for p in kfold_indices(62, 5, seed=0)] == [p.tolist() for p in parts]
    assert [p.tolist() for p in kfold_indices(62, 5, seed=1)] != [p.tolist() for p in parts]
    for folds in (1, 63):
        with pytest.raises(ValueError, match="folds"):
            kfold_indices(62, folds, seed=0)


def _rows(x):
    return [tuple(row.flatten().tolist()) for row in x]


def test_kfold_splits_hold_each_sample_out_once(bumps):
    everything = set(_rows(bumps.x_train) + _rows(bumps.x_val))
    label = dict(zip(_rows(bumps.x_train) + _rows(bumps.x_val), bumps.y_train.tolist() + bumps.y_val.tolist()))
    assert len(everything) == 300
    pairs = splits(bumps, folds=3, fraction=1.0, seed=0)
    held_out = [set(_rows(val[0])) for _, val in pairs]
    assert sum(len(h) for h in held_out) == 300 and set().union(*held_out) == everything
    for (train, val), held in zip(pairs, held_out):
        assert len(train[0]) + len(val[0]) == 300
        assert set(_rows(train[0])) == everything - held
        for x, y in (train, val):                                          # labels travel with their samples
            assert [label[row] for row in _rows(x)] == y.tolist()
    thinned = splits(bumps, folds=3, fraction=0.5, seed=0)
    assert [len(t[0]) for t, _ in thinned] == [100] * 3 and [_rows(v[0]) for _, v in thinned] == [
        _rows(v[0]) for _, v in pairs]
    (train, val), = splits(bumps, folds=1, fraction=1.0, seed=0)        # the held-out split
    assert _rows(val[0]) == _rows(bumps.x_val) and set(_rows(train[0])) == set(_rows(bumps.x_train))


def test_kfold_training_validates_on_every_fold(bumps, space):
    arch = space.parse(ARCH)
    estimator = _training(bumps, epochs=2, folds=3)
    events = []
    estimator.bind(0, lambda kind, **data: events.append(data))
    result = estimator.evaluate(arch)
    assert [(e["fold"], e["epoch"]) for e in events] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)]
    per_fold = [[e["val_acc"] for e in events if e["fold"] == k] for k in (1, 2, 3)]
    assert result.extra["fold_val_acc"] == [curve[-1] for curve in per_fold]
    assert result.curve == [statistics.fmean(epoch) for epoch in zip(*per_fold)]
    assert result.val_acc == statistics.fmean(result.extra["fold_val_acc"])
    assert result.test_acc == statistics.fmean(result.extra["fold_test_acc"])
    assert len(set(result.extra["fold_val_acc"])) > 1 and result.cost > 0
    estimator.bind(0)
    again = estimator.evaluate(arch).extra
    assert again.pop("latency") > 0 and result.extra.pop("latency") > 0    # measured: differs from run to run
    assert again == result.extra                                           # the rest is seeded
    other_folds = _training(bumps, epochs=2, folds=3, data_seed=1)
    other_folds.bind(0)
    assert other_folds.evaluate(arch).extra["fold_val_acc"] != result.extra["fold_val_acc"]
    assert "3-fold cross-validation" in estimator.describe()


def test_invalid_validation_settings_are_refused(bumps):
    with pytest.raises(ValueError, match="folds"):
        _training(bumps, folds=0)
    with pytest.raises(ValueError, match="early_stop"):
        _training(bumps, folds=3, early_stop=10.0)
