"""The checks of the notebook exercises: one module per notebook (`checks/01_what_is_nas.py`, ... mirroring
`solutions/`), each check registered under its exercise's function name in `CHECKS`; what they share is in
`checks/common.py`.

A check calls the student's function on test inputs and raises `Wrong("what is wrong, and a hint")` at the
first problem, or returns an optional note to print after the ✓; `exercises.verdict` runs it. Checks test
properties and compare with minas where they can, so they do not give the answer away, and they try the
inputs where a plausible answer goes wrong (float rounding, ties, failed trials);
tests/test_exercises.py makes sure each one rejects deliberately wrong answers.

The student release (`python -m course.release student`) ships these modules compiled, without their source
(`01_what_is_nas.cpython-311.pyc`, one file per Python version it was built for), so the expected answers
cannot be read off them; this loader takes the source where it is there, else the compiled file for the
kernel's Python.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
TAG = sys.implementation.cache_tag                  # e.g. cpython-311


def _file(stem: str) -> Path:
    """The module `stem` of this folder: its source, or its compiled file for this Python."""
    for path in (HERE / f"{stem}.py", HERE / f"{stem}.{TAG}.pyc"):
        if path.exists():
            return path
    built = sorted(p.name.split(".")[1] for p in HERE.glob(f"{stem}.*.pyc"))
    raise ImportError(f"the checks were compiled for {', '.join(built) or 'no Python'}, not for this kernel's {TAG}: "
                      f"ask for a release built with it (python -m course.release student --python python3.X)")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def stems() -> list[str]:
    """The per-notebook modules here, by name (01_what_is_nas, ...), whether source or compiled."""
    return sorted({p.name.split(".")[0] for p in HERE.glob("[0-9][0-9]_*") if p.suffix in (".py", ".pyc")})


common = _load("checks.common", _file("common"))
CHECKS, Wrong = common.CHECKS, common.Wrong
for _stem in stems():
    _load(f"checks.nb{_stem}", _file(_stem))

__all__ = ["CHECKS", "Wrong", "stems"]
