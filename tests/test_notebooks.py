"""Execute every notebooks/*.ipynb top to bottom with nbclient, with MINAS_FAST=1 (small budgets).
Each runs in a temporary copy of notebooks/, so nothing is written into the repo."""
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


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, tmp_path, monkeypatch):
    work = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    monkeypatch.setenv("MINAS_FAST", "1")  # the kernel subprocess inherits it
    nb = nbformat.read(work / name, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}})
    error = None
    try:
        client.execute()
    except CellExecutionError as e:  # its message holds the failing cell's source and traceback
        error = ANSI.sub("", str(e))
    if error:
        pytest.fail(f"{name}: a cell failed:\n{error}", pytrace=False)
