"""Exercises in the minas notebooks: the student's function, its check, the instructor's solution.

In a notebook:

    from exercises import exercise, check

    @exercise
    def space_size(num_ops, num_nodes):
        # ---- your code here ----
        raise NotImplementedError
        # ---- end ----

    check(space_size)        # prints ✓, or ✗ with a hint; never raises

Until the student replaces `raise NotImplementedError`, calling the function raises a
NotImplementedError naming the exercise. With MINAS_SOLUTIONS=1 in the environment (CI,
instructors) the solution of the same name in `solutions/*.py` runs instead, so every later cell
works. The checks themselves are in `checks/`, one module per notebook. Teaching glue only: nothing in
`minas/` imports this.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import traceback
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
START, END = "# ---- your code here ----", "# ---- end ----"


def solutions_on() -> bool:
    return os.environ.get("MINAS_SOLUTIONS") == "1"


@functools.lru_cache(maxsize=None)
def _solution_modules() -> tuple:
    modules = []
    for path in sorted((HERE / "solutions").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"minas_solutions_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return tuple(modules)


def solution(name: str) -> Callable:
    """The instructor's solution of exercise `name` (from notebooks/solutions/)."""
    for module in _solution_modules():
        if callable(getattr(module, name, None)):
            return getattr(module, name)
    raise LookupError(f"no solution named {name!r} in {HERE / 'solutions'}")


def exercise(fn: Callable) -> Callable:
    """Mark `fn` as the exercise of the same name (see the module docstring)."""
    name = fn.__name__

    @functools.wraps(fn)
    def attempt(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            if solutions_on():
                attempt.used_solution = True
                return solution(name)(*args, **kwargs)
            raise NotImplementedError(f"exercise `{name}` is not done yet: write your code between "
                                      f"'{START}' and '{END}' in its cell, and run that cell again") from None

    attempt.exercise, attempt.used_solution = name, False
    return attempt


def _where(error: BaseException) -> str:
    """The last line of the student's own code in the traceback (a notebook cell), if any."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not Path(f.filename).is_relative_to(HERE) and "site-packages" not in f.filename
              and "minas" not in Path(f.filename).parts]
    return f" (in {frames[-1].name}: `{(frames[-1].line or '').strip()}`)" if frames else ""


def verdict(fn: Callable) -> tuple[bool, str]:
    """(True, "✓ ...") when `fn` passes its exercise's check, else (False, "✗ ..." with a hint)."""
    from checks import CHECKS, Wrong
    name = getattr(fn, "exercise", None)
    if name not in CHECKS:
        return False, "✗ check() wants a function defined under @exercise in this notebook"
    fn.used_solution = False
    try:
        note = CHECKS[name](fn)
    except Wrong as e:
        return False, f"✗ {name}: {e}"
    except NotImplementedError:
        return False, (f"✗ {name} is not done yet: replace `raise NotImplementedError` between '{START}' and "
                       f"'{END}' with your code, run that cell, then run this check again.")
    except Exception as e:                       # the student's code crashed: say where, no long traceback
        return False, f"✗ {name} raised {type(e).__name__}: {e}{_where(e)}"
    message = f"✓ {name} is right." + (f" {note}" if note else "")
    if fn.used_solution:
        message += " (This ran the instructor's solution: MINAS_SOLUTIONS=1.)"
    return True, message


def check(fn: Callable) -> None:
    """Print whether `fn` is right: a ✓, or a ✗ with a hint. Never raises, so 'Run All' goes on."""
    print(verdict(fn)[1])


def grade(fn: Callable) -> None:
    """The check as an autograder's test (nbgrader's test cells call it): print the verdict, and raise
    AssertionError unless the student's own code passed (the instructor's solution, standing in for an unfilled
    exercise with MINAS_SOLUTIONS=1, earns nothing)."""
    ok, message = verdict(fn)
    print(message)
    if not ok or getattr(fn, "used_solution", False):
        raise AssertionError(message if not ok else f"✗ {fn.exercise} is not done yet: only the instructor's solution ran")
