"""Execute the notebooks/*.ipynb top to bottom with nbclient, with MINAS_FAST=1 (small budgets) and
MINAS_SOLUTIONS=1 (an exercise left unfilled runs the instructor's solution, so every later cell works).
Each runs in a temporary copy of notebooks/, so nothing is written into the repo, and must show what
`notebook_checks.check_executed` asks. A notebook that the browser tests run in JupyterLab (their `CASES`) is
checked there, on the notebook they save, when Chromium is here: each notebook runs once.

Also checks that the notebooks are saved as students get them: without outputs, and with every
exercise still a stub that raises NotImplementedError between its markers."""
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import browser_available
from notebook_checks import check_executed
from test_notebook_panels_browser import CASES

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
IN_BROWSER = {case.notebook for case in CASES} if browser_available() else set()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
START, END = "# ---- your code here ----", "# ---- end ----"
@pytest.mark.parametrize("name", [n for n in NAMES if n not in IN_BROWSER])
def test_notebook_runs(name, tmp_path, monkeypatch):
    work = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    monkeypatch.setenv("MINAS_FAST", "1")       # the kernel subprocess inherits both
    monkeypatch.setenv("MINAS_SOLUTIONS", "1")
    nb = nbformat.read(work / name, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}})
    error = None
    try:
        client.execute()
    except CellExecutionError as e:  # its message holds the failing cell's source and traceback
        error = ANSI.sub("", str(e))
    if error:
        pytest.fail(f"{name}: a cell failed:\n{error}", pytrace=False)
    check_executed(name, nb)


@pytest.mark.parametrize("name", NAMES)
def test_the_prose_narrates_no_run_of_its_own(name):
    """"In one of our runs ..." tells a student about numbers their run will not show: prose quotes what the
    tables fix (CLAIMS), what the run prints, or ranges."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    found = re.findall(r"[^.\n]*\bour runs?\b[^.\n]*", prose, re.I)
    assert not found, f"{name}: narrates its authors' runs: {found}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_saved_for_students(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.outputs and cell.execution_count is None, f"{name}: save it without outputs"
        if "@exercise" in cell.source:
            for stub in cell.source.split("@exercise")[1:]:
                gap = stub.split(START, 1)[1].split(END, 1)[0] if START in stub and END in stub else None
                assert gap is not None, f"{name}: an exercise lacks the markers {START!r} / {END!r}"
                assert gap.strip() == "raise NotImplementedError", f"{name}: an exercise is shipped filled in:\n{gap}"
