"""The checks of 13_designing_spaces.ipynb's exercises (see checks/__init__.py)."""
from __future__ import annotations

import math
import random
from typing import Any, Callable

from checks.common import Wrong, checks, expect, show


class Recorder:
    """What a build receives as `hp`: answers every decision with `pick` (default: its first option) and
    records the decisions made, in order, as (name, options)."""

    def __init__(self, pick: Callable[[str, tuple], Any] | None = None):
        self.made: list[tuple[str, tuple]] = []
        self.pick = pick or (lambda name, options: options[0])

    def choice(self, name, options):
        self.made.append((name, tuple(options)))
        return self.pick(name, tuple(options))


def _module(fn, hp, input_shape, num_classes):
    """The student's build run once: it must return a torch.nn.Module."""
    import torch.nn as nn
    net = fn(hp, input_shape, num_classes)
    expect(isinstance(net, nn.Module), f"return the network (a torch.nn.Module, e.g. nn.Sequential(...)), not "
                                       f"{type(net).__name__}")
    return net


def _outputs(net, input_shape, num_classes, what):
    import torch
    try:
        with torch.no_grad():
            out = net.eval()(torch.zeros(2, *input_shape))
    except RuntimeError as e:
        raise Wrong(f"{what}: the network fails on a batch of 2 inputs of shape {tuple(input_shape)} ({e}); build "
                    f"it from input_shape and num_classes rather than from fixed numbers") from None
    expect(tuple(out.shape) == (2, num_classes), f"{what}: for a batch of 2 inputs of shape {tuple(input_shape)} and "
                                                 f"num_classes={num_classes} the network must give logits of shape "
                                                 f"(2, {num_classes}), not {tuple(out.shape)}")


def _layers(net, kind):
    return [m for m in net.modules() if isinstance(m, kind)]


@checks("mlp")
def _mlp(fn):
    import torch.nn as nn
    from minas.spaces import define
    recorder = Recorder()
    _module(fn, recorder, (1, 40), 10)
    wanted = [("width", (32, 64, 128)), ("activation", ("relu", "tanh")), ("dropout", (0.0, 0.5))]
    names = [name for name, _ in recorder.made]
    expect(names == [name for name, _ in wanted], f"make three decisions, in this order: hp.choice('width', ...), "
                                                  f"hp.choice('activation', ...), hp.choice('dropout', ...); yours: "
                                                  f"{names}")
    for (name, options), (_, right) in zip(recorder.made, wanted):
        expect(options == right, f"the options of {name!r} are {list(right)}, yours are {list(options)}")
    space = define(fn, input_shape=(1, 40))
    expect(space.size == 12, f"the space should hold 3 × 2 × 2 = 12 architectures, yours holds {space.size}")
    for shape, classes in (((1, 40), 10), ((3, 8, 8), 4)):
        size = math.prod(shape)
        for arch in space.enumerate():
            net = space.to_module(arch, input_shape=shape, num_classes=classes)
            what = f"with {arch} for inputs of shape {shape}"
            _outputs(net, shape, classes, what)
            linear, width = _layers(net, nn.Linear), arch["width"]
            expect([(m.in_features, m.out_features) for m in linear] == [(size, width), (width, classes)],
                   f"{what}: the two nn.Linear layers should be {size}→{width} and {width}→{classes} (the input's "
                   f"size is the product of input_shape), yours are "
                   f"{[f'{m.in_features}→{m.out_features}' for m in linear]}")
            act = {"relu": nn.ReLU, "tanh": nn.Tanh}[arch["activation"]]
            expect(len(_layers(net, act)) == 1 and not _layers(net, nn.Tanh if act is nn.ReLU else nn.ReLU),
                   f"{what}: the activation should be one nn.{act.__name__}")
            drops = [m.p for m in _layers(net, nn.Dropout)]
            expect(drops == [arch["dropout"]] or (arch["dropout"] == 0.0 and not drops),
                   f"{what}: expected nn.Dropout(p={arch['dropout']}), found dropout {drops or 'none'}")
    return "12 architectures: 3 widths × 2 activations × 2 dropout rates."


@checks("chain_size")
def _chain_size(fn):
    from minas.spaces import ChainSpace

    def ask(widths, depths, kernels, expansions, se, why):
        wanted = ChainSpace(widths, depths, kernels, expansions, se).size
        got = fn([list(w) for w in widths], list(depths), list(kernels), list(expansions), se)
        expect(isinstance(got, (int, float)) and not isinstance(got, bool) and got == wanted,
               f"chain_size({[list(w) for w in widths]}, {list(depths)}, {list(kernels)}, {list(expansions)}, {se}) "
               f"is {wanted:,}, you return {show(got)} ({why})")

    small = [([[4, 8]], [1], [3], [1], False, "one stage of one block: only its width varies"),
             ([[4]], [1, 2], [3], [1], False, "one width, one kind of block: only the depth varies"),
             ([[4]], [2], [3, 5], [1, 3], False, "a fixed depth of 2: two blocks of 4 kinds each"),
             ([[4]], [1, 2], [3, 5], [1, 3], False, "depth 1 or 2: the second block exists only at depth 2"),
             ([[4]], [1], [3, 5], [1], True, "squeeze-and-excitation doubles each stage"),
             ([[4], [8]], [1], [3], [1], True, "each stage decides SE on or off for itself"),
             ([[4, 8], [8, 16]], [1, 2], [3], [1, 6], True, "two stages multiply"),
             ([[4], [8], [16]], [1, 3], [3, 5, 7], [1], False, "three stages, depths 1 or 3")]
    for widths, depths, kernels, expansions, se, why in small:
        space = ChainSpace(widths, depths, kernels, expansions, se)
        expect(space.count() == space.size, "minas' own count disagrees with its formula: tell your instructor")
        ask(widths, depths, kernels, expansions, se, why)
    ask([[8, 12, 16], [16, 24, 32], [32, 48, 64]], [1, 2, 3], [3, 5, 7], [1, 3, 6], True, "minas' ChainSpace()")
    ask([[16, 32]] * 4, [2, 3, 4], [3, 5], [3, 6], False, "four stages of up to four blocks")
    return f"ChainSpace() holds {ChainSpace().size:,} chains; the NAS-Bench-201 cell space 15,625."


@checks("conv_stack")
def _conv_stack(fn):
    import torch.nn as nn
    from minas.spaces import define
    for depth in (1, 4):                                      # run directly first: errors name the student's line
        _module(fn, Recorder(lambda name, options: depth if name == "depth" else options[0]), (1, 40), 10)
    space = define(fn, input_shape=(1, 40))
    options = {d.name: d.options for d in space.decisions}
    wanted = {"depth": (1, 2, 3, 4), **{f"kernel{i}": (3, 5, 7) for i in range(4)}}
    expect(set(options) == set(wanted), f"the space should make the decisions depth, kernel0, ..., kernel3; "
                                        f"yours makes {', '.join(options)}")
    for name, right in wanted.items():
        expect(options[name] == right, f"the options of {name!r} are {list(right)}, yours are {list(options[name])}")
    for depth in (1, 2, 3, 4):
        arch = space.make(lambda d: depth if d.name == "depth" else d.options[-1])
        applies = list(space.choices_of(arch))
        right = ["depth", *(f"kernel{i}" for i in range(depth))]
        expect(applies == right, f"with depth={depth} the decisions that apply should be {', '.join(right)} (a layer's "
                                 f"kernel exists only when the depth reaches it); yours: {', '.join(applies)}")
    expect(space.size == 120, f"the space should hold 3 + 9 + 27 + 81 = 120 architectures, yours holds {space.size}")
    rng = random.Random(13)
    for arch in [space.sample(rng) for _ in range(12)]:
        for shape, classes in (((1, 40), 10), ((2, 24), 3)):
            net = space.to_module(arch, input_shape=shape, num_classes=classes)
            what = f"with {arch} for inputs of shape {shape}"
            _outputs(net, shape, classes, what)
            convs = _layers(net, nn.Conv1d)
            kernels = [arch[f"kernel{i}"] for i in range(arch["depth"])]
            expect([m.kernel_size[0] for m in convs] == kernels,
                   f"{what}: the network should have {arch['depth']} nn.Conv1d layer(s) with kernels {kernels}, yours "
                   f"has kernels {[m.kernel_size[0] for m in convs]}")
            expect(convs[0].in_channels == shape[0], f"{what}: the first convolution takes input_shape[0] = {shape[0]} "
                                                     f"channels, yours {convs[0].in_channels}")
    return "120 architectures, and each kernel decision exists only when the depth reaches its layer."
