"""Plain JSON values: what a run folder records, and what it reads back as the same thing.

Two jobs. `plain_result` makes an estimator's `Result` plain before it is recorded: numpy and
torch numbers become Python floats and ints (a 0-d tensor written as the string "tensor(90.7)"
would crash the next resume), and a value that cannot be made plain is refused naming its field,
which fails that one trial. `settings_of` gives the full settings of a space, strategy or
estimator for `config.json`: a dataclass's fields, or what a component's own `config()` declares,
with data recorded by fingerprint (`minas.fingerprint`). A component that is neither a dataclass
nor declares its settings is refused a run folder: the folder could not tell two settings of it
apart and would replay the results of one for the other.
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
from typing import Any

import numpy as np
import torch

from .errors import SettingsError


def plain_value(value: Any, where: str) -> Any:
    """`value` as plain JSON data (None, bool, int, float, str, lists, dicts with str keys)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (np.generic, np.ndarray, torch.Tensor)):
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        if array.dtype.kind in "biuf":
            return plain_value(array.tolist(), where)
    if isinstance(value, (list, tuple)):
        return [plain_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): plain_value(v, f"{where}[{k!r}]") for k, v in value.items()}
    raise ValueError(f"{where} is {_short(value)} (a {type(value).__name__}), not a number, string, list or dict")


def as_json(value: Any) -> Any:
    """`value` as the run folder records it (tuples become lists, odd objects strings)."""
    return json.loads(json.dumps(value, default=str))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "…"


def plain_result(result: Any):
    """A copy of the estimator's `Result` with plain values; ValueError naming the first bad field.
    `val_acc` must be a finite number and `cost` a finite number >= 0 (seconds)."""
    from .estimators.base import Result
    if not isinstance(result, Result):
        raise ValueError(f"the estimator returned {_short(result)} (a {type(result).__name__}), not a Result")
    values = {f.name: plain_value(getattr(result, f.name), f"the estimator's result.{f.name}")
              for f in dataclasses.fields(result)}
    for name in ("val_acc", "cost"):
        if not isinstance(values[name], (int, float)) or isinstance(values[name], bool):
            raise ValueError(f"the estimator returned {name}={_short(getattr(result, name))}, not a number")
        if not math.isfinite(values[name]):
            raise ValueError(f"the estimator returned {name}={values[name]}")
    if values["cost"] < 0:
        raise ValueError(f"the estimator returned cost={values['cost']}: a cost is seconds, never negative")
    values["val_acc"], values["cost"] = float(values["val_acc"]), float(values["cost"])
    return dataclasses.replace(result, **values)


# --- settings ---------------------------------------------------------------------------------

def plain_setting(value: Any, where: str) -> Any:
    """One setting as `config.json` records it: data by fingerprint, a component by its settings,
    anything else by its plain value, its name or its printed form."""
    from .fingerprint import describe_data
    data = describe_data(value)
    if data is not None:
        return data
    if isinstance(value, (list, tuple)):
        return [plain_setting(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): plain_setting(v, f"{where}[{k!r}]") for k, v in value.items()}
    try:
        return plain_value(value, where)
    except ValueError:
        pass
    if hasattr(value, "config") and callable(value.config):
        return plain_setting(value.config(), where)
    if isinstance(getattr(value, "name", None), str):
        return value.name
    if callable(value) and hasattr(value, "__qualname__"):  # a function: by where it is defined
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    text = str(value)
    if " at 0x" in text:                           # an address differs in every run: it would never resume
        raise SettingsError(f"{where} is {_short(value)}, which prints differently in every run; give its class "
                            "a __repr__ or a config() method so the run folder can record it")
    return text


def _declares(component: Any) -> bool:
    """True when `config()` is the component's own, not the generic one of a minas base class."""
    from .estimators.base import Estimator
    from .spaces import SearchSpace
    from .strategies import Strategy
    owner = next((k for k in type(component).__mro__ if "config" in vars(k)), None)
    return owner is not None and owner not in (Estimator, SearchSpace, Strategy)


def settings_of(component: Any, role: str) -> dict[str, Any]:
    """The full settings of a space, strategy or estimator (`role` names it in messages), as
    plain values; SettingsError for a component that does not declare them."""
    is_dataclass = dataclasses.is_dataclass(component) and not isinstance(component, type)
    if _declares(component):
        config = dict(component.config())
    elif is_dataclass:
        config = {"name": getattr(component, "name", type(component).__name__),
                  **{f.name: getattr(component, f.name) for f in dataclasses.fields(component) if f.name != "space"}}
    else:
        raise SettingsError(
            f"the {role} {type(component).__name__} does not declare its settings, so a run folder could not "
            f"tell two settings of it apart (and would replay one's results for the other): make it a "
            f"@dataclass whose fields are its settings, or give it a config() method returning its name and "
            f"settings as plain values; or run it without run_dir")
    if is_dataclass:                               # data in a field is recorded by content, whatever config() says
        for f in dataclasses.fields(component):
            data = getattr(component, f.name, None)
            if f.name in config and f.name != "space" and _is_data(data):
                config[f.name] = data
    return {k: plain_setting(v, f"the {role}'s setting {k!r}") for k, v in config.items()}


def _is_data(value: Any) -> bool:
    from .data import Dataset
    return isinstance(value, (Dataset, torch.Tensor, np.ndarray))
