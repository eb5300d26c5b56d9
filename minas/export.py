"""The found network, taken away as plain PyTorch.

A search with a run folder trains its best architecture fully with `Search.train_best(epochs)` (the CLI's final
training does it): the trained network's `state_dict` goes to `final.pt` in the folder, and what it is to
`final.json` (architecture, choices, network settings, input shape, classes, accuracies).

`export(run_dir, "model.py")` (the CLI: `minas export RUN_DIR --out model.py`) then writes one standalone file
that needs only PyTorch: the space's network code (the very file minas builds its networks from, or, for a
declared space, the user's `build` with its choices fixed), the found architecture, `build_model()` and
`load_model()`, plus the weights beside it (`model.pt`, loadable with `torch.load(..., weights_only=True)`).
The module computes exactly what `space.to_module(arch, ...)` with those weights computes.
"""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

FINAL_WEIGHTS, FINAL_INFO = "final.pt", "final.json"


class ExportError(ValueError):
    """A run folder that cannot be exported; the message says why and how to fix it."""


def train_best(search, epochs: int) -> Any:
    """Train `search`'s best architecture for `epochs` on all training data with its estimator and, when the
    search has a run folder, save the network there (`final.pt`, `final.json`). Returns the training's result."""
    best = search.best
    if best is None:
        raise ExportError("the search has no successful trial to train")
    if not hasattr(search.estimator, "retrain_network"):
        raise ExportError(f"{type(search.estimator).__name__} does not train networks; train the best with a "
                          f"Training estimator, e.g. minas.estimators.Training(dataset=...)")
    result, net = search.estimator.retrain_network(best.arch, epochs)
    if search.run_dir is not None:
        save_final(search, best, result, net, epochs)
    return result


def save_final(search, best, result, net, epochs: int) -> None:
    """Write the trained network's weights and what it is into the search's run folder."""
    import torch
    space, estimator = search.space, search.estimator
    info = {"arch": str(best.arch), "trial": best.index, "epochs": epochs, "val_acc": result.val_acc,
            "test_acc": result.test_acc, "params": result.params, "input_shape": list(estimator.data.input_shape),
            "num_classes": estimator.data.num_classes, "network": estimator.network_options(space),
            "choices": dict(space.choices_of(best.arch)) if hasattr(space, "choices_of") else None}
    folder = Path(search.run_dir)
    torch.save({k: v.detach().cpu() for k, v in net.state_dict().items()}, folder / FINAL_WEIGHTS)
    (folder / FINAL_INFO).write_text(json.dumps(info, indent=2) + "\n")


def export(run_dir: str | Path, out: str | Path | None = None, *, untrained: bool = False,
           input_shape: tuple[int, ...] | None = None, num_classes: int | None = None) -> Path:
    """Write the best network of `run_dir` as a standalone PyTorch file `out` (default: `run_dir/model.py`),
    with its trained weights beside it (`out` with the suffix `.pt`). `untrained=True` writes the architecture
    of the best trial without weights (give `input_shape` and `num_classes`), for a search that trained none."""
    folder = Path(run_dir)
    config = _read_json(folder / "config.json", f"{folder} is not a run folder (it has no config.json)")
    best = best_record(folder)
    final = folder / FINAL_INFO
    if untrained:
        if input_shape is None or num_classes is None:
            raise ExportError("an untrained export needs the network's input_shape and num_classes")
        info = {"arch": best["arch"], "input_shape": list(input_shape), "num_classes": num_classes, "network": {},
                "trial": best["index"], "val_acc": best.get("val_acc"), "epochs": 0}
    elif not final.exists():
        raise ExportError(f"{folder} has no final weights ({FINAL_WEIGHTS}): its best architecture was never trained "
                          f"fully. Train it with search.train_best(epochs=30) in Python, or run the same `minas search` "
                          f"command with --final-epochs 30 and a training estimator (it resumes the run, then trains "
                          f"the best); or export the architecture alone: `minas export {folder} --untrained "
                          f"--input-shape ... --classes ...`")
    else:
        info = _read_json(final, f"{final} is unreadable")
    out = Path(out) if out is not None else folder / "model.py"
    source = source_for(config["space"], info)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_header(folder, info, out, untrained) + source + ("" if untrained else _loader()))
    if not untrained:
        shutil.copyfile(folder / FINAL_WEIGHTS, out.with_suffix(".pt"))
    return out


def best_record(folder: Path) -> dict[str, Any]:
    """The best successful trial recorded in `folder` (by score, among those at the highest budget)."""
    path = folder / "trials.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    records = [json.loads(line) for line in lines if line.strip()]
    ok = [r for r in records if r.get("status") == "ok" and not math.isnan(r.get("score", r["val_acc"]))]
    if not ok:
        first = next((r.get("error") for r in records if r.get("error")), None)
        why = f"every one of its {len(records)} trials failed (the first: {first})" if records else "it has no trials"
        raise ExportError(f"{folder} has no successful trial to export: {why}")
    budgets = {r.get("budget") for r in ok if isinstance(r.get("budget"), (int, float))}
    if len(budgets) > 1:
        ok = [r for r in ok if r.get("budget") == max(budgets)]
    return max(ok, key=lambda r: r.get("score", r["val_acc"]))


def source_for(space_config: dict[str, Any], info: dict[str, Any]) -> str:
    """The standalone code for the network described by `info`, in the space recorded as `space_config`."""
    from .spaces import SPACES
    from .spaces.declared import declared_export
    shape, classes = tuple(info["input_shape"]), info["num_classes"]
    settings = {k: v for k, v in space_config.items() if k != "name"}
    if space_config["name"] == "declared":
        decisions = settings.get("decisions", {})
        choices = info.get("choices") or _parse_choices(info["arch"], decisions)
        return declared_export(space_config, choices, shape, classes)
    try:
        space = SPACES.create(space_config["name"], **settings)
    except ValueError as e:
        raise ExportError(f"cannot rebuild the run's search space {space_config}: {e}") from None
    if not hasattr(space, "export_source"):
        raise ExportError(f"{space!r} cannot be exported")
    return space.export_source(space.parse(info["arch"]), input_shape=shape, num_classes=classes,
                               **info.get("network", {}))


def _parse_choices(text: str, decisions: dict[str, list]) -> dict[str, Any]:
    """`name=value,...` read back with the options the run folder recorded."""
    from .spaces.decisions import Decision
    pairs = (part.split("=", 1) for part in text.split(","))
    return {name: Decision(name, tuple(decisions[name])).value(value) for name, value in pairs}


def _read_json(path: Path, missing: str) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        raise ExportError(missing) from None


def _header(folder: Path, info: dict[str, Any], out: Path, untrained: bool) -> str:
    trained = ("untrained (no final training was run)" if untrained else
               f"trained {info['epochs']} epochs: validation {info['val_acc']:.2f} %, test {info['test_acc']:.2f} %")
    use = ("model = build_model()" if untrained else
           f"model = load_model()          # the weights in {out.with_suffix('.pt').name}, beside this file")
    return f'''"""The best network of the minas run {folder.name} (trial {info["trial"]}), {trained}.

    {info["arch"]}

Written by `minas export`; it needs only PyTorch. Use it as

    {use}
    logits = model(x)             # x: a batch of shape (N, {", ".join(map(str, info["input_shape"]))})
"""
from __future__ import annotations

'''


def _loader() -> str:
    return '''

def load_model(path=None):
    """The found network with the weights of minas' final training (this file's name with .pt), in eval mode."""
    import pathlib

    import torch
    model = build_model()
    weights = path if path is not None else pathlib.Path(__file__).with_suffix(".pt")
    model.load_state_dict(torch.load(weights, weights_only=True))
    return model.eval()
'''
