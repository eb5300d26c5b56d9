"""The Binder configuration (binder/): what repo2docker reads must install what pyproject.toml asks for, run
minas' own set-up after it, and put Graphviz in the image. The build itself needs a registry and takes
minutes, so it runs only on request: MINAS_BUILD_BINDER=1 builds a fresh virtual environment from
binder/requirements.txt, runs binder/postBuild in a copy of the repository, and executes the quickstart with
that environment's own Jupyter — what mybinder.org does, less Docker and conda, which this machine has not."""
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"


def requirements() -> dict[str, Requirement]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    reqs = [Requirement(line.split("#")[0].strip()) for line in lines if line.strip() and line[0] not in "#-"]
    return {r.name.lower(): r for r in reqs}


def test_binder_installs_what_pyproject_asks_for():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {Requirement(d).name.lower(): Requirement(d) for d in project["dependencies"]}
    got = requirements()
    assert set(got) == set(wanted), f"binder/requirements.txt differs from pyproject.toml: {set(got) ^ set(wanted)}"
    for name, req in wanted.items():
        assert got[name].specifier == req.specifier, f"{name}: {got[name].specifier} in binder, {req.specifier} in pyproject"
    python = Version((BINDER / "runtime.txt").read_text().strip().removeprefix("python-"))
    assert python in SpecifierSet(project["requires-python"])
    assert "download.pytorch.org/whl/cpu" in (BINDER / "requirements.txt").read_text()   # no CUDA gigabytes


def test_binder_puts_graphviz_and_minas_in_the_image():
    assert "graphviz" in (BINDER / "apt.txt").read_text().split()
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "repo2docker runs binder/postBuild only when it is executable"
    script = post.read_text()
    assert "pip install" in script and "--no-deps -e ." in script and "minas.data.load('mnist1d')" in script
    readme = (REPO / "README.md").read_text()
    assert "mybinder.org/v2/" in readme and "urlpath=lab/tree/notebooks/00_quickstart.ipynb" in readme


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("MINAS_BUILD_BINDER") != "1", reason="builds a full environment: MINAS_BUILD_BINDER=1")
def test_the_binder_environment_builds_and_runs_the_quickstart(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(".git", ".venv", "test-artifacts", "cache", "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "MINAS_FAST": "1",
           "PIP_RETRIES": "0", "PIP_TIMEOUT": "10"}      # where PyTorch's own index is out of reach: fall back at once
    env.pop("PYTHONPATH", None)
    env.pop("MINAS_SOLUTIONS", None)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(repo / "binder" / "requirements.txt")], check=True, env=env, timeout=3000)
    subprocess.run([str(repo / "binder" / "postBuild")], check=True, env=env, cwd=repo, timeout=600)
    assert (repo / "datasets" / "cache" / "mnist1d.npz").exists()
    done = subprocess.run([str(venv / "bin" / "jupyter"), "execute", "00_quickstart.ipynb"], env=env,
                          cwd=repo / "notebooks", capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
