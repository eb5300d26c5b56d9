"""Trials on a Ray cluster (issue 18), on loopback only: Ray started by the search itself, and an existing head
(`ray start --head --block`, ended by its own pid, not `ray stop`, which would end every Ray on the machine)
reached through `address=`, each giving the numbers of one local worker, with the same run
folder and resume. Without Ray, or with an address nobody answers at, the search says so before any trial."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import minas
from minas.errors import SettingsError
from minas.spaces import CellSpace
from minas.strategies import RandomSearch
from test_workers import Hashed, _by_index

REPO = Path(__file__).resolve().parents[1]
SPACE = CellSpace()
LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "disabled"}


def _wait_for(port: int, head: subprocess.Popen) -> None:
    """Until the head started by `head` answers on 127.0.0.1:`port` (it takes a few seconds)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert head.poll() is None and time.monotonic() < deadline, "ray start --head did not come up"
            time.sleep(0.5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def loopback(monkeypatch):
    """Ray on 127.0.0.1 only, worker logs kept out of the test output; ends what the test started."""
    ray = pytest.importorskip("ray")
    for key, value in LOOPBACK.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    yield ray
    ray.shutdown()


def _search(**options) -> minas.Search:
    return minas.Search(SPACE, RandomSearch(), Hashed(), trials=10, seed=6, **options)


@pytest.mark.slow
def test_ray_started_by_the_search_gives_the_numbers_of_one_worker_and_resumes(loopback, tmp_path):
    search = _search(workers=2, executor="ray", run_dir=tmp_path)
    events = []
    search.subscribe(lambda e: events.append(e.kind))
    search.run()
    assert search.workers == 2 and "2 Ray workers on Ray on this machine" in search.describe_workers()
    assert loopback.is_initialized() and events.count("trial_finished") == 10
    one = _search()
    one.run()
    assert _by_index(search.trials) == _by_index(one.trials)
    again = _search(run_dir=tmp_path)
    again.run()
    assert again.estimator.calls == 0 and [t.index for t in again.trials] == [t.index for t in search.trials]


CLIENT = """
import json, sys
from test_workers import Hashed, _by_index
import minas
search = minas.Search(minas.spaces.CellSpace(), minas.strategies.RandomSearch(), Hashed(), trials=10, seed=6,
                      workers=2, executor="ray", address=sys.argv[1])
search.run()
print(json.dumps([search.describe_workers(), _by_index(search.trials)]))
"""


@pytest.mark.slow
def test_an_existing_head_is_reached_through_its_address(loopback, tmp_path):
    ray_cli = shutil.which("ray", path=str(Path(sys.executable).parent))
    if ray_cli is None:
        pytest.skip("the ray command is not installed beside this Python")
    port, env = _free_port(), dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "tests"), env["PYTHONPATH"]])
    head = subprocess.Popen([ray_cli, "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
                             "--num-cpus=2", "--include-dashboard=false"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:                                            # a student's search in its own process, as in a class
        _wait_for(port, head)
        client = subprocess.run([sys.executable, "-c", CLIENT, f"127.0.0.1:{port}"], env=env, capture_output=True,
                                text=True, timeout=240)
    finally:                                        # `ray start --block` ends the head it started, and only it
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
    assert client.returncode == 0, client.stderr[-2000:]
    where, trials = json.loads(client.stdout.splitlines()[-1])
    assert where == f"2 Ray workers on the Ray cluster at 127.0.0.1:{port}, 1 CPU each"
    one = _search()
    one.run()
    assert [tuple(t) for t in trials] == _by_index(one.trials)


def test_ray_without_ray_installed_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)            # `import ray` fails as if it were not installed
    with pytest.raises(SettingsError, match=r"executor='ray' needs Ray.*pip install 'minas-kit\[ray\]'"):
        _search(workers=2, executor="ray")


def test_an_unreachable_address_fails_before_the_first_trial_naming_it():
    pytest.importorskip("ray")
    address = f"127.0.0.1:{_free_port()}"
    with pytest.raises(SettingsError, match=f"cannot reach a Ray cluster at address='{address}'"):
        _search(workers=2, executor="ray", address=address)
