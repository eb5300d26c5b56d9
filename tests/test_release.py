"""Handing the course out (course/release.py, course/grading.py): the student release has no solutions and its
checks only in compiled form, yet they judge as in the repository; the nbgrader course, run through nbgrader's
own `generate_assignment` and `autograde`, gives a filled-in copy full marks and an empty copy none."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course import grading, release

REPO = Path(__file__).resolve().parents[1]
RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
TAG = sys.implementation.cache_tag

JUDGE = """
from exercises import exercise, verdict

@exercise
def space_size(num_ops, num_nodes):
    return num_ops ** (num_nodes * (num_nodes - 1) // 2)

@exercise
def resnet_cell():
    return "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"

print(verdict(space_size)[1])
print(verdict(resnet_cell)[1])
"""


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    return release.student(tmp_path_factory.mktemp("release") / "student")


def texts(folder: Path) -> str:
    """Everything readable as text in `folder` (the compiled checks excluded: a student sees them as binary)."""
    return "\n".join(p.read_text(errors="ignore") for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"
                     and not p.name.endswith((".gz", ".png")))


def test_the_student_release_has_no_solutions_and_only_compiled_checks(student):
    notebooks = student / "notebooks"
    assert sorted(p.name for p in notebooks.glob("*.ipynb")) == release.notebook_names()
    assert not (notebooks / "solutions").exists() and not (student / "course").exists()
    assert [p.name for p in (notebooks / "checks").glob("*.py")] == ["__init__.py"]
    compiled = {p.name for p in (notebooks / "checks").glob("*.pyc")}
    assert {f"common.{TAG}.pyc", f"02_search_spaces.{TAG}.pyc", f"12_capstone.{TAG}.pyc"} <= compiled
    everything = texts(student)
    assert RESNET not in everything and "GreedyMutation" not in everything and "BEGIN SOLUTION" not in everything
    assert "def _resnet_cell" not in everything                       # no check's source either
    for path in notebooks.glob("*.ipynb"):
        assert all(not c.get("outputs") for c in nbformat.read(path, as_version=4).cells), path.name
    assert (student / "minas" / "__init__.py").exists() and (student / "widgets" / "__init__.py").exists()
    assert (student / "datasets" / "digits.csv.gz").exists() and not (student / "tests").exists()
    assert f"compiled for Python {TAG}" in (student / "README.md").read_text()


def test_the_compiled_checks_judge_as_in_the_repository(student):
    done = subprocess.run([sys.executable, "-c", JUDGE], cwd=student / "notebooks", capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(student), "MINAS_SOLUTIONS": "1"})
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and len(lines) == 2, done.stderr
    assert lines[0] == "✓ space_size is right."
    assert lines[1].startswith("✗ resnet_cell: edge 0 -> 2 carries nor_conv_3x3")   # and no solution stands in


def test_checks_compiled_for_another_python_say_so(student, tmp_path):
    copy = shutil.copytree(student / "notebooks", tmp_path / "notebooks")
    for path in (copy / "checks").glob("*.pyc"):
        path.rename(path.with_name(path.name.replace(TAG, "cpython-399")))
    done = subprocess.run([sys.executable, "-c", "import checks"], cwd=copy, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(student)})
    assert done.returncode and "compiled for cpython-399, not for this kernel's " + TAG in done.stderr


def test_a_notebook_saved_with_an_answer_is_not_released(tmp_path):
    nb = nbformat.read(REPO / "notebooks" / "02_search_spaces.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "def space_size" in c.source)
    cell.source = cell.source.replace("raise NotImplementedError", "return num_ops ** 6")
    nbformat.write(nb, tmp_path / "02.ipynb")
    with pytest.raises(SystemExit, match="filled in"):
        release.for_students(tmp_path / "02.ipynb")


def nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "MINAS_FAST": "1", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("MINAS_SOLUTIONS", None)                 # graded on the students' own code only
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def filled_in(source: Path, handed_out: Path, target: Path) -> None:
    """The handed-out notebook with every solution cell as the source has it, nbgrader's markers dropped."""
    solved = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(source, as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(handed_out, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solved:
            cell.source = "\n".join(line for line in solved[grade_id].splitlines() if "### " not in line)
    nbformat.write(nb, target)


@pytest.mark.slow
def test_nbgraders_autograder_grades_a_filled_in_copy_full_and_an_empty_copy_zero(tmp_path):
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook
    course = grading.nbgrader_course(tmp_path / "course", ["02"])
    name = "02_search_spaces"
    nbgrader(course, "generate_assignment", name)
    handed_out = course / "release" / name
    stub = nbformat.read(handed_out / f"{name}.ipynb", as_version=4)
    assert "BEGIN SOLUTION" not in texts(handed_out) and "num_ops ** edges" not in texts(handed_out)
    assert sum("raise NotImplementedError\n    # ---- end ----" in c.source for c in stub.cells) == 3
    assert {p.name for p in (handed_out / "checks").iterdir()} == {"__init__.py", f"common.{TAG}.pyc", f"{name}.{TAG}.pyc"}
    for student in ("empty", "filled"):
        shutil.copytree(handed_out, course / "submitted" / student / name)
    filled_in(course / "source" / name / f"{name}.ipynb", handed_out / f"{name}.ipynb",
              course / "submitted" / "filled" / name / f"{name}.ipynb")
    nbgrader(course, "autograde", name)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission(name, s).score for s in ("empty", "filled")}
        assert gradebook.find_submission(name, "filled").max_score == 3
    assert scores == {"empty": 0, "filled": 3}


def test_every_notebook_becomes_an_nbgrader_assignment_with_its_solutions(tmp_path):
    course = grading.nbgrader_course(tmp_path / "course")
    points = {}
    for path in sorted((course / "source").glob("*/*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        graded = [c.metadata["nbgrader"] for c in cells if "nbgrader" in c.metadata]
        tests = [g for g in graded if g["grade"]]
        assert all(g["locked"] and g["points"] >= 1 for g in tests)
        assert all(g["solution"] and not g["locked"] for g in graded if not g["grade"])
        assert all("raise NotImplementedError" not in c.source for c in cells if c.metadata.get("nbgrader", {}).get("solution"))
        points |= {g["grade_id"]: g["points"] for g in tests}
    assert set(points) == {f"check_{name}" for name in grading.exercise_names()}
    assert points["check_make_strategy"] == 5 and points["check_space_size"] == 1
    assert "class GreedyMutation" in (course / "source" / "12_capstone" / "12_capstone.ipynb").read_text()
