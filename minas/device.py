"""Which device and how many threads: chosen openly, and always shown to the user."""
from __future__ import annotations

import torch

from .errors import SettingsError

KINDS = ("cpu", "cuda", "mps")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """`auto` means CUDA if there is a GPU, else Apple's MPS, else the CPU. A device that does not
    exist on this machine is refused now, naming the choices, rather than failing every trial."""
    if str(device) != "auto":
        return check_device(device)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def check_device(device: str | torch.device) -> torch.device:
    """`device` as a torch.device when this machine has it; SettingsError saying what it has otherwise."""
    try:
        d = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise SettingsError(f"unknown device {device!r}; choose auto, {', '.join(KINDS)} or e.g. cuda:1") from None
    if d.type not in KINDS:
        raise SettingsError(f"minas trains on {', '.join(KINDS)} (or auto), not on {device!r}")
    if d.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise SettingsError(f"device {device!r}: torch sees no CUDA GPU on this machine; choose auto or cpu")
        if d.index is not None and d.index >= count:
            raise SettingsError(f"device {device!r}: this machine has {count} CUDA GPU(s), cuda:0 to cuda:{count - 1}")
    if d.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise SettingsError(f"device {device!r}: Apple's MPS is not available here; choose auto or cpu")
    return d


def describe_device(device: torch.device) -> str:
    """E.g. 'cpu (2 threads)' or 'cuda:0 (NVIDIA H100 80GB HBM3)'."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        threads = torch.get_num_threads()
        return f"cpu ({threads} thread{'s' if threads > 1 else ''})"
    return str(device)
