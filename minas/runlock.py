"""One writer per run folder: an OS-level lock on `run_dir/lock`, held while a search runs.

Two searches appending to one `trials.jsonl` interleave their trials and leave a folder that never
resumes again, so a search takes the lock before it reads or writes the folder and a second one,
in another process or in this one, is refused with a message naming the holder. The lock is
`fcntl.flock` on an open file: the operating system drops it when its process ends, however it
ends (`kill -9` included), so a lock left by a dead process is simply taken over; its record (pid,
host, since when) is read only to say so. The file itself is never deleted: deleting it would let
two processes lock two different files of the same name.

Parallel workers of one search (the next step) share the one holder: the coordinating process
holds the lock and appends every worker's trials through its one `RunLog` (`RunLog.append` is
thread-safe and writes each trial as one whole line), whether the workers are its threads or other
processes sending it results. `token` names the holding search, for workers to check they report
to the right one.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:                                # Windows: no flock; the record is still written
    fcntl = None

from .runlog import RunDirError

LOCK_NAME = "lock"
log = logging.getLogger("minas")


class RunDirBusy(RunDirError):
    """The run folder is held by another search (in another process, or another `Search` here)."""


@dataclass(frozen=True)
class Holder:
    """Who holds a run folder: a process on a host, since a moment, and which search (`token`)."""
    pid: int
    host: str
    since: str
    token: str

    @classmethod
    def me(cls) -> "Holder":
        return cls(os.getpid(), socket.gethostname(), time.strftime("%Y-%m-%d %H:%M:%S"), uuid.uuid4().hex)

    @property
    def here(self) -> bool:
        """True when the holder is this very process."""
        return self.pid == os.getpid() and self.host == socket.gethostname()

    def describe(self) -> str:
        where = "this process, " if self.here else ""
        return f"{where}pid {self.pid} on host {self.host}, since {self.since}"


class RunLock:
    """`acquire()` takes the folder or raises `RunDirBusy`; `release()` gives it back (idempotent).
    `took_over` is the record of a dead holder whose lock was taken over, if any."""

    def __init__(self, run_dir: str | Path):
        self.dir = Path(run_dir)
        self.path = self.dir / LOCK_NAME
        self.holder: Holder | None = None
        self.took_over: Holder | None = None
        self._file = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> "RunLock":
        if self.held:
            return self
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            f = open(self.path, "a+b")
        except OSError as e:
            raise RunDirError(f"cannot write to the run folder {self.dir}: {e.strerror or e}; "
                              "give a folder you can write to") from None
        try:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read(f)
            f.close()
            raise RunDirBusy(_busy_message(self.dir, holder)) from None
        self.took_over = _read(f)                  # a record left behind: its process died holding it
        if self.took_over is not None:
            log.info("run folder %s: took over the lock of %s, which no longer runs", self.dir,
                     self.took_over.describe())
        self.holder = Holder.me()
        _write(f, json.dumps(asdict(self.holder)).encode())
        self._file = f
        return self

    def release(self) -> None:
        """Clear the record and drop the lock; the next search finds the folder free."""
        f, self._file = self._file, None
        if f is None:
            return
        try:
            _write(f, b"")
        except OSError:                            # the record is only a note; the lock matters
            pass
        finally:
            f.close()                              # closing drops the flock

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read(f) -> Holder | None:
    f.seek(0)
    text = f.read()
    try:
        return Holder(**json.loads(text)) if text.strip() else None
    except (ValueError, TypeError):
        return None


def _write(f, data: bytes) -> None:
    f.seek(0)
    f.truncate()
    f.write(data)
    f.flush()                                      # a note: the flock, not the record, is the lock


def _busy_message(folder: Path, holder: Holder | None) -> str:
    if holder is None:
        who = "another search (which has not written who it is yet)"
    elif holder.here:
        who = f"another Search in this process ({holder.describe()}); stop it first"
    else:
        who = f"another search: {holder.describe()}; wait for it to end or stop it"
    return (f"run folder {folder} is in use by {who}. Two searches writing one folder would interleave "
            f"their trials; to run both, give this one another run_dir.")
