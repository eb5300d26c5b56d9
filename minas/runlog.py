"""The run folder is the truth: `config.json` says which search it is, `trials.jsonl` holds one
complete, flushed JSON line per finished trial. A kill at any moment loses at most the trial in
flight; a half-written last line (the kill came mid-write, or the file system padded it with NULs)
is dropped on the next start. One search writes a folder at a time (`minas.runlock`)."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from .errors import MinasError

IDENTITY = ("space", "strategy", "estimator", "seed", "budget", "objective")


class RunDirError(MinasError, ValueError):
    """The run folder belongs to another search, is corrupt, or cannot be written."""


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def check_run_dir(run_dir: str | Path) -> Path:
    """`run_dir` as a Path, refused when it cannot be a run folder (empty, or an existing file)."""
    if isinstance(run_dir, str) and not run_dir.strip():
        raise RunDirError("run_dir is empty: give a folder name, or run_dir=None to keep no folder")
    path = Path(run_dir).expanduser()
    if path.exists() and not path.is_dir():
        raise RunDirError(f"run_dir {path} is a file, not a folder: give a folder name")
    return path


def _difference(key: str, saved: Any, mine: Any) -> str:
    """One line per differing part: the settings that differ when both are settings."""
    if isinstance(saved, dict) and isinstance(mine, dict):
        parts = [k for k in dict.fromkeys([*saved, *mine]) if saved.get(k) != mine.get(k)]
        return f"{key}: " + "; ".join(f"{k} is {saved.get(k)!r} in the folder, {mine.get(k)!r} here" for k in parts)
    return f"{key}: folder has {saved!r}, this search has {mine!r}"


class RunLog:
    """Reads and appends the trials of one search in `run_dir`, refusing a folder of another search
    and a folder whose trials no `config.json` vouches for."""

    def __init__(self, run_dir: str | Path, config: dict[str, Any]):
        self.dir = check_run_dir(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config_path, self.trials_path = self.dir / "config.json", self.dir / "trials.jsonl"
        self.size = 0                                   # bytes of trials.jsonl as this log last left it
        self._lock = threading.Lock()
        if self.config_path.exists():
            self._check_same_search(config)
        else:
            self._refuse_orphan_trials()
            _write_atomic(self.config_path, json.dumps(config, indent=2, default=str) + "\n")
        self.probe()

    def _refuse_orphan_trials(self) -> None:
        lines = self.trials_path.read_bytes().count(b"\n") if self.trials_path.exists() else 0
        if lines:
            raise RunDirError(f"run folder {self.dir} holds {lines} trial(s) but no config.json, so nothing says "
                              "which search, data and settings they belong to; refusing to adopt them. Move "
                              "trials.jsonl away (or restore config.json), or use another run_dir.")

    def _check_same_search(self, config: dict[str, Any]) -> None:
        try:
            saved = json.loads(self.config_path.read_text())
        except json.JSONDecodeError as e:
            raise RunDirError(f"{self.config_path} is corrupt ({e}); move the folder away or pick another run_dir") from None
        mine = json.loads(json.dumps(config, default=str))
        diffs = [_difference(k, saved.get(k), mine.get(k)) for k in IDENTITY if saved.get(k) != mine.get(k)]
        if diffs:
            raise RunDirError(f"run folder {self.dir} holds a different search, refusing to mix them:\n  "
                              + "\n  ".join(diffs) + "\nUse another run_dir, or the same settings and data to resume.")

    def probe(self) -> None:
        """Fail now, before any trial is evaluated, if trials cannot be appended."""
        try:
            os.close(os.open(self.trials_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
        except OSError as e:
            raise RunDirError(f"cannot write trials to {self.trials_path}: {e.strerror or e}") from None

    def read(self) -> list[dict[str, Any]]:
        """The recorded trials. A truncated final line is cut off the file; any other bad line is an error."""
        if not self.trials_path.exists():
            return []
        raw = self.trials_path.read_bytes()
        lines = raw.split(b"\n")
        if lines[-1]:                                   # no newline at the end: the kill came mid-write
            self._truncate(len(raw) - len(lines[-1]))
        records = []
        for number, line in enumerate(lines[:-1], start=1):
            try:
                records.append(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise RunDirError(f"{self.trials_path}, line {number} is corrupt ({e}); "
                                  f"the {number - 1} trials before it are intact") from None
        self.size = len(raw) - len(lines[-1])
        return records

    def _truncate(self, size: int) -> None:
        with open(self.trials_path, "r+b") as f:
            f.truncate(size)

    def check_unchanged(self) -> None:
        """Raise when someone else wrote trials.jsonl since this log last read or appended to it."""
        size = self.trials_path.stat().st_size if self.trials_path.exists() else 0
        if size != self.size:
            raise RunDirError(f"{self.trials_path} changed since this search last wrote it ({self.size:,} -> "
                              f"{size:,} bytes): another search wrote to the folder")

    def append(self, record: dict[str, Any]) -> None:
        """Write one trial as one line, in one write, and force it to disk before the search moves
        on. Thread-safe: the workers of one search may append through the one log."""
        line = (json.dumps(record, default=str) + "\n").encode()
        with self._lock:
            try:
                fd = os.open(self.trials_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    written = os.write(fd, line)
                    if written != len(line):            # e.g. a full disk: take the half line back
                        os.ftruncate(fd, self.size)
                        raise OSError(f"only {written} of {len(line)} bytes could be written (is the disk full?)")
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as e:
                raise RunDirError(f"could not record trial {record.get('index')} in {self.trials_path}: "
                                  f"{e.strerror or e}; the folder keeps the trials before it") from None
            self.size += len(line)
