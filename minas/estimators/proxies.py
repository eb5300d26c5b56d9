"""Zero-cost proxies: score an *untrained* network from one minibatch (or none), in milliseconds.

Each proxy is a short function `(net, x, y) -> float`, higher = predicted better, registered with
`@proxy("name")` in the one registry `PROXIES` (`names()` lists them), in the manner of
SamsungLabs/zero-cost-nas' `@measure`. The implementations follow Abdelfattah et al., "Zero-Cost
Proxies for Lightweight NAS" (ICLR 2021, github.com/SamsungLabs/zero-cost-nas): per-weight scores
are summed over the weights of every convolution and linear layer; gradient-based proxies use the
cross-entropy loss of the batch with the network in training mode (batch statistics).

A proxy may change the network it is given (gradients, doubled precision, ...): pass a fresh one.
Data-independent proxies (`needs_data = False`) only look at `x`'s shape.
"""
from __future__ import annotations

import copy
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..registry import Registry

Proxy = Callable[[nn.Module, torch.Tensor, torch.Tensor], float]
LOWEST = float(np.finfo(np.float64).min)
PROXIES: Registry[float] = Registry("proxy")


def proxy(name: str, needs_data: bool = True) -> Callable[[Proxy], Proxy]:
    """Register a proxy function under `name`; `needs_data=False` if it ignores the values of x and y."""
    def add(fn: Proxy) -> Proxy:
        fn.needs_data = needs_data
        return PROXIES.register(name)(fn)
    return add


def names() -> list[str]:
    return PROXIES.names()


def get(name: str) -> Proxy:
    """The proxy function called `name`; ValueError listing the proxies if there is none."""
    return PROXIES.get(name)


def _layers(net: nn.Module) -> list[nn.Module]:
    """The layers whose weights the proxies score: convolutions and linear layers."""
    return [m for m in net.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear))]


def _backward_loss(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
    net.train()
    net.zero_grad(set_to_none=True)
    F.cross_entropy(net(x), y).backward()


def _sum_abs_weight_times_grad(net: nn.Module) -> float:
    return sum((m.weight * m.weight.grad).abs().sum().item() for m in _layers(net) if m.weight.grad is not None)


@proxy("synflow", needs_data=False)
@torch.no_grad()
def synflow(net, x, y) -> float:
    """SynFlow, Tanaka et al., "Pruning neural networks without any data by iteratively conserving
    synaptic flow", NeurIPS 2020: R = 1ᵀ f_|θ|(1), score = Σ |θ ⊙ ∂R/∂θ|. As in Abdelfattah et al.:
    batch-norm removed, double precision, one input of ones, parameter signs restored afterwards."""
    net = copy.deepcopy(net)
    for parent in list(net.modules()):
        for child_name, child in parent.named_children():
            if isinstance(child, nn.modules.batchnorm._BatchNorm):
                setattr(parent, child_name, nn.Identity())
    net.double()
    signs = {k: torch.sign(v) for k, v in net.state_dict().items()}
    for v in net.state_dict().values():
        v.abs_()
    net.zero_grad(set_to_none=True)
    with torch.enable_grad():
        net(torch.ones(1, *x.shape[1:], dtype=torch.float64, device=x.device)).sum().backward()
    score = _sum_abs_weight_times_grad(net)
    for k, v in net.state_dict().items():
        v.mul_(signs[k])
    return score


@proxy("snip")
def snip(net, x, y) -> float:
    """SNIP, Lee et al., "SNIP: Single-shot Network Pruning based on Connection Sensitivity", ICLR 2019:
    Σ |∂L/∂c| for a multiplicative mask c = 1 on every weight, which equals Σ |θ ⊙ ∂L/∂θ|."""
    _backward_loss(net, x, y)
    return _sum_abs_weight_times_grad(net)


@proxy("grad_norm")
def grad_norm(net, x, y) -> float:
    """Gradient norm, Abdelfattah et al., ICLR 2021: Σ over layers of ‖∂L/∂W‖₂."""
    _backward_loss(net, x, y)
    return sum(m.weight.grad.norm().item() for m in _layers(net) if m.weight.grad is not None)


@proxy("fisher")
def fisher(net, x, y) -> float:
    """Fisher, Turner et al., "BlockSwap", ICLR 2020 (after Theis et al. 2018), as in Abdelfattah et al.:
    Σ over channels of ½ · mean over the batch of (Σ over positions of activation · ∂L/∂activation)²,
    the activations being the outputs of every convolution and linear layer."""
    total = []

    def keep(module, inputs, out):
        def on_grad(grad):
            g = (out.detach() * grad).flatten(2).sum(-1) if out.dim() > 2 else out.detach() * grad
            total.append(0.5 * g.pow(2).mean(0).sum().item())
        out.register_hook(on_grad)

    hooks = [m.register_forward_hook(keep) for m in _layers(net)]
    try:
        _backward_loss(net, x, y)
    finally:
        for h in hooks:
            h.remove()
    return float(sum(total))


@proxy("grasp")
def grasp(net, x, y) -> float:
    """GraSP, Wang et al., "Picking Winning Tickets Before Training by Preserving Gradient Flow",
    ICLR 2020: Σ -θ ⊙ Hg, with H the Hessian of the loss and g its gradient (Abdelfattah et al.'s sign)."""
    net.train()
    weights = [m.weight for m in _layers(net)]
    g = _grads(F.cross_entropy(net(x), y), weights)
    g_grad = _grads(F.cross_entropy(net(x), y), weights, create_graph=True)
    hg = _grads(sum((a * b.detach()).sum() for a, b in zip(g_grad, g)), weights)
    return sum((-w.detach() * h).sum().item() for w, h in zip(weights, hg))


def _grads(output: torch.Tensor, inputs: list[torch.Tensor], create_graph: bool = False) -> list[torch.Tensor]:
    """∂output/∂inputs, zero for an input the output does not depend on (a layer on an edge that
    never reaches the cell's output, or every input when none does)."""
    if not output.requires_grad:
        return [torch.zeros_like(t) for t in inputs]
    grads = torch.autograd.grad(output, inputs, create_graph=create_graph, allow_unused=True)
    return [torch.zeros_like(t) if g is None else g for t, g in zip(inputs, grads)]


@proxy("jacob_cov")
def jacob_cov(net, x, y) -> float:
    """Jacobian covariance, Mellor et al., "Neural Architecture Search without Training", arXiv v1 (2020):
    how uncorrelated the input gradients of different samples are, -Σ log(λ+k) + 1/(λ+k), k = 1e-5,
    over the eigenvalues λ of the correlation matrix of the per-sample Jacobians."""
    net.train()
    x = x.clone().requires_grad_(True)
    jacobs = _grads(net(x).sum(), [x])[0].reshape(len(x), -1).double().cpu().numpy()
    with np.errstate(invalid="ignore", divide="ignore"):   # a zero Jacobian correlates with nothing
        corrs = np.nan_to_num(np.corrcoef(jacobs), nan=0.0)
    eig = np.clip(np.linalg.eigvalsh(corrs), 0.0, None)
    k = 1e-5
    return float(-np.sum(np.log(eig + k) + 1.0 / (eig + k)))


@proxy("naswot")
@torch.no_grad()
def naswot(net, x, y) -> float:
    """NASWOT, Mellor et al., "Neural Architecture Search without Training", ICML 2021: log|K_H| with
    K_H[i,j] = number of ReLUs on which the binary activation codes of samples i and j agree. A network
    that cannot tell two samples apart (K_H singular, e.g. its input never reaches its output) scores
    `LOWEST`, the most negative float, so that it ranks last and stays a finite, successful trial."""
    kernel = torch.zeros(len(x), len(x), dtype=torch.float64, device=x.device)

    def count(module, inputs, out):
        nonlocal kernel
        c = (inputs[0].reshape(len(x), -1) > 0).double()
        kernel = kernel + c @ c.t() + (1 - c) @ (1 - c).t()

    hooks = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, nn.ReLU)]
    try:
        net.train()
        net(x)
    finally:
        for h in hooks:
            h.remove()
    sign, logdet = torch.linalg.slogdet(kernel)
    return float(logdet) if sign > 0 else LOWEST       # singular: some samples look the same to every ReLU


@proxy("params", needs_data=False)
def params(net, x, y) -> float:
    """Number of parameters, the baseline every proxy must beat (Abdelfattah et al., Table 1)."""
    return float(sum(p.numel() for p in net.parameters()))


@proxy("flops", needs_data=False)
def flops(net, x, y) -> float:
    """Floating-point operations of one forward pass on one input (torch.utils.flop_counter)."""
    from .training import count_flops
    return float(count_flops(net, tuple(x.shape[1:])))
