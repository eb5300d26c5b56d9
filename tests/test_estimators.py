"""Estimators: NAS-Bench-201 look-ups (against the shared CSV) and real training on a tiny learnable dataset."""
from pathlib import Path

import pytest
import torch

import minas
from minas.benchmarks import NASBench201
from minas.data import from_tensors
from minas.estimators import ESTIMATORS, Estimator, Tabular, Training
from minas.spaces import ArchError, CellSpace
from minas.strategies import RandomSearch

import fakes

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
pytestmark = pytest.mark.usefixtures("one_thread")

ARCH_9930 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


@pytest.fixture(scope="module")
def table():
    path = SHARED / "nb201_accuracy.csv"
    if not path.exists():
        pytest.skip(f"benchmark table {path} not found (it lives in ../shared/benchmarks next to the repo)")
    import pandas as pd
    return pd.read_csv(path)


# --- Tabular -----------------------------------------------------------------------------------

def test_tabular_known_arch(space, bench):
    result = Tabular(bench).evaluate(space.parse(ARCH_9930))
    assert result.val_acc == pytest.approx(91.5533, abs=1e-3)
    assert result.cost == pytest.approx(2934.5, abs=0.05)
    assert result.cost == bench.query(ARCH_9930)["train_time"]
    assert result.params == 1288506
    assert result.extra["latency"] > 0
    assert Tabular(bench).evaluate(space.parse(ARCH_9930), budget=200).val_acc == result.val_acc


def test_tabular_agrees_with_the_shared_csv(space, bench, table):
    estimator = Tabular(bench)
    rows = table.sample(25, random_state=1)
    for _, row in rows.iterrows():
        result = estimator.evaluate(space.parse(row.arch_str))
        assert result.val_acc == pytest.approx(row.c10_val_acc_200ep, abs=1e-3), row.arch_str
        assert result.cost == pytest.approx(row.c10_train_time_s, abs=0.06), row.arch_str
        assert result.params == round(row.c10_params_m * 1e6)


def test_tabular_noise_draws_recorded_runs(space, bench):
    arch = space.parse(ARCH_9930)
    runs = bench.query(arch)["val_acc_runs"]
    assert len(runs) >= 2
    estimator = Tabular(bench, noise=True)
    draws = []
    for seed in range(30):
        estimator.bind(seed)
        draws.append(estimator.evaluate(arch).val_acc)
    assert all(d in runs for d in draws)
    assert len(set(draws)) > 1
    estimator.bind(7)
    first = estimator.evaluate(arch).val_acc
    estimator.bind(7)
    assert estimator.evaluate(arch).val_acc == first
    assert "drawn" in estimator.describe()


def test_tabular_wrong_budget(space, bench):
    with pytest.raises(ValueError, match="200 epochs"):
        Tabular(bench).evaluate(space.parse(ARCH_9930), budget=12)


def test_tabular_refuses_another_space(bench):
    with pytest.raises(ArchError) as err:
        minas.Search(CellSpace(nodes=3), RandomSearch(), Tabular(bench), trials=3)
    assert "NAS-Bench-201" in str(err.value)


def test_tabular_serves_a_space_of_some_of_its_ops(bench):
    """NAS-Bench-201 without `none` (a common variant) holds only cells of the table: searched and looked up."""
    without_none = CellSpace(ops=["skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"])
    trials = minas.search(without_none, RandomSearch(), Tabular(bench), trials=20, seed=0, progress=False).trials
    assert not any("none" in arch for arch in trials["arch"])
    assert list(trials["val_acc"]) == [bench.query(arch)["val_acc"] for arch in trials["arch"]]


@pytest.mark.parametrize("name, prefix, best", [("cifar100", "c100", 73.4933), ("ImageNet16-120", "in16", 46.7333)])
def test_other_datasets_load(space, table, name, prefix, best):
    b = NASBench201(name)
    assert len(b) == 15625
    assert repr(b) == f"NASBench201({name!r})"
    assert max(b.query(c)["val_acc"] for c in space.enumerate()) == pytest.approx(best, abs=1e-3)
    row = table.iloc[9930]
    assert row.arch_str == ARCH_9930
    q = b.query(ARCH_9930)
    assert q["val_acc"] == pytest.approx(row[f"{prefix}_val_acc_200ep"], abs=1e-3)
    assert q["train_time"] == pytest.approx(row[f"{prefix}_train_time_s"], abs=0.06)


def test_dataset_aliases_and_unknown_dataset():
    assert NASBench201("imagenet").dataset == "ImageNet16-120"
    assert NASBench201("CIFAR10").dataset == "cifar10"
    with pytest.raises(ValueError) as err:
        NASBench201("svhn")
    message = str(err.value)
    assert "svhn" in message
    assert all(name in message for name in ("cifar10", "cifar100", "ImageNet16-120"))


# --- Training -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bumps():
    return fakes.bumps()


def _training(bumps, **settings):
    return Training(**(dict(dataset=bumps, epochs=3, channels=8, cells=1, batch_size=32, device="cpu") | settings))


@pytest.fixture(scope="module")
def trained(bumps, space):
    """One evaluation shared by the checks below (seed 3, the default fidelity), with its epoch events."""
    estimator = _training(bumps)
    events = []
    estimator.bind(3, lambda kind, **data: events.append((kind, data)))
    return estimator, estimator.evaluate(space.parse(ARCH_9930)), events


def test_training_learns(trained, bumps, space):
    estimator, result, events = trained
    assert bumps.input_shape == (1, 16) and len(bumps.x_train) == 240
    assert 0 <= result.val_acc <= 100 and 0 <= result.test_acc <= 100
    assert result.val_acc > 70 and result.test_acc > 70          # chance is 33 %
    assert len(result.curve) == 3 and result.curve[-1] == result.val_acc
    net = space.to_module(space.parse(ARCH_9930), input_shape=(1, 16), num_classes=3, channels=8, cells=1)
    assert result.params == sum(p.numel() for p in net.parameters())
    assert result.flops > 0 and result.cost > 0
    assert [kind for kind, _ in events] == ["epoch_finished"] * 3
    assert [data["epoch"] for _, data in events] == [1, 2, 3]
    assert [data["val_acc"] for _, data in events] == result.curve


def test_training_is_deterministic(trained, space):
    estimator, result, events = trained
    again = []
    estimator.bind(3, lambda kind, **data: again.append(data["loss"]))
    second = estimator.evaluate(space.parse(ARCH_9930))
    assert (second.val_acc, second.test_acc, second.curve, second.flops) == (result.val_acc, result.test_acc, result.curve, result.flops)
    assert again == [data["loss"] for _, data in events]
    other = []
    estimator.bind(4, lambda kind, **data: other.append(data["loss"]))
    estimator.evaluate(space.parse(ARCH_9930), budget=1)
    assert other[0] != again[0]                                   # another seed trains differently


def test_budget_overrides_fidelity(trained, space):
    estimator, result, _ = trained
    arch = space.parse(ARCH_9930)
    assert len(estimator.evaluate(arch, budget=2).curve) == 2
    low = estimator.evaluate(arch, budget={"epochs": 1, "resolution": 8, "fraction": 0.5})
    assert len(low.curve) == 1
    assert 0 < low.flops < result.flops
    assert low.params == result.params
    reduced = estimator.fidelity({"fraction": 0.5, "resolution": 8})
    assert (reduced.fraction, reduced.resolution, reduced.epochs) == (0.5, 8, 3)
    assert (estimator.fraction, estimator.resolution) == (1.0, None)      # the estimator itself is unchanged
    with pytest.raises(TypeError):
        estimator.evaluate(arch, budget="short")


def test_epoch_events_reach_a_search_subscriber(bumps, space):
    search = minas.Search(space, RandomSearch(), _training(bumps, epochs=2), trials=2, seed=0)
    seen = []
    search.subscribe(lambda e: seen.append((e.kind, e.trial.index if e.trial else None, e.data.get("epoch"))))
    result = search.run()
    assert len(result.trials) == 2
    epochs = [(i, epoch) for kind, i, epoch in seen if kind == "epoch_finished"]
    assert epochs == [(0, 1), (0, 2), (1, 1), (1, 2)]
    kinds = [kind for kind, _, _ in seen]
    assert kinds.index("epoch_finished") > kinds.index("trial_started")
    assert kinds[kinds.index("trial_finished") - 1] == "epoch_finished"
    assert result.trials.curve.map(len).tolist() == [2, 2]


def test_training_describe_names_the_device(bumps):
    text = _training(bumps).describe()
    assert text.startswith("training on cpu")
    assert "bumps" in text and "3 epochs" in text


def test_registry():
    names = ESTIMATORS.names()
    assert "tabular" in names and "training" in names
    assert set(minas.list_estimators()) == set(names)
    assert isinstance(ESTIMATORS.create("tabular"), Tabular)
    assert isinstance(ESTIMATORS.create("training", device="cpu"), Estimator)


def test_dataset_that_does_not_fit_the_network_fails_before_any_trial(space):
    tiny = from_tensors("tiny", torch.randn(40, 3, 2, 2), torch.randint(0, 3, (40,)),
                        torch.randn(10, 3, 2, 2), torch.randint(0, 3, (10,)))
    with pytest.raises(ArchError, match=r"dataset 'tiny' does not fit.*too small"):
        minas.Search(space, RandomSearch(), Training(dataset=tiny), trials=3)
