"""The `minas` command: `minas demo`, `minas search ...`, `minas export RUN_DIR`, `minas list`.

`minas search` offers the same choices as the notebook panel. Each run writes its folder under
`runs/` (named after its settings, so the same command resumes an interrupted run), an HTML report,
and prints where they are. With a training estimator the best architecture is then trained fully and
its weights saved in the folder, which `minas export` turns into a standalone PyTorch file.

Settings are checked before the first trial; minas' own errors (a bad setting, a refused run folder,
unreadable data) are one line on stderr and exit code 2, and Ctrl-C is exit code 130 with the advice
to run the same command again to resume."""
from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
from pathlib import Path

from .errors import MinasError, SettingsError, shorten
from .estimators.base import derive_seed
from .spaces import ArchError

FAST = os.environ.get("MINAS_FAST") == "1"          # tiny budgets, for tests and CI
DEMO = dict(estimator="training", dataset="mnist1d", strategy="evolution", seed=0, minutes=None,
            trials=4 if FAST else 24, epochs=1 if FAST else 4, fraction=0.25 if FAST else 0.5,
            final_epochs=1 if FAST else 20)
TRAINING_KNOBS = ("epochs", "fraction", "resolution", "channels", "cells", "batch_size", "device")
WHERE = ("workers", "executor", "ray_address", "trial_cpus", "trial_gpus")      # where trials run: not the search
DATA_OPTIONS = ("root", "download")


def whole(low: int):
    """An argparse type: a whole number >= `low`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {low} or more, not {value}")
        return value
    return parse


def number(low: float, high: float | None = None, low_open: bool = True):
    """An argparse type: a finite number above `low` (or from it, with `low_open=False`), up to `high`."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
        above = value > low if low_open else value >= low
        if not (math.isfinite(value) and above and (high is None or value <= high)):
            span = f"{'above' if low_open else 'at least'} {low:g}" + (f" and at most {high:g}" if high is not None else "")
            raise argparse.ArgumentTypeError(f"must be a finite number {span}, not {text}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    from . import list_spaces, list_strategies
    from .builder import ESTIMATOR_HELP, TABLES
    p = argparse.ArgumentParser(prog="minas", description="Neural Architecture Search you can read.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="a short search on MNIST-1D: regularized evolution + low-fidelity training")
    sub.add_parser("list", help="list the spaces, strategies, estimators and datasets")
    s = sub.add_parser("search", help="run (or resume) a search")
    s.add_argument("--space", choices=list_spaces(), default="cell",
                   help="cell: the NAS-Bench-201 cell; chain: MobileNet-like blocks (default: %(default)s)")
    s.add_argument("--estimator", choices=list(ESTIMATOR_HELP), default="tabular",
                   help="; ".join(f"{k}: {v}" for k, v in ESTIMATOR_HELP.items()) + " (default: %(default)s)")
    s.add_argument("--dataset", help=f"tabular: {', '.join(TABLES)}; the others: see `minas list`")
    s.add_argument("--strategy", choices=list_strategies(), default="evolution", help="(default: %(default)s)")
    s.add_argument("--trials", type=whole(1), help="number of candidates (default 100 unless --minutes is given)")
    s.add_argument("--minutes", type=number(0), help="wall-clock budget of the search")
    s.add_argument("--seed", type=int, default=0, help="seeds the whole search (default: %(default)s)")
    t = s.add_argument_group("training (estimator=training)")
    t.add_argument("--epochs", type=whole(1), help="epochs per candidate (low fidelity)")
    t.add_argument("--fraction", type=number(0, 1), help="fraction of the training data per candidate, in (0, 1]")
    t.add_argument("--resolution", type=whole(1), help="input size per axis per candidate")
    t.add_argument("--channels", type=whole(1), help="width C of the network")
    t.add_argument("--cells", type=whole(1), help="cells N per stage")
    t.add_argument("--batch-size", type=whole(1))
    t.add_argument("--device", help="auto (cuda, mps, cpu), cpu, cuda, cuda:1, ...")
    t.add_argument("--final-epochs", type=whole(0), default=30,
                   help="epochs of the best architecture's final training, whose weights `minas export` ships; "
                        "0: none (default: %(default)s)")
    d = s.add_argument_group("data (the estimators that train or score on a dataset)")
    d.add_argument("--root", help="folder of the dataset's files: your images for imagefolder (one subfolder "
                                  "per class), or where torchvision datasets are (default: the data cache)")
    d.add_argument("--download", action="store_true", default=None,
                   help="download a torchvision dataset (mnist, fashion_mnist, cifar10) that is not there yet")
    s.add_argument("--latency-target", type=number(0), metavar="SECONDS",
                   help="maximise MnasNet's reward, accuracy x (latency / target) ^ -0.07, instead of accuracy")
    w = s.add_argument_group("workers (several candidates at once)")
    w.add_argument("--workers", type=whole(1), default=1,
                   help="candidates evaluated at once, each in its own process with its share of the CPU threads, "
                        "or one GPU each (default: %(default)s)")
    w.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="local: worker processes on this machine; ray: a Ray cluster (default: %(default)s)")
    w.add_argument("--ray-address", metavar="HOST:PORT",
                   help="the head of an existing Ray cluster (`ray start --head`); without it Ray starts here")
    w.add_argument("--trial-cpus", type=number(0), help="with --executor ray: CPUs per trial (default 1)")
    w.add_argument("--trial-gpus", type=number(0, low_open=False), help="with --executor ray: GPUs per trial (default 0)")
    s.add_argument("--out", default="runs", help="folder for run folders and reports (default: %(default)s)")
    e = sub.add_parser("export", help="write a run's best network as a standalone PyTorch file (and its weights)")
    e.add_argument("run_dir", help="the run folder (printed by `minas search`)")
    e.add_argument("--out", help="the .py file to write (default: RUN_DIR/model.py); the weights go beside it (.pt)")
    e.add_argument("--untrained", action="store_true", help="the architecture alone, for a run without final weights")
    e.add_argument("--input-shape", type=int, nargs="+", help="with --untrained: e.g. 1 40, or 3 32 32")
    e.add_argument("--classes", type=int, help="with --untrained: the number of classes")
    return p


def run_folder(out: str, choices: dict) -> Path:
    """Same settings, same folder: a repeated command resumes. Budgets are not part of the name."""
    identity = {k: v for k, v in sorted(choices.items())
                if k not in ("trials", "minutes", "final_epochs", "download", *WHERE)
                and not (k == "space" and v == "cell")
                and not (k == "root" and v is None)}
    if identity.get("root") is not None:
        identity["root"] = str(Path(identity["root"]).expanduser().resolve())
    return Path(out) / f"{choices['strategy']}-{choices['dataset']}-seed{choices['seed']}-{derive_seed(identity):08x}"


def command_line(choices: dict) -> str:
    flags = [f"--{k.replace('_', '-')}" + ("" if v is True else f" {shlex.quote(str(v))}")
             for k, v in choices.items() if v is not None and v is not False]
    return "minas search " + " ".join(flags)


def search(choices: dict, out: str = "runs") -> int:
    """Run the search described by `choices`, train the best cell fully, write the report."""
    from .builder import build_search, dataset_choices
    from .progress import ProgressBar
    from .report import write_report
    from .objectives import MnasNetReward
    choices = dict(choices, dataset=choices.get("dataset") or dataset_choices(choices["estimator"])[0])
    if choices.get("trials") is None and choices.get("minutes") is None:
        choices["trials"] = 100
    final_epochs = choices.pop("final_epochs", None)
    knobs = {k: choices[k] for k in TRAINING_KNOBS if choices.get(k) is not None}
    target = choices.pop("latency_target", None)
    folder = run_folder(out, dict(choices, **({"latency_target": target} if target is not None else {})))
    options = {k: v for k, v in choices.items() if k not in TRAINING_KNOBS + DATA_OPTIONS + WHERE}
    s = build_search(**dict(options, dataset=load_data(choices)), run_dir=folder,
                     objective=MnasNetReward(target) if target is not None else None, **workers_of(choices), **knobs)
    budget = f"{s.max_trials} trials" if s.max_trials else f"{choices['minutes']:g} minutes"
    goal = f"\n       objective: {s.objective.describe()}" if s.objective is not None else ""
    print(f"minas: {s.strategy!r} on {s.space!r}\n       estimator: {s.estimator.describe()}{goal}\n"
          f"       workers: {s.describe_workers()}\n"
          f"       budget: {budget}, seed {s.seed}; run folder: {folder}")
    s.subscribe(ProgressBar())
    result = s.run()
    best = result.best
    if best is None:
        print("minas: no candidate succeeded; see the errors in", folder / "trials.jsonl", file=sys.stderr)
        return 1
    print(f"best architecture: {best.arch}\n  validation accuracy {best.val_acc:.2f} % (trial {best.index})")
    final = None
    if choices["estimator"] == "training" and final_epochs:
        print(f"final training of the best architecture: {final_epochs} epochs on all training data ...")
        final = s.train_best(final_epochs)
        print(f"  test accuracy {final.test_acc:.2f} % (validation {final.val_acc:.2f} %, {final.cost:.0f} s)\n"
              f"  weights saved; export them: minas export {folder}")
    command = command_line(dict(choices, final_epochs=final_epochs, latency_target=target))
    report = write_report(s, folder / "report.html", command=command, final=final)
    print(f"report: {report}")
    return 0


def workers_of(choices: dict) -> dict:
    """`build_search`'s arguments saying where the trials run (none of them is part of the run folder's name: a
    search resumes on any number of workers)."""
    resources = {k: choices[f"trial_{k}"] for k in ("cpus", "gpus") if choices.get(f"trial_{k}") is not None}
    if resources and choices.get("executor") != "ray":
        raise SettingsError("--trial-cpus and --trial-gpus apply to --executor ray")
    return {"workers": choices.get("workers") or 1, "executor": choices.get("executor") or "local",
            "address": choices.get("ray_address"), "resources": resources or None}


def load_data(choices: dict):
    """The dataset of a search that trains or scores on data, loaded with --root and --download; a
    table lookup's dataset name as it is (they do not apply to it)."""
    root, download = choices.get("root"), choices.get("download")
    if choices["estimator"] == "tabular":
        if root is not None or download:
            raise SettingsError("--root and --download apply to the estimators that use a dataset, not to a "
                                "table lookup")
        return choices["dataset"]
    from . import data
    return data.load(choices["dataset"], root=root, download=bool(download))


def export(args: argparse.Namespace) -> int:
    """`minas export RUN_DIR`: the best network as a standalone file, its weights beside it."""
    from .export import export as write
    shape = tuple(args.input_shape) if args.input_shape else None
    out = write(args.run_dir, args.out, untrained=args.untrained, input_shape=shape, num_classes=args.classes)
    weights = "" if args.untrained else f" and its weights {out.with_suffix('.pt')}"
    print(f"wrote {out}{weights}: plain PyTorch, load it with `from {out.stem} import load_model`")
    return 0


def list_choices() -> int:
    from . import data, list_estimators, list_spaces, list_strategies
    from .builder import dataset_choices
    print("spaces:     ", ", ".join(list_spaces()))
    print("strategies: ", ", ".join(list_strategies()))
    print("estimators: ", ", ".join(list_estimators()))
    print("datasets:    tabular:", ", ".join(dataset_choices("tabular")), "| training:", ", ".join(data.names()))
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command; minas' own errors become one line and exit code 2, Ctrl-C exit code 130.
    MINAS_DEBUG=1 shows their tracebacks too."""
    import logging
    logging.basicConfig(format="minas: %(message)s", level=logging.WARNING)
    args = parser().parse_args(argv)
    try:
        return run_command(args)
    except KeyboardInterrupt:
        print("\nminas: interrupted; run the same command to resume (finished trials are kept in the run folder)",
              file=sys.stderr)
        return 130
    except (MinasError, ArchError, ValueError, TypeError, OSError) as e:
        if os.environ.get("MINAS_DEBUG") == "1":
            raise
        print(f"minas: error: {shorten(e)}", file=sys.stderr)
        return 2


def run_command(args: argparse.Namespace) -> int:
    if args.command == "list":
        return list_choices()
    if args.command == "demo":
        return search(dict(DEMO))
    if args.command == "export":
        return export(args)
    choices = {k: v for k, v in vars(args).items() if k not in ("command", "out")}
    return search(choices, out=args.out)


if __name__ == "__main__":
    sys.exit(main())
