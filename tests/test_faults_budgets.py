"""Fault injection, budgets, results, settings and data (issue 16, defects 4, 5, 6, 7 and 9): every budget ends,
results are plain numbers, and bad settings or data are refused before the first trial."""
import gc
import json
import math
import time
import weakref
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from PIL import Image

import minas
from minas import data
from minas.data import DataError, from_tensors
from minas.errors import MinasWarning, SearchError, SettingsError
from minas.estimators import Estimator, Result, Tabular, Training
from minas.estimators import splits
from minas.strategies import RandomSearch


@dataclass
class Constant(Estimator):
    """A free estimator whose result is whatever `make(arch)` returns, after `sleep` seconds."""
    make: object = None
    sleep: float = 0.0

    def evaluate(self, arch, budget=None):
        time.sleep(self.sleep)
        return self.make(arch)


def _ops(arch) -> int:
    return sum(op == "nor_conv_3x3" for op in arch.ops)


# --- 4. every budget ends -------------------------------------------------------------------------------

@pytest.mark.parametrize("budget, message", [
    (dict(trials=0), "trials must be a whole number >= 1, not 0"),
    (dict(trials=-1), "trials must be a whole number >= 1, not -1"),
    (dict(trials=2.5), "trials must be a whole number"),
    (dict(trials=None, max_cost=math.nan), "max_cost must be a finite number of seconds > 0, not nan"),
    (dict(trials=None, max_cost=0), "max_cost must be"),
    (dict(trials=None, max_cost=-5.0), "max_cost must be"),
    (dict(trials=None, max_seconds=math.inf), "max_seconds must be a finite number of seconds > 0, not inf"),
    (dict(trials=None, max_seconds=0.0), "max_seconds must be"),
])
def test_budgets_that_cannot_end_a_search_are_refused(space, bench, budget, message):
    with pytest.raises(SettingsError, match=message):
        minas.Search(space, RandomSearch(), Tabular(bench), **budget)


@pytest.mark.parametrize("cost", [math.nan, -1.0])
def test_a_cost_that_is_not_seconds_fails_the_trial_and_the_search_ends(space, cost):
    search = minas.Search(space, RandomSearch(), Constant(lambda a: Result(val_acc=50.0, cost=cost)),
                          trials=None, max_cost=30.0)
    with pytest.warns(MinasWarning), pytest.raises(SearchError, match=rf"first 10 trials all failed.*cost={cost}"):
        search.run()
    assert len(search.trials) == 10


def test_free_and_failed_trials_charge_the_seconds_they_took(space):
    half = Constant(lambda a: Result(val_acc=50.0, cost=0.0) if _ops(a) % 2 else 1 / 0, sleep=0.002)
    search = minas.Search(space, RandomSearch(), half, trials=None, max_cost=0.1, seed=0)
    search.fail_fast = 0
    with pytest.warns(MinasWarning):
        result = search.run()                                     # before: a free or failing search never ended
    assert result.status == "finished" and 0.1 <= search.spent_cost < 0.2
    assert {t.ok for t in search.trials} == {True, False}
    assert all(t.cost == t.wall > 0.002 for t in search.trials)
    assert list(result.trials.cost) == [t.wall for t in search.trials]


def test_a_search_whose_first_trials_all_fail_stops_with_their_common_error(space, tmp_path):
    def boom(arch):
        raise RuntimeError(f"CUDA out of memory on {arch}")

    search = minas.Search(space, RandomSearch(), Constant(boom), trials=None, max_cost=1e9, run_dir=tmp_path)
    with pytest.warns(MinasWarning), pytest.raises(SearchError) as err:
        search.run()
    assert "the first 10 trials all failed" in str(err.value)
    assert "each with RuntimeError: CUDA out of memory on <arch>" in str(err.value)
    assert search.status == "failed" and len((tmp_path / "trials.jsonl").read_text().splitlines()) == 10


def test_failures_that_differ_belong_to_the_candidates_and_the_search_goes_on(space):
    def fragile(arch):                              # e.g. over a parameter cap: each by its own count
        raise RuntimeError(f"{1000 + 37 * _ops(arch) + len(str(arch))} parameters, over the cap")

    with pytest.warns(MinasWarning):
        result = minas.Search(space, RandomSearch(), Constant(fragile), trials=14, seed=0).run()
    assert result.status == "finished" and (result.trials.status == "failed").sum() == 14


# --- 5. results are plain JSON numbers -------------------------------------------------------------------

def _numpy_result(arch):
    return Result(val_acc=np.float32(40 + _ops(arch)), cost=torch.tensor(2.5), test_acc=torch.tensor(39.0),
                  params=np.int64(123), flops=torch.tensor(456), curve=torch.tensor([30.0, 40.0 + _ops(arch)]),
                  extra={"latency": np.float64(0.001), "hist": np.array([1, 2])})


def test_numpy_and_tensor_results_are_recorded_as_plain_numbers_and_resume(space, tmp_path):
    first = minas.Search(space, RandomSearch(), Constant(_numpy_result), trials=4, run_dir=tmp_path).run()
    record = json.loads((tmp_path / "trials.jsonl").read_text().splitlines()[0])
    assert type(record["val_acc"]) is float and type(record["params"]) is int and type(record["flops"]) is int
    assert record["curve"][0] == 30.0 and record["hist"] == [1, 2] and type(record["latency"]) is float
    again = minas.Search(space, RandomSearch(), Constant(_numpy_result), trials=6, run_dir=tmp_path).run()
    assert list(again.trials.val_acc[:4]) == list(first.trials.val_acc)     # resumed: no crash on a string
    assert type(again.trials.params[0]) is not str and again.best.result.params == 123


def test_a_result_value_that_cannot_be_made_plain_fails_the_trial_naming_the_field(space):
    odd = Constant(lambda a: Result(val_acc=50.0, cost=1.0, extra={"model": object()}))
    with pytest.warns(MinasWarning):
        trials = minas.Search(space, RandomSearch(), odd, trials=2).run().trials
    assert (trials.status == "failed").all()
    assert all("result.extra['model'] is <object object" in e for e in trials.error)


# --- 6. every training knob, the device and the network's memory, checked up front ------------------------

@pytest.fixture(scope="module")
def bumps():
    import fakes
    return fakes.bumps()


@pytest.mark.parametrize("knob, message", [
    (dict(cells=0), "cells must be a whole number >= 1, not 0"),
    (dict(channels=0), "channels must be"), (dict(channels=-3), "channels must be a whole number >= 1, not -3"),
    (dict(batch_size=0), "batch_size must be"), (dict(epochs=0), "epochs must be"),
    (dict(resolution=0), "resolution must be"), (dict(fraction=0.0), r"fraction \(of the training data\) must lie"),
    (dict(fraction=2.0), "fraction"), (dict(lr=math.nan), "lr must be"), (dict(label_smoothing=1.0), "label_smoothing"),
    (dict(device="nope"), "unknown device 'nope'; choose auto, cpu, cuda, mps"),
    (dict(device="cuda:99"), "cuda:99"), (dict(device="meta"), "minas trains on cpu, cuda, mps"),
])
def test_training_knobs_and_devices_are_refused_before_any_trial(bumps, knob, message):
    with pytest.raises(SettingsError, match=message):
        Training(dataset=bumps, **knob)


def test_a_budget_dict_with_a_bad_knob_is_refused_up_front(space, bumps):
    with pytest.raises(ValueError, match="fraction"):
        minas.Search(space, RandomSearch(), Training(dataset=bumps, device="cpu"), trials=2, budget={"fraction": 0})


def test_a_network_too_large_for_the_memory_is_refused_without_allocating_it(space, bumps, monkeypatch):
    monkeypatch.setattr("minas.validate.available_bytes", lambda device: 2 * 2**30)
    huge = Training(dataset=bumps, channels=512, cells=5, device="cpu")
    with pytest.raises(SettingsError, match=r"needs about [\d.]+ GiB .* has 2.0 GiB free; lower channels, cells"):
        minas.Search(space, RandomSearch(), huge, trials=2)
    small = Training(dataset=bumps, channels=4, cells=1, device="cpu")
    assert minas.Search(space, RandomSearch(), small, trials=2).status == "ready"


def test_the_memory_estimate_grows_with_the_network(space):
    from minas.validate import training_bytes
    arch = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    sizes = []
    for channels, cells, batch in ((8, 1, 32), (16, 1, 32), (16, 2, 32), (16, 2, 64)):
        with torch.device("meta"):
            net = space.to_module(arch, input_shape=(3, 32, 32), num_classes=10, channels=channels, cells=cells)
        sizes.append(training_bytes(net, (3, 32, 32), batch))
    assert sizes == sorted(sizes) and len(set(sizes)) == 4
    params = sum(p.numel() for p in net.parameters())
    assert sizes[-1] > 16 * params                                 # weights, gradients, momentum ... and more


# --- 7. data that is refused or named -------------------------------------------------------------------------

def _signals(n=40, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, 8, generator=g), torch.arange(n) % classes


@pytest.mark.parametrize("spoil, message", [
    (lambda x, y, xt, yt: (x.index_put_((torch.tensor([5]),), torch.tensor(math.nan)), y, xt, yt),
     "training inputs hold NaN or infinite values in 1 sample.*index 5"),
    (lambda x, y, xt, yt: (x, y, xt.index_put_((torch.tensor([2]),), torch.tensor(math.inf)), yt),
     "test inputs hold NaN or infinite"),
    (lambda x, y, xt, yt: (x, torch.cat([y[:-1], torch.tensor([999_999_999])]), xt, yt),
     "largest label is 999999999, which makes 1,000,000,000 classes, but only 4 distinct labels"),
    (lambda x, y, xt, yt: (x, y, xt, torch.cat([yt[:-1], torch.tensor([7])])),
     r"test label\(s\) 7 never occur in the training labels"),
    (lambda x, y, xt, yt: (x, torch.zeros_like(y), xt, torch.zeros_like(yt)), "every training label is 0"),
    (lambda x, y, xt, yt: (np.array([["a"] * 8] * len(x)).reshape(len(x), 1, 8), y, xt, yt),
     "training inputs are not numbers"),
    (lambda x, y, xt, yt: (x, np.array(["cat", "dog", "emu"] * 20)[:len(y)], xt, yt),
     r"training labels are not numbers \('cat', 'dog', 'emu'.*np.unique"),
])
def test_data_no_search_can_use_is_refused_naming_the_problem(spoil, message):
    x, y = _signals()
    xt, yt = _signals(12, seed=1)
    with pytest.raises(DataError, match=message):
        from_tensors("spoilt", *spoil(x.clone(), y.clone(), xt.clone(), yt.clone()))


def test_an_unreadable_image_is_named_by_its_file(tmp_path):
    for label in ("cats", "dogs"):
        (tmp_path / label).mkdir()
        for k in range(3):
            Image.new("RGB", (6, 6), (40 * k, 0, 0)).save(tmp_path / label / f"{k}.png")
    (tmp_path / "dogs" / "1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)   # a corrupt PNG
    with pytest.raises(DataError, match=r"1 image\(s\) in .* cannot be read: .*dogs/1.png"):
        data.load("imagefolder", root=tmp_path)


# --- 9. the prepared-data cache: bounded, and released with the dataset -----------------------------------------

def test_prepared_data_is_released_with_its_dataset(monkeypatch):
    monkeypatch.setattr(splits, "CACHE", splits.PreparedCache(limit=2**30))
    x, y = _signals(400)
    mine = from_tensors("mine", x, y, x[:40], y[:40])
    splits.prepared(mine, None, 0.5, 1, 0, torch.device("cpu"))
    splits.prepared(mine, 12, 1.0, 1, 0, torch.device("cpu"))
    assert len(splits.CACHE) == 2 and splits.CACHE.nbytes > 0
    alive = weakref.ref(mine)
    del mine
    gc.collect()
    assert alive() is None and len(splits.CACHE) == 0             # before: kept alive, up to 8 datasets


def test_prepared_data_is_bounded_in_bytes(monkeypatch):
    monkeypatch.setattr(splits, "CACHE", splits.PreparedCache(limit=60_000))
    x, y = _signals(800)
    mine = from_tensors("mine", x, y, x[:40], y[:40])
    for fraction in (1.0, 0.9, 0.8, 0.7):
        splits.prepared(mine, None, fraction, 1, 0, torch.device("cpu"))
    assert 1 <= len(splits.CACHE) < 4 and splits.CACHE.nbytes <= 60_000
    newest = splits.prepared(mine, None, 0.7, 1, 0, torch.device("cpu"))
    assert splits.CACHE.get(mine, (None, 0.7, 1, 0, "cpu")) is newest
