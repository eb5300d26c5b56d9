"""The checks of 08_zero_cost.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import checks, close, expect, space


@checks("grad_norm")
def _grad_norm(fn):
    import copy

    import torch
    from minas.estimators import proxies
    reference = proxies.get("grad_norm")
    cases = [("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|", (3, 8, 8)),
             ("|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|", (3, 8, 8)),
             ("|nor_conv_1x1~0|+|skip_connect~0|nor_conv_3x3~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|", (1, 40))]
    for k, (text, shape) in enumerate(cases):
        torch.manual_seed(k)
        net = space().to_module(space().parse(text), input_shape=shape, num_classes=10, channels=4, cells=1)
        twin = copy.deepcopy(net)
        g = torch.Generator().manual_seed(k)
        x, y = torch.randn(8, *shape, generator=g), torch.randint(0, 10, (8,), generator=g)
        got, wanted = fn(net, x.clone(), y.clone()), reference(twin, x.clone(), y.clone())
        expect(isinstance(got, (float, int)) or (hasattr(got, "item") and getattr(got, "numel", lambda: 1)() == 1),
               f"return one number (a Python float), got {type(got).__name__}")
        expect(close(got, wanted, 1e-4), f"for {text} on inputs of shape {shape} you get {float(got):.6g}, minas' "
               f"grad_norm gives {wanted:.6g}. Sum the L2 norms (not squared) of the *gradients* of the weights of "
               f"Conv1d, Conv2d and Linear layers only (not batch norm), after loss.backward()")


@checks("prefilter")
def _prefilter(fn):
    rng = random.Random(8)
    cells = [f"cell {i}" for i in range(30)]
    scores = [rng.uniform(0, 1) for _ in cells]
    truth = {c: rng.uniform(50, 95) for c in cells}
    for k in (1, 5, 12):
        asked = []

        def evaluate(cell):
            asked.append(cell)
            return truth[cell]
        out = fn(cells, scores, k, evaluate)
        expect(isinstance(out, (tuple, list)) and len(out) == 2, f"return a pair (best_cell, best_accuracy), got {out!r}")
        top = {cells[i] for i in sorted(range(len(cells)), key=lambda i: -scores[i])[:k]}
        expect(len(asked) == k, f"with k={k} it called evaluate {len(asked)} times; evaluations are expensive: exactly {k}")
        expect(set(asked) == top, f"with k={k} it evaluated other cells than the {k} with the highest scores")
        best = max(top, key=truth.get)
        expect(out[0] == best and close(out[1], truth[best]),
               f"with k={k} the best evaluated cell is {best!r} ({truth[best]:.2f}); you returned {out!r}")
