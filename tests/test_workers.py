"""Several candidates at once (issue 18): local worker processes give the same numbers as one worker, a space
declared in a notebook reaches them, a worker that dies fails only its trial, a stop interrupts every trial in
flight, resuming replays the recorded order, and bad settings are refused before the first trial."""
import os
import time
from dataclasses import dataclass

import pytest

import minas
from minas.benchmarks import MNIST1DBench
from minas.errors import MinasWarning, SettingsError
from minas.estimators import Estimator, OneShot, Result, Tabular, Training
from minas.estimators.base import derive_seed
from minas.executors import plan_workers
from minas.interrupt import checkpoint
from minas.spaces import CellSpace
from minas.strategies import (ASHA, DARTS, AsyncHyperband, Hyperband, RandomSearch, RegularizedEvolution,
                              SuccessiveHalving)
from fakes import bumps

SPACE = CellSpace()
MANY = min(4, os.cpu_count() or 1)          # workers beyond the cores are capped: 4 where the machine has them


@dataclass
class Hashed(Estimator):
    """Free and deterministic; sleeps `pause` seconds (a stop lands within) and dies where `dies` says."""
    pause: float = 0.0
    dies: int = 0                     # kill the worker on architectures whose hash % dies == 0 (0: never)
    calls: int = 0
    name = "hashed"

    def config(self):
        return {"name": self.name}          # how long it pauses does not change its results

    def evaluate(self, arch, budget=None):
        self.calls += 1
        if self.dies and derive_seed(str(arch)) % self.dies == 0:
            os._exit(3)
        end = time.monotonic() + self.pause * (1 + derive_seed(str(arch), "pause") % 3)
        while time.monotonic() < end:
            checkpoint()
            time.sleep(0.01)
        return Result(val_acc=derive_seed(str(arch)) % 10_000 / 100, cost=1.0)


def _by_index(trials):
    return [(t.index, str(t.arch), t.val_acc) for t in sorted(trials, key=lambda t: t.index)]


def test_the_same_numbers_on_one_worker_and_on_several(one_thread):
    def run(workers):
        training = Training(dataset=bumps(), epochs=2, channels=4, latency_runs=0)
        search = minas.Search(SPACE, RandomSearch(), training, trials=2 * MANY, seed=3, workers=workers)
        search.run()
        return search

    one, many = run(1), run(MANY)
    assert many.workers == MANY and "1 CPU thread each" in many.describe_workers()
    assert _by_index(many.trials) == _by_index(one.trials)
    assert [t.result.curve for t in sorted(many.trials, key=lambda t: t.index)] == [t.result.curve for t in one.trials]


NOTEBOOK_CELL = '''
import torch.nn as nn

def build(hp, input_shape, num_classes):
    width = hp.choice("width", [4, 8])
    return nn.Sequential(nn.Conv1d(input_shape[0], width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
                         nn.Flatten(), nn.Linear(width, num_classes))
'''


def test_a_space_declared_in_a_notebook_reaches_the_workers(one_thread):
    notebook = {"__name__": "__main__"}                 # what a Jupyter cell's functions belong to
    exec(NOTEBOOK_CELL, notebook)
    assert notebook["build"].__module__ == "__main__"
    space = minas.spaces.define(notebook["build"])
    training = Training(dataset=bumps(), epochs=1, latency_runs=0)
    result = minas.Search(space, RandomSearch(), training, trials=4, seed=0, workers=2).run()
    assert (result.trials.status == "ok").all() and set(result.trials.arch) <= {"width=4", "width=8"}


def test_a_worker_that_dies_fails_its_trial_and_the_search_goes_on():
    search = minas.Search(SPACE, RandomSearch(), Hashed(dies=3), trials=6, seed=1, workers=2)
    search.fail_fast = 0
    with pytest.warns(MinasWarning, match="died"):
        result = search.run()
    died = result.trials[result.trials.status == "failed"]
    assert result.status == "finished" and len(result.trials) == 6 and 0 < len(died) < 6
    assert all("worker process died (exit code 3)" in e for e in died.error)
    assert all(derive_seed(a) % 3 == 0 for a in died.arch)


def test_stop_interrupts_every_trial_in_flight_and_the_next_run_evaluates_them_first():
    straight = minas.Search(SPACE, RegularizedEvolution(), Hashed(), trials=8, seed=2).run()
    search = minas.Search(SPACE, RegularizedEvolution(), Hashed(pause=0.5), trials=8, seed=2, workers=2)
    interrupted = []
    search.subscribe(lambda e: interrupted.append(e.trial.index) if e.kind == "trial_interrupted" else None)
    stopper = search.subscribe(lambda e: search.stop() if e.kind == "trial_started" and len(search.trials) == 2
                               else None)
    started = time.monotonic()
    assert search.run().status == "stopped" and time.monotonic() - started < 10
    assert len(search.trials) == 2 and len(interrupted) == 2 and not search.running
    first = []
    search.unsubscribe(stopper)
    search.subscribe(lambda e: first.append(e.trial.index) if e.kind == "trial_started" else None)
    result = search.run()
    assert sorted(first[:2]) == sorted(interrupted) and len(result.trials) == 8
    assert sorted(result.trials.arch[:2]) == sorted(straight.trials.arch[:2])


def test_resuming_replays_the_recorded_order_whatever_the_workers(tmp_path):
    first = minas.Search(SPACE, RegularizedEvolution(population_size=4, sample_size=2), Hashed(pause=0.05),
                         trials=14, seed=4, run_dir=tmp_path, workers=2)
    first.run()
    order = [t.index for t in first.trials]
    assert order != sorted(order), "the trials should finish out of order (their pauses differ)"
    again = Hashed()
    resumed = minas.Search(SPACE, RegularizedEvolution(population_size=4, sample_size=2), again, trials=18, seed=4,
                           run_dir=tmp_path)
    resumed.run()
    assert again.calls == 4 and [t.index for t in resumed.trials[:14]] == order
    assert _by_index(resumed.trials[:14]) == _by_index(first.trials)


@pytest.mark.parametrize("workers", [0, -2, 1.5, True, "2"])
def test_workers_that_cannot_work_are_refused(workers):
    with pytest.raises(SettingsError, match=r"workers must be a whole number >= 1 .*not"):
        minas.Search(SPACE, RandomSearch(), Hashed(), trials=3, workers=workers)


def test_an_unknown_executor_or_an_address_without_ray_is_refused():
    with pytest.raises(SettingsError, match="unknown executor 'spark'; choose one of 'local', 'ray'"):
        minas.Search(SPACE, RandomSearch(), Hashed(), trials=3, executor="spark")
    with pytest.raises(SettingsError, match="needs executor='ray'"):
        minas.Search(SPACE, RandomSearch(), Hashed(), trials=3, workers=2, address="127.0.0.1:6379")


def test_more_workers_than_cores_are_capped_with_a_message():
    with pytest.warns(MinasWarning, match=r"workers=8: this machine has 2 CPU cores .* so 2 workers run"):
        plan = plan_workers(8, "cpu", cpus=2, gpus=0, threads=2)
    assert (plan.workers, plan.threads, plan.gpus) == (2, 1, (None, None))
    assert plan_workers(2, None, cpus=16, gpus=0, threads=16).threads == 8


def test_each_worker_gets_a_gpu_of_its_own_where_several_are_present():
    plan = plan_workers(3, "cuda", cpus=16, gpus=4, threads=16)
    assert (plan.workers, plan.gpus, plan.threads) == (3, (0, 1, 2), 5)
    assert plan.describe() == "3 local worker processes, 5 CPU threads each, one GPU each (cuda:0, cuda:1, cuda:2)"
    with pytest.warns(MinasWarning, match="has 2 GPUs .one worker per GPU"):
        assert plan_workers(5, "cuda", cpus=16, gpus=2, threads=16).gpus == (0, 1)
    assert plan_workers(2, "cuda:1", cpus=16, gpus=2, threads=16).gpus == (None, None)   # shared, as asked


def test_one_shot_methods_say_they_run_on_one_worker_before_the_first_trial():
    with pytest.raises(SettingsError, match=r"DARTS trains one supernet.* runs on one worker: use workers=1"):
        minas.Search(SPACE, DARTS(epochs=1), Hashed(), trials=3, workers=2)
    with pytest.raises(SettingsError, match="OneShot scores every candidate with one supernet"):
        minas.Search(SPACE, RandomSearch(), OneShot(epochs=1), trials=3, workers=2)


@pytest.mark.parametrize("synchronous, asynchronous", [(SuccessiveHalving, ASHA), (Hyperband, AsyncHyperband)])
def test_successive_halving_runs_asynchronously_on_several_workers(synchronous, asynchronous):
    table = MNIST1DBench()
    with pytest.warns(MinasWarning, match=f"its asynchronous form runs instead: {asynchronous.__name__}"):
        search = minas.Search(table.space, synchronous(eta=2), Tabular(table), trials=5, workers=2)
    assert type(search.strategy) is asynchronous and search.strategy.eta == 2
    assert type(minas.Search(table.space, synchronous(), Tabular(table), trials=5).strategy) is synchronous
