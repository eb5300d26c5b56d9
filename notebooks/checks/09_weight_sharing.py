"""The checks of 09_weight_sharing.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import checks, expect, space


@checks("sample_path")
def _sample_path(fn):
    import torch

    import minas
    spaces = (minas.benchmarks.MNIST1DBench.space, minas.spaces.CellSpace(),
              minas.spaces.CellSpace(("none", "skip_connect", "nor_conv_3x3"), nodes=3))
    for sp in spaces:
        edges, ops = len(sp.edges), len(sp.ops)
        w = fn(sp, random.Random(0))
        expect(isinstance(w, torch.Tensor), f"return a torch tensor (e.g. torch.zeros(...) with the 1s set), "
                                            f"not a {type(w).__name__}")
        expect(tuple(w.shape) == (edges, ops), f"in a space with {edges} edges and {ops} ops the weights have shape "
                                               f"({edges}, {ops}): one row per edge, one column per op; got {tuple(w.shape)}")
        expect(w.is_floating_point(), f"return a float tensor (the network multiplies by it), not {w.dtype}")
        expect(bool(((w == 0) | (w == 1)).all() and (w.sum(1) == 1).all()),
               f"each row must hold a single 1 and zeros elsewhere; got\n{w}")
        with torch.random.fork_rng():
            torch.manual_seed(1)
            a = fn(sp, random.Random(5))
            torch.manual_seed(2)
            b = fn(sp, random.Random(5))
        expect(torch.equal(a, b), "two calls with the same seed gave different paths: draw with the `rng` you are "
                                  "given (rng.randrange, or space.sample(rng)), not torch's or Python's global generator")
        rng = random.Random(1)
        draws = torch.stack([fn(sp, rng) for _ in range(3000)])
        share = draws.mean(0)
        worst = float((share - 1 / ops).abs().max())
        expect(worst < 0.05, f"over 3000 paths every op should be chosen on every edge about 1/{ops} of the time; "
                             f"one (edge, op) was chosen {float(share.flatten()[int((share - 1 / ops).abs().argmax())]):.0%} "
                             f"of the time (is `none` or the last op left out?)")
        same = float((draws[:, 0].argmax(1) == draws[:, -1].argmax(1)).float().mean())
        expect(abs(same - 1 / ops) < 0.05, f"the first and last edge chose the same op in {same:.0%} of the paths; "
                                           f"drawn independently, that happens about 1/{ops} of the time")
