"""Static check that environment.yml (conda users) and pyproject.toml (pip users) list the same runtime
dependencies with the same lower bounds. No conda is needed: this only parses and compares the two files."""
import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PYPI = {"pytorch": "torch", "python-graphviz": "graphviz"}  # conda-forge name -> PyPI name
CONDA_ONLY = {"python", "pip", "graphviz"}  # conda-forge "graphviz" is the dot binary, not the PyPI package
SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<ver>(?:[=<>!~].*)?)$")


def _load():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return env, project


def _split(env):
    """-> ({conda name: version spec}, [pip section lines])"""
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"unexpected mapping in dependencies: {dep}"
            pip += dep["pip"]
            continue
        m = SPEC.match(str(dep).strip())
        assert m, f"unparsable conda spec: {dep!r}"
        name = m["name"].lower()
        assert name not in conda, f"{name} listed twice in environment.yml"
        conda[name] = m["ver"].strip()
    return conda, pip


def _as_pypi(conda, pip):
    """All environment.yml runtime deps under their PyPI names -> SpecifierSet (conda and pip sections merged)."""
    deps = {}
    for name, ver in conda.items():
        if name in CONDA_ONLY:
            continue
        key = canonicalize_name(CONDA_TO_PYPI.get(name, name))
        assert key not in deps, f"{key} listed twice"
        assert ver.startswith(">="), f"{name}: give conda-forge deps a >= lower bound like pyproject.toml, not {ver!r}"
        deps[key] = SpecifierSet(ver)
    for line in pip:
        line = str(line).strip()
        if line.startswith("-"):  # -e ".[test]" and other options
            continue
        req = Requirement(line)
        key = canonicalize_name(req.name)
        assert key not in deps, f"{key} listed both in the conda and the pip section"
        deps[key] = req.specifier
    return deps


def test_environment_yml_structure():
    env, project = _load()
    assert set(env) <= {"name", "channels", "dependencies", "variables"}, set(env)
    assert env["name"] == "minas"
    assert env["channels"] == ["conda-forge"], "conda-forge only (no defaults)"
    conda, pip = _split(env)
    assert "pip" in conda, "the pip section needs conda's pip"
    assert "graphviz" in conda, "the conda env must bring the Graphviz dot binary"
    py = conda["python"].lstrip("=")
    assert SpecifierSet(project["requires-python"]).contains(py + ".0"), (py, project["requires-python"])
    editable = [p for p in pip if str(p).replace('"', "").replace("'", "").startswith("-e .")]
    assert editable, "the pip section must install minas itself (-e \".[test]\")"


def test_environment_yml_matches_pyproject():
    env, project = _load()
    reqs = {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}
    deps = _as_pypi(*_split(env))
    only_pyproject = sorted(set(reqs) - set(deps))
    only_env = sorted(set(deps) - set(reqs))
    assert not only_pyproject, f"in pyproject.toml but missing from environment.yml: {only_pyproject}"
    assert not only_env, f"in environment.yml but missing from pyproject.toml: {only_env}"
    for name, req in reqs.items():  # the same lower bounds on both sides
        assert deps[name] == req.specifier, f"{name}: environment.yml {deps[name]} != pyproject.toml {req.specifier}"
