"""What a network costs to run: parameters, FLOPs of one forward pass, and measured CPU latency.

Parameters and FLOPs are exact and the same on every machine (FLOPs from `torch.utils.flop_counter`).
Latency is measured: the median wall time of `runs` forward passes of one input (batch 1) on the CPU,
after two warm-up passes, with the threads torch uses now; it varies from machine to machine and with
the load, which is why MnasNet measured it on the target phone and why minas records it per trial.
"""
from __future__ import annotations

import copy
import statistics
import time
from typing import Sequence

import torch
import torch.nn as nn


def count_params(net: nn.Module) -> int:
    """The number of parameters (weights and biases) of `net`."""
    return sum(p.numel() for p in net.parameters())


def count_flops(net: nn.Module, input_shape: Sequence[int]) -> int:
    """Floating-point operations of one forward pass on one input (torch.utils.flop_counter)."""
    from torch.utils.flop_counter import FlopCounterMode
    net.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(torch.zeros(1, *input_shape, device=next(net.parameters()).device))
    return counter.get_total_flops()


@torch.no_grad()
def cpu_latency(net: nn.Module, input_shape: Sequence[int], runs: int = 10) -> float:
    """Median seconds of one forward pass of one input on the CPU (a copy of `net` when it lives elsewhere)."""
    on_cpu = all(p.device.type == "cpu" for p in net.parameters())
    model = (net if on_cpu else copy.deepcopy(net).cpu())
    was_training = model.training
    model.eval()
    x = torch.zeros(1, *input_shape)
    for _ in range(2):
        model(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - start)
    model.train(was_training)
    return statistics.median(times)


def measure(net: nn.Module, input_shape: Sequence[int], runs: int = 10) -> dict[str, float]:
    """Parameters, FLOPs and CPU latency (seconds) of `net` for inputs of `input_shape`."""
    return {"params": count_params(net), "flops": count_flops(net, input_shape),
            "latency": cpu_latency(net, input_shape, runs)}
