"""Fault injection, run folders (issue 16, defects 1, 2, 3 and 10): a folder has one writer, knows its data
and settings, survives interrupts, and refuses what it cannot do before the first trial."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

import minas
from minas.data import from_tensors
from minas.errors import MinasWarning, SearchError, SettingsError
from minas.estimators import Estimator, Result, Tabular, Training
from minas.runlock import RunDirBusy, RunLock
from minas.runlog import RunDirError
from minas.strategies import RandomSearch, RegularizedEvolution

REPO = Path(__file__).resolve().parents[1]


class Counting(Tabular):
    """A lookup that counts its evaluations and can be slowed down or made to raise at one call."""
    calls = 0
    delay = 0.0
    raise_at: int | None = None
    error: type = KeyboardInterrupt

    def evaluate(self, arch, budget=None):
        self.calls += 1
        if self.calls == self.raise_at:
            raise self.error("injected")
        time.sleep(self.delay)
        return super().evaluate(arch, budget)


def _records(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "trials.jsonl").read_text().splitlines()]


def _rows(frame) -> list:
    return list(zip(frame["index"], frame["arch"], frame["val_acc"], frame["status"]))


@pytest.fixture(scope="module")
def straight(space, bench):
    """The uninterrupted search every interrupted one must reproduce: 30 trials, seed 2."""
    return minas.Search(space, RegularizedEvolution(), Tabular(bench), trials=30, seed=2).run().trials


def _search(space, bench, run_dir=None, estimator=None, strategy=None, trials=30):
    return minas.Search(space, strategy or RegularizedEvolution(), estimator or Counting(bench), trials=trials,
                        seed=2, run_dir=run_dir)


# --- 1. one writer per run folder ----------------------------------------------------------------------

HOLD = ("import sys, time; from minas.runlock import RunLock; lock = RunLock(sys.argv[1]).acquire(); "
        "print('held', flush=True); time.sleep(120)")


def test_a_folder_held_by_another_process_is_refused_naming_it_and_taken_over_once_it_is_killed(space, bench,
                                                                                                 tmp_path, straight):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        estimator = Counting(bench)
        with pytest.raises(RunDirBusy) as err:
            _search(space, bench, tmp_path, estimator).run()
        assert f"pid {holder.pid} on host " in str(err.value) and "since 20" in str(err.value)
        assert estimator.calls == 0 and not (tmp_path / "trials.jsonl").exists()
    finally:
        holder.send_signal(signal.SIGKILL)                       # dies holding it: the OS drops the flock
        holder.wait()
        holder.stdout.close()
    search = _search(space, bench, tmp_path)
    assert _rows(search.run().trials) == _rows(straight)
    assert search._runlock.took_over.pid == holder.pid           # its record was found, and taken over
    assert (tmp_path / "lock").read_text() == ""                 # released: the next search finds it free


def test_a_second_search_in_this_process_is_refused_while_the_first_runs(space, bench, tmp_path, straight):
    first = _search(space, bench, tmp_path)
    go_on, refused = threading.Event(), []
    first.subscribe(lambda e: go_on.wait(10) if e.kind == "trial_finished" and e.trial.index == 4 else None)
    first.start()
    time.sleep(0.05)
    second = _search(space, bench, tmp_path)
    with pytest.raises(RunDirBusy, match=r"another Search in this process \(this process, pid"):
        second.run()
    go_on.set()
    assert first.wait(20) and first.status == "finished"
    assert _rows(second.run().trials) == _rows(straight)         # free again once the first has ended
    assert [r["index"] for r in _records(tmp_path)] == list(range(30))


# --- 2. a folder knows its data and its settings ---------------------------------------------------------

def _tiny(seed: int):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.randn(60, 1, 8, generator=g), torch.arange(60) % 3
    return from_tensors("tiny", x[:48], y[:48], x[48:], y[48:])


def test_other_data_under_the_same_name_is_refused(space, tmp_path, one_thread):
    def training(data):
        return Training(dataset=data, epochs=1, channels=2, cells=1, batch_size=16, device="cpu")

    minas.Search(space, RandomSearch(), training(_tiny(0)), trials=1, run_dir=tmp_path).run()
    with pytest.raises(RunDirError, match="fingerprint") as err:
        minas.Search(space, RandomSearch(), training(_tiny(1)), trials=1, run_dir=tmp_path).run()
    assert "estimator: dataset is {'name': 'tiny'" in str(err.value)
    again = minas.Search(space, RandomSearch(), training(_tiny(0)), trials=1, run_dir=tmp_path)
    assert again.run().trials.status.tolist() == ["ok"]          # the same data again: replayed


class Undeclared(Estimator):
    """Settings as attributes, not fields: two of them look the same to a run folder."""
    name = "undeclared"

    def __init__(self, offset: float):
        self.offset = offset

    def evaluate(self, arch, budget=None):
        return Result(val_acc=self.offset + sum(op == "nor_conv_3x3" for op in arch.ops), cost=1.0)


class Declared(Undeclared):
    def config(self):
        return {"name": self.name, "offset": self.offset}


def test_an_estimator_that_does_not_declare_its_settings_gets_no_folder(space, tmp_path):
    with pytest.raises(SettingsError, match=r"Undeclared does not declare its settings.*@dataclass.*config\(\)"):
        minas.Search(space, RandomSearch(), Undeclared(1.0), trials=3, run_dir=tmp_path)
    assert minas.Search(space, RandomSearch(), Undeclared(1.0), trials=3).run().status == "finished"
    minas.Search(space, RandomSearch(), Declared(1.0), trials=3, run_dir=tmp_path).run()
    with pytest.raises(RunDirError, match="offset is 1.0 in the folder, 50.0 here"):
        minas.Search(space, RandomSearch(), Declared(50.0), trials=3, run_dir=tmp_path).run()


def test_trials_without_config_json_are_not_adopted(space, bench, tmp_path):
    _search(space, bench, tmp_path, trials=5).run()
    (tmp_path / "config.json").unlink()
    estimator = Counting(bench)
    with pytest.raises(RunDirError, match="holds 5 trial.* but no config.json"):
        _search(space, bench, tmp_path, estimator).run()
    assert estimator.calls == 0 and len(_records(tmp_path)) == 5


# --- 3. interrupts ---------------------------------------------------------------------------------------

def test_ctrl_c_during_a_trial_then_run_again_gives_the_uninterrupted_results(space, bench, tmp_path, straight):
    estimator = Counting(bench)
    estimator.raise_at = 12                                       # Ctrl-C in the 12th evaluation
    search = _search(space, bench, tmp_path, estimator)
    with pytest.raises(KeyboardInterrupt):
        search.run()
    assert search.status == "failed" and len(search.trials) == 11 and len(_records(tmp_path)) == 11
    result = search.run()                                         # the same object goes on
    assert _rows(result.trials) == _rows(straight)
    assert len(search.strategy.history) == 30                      # told each trial once
    assert estimator.calls == 31                                  # the interrupted one, evaluated again
    assert [r["index"] for r in _records(tmp_path)] == list(range(30))


class AskInterrupted(RegularizedEvolution):
    asks = 0

    def ask(self):
        self.asks += 1
        if self.asks == 8:
            raise KeyboardInterrupt
        return super().ask()


def test_an_interrupt_inside_the_strategy_refuses_to_go_on_and_the_folder_resumes(space, bench, tmp_path, straight):
    search = _search(space, bench, tmp_path, strategy=AskInterrupted())
    with pytest.raises(KeyboardInterrupt):
        search.run()
    with pytest.raises(SearchError, match=r"asking the strategy for trial 7.*Start a fresh Search on run_dir .*: it resumes from the folder's 7"):
        search.run()
    assert _rows(_search(space, bench, tmp_path).run().trials) == _rows(straight)


@pytest.fixture(scope="module")
def bumps():
    import fakes
    return fakes.bumps()


def _training(bumps):
    return Training(dataset=bumps, epochs=3, channels=4, cells=1, batch_size=16, device="cpu")


def test_stop_mid_training_then_run_again_gives_the_uninterrupted_results(space, bumps, tmp_path, one_thread):
    straight = minas.Search(space, RandomSearch(), _training(bumps), trials=3, seed=1).run().trials
    search = minas.Search(space, RandomSearch(), _training(bumps), trials=3, seed=1, run_dir=tmp_path)
    events = []
    search.subscribe(lambda e: events.append(e.kind))
    stops = []
    search.subscribe(lambda e: stops.append(search.stop()) if e.kind == "epoch_finished" and e.trial.index == 1
                     and e.data["epoch"] == 2 and not stops else None)
    stopped = search.run()
    assert stopped.status == "stopped" and len(stopped.trials) == 1 and len(_records(tmp_path)) == 1
    assert "trial_interrupted" in events and events.count("epoch_finished") == 5   # trial 1 left at epoch 2
    assert _rows(search.run().trials) == _rows(straight)            # the same object, trial 1 evaluated anew
    resumed = minas.Search(space, RandomSearch(), _training(bumps), trials=3, seed=1, run_dir=tmp_path).run()
    assert _rows(resumed.trials) == _rows(straight)                 # and the folder replays it


def test_stop_interrupts_a_long_training_trial_within_a_second(space, bumps, one_thread):
    search = minas.Search(space, RandomSearch(), Training(dataset=bumps, epochs=200, channels=4, cells=1,
                                                          batch_size=8, device="cpu"), trials=2, seed=0)
    second_epoch = threading.Event()
    search.subscribe(lambda e: second_epoch.set() if e.kind == "epoch_finished" and e.data["epoch"] == 2 else None)
    search.start()
    assert second_epoch.wait(60)
    asked = time.monotonic()
    search.stop()
    assert search.wait(5)
    assert time.monotonic() - asked < 1.0
    assert search.status == "stopped" and search.trials == []      # the trial in flight is not recorded


# --- 10. the smaller defects -------------------------------------------------------------------------

def test_a_folder_that_cannot_be_written_fails_before_any_trial(space, bench, tmp_path, monkeypatch):
    real_open = os.open

    def read_only(path, flags, *args):
        if str(path).endswith("trials.jsonl") and flags & os.O_WRONLY:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr("minas.runlog.os.open", read_only)
    estimator = Counting(bench)
    with pytest.raises(RunDirError, match="cannot write trials to .*Permission denied"):
        _search(space, bench, tmp_path, estimator).run()
    assert estimator.calls == 0


def test_a_trial_that_could_not_be_written_is_written_next_time_without_evaluating_it_again(space, bench, tmp_path,
                                                                                             monkeypatch, straight):
    from minas.runlog import RunLog
    real_append, failures = RunLog.append, []

    def disk_full_once(log, record):
        if record["index"] == 6 and not failures:
            failures.append(record["index"])
            raise RunDirError("could not record trial 6: No space left on device")
        real_append(log, record)

    monkeypatch.setattr(RunLog, "append", disk_full_once)
    estimator = Counting(bench)
    search = _search(space, bench, tmp_path, estimator)
    with pytest.raises(RunDirError, match="No space left"):
        search.run()
    assert estimator.calls == 7 and len(_records(tmp_path)) == 6
    assert _rows(search.run().trials) == _rows(straight)
    assert estimator.calls == 30                                  # trial 6 was kept, not evaluated twice


@pytest.mark.parametrize("run_dir, message", [("", "run_dir is empty"), ("a_file", "is a file, not a folder")])
def test_a_run_dir_that_is_empty_or_a_file_is_refused(space, bench, tmp_path, monkeypatch, run_dir, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(RunDirError, match=message):
        _search(space, bench, run_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_a_listener_calling_step_is_told_instead_of_deadlocking(space, bench):
    search = minas.Search(space, RandomSearch(), Tabular(bench), trials=5)
    search.subscribe(lambda e: search.step() if e.kind == "trial_finished" else None)
    with pytest.warns(MinasWarning, match=r"step\(\) was called by a listener"):
        worker = threading.Thread(target=search.run, daemon=True)     # before the fix, it hung forever
        worker.start()
        worker.join(20)
    assert not worker.is_alive() and search.status == "finished" and len(search.trials) == 5


def test_stop_before_start_ends_that_run_at_once(space, bench):
    estimator = Counting(bench)
    search = minas.Search(space, RandomSearch(), estimator, trials=5)
    search.stop()
    search.start()
    assert search.wait(10) and search.status == "stopped" and estimator.calls == 0
    assert search.run().status == "finished" and estimator.calls == 5    # the stop was for that run only


def test_failed_trials_and_broken_listeners_are_told_without_logging_set_up(space, bench):
    class Failing(Tabular):
        def evaluate(self, arch, budget=None):
            if arch.ops[0] == "none":
                raise RuntimeError("no op on the first edge")
            return super().evaluate(arch, budget)

    search = minas.Search(space, RandomSearch(), Failing(bench), trials=40, seed=0)
    search.subscribe(lambda e: 1 / 0 if e.kind == "trial_finished" else None)
    with pytest.warns(MinasWarning) as caught:
        search.run()
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2                                     # once each, not once per trial
    assert any("failed: RuntimeError: no op on the first edge" in m for m in messages)
    assert any("ZeroDivisionError" in m for m in messages)
    assert all(w.filename == __file__ for w in caught)            # pointed at the caller's line


def test_a_huge_architecture_string_is_cut_in_errors(space):
    huge = "|nor_conv_3x3~0|" * 70_000
    with pytest.raises(minas.spaces.ArchError) as err:
        space.parse(huge)
    assert len(str(err.value)) < 2_500 and "characters)…" in str(err.value)

    @dataclass
    class Loud(Estimator):
        def evaluate(self, arch, budget=None):
            raise ValueError(huge)

    with pytest.warns(MinasWarning, match="characters"):
        trial = minas.Search(space, RandomSearch(), Loud(), trials=1).run().trials.iloc[0]
    assert trial.status == "failed" and len(trial.error) < 2_500


def test_labels_shaped_like_html_are_drawn_and_reported(space, bench, tmp_path):
    from minas.report import write_report
    from minas.spaces import CellSpace
    from minas.spaces.base import ArchGraph

    class Tagged(CellSpace):
        def describe_graph(self, arch):
            graph = super().describe_graph(arch)
            return ArchGraph(graph.nodes, [(s, d, f"<{op}<b>") for s, d, op in graph.edges], "<b>cell</i>")

    search = minas.Search(Tagged(), RandomSearch(), Tabular(bench), trials=3)
    search.run()
    page = write_report(search, tmp_path / "report.html").read_text()
    assert "&lt;nor_conv_3x3&lt;b&gt;" in page or "&lt;skip_connect&lt;b&gt;" in page or "&lt;avg_pool_3x3&lt;b&gt;" in page
    assert "<b>cell" not in page
