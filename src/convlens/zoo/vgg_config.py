"""VGG's layer configurations, framework-free: the one table both the PyTorch models
(``zoo/vgg.py``) and the core-layer chains (tests, benchmarks, ``convlens rf``) are built from.

Simonyan & Zisserman, ICLR 2015, Table 1: configurations A, B, D, E.
"""

from __future__ import annotations

# channels of each 3×3 conv (padding 1); "M" is a 2×2/2 max-pool. Each variant is one line.
CONFIGS: dict[str, list[int | str]] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],  # A
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],  # B
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],  # D
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],  # E
}


def layer_calls(name: str = "vgg16", *, in_channels: int = 3) -> list[str]:
    """The feature extractor as PyTorch layer calls, as a user would paste them.

    >>> layer_calls("vgg11")[:3]
    ['Conv2d(3, 64, 3, padding=1)', 'MaxPool2d(2, 2)', 'Conv2d(64, 128, 3, padding=1)']
    """
    calls, c = [], in_channels
    for v in CONFIGS[name]:
        if v == "M":
            calls.append("MaxPool2d(2, 2)")
        else:
            calls.append(f"Conv2d({c}, {v}, 3, padding=1)")
            c = v
    return calls


def core_layers(name: str = "vgg16") -> list:
    """The feature extractor as core layers (``convlens.core``), built from the table directly,
    e.g. for receptive-field checks: VGG-16's pool5 sees 212×212 input pixels with a jump of 32.

    >>> [layer.code() for layer in core_layers("vgg11")[:2]]
    ['Conv2d(in_channels=3, out_channels=64, kernel_size=3, padding=1)', 'MaxPool2d(kernel_size=2, stride=2)']
    """
    from ..core.conv import Conv2d
    from ..core.pool import MaxPool2d

    layers, c = [], 3
    for v in CONFIGS[name]:
        if v == "M":
            layers.append(MaxPool2d(2, 2))
        else:
            layers.append(Conv2d(c, v, 3, padding=1))
            c = v
    return layers
