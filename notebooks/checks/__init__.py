"""The checks of the notebook exercises: one module per notebook (`checks/01_what_is_nas.py`, ... mirroring
`solutions/`), each check registered under its exercise's function name in `CHECKS`.

A check calls the student's function on test inputs and raises `Wrong("what is wrong, and a hint")` at the
first problem, or returns an optional note to print after the ✓; `exercises.verdict` runs it. Checks test
properties and compare with minas where they can, so they do not give the answer away, and they try the
inputs where a plausible answer goes wrong (float rounding, ties, failed trials);
tests/test_exercises.py makes sure each one rejects deliberately wrong answers.

The student release (`python -m course.release`) ships these modules compiled (`.pyc` only), so the
expected answers cannot be read off them; this loader takes either form.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from checks.common import CHECKS, Wrong

HERE = Path(__file__).resolve().parent


def _load(path: Path) -> None:
    """Run one notebook's check module (source or compiled), which registers its checks in CHECKS."""
    name = f"checks.nb{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as e:                         # a .pyc of another Python version: say so, not "bad magic"
        raise ImportError(f"{path.name} was compiled for another Python version than this kernel's "
                          f"{sys.version.split()[0]}: ask for a release built with it ({e})") from None


for _path in sorted(p for p in HERE.glob("[0-9][0-9]_*") if p.suffix in (".py", ".pyc")):
    _load(_path)

__all__ = ["CHECKS", "Wrong"]
