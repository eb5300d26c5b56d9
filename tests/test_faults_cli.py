"""Fault injection, the command line (issue 16, defects 6 and 8): bad settings refused before the first trial, minas'
own errors as one line and exit code 2, Ctrl-C as advice to resume, and --root / --download where data needs them."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

import minas
from minas import cli

REPO = Path(__file__).resolve().parents[1]


def _main(capsys, *args) -> tuple[int, str, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as end:                                      # argparse's own refusals
        code = end.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("flag, value, message", [
    ("--cells", "0", "must be 1 or more, not 0"), ("--channels", "-3", "must be 1 or more, not -3"),
    ("--batch-size", "0", "must be 1 or more"), ("--resolution", "0", "must be 1 or more"),
    ("--fraction", "0", "must be a finite number above 0 and at most 1, not 0"), ("--fraction", "2", "at most 1"),
    ("--trials", "0", "must be 1 or more"), ("--trials", "-1", "must be 1 or more"),
    ("--minutes", "0", "above 0"), ("--minutes", "nan", "not nan"), ("--final-epochs", "-4", "must be 0 or more"),
    ("--epochs", "two", "expected a whole number, not 'two'"),
])
def test_settings_that_cannot_work_are_refused_before_the_search(capsys, tmp_path, flag, value, message):
    code, _, err = _main(capsys, "search", "--estimator", "training", flag, value, "--out", str(tmp_path))
    assert code == 2 and f"argument {flag}: " in err and message in err
    assert not any(tmp_path.iterdir())                             # nothing was started


def _one_line_error(code: int, err: str) -> str:
    assert code == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("minas: error: ")
    return lines[0]


def test_an_unknown_device_is_one_line(capsys, tmp_path):
    code, _, err = _main(capsys, "search", "--estimator", "training", "--dataset", "digits", "--device", "nope",
                         "--out", str(tmp_path))
    assert "unknown device 'nope'" in _one_line_error(code, err)


def test_an_unknown_dataset_is_one_line(capsys, tmp_path):
    code, _, err = _main(capsys, "search", "--dataset", "svhn", "--out", str(tmp_path))
    assert "svhn" in _one_line_error(code, err) and "cifar10" in err


def test_a_refused_run_folder_is_one_line(capsys, tmp_path):
    args = ("search", "--strategy", "random", "--trials", "3", "--out", str(tmp_path))
    assert _main(capsys, *args)[0] == 0
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    (folder / "config.json").write_text('{"space": ')
    assert "config.json is corrupt" in _one_line_error(*_main(capsys, *args)[::2])


def test_imagefolder_asks_for_root_and_runs_with_it(capsys, tmp_path):
    code, _, err = _main(capsys, "search", "--estimator", "training", "--dataset", "imagefolder", "--out", str(tmp_path))
    assert "imagefolder needs root= (command line: --root)" in _one_line_error(code, err)
    images = tmp_path / "images"
    for label in ("a", "b"):
        for k in range(6):
            (images / label).mkdir(parents=True, exist_ok=True)
            Image.new("L", (8, 8), 40 * k if label == "a" else 255 - 40 * k).save(images / label / f"{k}.png")
    code, out, err = _main(capsys, "search", "--estimator", "training", "--dataset", "imagefolder", "--root",
                           str(images), "--trials", "1", "--epochs", "1", "--channels", "2", "--final-epochs", "0",
                           "--device", "cpu", "--out", str(tmp_path / "runs"))
    assert code == 0, err
    assert "--root" in (next((tmp_path / "runs").iterdir()) / "report.html").read_text()


def test_a_missing_torchvision_dataset_names_download_and_root(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MINAS_DATA", str(tmp_path / "empty"))
    code, _, err = _main(capsys, "search", "--estimator", "training", "--dataset", "cifar10", "--out", str(tmp_path))
    line = _one_line_error(code, err)
    assert "(command line: --download)" in line and "(--root)" in line


def test_root_and_download_do_not_apply_to_a_lookup(capsys, tmp_path):
    code, _, err = _main(capsys, "search", "--download", "--out", str(tmp_path))
    assert "--root and --download apply to the estimators that use a dataset" in _one_line_error(code, err)


def test_ctrl_c_says_how_to_resume(capsys, tmp_path, monkeypatch):
    def interrupted(search):
        raise KeyboardInterrupt

    monkeypatch.setattr(minas.Search, "run", interrupted)
    code, _, err = _main(capsys, "search", "--trials", "3", "--out", str(tmp_path))
    assert code == 130 and "minas: interrupted; run the same command to resume" in err and "Traceback" not in err


def test_a_real_ctrl_c_then_the_same_command_resumes(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1")
    args = [sys.executable, "-m", "minas.cli", "search", "--strategy", "random", "--out", "runs", "--trials"]
    proc = subprocess.Popen(args + ["1000000"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("runs/*/trials.jsonl")) or \
                next(tmp_path.glob("runs/*/trials.jsonl")).read_bytes().count(b"\n") < 50:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()[-2000:]
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130 and "interrupted; run the same command to resume" in err and "Traceback" not in err
    (trials,) = tmp_path.glob("runs/*/trials.jsonl")
    recorded = [json.loads(line)["index"] for line in trials.read_text().splitlines()]
    assert recorded == list(range(len(recorded)))
    again = subprocess.run(args + [str(len(recorded) + 5)], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    assert [json.loads(line)["index"] for line in trials.read_text().splitlines()] == list(range(len(recorded) + 5))
