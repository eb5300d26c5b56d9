"""kill -9 of a 2-worker command-line search at random moments (issue 18): no finished trial is lost or recorded
twice, the trials in flight are evaluated again by the resumed search, and the final folder is consistent: the
same command replays it without evaluating anything and without a divergence."""
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRIALS = 60
ARGS = [sys.executable, "-m", "minas.cli", "search", "--estimator", "training", "--dataset", "mnist1d",
        "--strategy", "evolution", "--epochs", "1", "--fraction", "0.1", "--channels", "4", "--final-epochs", "0",
        "--workers", "2", "--out", "runs", "--trials", str(TRIALS)]


def _lines(folder: Path) -> list[bytes]:
    files = list(folder.glob("runs/*/trials.jsonl"))
    raw = files[0].read_bytes() if files else b""
    return raw[: raw.rfind(b"\n") + 1].splitlines(keepends=True)


def test_kill_9_at_random_moments_loses_and_repeats_no_finished_trial(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1")
    rng, kept = random.Random(18), []
    for _ in range(3):
        proc = subprocess.Popen(ARGS, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while len(_lines(tmp_path)) <= len(kept):       # this run has recorded a trial of its own
                assert proc.poll() is None and time.monotonic() < deadline, "the search ended or stalled"
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 1.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        lines = _lines(tmp_path)
        assert lines[:len(kept)] == kept                    # nothing finished was lost, nor rewritten
        indices = [json.loads(line)["index"] for line in lines]
        assert len(indices) == len(set(indices)) < TRIALS   # nothing recorded twice; the kill came before the end
        kept = lines
    done = subprocess.run(ARGS, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    final = _lines(tmp_path)
    assert final[:len(kept)] == kept
    assert sorted(json.loads(line)["index"] for line in final) == list(range(TRIALS))   # lost in flight: redone
    again = subprocess.run(ARGS, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _lines(tmp_path) == final                     # a consistent folder: replayed whole, nothing evaluated
