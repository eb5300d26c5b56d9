"""Hand the course out: the student release, and the same as an nbgrader course.

    python -m course.release student  release/student     # notebooks + minas, no solutions, checks compiled
    python -m course.release nbgrader release/grading     # an nbgrader course folder (see course/grading.py)

Options: `--notebooks 01 02 ...` hands out only those notebooks (by number); `--python python3.12` (repeatable)
also compiles the checks for another Python, for students whose kernel runs another version (Colab's, say) —
a compiled file loads only in the Python version that wrote it, and by default that is this one.

The student release holds what a student needs and nothing more: the notebooks as they are saved in the
repository (no outputs, every exercise a stub: this refuses to release one filled in), `exercises.py`, the
checks compiled without their source (`checks/NN_name.cpython-311.pyc`: the expected answers are not in a file
a student opens), and the library with its shipped data, to install with `pip install -e .`; no solutions, no
tests, no course material.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
START, END = "# ---- your code here ----", "# ---- end ----"
LIBRARY = ("minas", "widgets", "binder", "pyproject.toml", "environment.yml", "LICENSE")
SHIPPED_DATA = ("README.md", "digits.csv.gz", "mnist1d_cells.json.gz")
STUDENT_README = """# {title}

The notebooks of the minas course. Install once, then open the notebooks in JupyterLab:

    python -m venv .venv && . .venv/bin/activate      # or a conda environment: environment.yml
    pip install -e .
    jupyter lab notebooks/

Work through the notebooks in order. Each exercise is a function with a gap between `# ---- your code here ----`
and `# ---- end ----`; run it, then run the `check(...)` cell below it: ✓ means right, ✗ comes with a hint.
The checks are compiled for Python {pythons}; a kernel of another version cannot load them (ask for a release
built for yours).
"""


def notebook_names(numbers: list[str] | None = None) -> list[str]:
    """The curriculum's notebooks, all or those whose number is in `numbers` ("02", "4", ...)."""
    names = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if numbers:
        wanted = {f"{int(n):02d}" for n in numbers}
        names = [n for n in names if n[:2] in wanted]
        missing = wanted - {n[:2] for n in names}
        if missing:
            raise SystemExit(f"no notebook numbered {', '.join(sorted(missing))} in {NOTEBOOKS}")
    return names


def for_students(path: Path) -> nbformat.NotebookNode:
    """The notebook at `path` without outputs or widget state, after making sure every exercise is a stub."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        for stub in cell.source.split("@exercise")[1:]:
            gap = stub.split(START, 1)[1].split(END, 1)[0] if START in stub and END in stub else None
            if gap is None or gap.strip() != "raise NotImplementedError":
                raise SystemExit(f"{path.name}: an exercise is filled in or lacks its markers; save the notebook "
                                 f"as students get it before releasing it")
    nb.metadata.pop("widgets", None)
    return nb


def check_stem(notebook: str) -> str:
    return notebook.removesuffix(".ipynb")


_COMPILE = """
import json, py_compile, sys
tag, jobs = sys.implementation.cache_tag, json.loads(sys.argv[1])
for source, target, shown in jobs:
    py_compile.compile(source, cfile=target.replace("TAG", tag), dfile=shown, doraise=True, optimize=2)
print(tag)
"""


def compile_checks(out: Path, stems: list[str], pythons: list[str]) -> list[str]:
    """The loader `checks/__init__.py` as source, and `common` and the modules `stems` compiled (no docstrings,
    no source) into out/checks/, once per Python in `pythons`; returns their cache tags (cpython-311, ...)."""
    folder = out / "checks"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(NOTEBOOKS / "checks" / "__init__.py", folder / "__init__.py")
    jobs = [(str(NOTEBOOKS / "checks" / f"{stem}.py"), str(folder / f"{stem}.TAG.pyc"), f"checks/{stem}.py")
            for stem in ("common", *stems) if (NOTEBOOKS / "checks" / f"{stem}.py").exists()]
    tags = []
    for python in pythons:
        done = subprocess.run([python, "-c", _COMPILE, json.dumps(jobs)], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{python} could not compile the checks:\n{done.stderr}")
        tags.append(done.stdout.strip())
    return tags


def copy_library(out: Path) -> None:
    """minas, the panels, the shipped data and what installs them, without caches."""
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "cache")
    for name in LIBRARY:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=junk)
        elif source.exists():
            shutil.copyfile(source, out / name)
    (out / "datasets").mkdir()
    for name in SHIPPED_DATA:
        shutil.copyfile(REPO / "datasets" / name, out / "datasets" / name)


def student(out: Path, numbers: list[str] | None = None, pythons: list[str] | None = None) -> Path:
    """Write the student release into `out` (which must not exist yet) and return it."""
    names = notebook_names(numbers)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=False)
    copy_library(out)
    folder = out / "notebooks"
    folder.mkdir()
    for name in names:
        nbformat.write(for_students(NOTEBOOKS / name), folder / name)
    shutil.copyfile(NOTEBOOKS / "exercises.py", folder / "exercises.py")
    tags = compile_checks(folder, [check_stem(n) for n in names], pythons or [sys.executable])
    (out / "README.md").write_text(STUDENT_README.format(title="minas: the student release",
                                                         pythons=", ".join(tags)), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m course.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("student", "nbgrader"), help="the student release, or an nbgrader course")
    parser.add_argument("out", help="a folder that does not exist yet")
    parser.add_argument("--notebooks", nargs="+", metavar="NN", help="only these notebooks, by number")
    parser.add_argument("--python", action="append", metavar="PY",
                        help="also compile the checks for this interpreter (default: only the one running this)")
    args = parser.parse_args(argv)
    pythons = [sys.executable, *(args.python or [])]
    if args.kind == "student":
        written = student(Path(args.out), args.notebooks, pythons)
    else:
        from .grading import nbgrader_course
        written = nbgrader_course(Path(args.out), args.notebooks, pythons)
    print(f"wrote {written}")
    return written


if __name__ == "__main__":
    main()
