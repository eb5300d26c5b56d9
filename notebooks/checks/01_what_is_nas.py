"""The checks of 01_what_is_nas.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import FakeEstimator, Wrong, checks, close, expect, show, space


@checks("resnet_cell")
def _resnet_cell(fn):
    from minas.spaces import ArchError
    text = fn()
    expect(isinstance(text, str), f"return the cell as a string, not a {type(text).__name__}")
    try:
        cell = space().parse(text)
    except ArchError as e:
        raise Wrong(f"that string is not a cell yet. {e}") from None
    wanted = {(1, 0): "nor_conv_3x3", (2, 1): "nor_conv_3x3", (3, 0): "skip_connect", (3, 2): "skip_connect"}
    wrong = [f"edge {j} -> {i} carries {op}, but the ResNet block has {wanted.get((i, j), 'none')} there"
             for i, j, op in cell.edges() if op != wanted.get((i, j), "none")]
    expect(not wrong, "; ".join(wrong))


@checks("random_search")
def _random_search(fn):
    for trials, seed in ((25, 3), (1, 4), (40, 5)):
        fake = FakeEstimator()
        out = fn(space(), fake, trials, random.Random(seed))
        expect(isinstance(out, (tuple, list)) and len(out) == 2, f"return a pair (best_arch, best_val_acc), got {out!r}")
        arch, acc = out
        expect(len(fake.scored) == trials, f"with trials={trials} it evaluated {len(fake.scored)} architectures; "
                                           f"it should evaluate exactly {trials}")
        expect(len({str(a) for a, _ in fake.scored}) >= 0.8 * trials,
               f"it evaluated only {len({str(a) for a, _ in fake.scored})} different architectures in {trials} "
               f"trials: draw a new one with space.sample(rng) in every trial")
        best = max(s for _, s in fake.scored)
        expect(close(acc, best), f"it returned the score {show(acc)}, but the best score it saw was {best:.3f}")
        expect(any(str(a) == str(arch) and close(s, best) for a, s in fake.scored),
               "the score is the best one, but the architecture returned with it is not the one that scored it")
        again = fn(space(), FakeEstimator(), trials, random.Random(seed))
        expect(str(again[0]) == str(arch), "two runs with the same seed found different architectures: draw them "
                                           "with the `rng` you are given, `space.sample(rng)`, so a seed repeats the search")
