"""Solutions to the exercises of 08_zero_cost.ipynb (for instructors; see notebooks/README.md)."""
import torch.nn as nn
import torch.nn.functional as F


def grad_norm(net, x, y):
    net.train()
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear))]
    return float(sum(m.weight.grad.norm().item() for m in layers if m.weight.grad is not None))


def prefilter(cells, scores, k, evaluate):
    order = sorted(range(len(cells)), key=lambda i: scores[i], reverse=True)[:k]
    results = [(cells[i], evaluate(cells[i])) for i in order]
    return max(results, key=lambda pair: pair[1])
