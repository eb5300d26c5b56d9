"""The notebooks as an nbgrader course (`python -m course.release nbgrader OUT`), graded by the same checks.

    OUT/nbgrader_config.py
    OUT/source/02_search_spaces/02_search_spaces.ipynb     one assignment per notebook, with the solutions
    OUT/source/02_search_spaces/exercises.py, checks/      the checks, compiled (as in the student release)

In each source notebook an exercise cell is a **solution cell** (grade id `answer_<name>`): the instructor's
solution (from notebooks/solutions/, inlined with the imports and helpers it needs) stands between nbgrader's
`### BEGIN SOLUTION` and `### END SOLUTION`, inside the notebook's own markers, so `nbgrader generate_assignment`
hands out exactly the stub of the student release. Each `check(name)` cell becomes a **locked autograded test
cell** (grade id `check_<name>`, one point, the capstone five) that runs `grade(name)`: the exercise's check,
raising when the student's own code does not pass. Then, in OUT:

    nbgrader generate_assignment 02_search_spaces      # release/02_search_spaces/: stubs, no solutions
    MINAS_FAST=1 nbgrader autograde 02_search_spaces   # grades submitted/<student>/02_search_spaces/

(`MINAS_FAST=1` runs the notebooks with small budgets; the checks do not depend on it.)
"""
from __future__ import annotations

import ast
import re
import shutil
import textwrap
from pathlib import Path

import nbformat

from .release import NOTEBOOKS, check_stem, compile_checks, for_students, notebook_names

POINTS = {"make_strategy": 5}
EXERCISE = re.compile(r"@exercise\s*\ndef (\w+)\(")
CONFIG = '''"""nbgrader's settings for the minas course (written by python -m course.release nbgrader)."""
c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "minas"
c.ClearSolutions.code_stub = {"python": "raise NotImplementedError"}   # the notebooks' own stub, between their markers
c.CourseDirectory.ignore = [".ipynb_checkpoints", "__pycache__", "feedback"]   # not *.pyc: the checks are compiled
c.Execute.timeout = 1800        # seconds per cell: the full notebooks train for minutes (MINAS_FAST=1: seconds)
'''


def exercise_names() -> set[str]:
    """Every exercise of the curriculum (the @exercise functions of all notebooks)."""
    names = set()
    for path in NOTEBOOKS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            names.update(EXERCISE.findall(cell.source))
    return names


def solution_lines(name: str, exercises: set[str]) -> list[str]:
    """The instructor's solution of `name` as lines for the body of the notebook's function: the imports and
    helpers of its solutions module (not the other exercises), then the solution's body without its docstring."""
    for path in sorted((NOTEBOOKS / "solutions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree, lines = ast.parse(text), text.splitlines()
        target = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
        if target is None:
            continue
        helpers: list[str] = []
        for node in tree.body:
            other = isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name not in exercises
            if isinstance(node, (ast.Import, ast.ImportFrom)) or other:
                start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
                helpers += lines[start - 1:node.end_lineno]
        body = target.body[1:] if ast.get_docstring(target) is not None else target.body
        return helpers + textwrap.dedent("\n".join(lines[body[0].lineno - 1:target.end_lineno])).splitlines()
    raise LookupError(f"no solution of {name!r} in {NOTEBOOKS / 'solutions'}")


def with_solutions(source: str, exercises: set[str]) -> str:
    """An exercise cell's source with each stub replaced by its solution between nbgrader's markers."""
    out, current = [], None
    for line in source.splitlines():
        found = re.match(r"def (\w+)\(", line)
        current = found.group(1) if found else current
        if line.strip() == "raise NotImplementedError" and out and out[-1].strip() == "# ---- your code here ----":
            indent = line[:len(line) - len(line.lstrip())]
            out += [f"{indent}### BEGIN SOLUTION",
                    *(f"{indent}{s}" if s.strip() else "" for s in solution_lines(current, exercises)),
                    f"{indent}### END SOLUTION"]
        else:
            out.append(line)
    return "\n".join(out)


def _meta(grade_id: str, *, solution: bool = False, points: int | None = None) -> dict:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def graded(nb: nbformat.NotebookNode, exercises: set[str]) -> nbformat.NotebookNode:
    """The notebook with nbgrader's solution cells (the exercises, solved) and locked test cells (the checks)."""
    cells = []
    for cell in nb.cells:
        names = EXERCISE.findall(cell.source) if cell.cell_type == "code" else []
        checked = re.findall(r"^check\((\w+)\)\s*$", cell.source, re.M) if cell.cell_type == "code" else []
        if names:
            cell.source = with_solutions(cell.source, exercises)
            cell.metadata["nbgrader"] = _meta("answer_" + "_".join(names), solution=True)
        if checked:
            for k, name in enumerate(checked):
                test = nbformat.v4.new_code_cell(f"from exercises import grade\n\ngrade({name})")
                test["id"] = f"{cell.get('id', 'check')}-{k}"
                test.metadata["nbgrader"] = _meta(f"check_{name}", points=POINTS.get(name, 1))
                cells.append(test)
            continue
        cells.append(cell)
    nb.cells = cells
    return nb


def nbgrader_course(out: Path, numbers: list[str] | None = None, pythons: list[str] | None = None) -> Path:
    """Write an nbgrader course folder into `out` (which must not exist yet): one assignment per notebook."""
    import sys
    out = Path(out)
    out.mkdir(parents=True, exist_ok=False)
    (out / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    exercises = exercise_names()
    for name in notebook_names(numbers):
        folder = out / "source" / check_stem(name)
        folder.mkdir(parents=True)
        nbformat.write(graded(for_students(NOTEBOOKS / name), exercises), folder / name)
        shutil.copyfile(NOTEBOOKS / "exercises.py", folder / "exercises.py")
        compile_checks(folder, [check_stem(name)], pythons or [sys.executable])
    return out
