"""The errors minas raises on purpose. Each message names the problem and how to fix it, so the
command line shows them as one line and exit code 2 instead of a traceback (`minas.cli`); a
traceback is left for what minas did not foresee."""
from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path


class MinasError(Exception):
    """Base of minas' own errors: a clear message is all the user needs."""


class SettingsError(MinasError, ValueError):
    """A setting (a budget, a training knob, a device, a network too large for the machine) that
    cannot work, found before the first trial."""


class DataError(MinasError, ValueError):
    """A dataset cannot be loaded or its tensors are inconsistent; the message says how to fix it
    (`minas.data.DataError`)."""


class SearchError(MinasError, RuntimeError):
    """A search that cannot go on: its first trials all failed, or it was interrupted at a moment
    it cannot resume from in the same object (a fresh `Search` on the run folder can)."""


class MinasWarning(UserWarning):
    """Something the user should see even without logging set up: a failed trial, a broken listener."""


_WORD = re.compile(r"\S{161,}")


def shorten(text: object, word: int = 160, total: int = 2000) -> str:
    """`text` fit for a message: any run of more than `word` non-blank characters (a pasted
    architecture string, a tensor printed whole) is cut in its middle, and so is the whole beyond
    `total` characters; each cut says how much it left out."""
    text = _WORD.sub(lambda m: f"{m[0][:word // 2]}…({len(m[0]):,} characters)…{m[0][-word // 4:]}", str(text))
    if len(text) > total:
        text = f"{text[:total * 3 // 4]} …({len(text) - total:,} characters left out)… {text[-total // 4:]}"
    return text


def warn(message: str) -> None:
    """A `MinasWarning`, attributed to the first caller outside minas (the user's line)."""
    package = str(Path(__file__).resolve().parent)
    frame, level = sys._getframe(1), 2
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, MinasWarning, stacklevel=level)
