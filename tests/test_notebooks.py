"""Execute every notebooks/*.ipynb top to bottom with nbclient, with MINAS_FAST=1 (small budgets) and
MINAS_SOLUTIONS=1 (an exercise left unfilled runs the instructor's solution, so every later cell works).
Each runs in a temporary copy of notebooks/, so nothing is written into the repo.

Also checks that the notebooks are saved as students get them: without outputs, and with every
exercise still a stub that raises NotImplementedError between its markers."""
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
START, END = "# ---- your code here ----", "# ---- end ----"


@pytest.mark.parametrize("name", NAMES)
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
    for cell in nb.cells:          # a check that prints ✗ with solutions filled in is a broken check
        if cell.cell_type == "code" and re.search(r"^check\(", cell.source, re.M):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "✗" not in text and "✓" in text, f"{name}: a check did not pass with the solutions:\n{text}"


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
