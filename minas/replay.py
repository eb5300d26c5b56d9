"""Resuming is replaying: the run folder's trials are told again to a fresh strategy, in the order they finished,
and the strategy (deterministic given its seed and what it is told) proposes exactly what it proposed before, so
nothing recorded is evaluated again and the search goes on as if it had never stopped.

With several workers the strategy was asked for new trials while others still ran: the asks interleave with the
tells in an order set by the finish order and by when workers were free (a pause, a stop, a resume with another
number of workers). So each recorded trial carries `asked`, the number of trials the search had asked for when
this one was told. Replay asks until that many have been asked, then tells the trial: the strategy sees the same
calls in the same order (its `running` trials included). Trials asked for but never recorded were in flight when
the search ended (a kill, a crash): the resumed search evaluates them first. Folders written before `asked`
existed were sequential: each trial was told before the next ask (asked = index + 1).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import shorten
from .plain import as_json
from .runlog import RunDirError
from .strategies import Wait
from .trial import Trial

if TYPE_CHECKING:
    from .search import Search


def replay(search: "Search", records: list[dict[str, Any]]) -> None:
    """Tell `search`'s fresh strategy and estimator the recorded trials (up to the search's budget); the trials
    asked for but not recorded become the search's pending ones. RunDirError where the folder diverges."""
    asked: dict[int, Trial] = {}
    for record in records:
        if search.exhausted:                        # a smaller budget than the folder holds
            break
        while search._asked < record.get("asked", record["index"] + 1):
            trial = _ask(search, record)
            asked[trial.index] = trial
        proposed = asked.pop(record["index"], None)
        recorded = (record["arch"], record.get("budget", as_json(search.budget)))
        if proposed is None or (str(proposed.arch), as_json(proposed.budget)) != recorded:
            now = ("nothing at that index" if proposed is None else
                   f"{shorten(proposed.arch)} at budget {proposed.budget!r}")
            raise RunDirError(f"run folder {search.run_dir} diverges from this search at trial {record['index']}: it "
                              f"recorded {shorten(recorded[0])} at budget {recorded[1]!r}, the strategy now "
                              f"proposes {now}")
        trial = Trial.from_record(record, proposed.arch)
        if trial.ok and search.objective is not None:
            trial.objective = search.objective(trial.result)
        search._learn(trial)
        search._emit("trial_finished", trial, replayed=True)
    search._pending = sorted(asked.values(), key=lambda t: t.index)


def _ask(search: "Search", record: dict[str, Any]) -> Trial:
    """The strategy's next trial; RunDirError when it has none to give where the recorded search had one."""
    try:
        return search._ask_new()
    except (StopIteration, Wait):
        raise RunDirError(f"run folder {search.run_dir} diverges from this search before trial {record['index']}: "
                          f"the recorded search asked for trial {search._asked}, this strategy proposes "
                          f"nothing there") from None
