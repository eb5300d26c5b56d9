"""The search loop: the issue's contract, events, pause/stop, failed trials, run folders, resume after kill -9."""
import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import torch

import minas
from minas.errors import MinasWarning
from minas.benchmarks import NASBench201
from minas.data import from_tensors
from minas.estimators import Tabular, Training
from minas.runlog import RunDirError
from minas.spaces import CellSpace
from minas.strategies import RandomSearch, RegularizedEvolution

REPO = Path(__file__).resolve().parents[1]



class Counting(Tabular):
    """A Tabular subclass (the issue's rule: subclasses of an estimator work in a search) that counts calls."""
    calls = 0
    delay = 0.0

    def evaluate(self, arch, budget=None):
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return super().evaluate(arch, budget)


class Flaky(Tabular):
    def evaluate(self, arch, budget=None):
        if arch.ops[0] == "avg_pool_3x3":
            raise RuntimeError(f"boom on {arch}")
        return super().evaluate(arch, budget)


class NaNs(Tabular):
    def evaluate(self, arch, budget=None):
        result = super().evaluate(arch, budget)
        if arch.ops[1] == "none":
            result.val_acc = math.nan
        return result


def _run(space, bench, trials, seed=0, run_dir=None, strategy=None, estimator=None):
    estimator = estimator or Counting(bench)
    result = minas.search(space, strategy or RegularizedEvolution(), estimator, trials=trials, seed=seed, run_dir=run_dir)
    return result, estimator


def _same_trials(a, b):
    assert list(a.arch) == list(b.arch)
    assert list(a.val_acc) == list(b.val_acc)
    assert list(a.cost) == list(b.cost)
    assert list(a.status) == list(b.status)


# --- the contract ------------------------------------------------------------------------------

def test_search_contract(space):
    result = minas.search(space=minas.spaces.CellSpace(), strategy=minas.strategies.RegularizedEvolution(),
                          estimator=minas.estimators.Tabular(minas.benchmarks.NASBench201("cifar10")),
                          trials=100, seed=0)
    trials = result.trials
    assert len(trials) == 100
    assert {"arch", "val_acc", "cost", "wall", "status", "index"} <= set(trials.columns)
    assert list(trials["index"]) == list(range(100))
    assert (trials.status == "ok").all()
    assert result.status == "finished"
    assert result.best.val_acc == trials.val_acc.max()
    assert str(result.best.arch) == trials.arch[trials.val_acc.idxmax()]
    assert (trials.val_acc < result.best.val_acc).sum() >= 50     # a real maximum over varied values
    for arch in trials.arch:
        assert str(space.parse(arch)) == arch
    assert (trials.cost > 100).all() and (trials.wall >= 0).all()  # simulated seconds of NAS-Bench-201 training
    assert result.run_dir is None


def test_events_in_order(space, bench):
    search = minas.Search(space, RandomSearch(), Tabular(bench), trials=12, seed=0)
    events = []
    search.subscribe(events.append)
    search.run()
    kinds = [e.kind for e in events]
    assert kinds == ["search_started"] + ["trial_started", "trial_finished"] * 12 + ["search_finished"]
    pairs = list(zip(events[1:-1:2], events[2:-1:2]))
    assert [start.trial.index for start, _ in pairs] == list(range(12))
    for start, finish in pairs:
        assert start.trial is finish.trial
        assert finish.data == {"replayed": False}
    assert all(e.search is search for e in events)


def test_broken_listener_does_not_break_the_search(space, bench):
    search = minas.Search(space, RandomSearch(), Tabular(bench), trials=5, seed=0)
    search.subscribe(lambda e: 1 / 0)
    with pytest.warns(MinasWarning, match="a listener of this search .* failed on search_started: ZeroDivisionError"):
        assert len(search.run().trials) == 5


# --- pause / resume / stop from another thread ---------------------------------------------------

def _wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.005)


def test_pause_resume_stop_from_a_thread(space, bench):
    slow = Counting(bench)
    slow.delay = 0.01
    search = minas.Search(space, RegularizedEvolution(), slow, trials=100_000, seed=0)
    paused, resumed = threading.Event(), threading.Event()
    search.subscribe(lambda e: (paused.set() if e.kind == "search_paused" else resumed.set() if e.kind == "search_resumed" else None))
    search.start()
    _wait_for(lambda: len(search.trials) >= 3)
    with pytest.raises(RuntimeError):
        search.start()                                # one background run at a time
    search.pause()
    assert paused.wait(10)
    assert search.paused and search.current is None
    n = len(search.trials)
    time.sleep(0.3)                                   # ~30 trials' worth of time
    assert len(search.trials) == n
    assert slow.calls == n
    search.resume()
    assert resumed.wait(10)
    _wait_for(lambda: len(search.trials) >= n + 3)
    search.stop()
    assert search.wait(10) is True
    assert search.status == "stopped"
    assert search.result().status == "stopped"
    final = len(search.trials)
    assert n + 3 <= final < 100_000
    time.sleep(0.05)
    assert len(search.trials) == final and slow.calls == final


def test_a_search_paused_after_its_last_trial_finishes(space, bench):
    """Pausing during the last trial must not leave run() waiting forever for a resume."""
    search = minas.Search(space, RegularizedEvolution(), Tabular(bench), trials=3, seed=0)
    search.subscribe(lambda e: search.pause() if e.kind == "trial_finished" and e.trial.index == 2 else None)
    search.start()
    assert search.wait(10) is True
    assert search.status == "finished" and len(search.trials) == 3


# --- failed trials -------------------------------------------------------------------------------

def test_raising_estimator_gives_failed_trials(space, bench):
    with pytest.warns(MinasWarning, match="boom on"):
        result, _ = _run(space, bench, trials=60, strategy=RandomSearch(), estimator=Flaky(bench))
    trials = result.trials
    assert len(trials) == 60 and result.status == "finished"
    failed = trials[trials.status == "failed"]
    assert 0 < len(failed) < 60
    assert all(a.startswith("|avg_pool_3x3~0|") for a in failed.arch)
    assert all(e.startswith("RuntimeError: boom on |avg_pool_3x3~0|") for e in failed.error)
    assert failed.val_acc.isna().all()
    assert (trials[trials.status == "ok"].error.isna()).all()
    assert result.best.ok and not str(result.best.arch).startswith("|avg_pool_3x3~0|")


def test_nan_estimator_gives_failed_trials(space, bench):
    with pytest.warns(MinasWarning, match="val_acc=nan"):
        result, _ = _run(space, bench, trials=60, strategy=RegularizedEvolution(), estimator=NaNs(bench))
    trials = result.trials
    assert len(trials) == 60
    failed = trials[trials.status == "failed"]
    assert 0 < len(failed) < 60
    assert all(space.parse(a).ops[1] == "none" for a in failed.arch)
    assert all("nan" in e for e in failed.error)
    assert not math.isnan(result.best.val_acc)


def test_diverging_training_gives_failed_trials(space):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        g = torch.Generator().manual_seed(0)
        data = from_tensors("noise", torch.randn(48, 1, 8, generator=g), torch.randint(0, 2, (48,), generator=g),
                            torch.randn(8, 1, 8, generator=g), torch.randint(0, 2, (8,), generator=g))
        estimator = Training(dataset=data, epochs=1, channels=4, cells=1, batch_size=8, lr=1e6, device="cpu")
        with pytest.warns(MinasWarning, match="training diverged"):
            result = minas.Search(space, RandomSearch(), estimator, trials=2, seed=0).run()
    finally:
        torch.set_num_threads(threads)
    assert len(result.trials) == 2
    assert (result.trials.status == "failed").all()
    assert all("diverged" in e for e in result.trials.error)
    assert result.best is None


# --- run folders and resuming ------------------------------------------------------------------

def test_same_search_again_evaluates_nothing(space, bench, tmp_path):
    first, est1 = _run(space, bench, trials=40, run_dir=tmp_path / "run")
    assert est1.calls == 40
    lines = (tmp_path / "run" / "trials.jsonl").read_text().splitlines()
    assert len(lines) == 40 and json.loads(lines[7])["index"] == 7
    assert json.loads((tmp_path / "run" / "config.json").read_text())["seed"] == 0
    again, est2 = _run(space, bench, trials=40, run_dir=tmp_path / "run")
    assert est2.calls == 0
    _same_trials(first.trials, again.trials)
    assert list(first.trials.wall) == list(again.trials.wall)     # recorded, not re-measured
    assert str(again.best.arch) == str(first.best.arch)
    assert len((tmp_path / "run" / "trials.jsonl").read_text().splitlines()) == 40


def test_replayed_trials_are_flagged(space, bench, tmp_path):
    _run(space, bench, trials=10, run_dir=tmp_path)
    search = minas.Search(space, RegularizedEvolution(), Counting(bench), trials=12, seed=0, run_dir=tmp_path)
    flags = []
    search.subscribe(lambda e: flags.append(e.data["replayed"]) if e.kind == "trial_finished" else None)
    search.run()
    assert flags == [True] * 10 + [False] * 2


def test_extend_a_finished_search(space, bench, tmp_path):
    _, est1 = _run(space, bench, trials=30, run_dir=tmp_path)
    extended, est2 = _run(space, bench, trials=60, run_dir=tmp_path)
    straight, _ = _run(space, bench, trials=60)
    assert est1.calls == 30 and est2.calls == 30
    assert len(extended.trials) == 60
    _same_trials(extended.trials, straight.trials)
    assert len((tmp_path / "trials.jsonl").read_text().splitlines()) == 60


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    import minas
    from minas.benchmarks import NASBench201
    from minas.estimators import Tabular

    class Slow(Tabular):
        def evaluate(self, arch, budget=None):
            time.sleep(0.05)
            return super().evaluate(arch, budget)

    minas.search(minas.spaces.CellSpace(), minas.strategies.RegularizedEvolution(), Slow(NASBench201("cifar10")),
                 trials=60, seed=5, run_dir=sys.argv[1])
    print("finished all trials", flush=True)
""")


def _complete_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_resume_after_kill_9(space, bench, tmp_path):
    run_dir = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(run_dir)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while _complete_lines(run_dir / "trials.jsonl") < 20:
            if proc.poll() is not None:
                raise AssertionError(f"the search process ended early ({proc.returncode}):\n{proc.stderr.read().decode()[-3000:]}")
            assert time.monotonic() < deadline, "the search process wrote no 20 trials in 120 s"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    recorded = _complete_lines(run_dir / "trials.jsonl")
    assert 20 <= recorded < 60

    search = minas.Search(space, RegularizedEvolution(), Counting(bench), trials=60, seed=5, run_dir=run_dir)
    evaluated = []
    search.subscribe(lambda e: evaluated.append(e.trial.index) if e.kind == "trial_finished" and not e.data["replayed"] else None)
    resumed = search.run()
    straight, _ = _run(space, bench, trials=60, seed=5)
    assert search.estimator.calls == 60 - recorded
    assert evaluated == list(range(recorded, 60))
    _same_trials(resumed.trials, straight.trials)
    lines = (run_dir / "trials.jsonl").read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == list(range(60))


def test_truncated_last_line_is_dropped(space, bench, tmp_path):
    _run(space, bench, trials=20, run_dir=tmp_path)
    path = tmp_path / "trials.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:19]) + lines[19][: len(lines[19]) // 2])     # killed mid-write of trial 19
    resumed, est = _run(space, bench, trials=20, run_dir=tmp_path)
    straight, _ = _run(space, bench, trials=20)
    assert est.calls == 1
    _same_trials(resumed.trials, straight.trials)
    assert path.read_text().splitlines(keepends=True)[:19] == lines[:19]
    assert [json.loads(line)["index"] for line in path.read_text().splitlines()] == list(range(20))


def test_corrupt_middle_line_is_an_error(space, bench, tmp_path):
    _run(space, bench, trials=10, run_dir=tmp_path)
    path = tmp_path / "trials.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    lines[4] = '{"index": 4, "arch": garbage\n'
    path.write_text("".join(lines))
    with pytest.raises(RunDirError) as err:
        _run(space, bench, trials=10, run_dir=tmp_path)
    assert "line 5" in str(err.value)
    assert path.read_text() == "".join(lines)                    # nothing was cut or appended


@pytest.mark.parametrize("other, key", [
    (dict(seed=1), "seed"),
    (dict(strategy=RandomSearch()), "strategy"),
    (dict(strategy=RegularizedEvolution(population_size=20)), "strategy"),
    (dict(estimator=Tabular(NASBench201("cifar100"))), "estimator"),
])
def test_folder_of_another_search_is_refused(space, bench, tmp_path, other, key):
    _run(space, bench, trials=5, run_dir=tmp_path)
    before = (tmp_path / "trials.jsonl").read_text()
    settings = dict(trials=5, run_dir=tmp_path) | other
    with pytest.raises(RunDirError) as err:
        _run(space, bench, **settings)
    message = str(err.value)
    assert f"{key}:" in message
    assert [k for k in ("seed:", "strategy:", "estimator:", "space:") if k in message] == [f"{key}:"]
    assert (tmp_path / "trials.jsonl").read_text() == before


def test_corrupt_config_is_an_error(space, bench, tmp_path):
    _run(space, bench, trials=5, run_dir=tmp_path)
    (tmp_path / "config.json").write_text('{"space": {"name": "cell"')
    with pytest.raises(RunDirError, match="config.json"):
        _run(space, bench, trials=5, run_dir=tmp_path)


# --- budgets ---------------------------------------------------------------------------------

def test_budget_is_required(space, bench):
    with pytest.raises(ValueError, match="budget"):
        minas.Search(space, RandomSearch(), Tabular(bench), trials=None)


def test_max_cost_stops_once_reached(space, bench):
    search = minas.Search(space, RandomSearch(), Tabular(bench), trials=None, max_cost=20_000, seed=0)
    result = search.run()
    assert result.status == "finished"
    n = len(result.trials)
    assert n >= 3
    spent = result.trials.cost.sum()
    assert spent >= 20_000
    assert spent - result.trials.cost.iloc[-1] < 20_000        # it stopped at the first trial that reached it
    assert search.step() is None and len(search.trials) == n


def test_smaller_budget_than_the_folder_replays_only_that_many(space, bench, tmp_path):
    _run(space, bench, trials=20, seed=4, run_dir=tmp_path / "run")
    again, estimator = _run(space, bench, trials=10, seed=4, run_dir=tmp_path / "run")
    straight, _ = _run(space, bench, trials=10, seed=4)
    assert estimator.calls == 0 and len(again.trials) == 10
    _same_trials(again.trials, straight.trials)
