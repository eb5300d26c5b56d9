"""The run folder is the truth: `config.json` says which search it is, `trials.jsonl` holds one
complete, flushed JSON line per finished trial. A kill at any moment loses at most the trial in
flight; a half-written last line (the kill came mid-write) is dropped on the next start."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class RunDirError(ValueError):
    """The run folder belongs to another search, or is corrupt."""


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class RunLog:
    """Reads and appends the trials of one search in `run_dir`, refusing a folder of another search."""

    def __init__(self, run_dir: str | Path, config: dict[str, Any]):
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config_path, self.trials_path = self.dir / "config.json", self.dir / "trials.jsonl"
        if self.config_path.exists():
            self._check_same_search(config)
        else:
            _write_atomic(self.config_path, json.dumps(config, indent=2, default=str) + "\n")

    def _check_same_search(self, config: dict[str, Any]) -> None:
        try:
            saved = json.loads(self.config_path.read_text())
        except json.JSONDecodeError as e:
            raise RunDirError(f"{self.config_path} is corrupt ({e}); move the folder away or pick another run_dir") from None
        mine = json.loads(json.dumps(config, default=str))
        keys = ("space", "strategy", "estimator", "seed", "budget", "objective")
        diffs = [f"{k}: folder has {saved.get(k)!r}, this search has {mine.get(k)!r}" for k in keys if saved.get(k) != mine.get(k)]
        if diffs:
            raise RunDirError(f"run folder {self.dir} holds a different search, refusing to mix them:\n  "
                              + "\n  ".join(diffs) + "\nUse another run_dir, or the same settings to resume.")

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
            except json.JSONDecodeError as e:
                raise RunDirError(f"{self.trials_path}, line {number} is corrupt ({e}); "
                                  f"the {number - 1} trials before it are intact") from None
        return records

    def _truncate(self, size: int) -> None:
        with open(self.trials_path, "r+b") as f:
            f.truncate(size)

    def append(self, record: dict[str, Any]) -> None:
        """Write one trial as one line and force it to disk before the search moves on."""
        with open(self.trials_path, "a") as f:
            f.write(json.dumps(record, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())
