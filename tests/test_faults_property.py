"""A property of the run folder (issue 16): random interleavings of searches, kills at any byte of a write,
truncations at any byte, NUL padding, Ctrl-C and Stop, each followed by a resume, never lose a finished trial nor
record one twice, and the folder ends up holding exactly what an uninterrupted search computes."""
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minas
from minas.estimators import Estimator, Result
from minas.estimators.base import derive_seed
from minas.interrupt import checkpoint
from minas.runlock import RunLock
from minas.runlog import RunLog
from minas.spaces import CellSpace
from minas.strategies import RegularizedEvolution

TOTAL = 24
SPACE = CellSpace()


class Killed(BaseException):
    """The process died here: nothing after this line of the search runs."""


@dataclass
class Hashed(Estimator):
    """A free, deterministic estimator that can be stopped (it checks) and interrupted at its `fault_at`-th call."""
    calls: int = 0
    fault_at: int = 0
    fault: str = ""
    search: object = None
    name = "hashed"

    def config(self):
        return {"name": self.name}

    def evaluate(self, arch, budget=None):
        self.calls += 1
        if self.calls == self.fault_at and self.fault == "ctrl-c":
            raise KeyboardInterrupt
        if self.calls == self.fault_at and self.fault == "stop":
            self.search.stop()
        checkpoint()
        return Result(val_acc=derive_seed(str(arch)) % 10_000 / 100, cost=1.0)


def _search(folder: Path, trials: int, estimator: Hashed | None = None) -> minas.Search:
    estimator = estimator or Hashed()
    search = minas.Search(SPACE, RegularizedEvolution(), estimator, trials=trials, seed=7, run_dir=folder)
    estimator.search = search
    return search


REFERENCE = [(t.index, str(t.arch), t.val_acc)
             for t in minas.Search(SPACE, RegularizedEvolution(), Hashed(), trials=TOTAL, seed=7).run().trials.itertuples()]


def _complete_records(folder: Path) -> list[tuple]:
    path = folder / "trials.jsonl"
    raw = path.read_bytes() if path.exists() else b""
    lines = raw[: raw.rfind(b"\n") + 1].splitlines()
    return [(r["index"], r["arch"], r["val_acc"]) for r in map(json.loads, lines)]


def _kill_while_writing(folder: Path, trials: int, index: int, cut: float) -> None:
    """Run until trial `index` is being written, then die after `cut` of its line is on disk, holding the lock."""
    real_append = RunLog.append

    def dying_append(log, record):
        if record["index"] != index:
            return real_append(log, record)
        line = (json.dumps(record) + "\n").encode()
        with open(log.trials_path, "ab") as f:
            f.write(line[: int(cut * len(line))])
        raise Killed

    def os_drops_the_lock(lock):                     # no tidy release: the record stays, the flock goes
        if lock._file is not None:
            lock._file.close()
            lock._file = None

    with mock.patch.object(RunLog, "append", dying_append), mock.patch.object(RunLock, "release", os_drops_the_lock):
        try:
            _search(folder, trials).run()
        except Killed:
            pass


def _apply(folder: Path, op: tuple) -> None:
    kind, target, where = op
    path = folder / "trials.jsonl"
    if kind == "run":
        _search(folder, target).run()
    elif kind == "kill":
        _kill_while_writing(folder, target, index=int(where * target), cut=where * 7 % 1)
    elif kind == "truncate" and path.exists():
        size = path.stat().st_size
        with open(path, "r+b") as f:
            f.truncate(int(where * size))
    elif kind == "nul" and path.exists():
        with open(path, "ab") as f:
            f.write(b"\0" * (1 + int(where * 300)))
    elif kind in ("ctrl-c", "stop"):
        estimator = Hashed(fault_at=1 + int(where * target), fault=kind)
        search = _search(folder, target, estimator)
        try:
            search.run()
        except KeyboardInterrupt:
            pass
        result = search.run()                        # the same object goes on, the pending trial first
        assert [(t.index, str(t.arch), t.val_acc) for t in search.trials] == REFERENCE[:len(search.trials)]
        assert result.status == "finished"


OPS = st.tuples(st.sampled_from(["run", "kill", "truncate", "nul", "ctrl-c", "stop"]),
                st.integers(1, TOTAL), st.floats(0, 0.999))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=1, max_size=6))
def test_no_interleaving_of_faults_loses_or_repeats_a_finished_trial(ops):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "run"
        kept = 0
        for op in ops:
            _apply(folder, op)
            records = _complete_records(folder)
            assert records == REFERENCE[:len(records)]            # in order, each once, each as computed
            if op[0] != "truncate":
                assert len(records) >= kept                       # no finished trial lost
            kept = len(records)
        final = _search(folder, TOTAL).run()
        assert _complete_records(folder) == REFERENCE
        assert [(t.index, str(t.arch), t.val_acc) for t in final.trials.itertuples()] == REFERENCE
        assert (folder / "trials.jsonl").read_bytes().endswith(b"\n")
