"""Session fixtures for real-browser notebook tests: JupyterLab on a free loopback port + Playwright/Chromium.

* ``jupyter_lab`` serves a temporary COPY of the repo's ``notebooks/`` (Lab autosaves and writes checkpoints into
  what it serves) with ``MINAS_FAST=1`` (small budgets) and ``MINAS_SOLUTIONS=1`` (unfilled exercises run the
  instructor's solutions) in its environment, which its kernels inherit. Yields (base_url, token, root):
  the copy is ``root / "notebooks"``; tests may write throwaway notebooks anywhere under ``root``.
* ``browser`` is headless Debian Chromium (``/usr/bin/chromium``; override with ``MINAS_CHROMIUM``) driven by
  Playwright's sync API; it skips cleanly when Playwright or Chromium is missing. Request it BEFORE ``jupyter_lab``
  in a test's signature so that a missing browser skips before Lab is started.
* ``artifacts`` is ``<repo>/test-artifacts/`` (git-ignored) for screenshots that CI keeps.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:  # so tests can `import browser_util` whatever pytest's import mode
    sys.path.insert(0, str(TESTS))

CHROMIUM = os.environ.get("MINAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
TOKEN = "minas-test-token"


def browser_available() -> bool:
    """Playwright and Chromium are here, so the browser tests run (the `browser` fixture skips otherwise)."""
    import importlib.util

    return importlib.util.find_spec("playwright") is not None and os.path.exists(CHROMIUM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _strip_outputs(folder: Path) -> None:
    """Clear saved outputs in the served copy, so a browser test can tell fresh results from stale ones."""
    import nbformat

    for path in folder.rglob("*.ipynb"):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)


NBGRADER_SERVER = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.validate_assignment",
                   "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list")


def _without_nbgrader(config: Path) -> None:
    """nbgrader (a test tool, for tests/test_release.py) enables its Lab and server extensions in the environment;
    the notebooks are tested in the Lab students use, so this Lab runs without them."""
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {name: False for name in NBGRADER_SERVER}}}))
    (config / "labconfig").mkdir()
    (config / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": {"@jupyter/nbgrader": True}}))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    out = REPO / "test-artifacts"
    out.mkdir(exist_ok=True)
    return out


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """Start JupyterLab on 127.0.0.1:<free port> serving a copy of notebooks/; yield (base_url, token, root)."""
    root = tmp_path_factory.mktemp("lab-root")
    if (REPO / "notebooks").is_dir():
        shutil.copytree(REPO / "notebooks", root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    else:  # a clean clone has no empty folders
        (root / "notebooks").mkdir()
    _strip_outputs(root / "notebooks")

    state = tmp_path_factory.mktemp("lab-state")
    news = state / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')  # no "Jupyter news?" toast
    (state / "config").mkdir()
    _without_nbgrader(state / "config")
    port = _free_port()
    env = dict(os.environ,
               MINAS_FAST="1",                             # small budgets; the kernels inherit both
               MINAS_SOLUTIONS="1",                        # so that every curriculum notebook runs to the end
               JUPYTER_RUNTIME_DIR=str(state / "runtime"),
               JUPYTER_CONFIG_DIR=str(state / "config"))   # ignore the user's ~/.jupyter
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly",
           f"--LabApp.workspaces_dir={state / 'ws'}", f"--LabApp.user_settings_dir={state / 'settings'}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")  # Lab refuses to start as root without it
    log_path = state / "lab.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, cwd=root, start_new_session=True)  # its own process group
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({proc.returncode}):\n" + log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("jupyter lab did not answer in 90 s:\n" + log_path.read_text()[-3000:])
            time.sleep(0.25)
        yield base, TOKEN, root
    finally:
        proc.terminate()  # SIGTERM to our own PID: Lab shuts its kernels down
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # anything left in OUR process group (start_new_session=True)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright; skips when either is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[test]')")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium, or set MINAS_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# --- library fixtures shared by the unit tests ----------------------------------------------------

@pytest.fixture(scope="session")
def bench():
    from minas.benchmarks import NASBench201
    return NASBench201("cifar10")


@pytest.fixture(scope="session")
def space():
    from minas.spaces import CellSpace
    return CellSpace()


@pytest.fixture(scope="module")
def one_thread():
    """Tiny networks: one intra-op thread is far faster than two on a shared, busy machine."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def panel(monkeypatch):
    """A `widgets.SearchPanel` with small default budgets (MINAS_FAST=1), stopped and joined after the test."""
    from widgets import SearchPanel
    monkeypatch.setenv("MINAS_FAST", "1")
    p = SearchPanel()
    yield p
    if p.running:
        p.stop()
    p.wait(30)
