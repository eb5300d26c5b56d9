"""`minas export`: the best network of a run folder as one standalone PyTorch file with its trained weights, for the
cell, the chain and a declared space; and the run folders that cannot be exported, each saying why."""
import json
import subprocess
import sys
from dataclasses import dataclass

import pytest
import torch
import torch.nn as nn

import minas
from minas.errors import MinasWarning
from minas.estimators import Estimator, Result, Tabular, Training
from minas.export import ExportError, export
from minas.spaces import CellSpace, ChainSpace, define
from fakes import bumps


def small_cnn(hp, input_shape, num_classes):
    width = hp.choice("width", [4, 8])
    layers = [nn.Conv1d(input_shape[0], width, 3, padding=1), nn.ReLU()]
    for i in range(hp.choice("depth", [1, 2])):
        layers += [nn.Conv1d(width, width, hp.choice(f"k{i}", [3, 5]), padding="same"), nn.ReLU()]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(width, num_classes))


SPACES = {"cell": lambda: CellSpace(("none", "skip_connect", "nor_conv_3x3")), "declared": lambda: define(small_cnn),
          "chain": lambda: ChainSpace(widths=((4, 8), (8,)), depths=(1, 2), kernels=(3, 5), expansions=(1, 3), stem=4)}

RUN_EXPORTED = """
import importlib.util, sys, torch
spec = importlib.util.spec_from_file_location("model", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.load_model()
with torch.no_grad():
    torch.save(model(torch.load(sys.argv[2])), sys.argv[3])
print(sorted(m for m in sys.modules if m.split(".")[0] == "minas"))
"""


@pytest.mark.parametrize("name", list(SPACES))
def test_the_exported_file_needs_only_torch_and_computes_what_to_module_computes(name, tmp_path, one_thread):
    space, data = SPACES[name](), bumps()
    estimator = Training(dataset=data, epochs=1, **({"channels": 4} if name == "cell" else {}))
    search = minas.Search(space, minas.strategies.RandomSearch(), estimator, trials=3, seed=0, run_dir=tmp_path / "run")
    search.run()
    final = search.train_best(epochs=2)
    out = export(tmp_path / "run", tmp_path / "shipped" / "net.py")
    source = out.read_text()
    assert "import minas" not in source and "from minas" not in source
    assert str(search.best.arch) in source and f"{final.test_acc:.2f} %" in source
    assert set(torch.load(out.with_suffix(".pt"), weights_only=True)) == set(
        space.to_module(search.best.arch, input_shape=data.input_shape, num_classes=3,
                        **estimator.network_options(space)).state_dict())

    x = torch.randn(6, *data.input_shape)
    torch.save(x, tmp_path / "x.pt")
    done = subprocess.run([sys.executable, "-c", RUN_EXPORTED, str(out), str(tmp_path / "x.pt"), str(tmp_path / "y.pt")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"                                 # minas was never imported
    net = space.to_module(search.best.arch, input_shape=data.input_shape, num_classes=3,
                          **estimator.network_options(space))
    net.load_state_dict(torch.load(out.with_suffix(".pt"), weights_only=True))
    with torch.no_grad():
        assert torch.allclose(torch.load(tmp_path / "y.pt"), net.eval()(x), atol=1e-6)
    info = json.loads((tmp_path / "run" / "final.json").read_text())
    assert info["arch"] == str(search.best.arch) and info["epochs"] == 2 and info["test_acc"] == final.test_acc


def test_the_cli_trains_the_best_and_exports_it(tmp_path):
    env = {"MINAS_FAST": "1", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    search = subprocess.run([sys.executable, "-m", "minas.cli", "search", "--space", "chain", "--estimator", "training",
                             "--dataset", "digits", "--strategy", "random", "--trials", "2", "--epochs", "1",
                             "--fraction", "0.2", "--final-epochs", "1"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    assert search.returncode == 0, search.stderr[-3000:]
    (folder,) = (tmp_path / "runs").iterdir()
    assert f"minas export {folder.relative_to(tmp_path)}" in search.stdout
    done = subprocess.run([sys.executable, "-m", "minas.cli", "export", str(folder), "--out", "best.py"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "best.py").exists() and (tmp_path / "best.pt").exists() and "wrote best.py" in done.stdout


@dataclass
class Failing(Estimator):
    name = "failing"

    def evaluate(self, arch, budget=None):
        raise RuntimeError("out of memory")


def test_a_run_whose_trials_all_failed_cannot_be_exported(tmp_path):
    with pytest.warns(MinasWarning, match="out of memory"):
        minas.Search(CellSpace(), minas.strategies.RandomSearch(), Failing(), trials=3, run_dir=tmp_path).run()
    with pytest.raises(ExportError, match=r"no successful trial to export: every one of its 3 trials failed \(the "
                                          r"first: RuntimeError: out of memory\)"):
        export(tmp_path)


def test_a_run_without_final_weights_says_how_to_get_them_and_exports_untrained(tmp_path, bench):
    minas.Search(CellSpace(), minas.strategies.RandomSearch(), Tabular(bench), trials=5, run_dir=tmp_path).run()
    with pytest.raises(ExportError, match=r"has no final weights \(final.pt\).*train_best\(epochs=30\).*"
                                          r"--final-epochs 30.*--untrained"):
        export(tmp_path)
    with pytest.raises(ExportError, match="needs the network's input_shape and num_classes"):
        export(tmp_path, untrained=True)
    out = export(tmp_path, tmp_path / "arch.py", untrained=True, input_shape=(3, 32, 32), num_classes=10)
    namespace = {}
    exec(compile(out.read_text(), str(out), "exec"), namespace)        # noqa: S102 - the file we just wrote
    assert namespace["build_model"]()(torch.zeros(1, 3, 32, 32)).shape == (1, 10)
    assert "load_model" not in namespace and not out.with_suffix(".pt").exists()


def test_a_folder_that_is_no_run_folder_is_named(tmp_path):
    with pytest.raises(ExportError, match="is not a run folder"):
        export(tmp_path)
