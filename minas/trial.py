"""A trial: one architecture, evaluated once, successfully or not."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from .estimators.base import Result

COLUMNS = ["index", "arch", "budget", "status", "val_acc", "cost", "wall", "test_acc", "params", "flops", "error"]
RUN_ONLY = ("score", "asked")     # written in the run folder beside a trial's row, not part of its result


@dataclass
class Trial:
    """The `index`-th evaluation of a search. `result` is None when the evaluation failed."""
    index: int
    arch: Any
    result: Result | None = None
    error: str | None = None
    wall: float = 0.0          # seconds this evaluation took on this machine
    budget: Any = None         # what it was evaluated at: the search's budget, or the strategy's own
    objective: float | None = None   # the search objective's value, when the search has one (e.g. MnasNet's reward)

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def score(self) -> float:
        """What the search maximises: the objective's value, or the validation accuracy when it has none; NaN
        for a failed trial."""
        if not self.ok:
            return math.nan
        return self.val_acc if self.objective is None else self.objective

    @property
    def val_acc(self) -> float:
        return self.result.val_acc if self.ok else math.nan

    @property
    def cost(self) -> float:
        """What this trial charges to a `max_cost` budget: the estimator's cost, or, for a failed
        trial or one its estimator called free, the seconds it took (so every budget ends)."""
        return self.result.cost if self.ok and self.result.cost > 0 else self.wall

    def __str__(self) -> str:
        outcome = f"val_acc {self.val_acc:.2f} %" if self.ok else f"failed: {self.error}"
        at = "" if self.budget is None else f" at budget {self.budget}"
        return f"trial {self.index}: {self.arch}{at}  {outcome}"

    def to_record(self) -> dict[str, Any]:
        """A flat, JSON-ready dict: the trials table's row and the run folder's line."""
        result = asdict(self.result) if self.ok else {}
        extra = result.pop("extra", {})
        score = {} if self.objective is None else {"score": self.objective}
        return {"index": self.index, "arch": str(self.arch), "budget": self.budget,
                "status": "ok" if self.ok else "failed", **result, **score, "cost": self.cost, "wall": self.wall,
                "error": self.error, **extra}

    @classmethod
    def from_record(cls, record: dict[str, Any], arch: Any) -> "Trial":
        fields = Result.__dataclass_fields__
        extra = {k: v for k, v in record.items() if k not in fields and k not in COLUMNS and k not in RUN_ONLY}
        known = {k: record[k] for k in fields if k in record and k != "extra"}
        result = Result(**known, extra=extra) if record["status"] == "ok" else None
        return cls(record["index"], arch, result, record.get("error"), record.get("wall", 0.0), record.get("budget"))


def trials_frame(trials: list[Trial]):
    """The trials as a pandas DataFrame, one row per trial (pandas is imported only here)."""
    import pandas as pd
    rows = [t.to_record() for t in trials]
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(COLUMNS + [k for r in rows for k in r])))
    return frame.set_index("index", drop=False).rename_axis(None)
