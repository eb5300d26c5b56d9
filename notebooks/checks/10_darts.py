"""The checks of 10_darts.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import checks, expect, show, space


@checks("mixed_op")
def _mixed_op(fn):
    import torch

    import minas
    from minas.spaces.cell_supernet import MixedCell
    cases = ((minas.benchmarks.MNIST1DBench.space, 1, (8, 4, 20)), (space(), 2, (4, 4, 6, 6)))
    with torch.random.fork_rng():
        torch.manual_seed(10)
        for sp, dim, shape in cases:
            cell = MixedCell(sp, dim, 4).eval()
            x = torch.randn(*shape)
            for k in range(len(sp.edges)):
                ops = [None if op == "none" else module for op, module in zip(sp.ops, cell.edges[k])]
                alpha = (2 * torch.randn(len(sp.ops))).requires_grad_()
                with torch.no_grad():
                    wanted = cell.edge(k, x, torch.softmax(alpha, dim=0), one_hot=False)
                got = fn(x, ops, alpha)
                expect(isinstance(got, torch.Tensor) and got.shape == wanted.shape,
                       f"return a tensor shaped like an op's output {tuple(wanted.shape)}, got a "
                       f"{type(got).__name__} of shape {tuple(getattr(got, 'shape', ()))}")
                gap = float((got.detach() - wanted).abs().max())
                expect(torch.allclose(got, wanted, atol=1e-5),
                       f"with ops {list(sp.ops)} and alpha = {[round(a, 2) for a in alpha.tolist()]} the mixed output "
                       f"differs from Σ softmax(alpha)[o] · o(x) by up to {gap:.3g} (the "
                       f"softmax runs over every op, `none` included; `none` adds nothing to the sum)")
                expect(got.requires_grad, "the output has no gradient with respect to alpha: compute the weights "
                                          "with torch operations on alpha itself (no .detach(), .item() or numpy)")
                got.sum().backward()
                expect(alpha.grad is not None and bool(torch.isfinite(alpha.grad).all()),
                       "alpha received no gradient: compute the weights with torch.softmax(alpha, dim=0)")


@checks("derive")
def _derive(fn):
    import minas
    from minas.spaces import Cell
    rng = random.Random(10)
    for sp in (minas.benchmarks.MNIST1DBench.space, space()):
        keys = [f"{j}->{i}" for i, j in sp.edges]
        for trial in range(60):
            alphas = {}
            for key in keys:
                raw = [rng.random() + (3.0 if op == "none" and rng.random() < 0.4 else 0.0) for op in sp.ops]
                alphas[key] = {op: v / sum(raw) for op, v in zip(sp.ops, raw)}
            if trial % 2:                                  # the same weights, the edges listed in another order
                alphas = dict(sorted(alphas.items(), key=lambda _: rng.random()))
            wanted = Cell(tuple(max((op for op in alphas[key] if op != "none"), key=alphas[key].get) for key in keys))
            got = fn(alphas, sp)
            expect(isinstance(got, Cell), f"return a minas.spaces.Cell, e.g. Cell(tuple(ops)); got {show(got)}")
            expect("none" not in got.ops, f"you derived {got}: DARTS' rule leaves `none` out, take the heaviest of "
                                          f"the other ops")
            expect(got == wanted, f"for these weights the cell is {wanted}, you derived {got}"
                   + (" (the edges are listed in another order than space.edges here: go through space.edges and "
                      "look up alphas[f'{j}->{i}'])" if trial % 2 else ""))
