"""Solutions to the exercises of 13_designing_spaces.ipynb (for instructors; see notebooks/README.md)."""
import math

import torch.nn as nn


def mlp(hp, input_shape, num_classes):
    width = hp.choice("width", [32, 64, 128])
    activation = {"relu": nn.ReLU, "tanh": nn.Tanh}[hp.choice("activation", ["relu", "tanh"])]
    dropout = hp.choice("dropout", [0.0, 0.5])
    return nn.Sequential(nn.Flatten(), nn.Linear(math.prod(input_shape), width), activation(), nn.Dropout(dropout),
                         nn.Linear(width, num_classes))


def chain_size(widths, depths, kernels, expansions, se):
    blocks = len(kernels) * len(expansions)                      # the kinds of one block
    per_depth = sum(blocks ** depth for depth in depths)         # a stage of depth d has d blocks
    return math.prod(len(w) * per_depth * (2 if se else 1) for w in widths)


def conv_stack(hp, input_shape, num_classes):
    layers, channels = [], input_shape[0]
    for i in range(hp.choice("depth", [1, 2, 3, 4])):
        k = hp.choice(f"kernel{i}", [3, 5, 7])
        layers += [nn.Conv1d(channels, 8, k, padding=k // 2), nn.ReLU()]
        channels = 8
    return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, num_classes))
