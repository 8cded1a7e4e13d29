"""``convlens demo`` (also bare ``convlens``): the seed tutorial's residual CNN, computed.

The tutorial (velog "ConvNet shape 계산", reference 000) builds a CNN with two residual blocks
for 28×28 MNIST digits and writes ``fc1 = nn.Linear(128 * 7 * 7, 512)``. Three 2×2 max-pools
take 28 → 14 → 7 → 3 (the floor drops the 7th row), so the flattened size is 128·3·3 = 1152 —
which the tutorial's own flow table says. The demo evaluates the network as written (and shows
the core's error at fc1), then the corrected network layer by layer, as a core graph whose
shortcuts are ``add`` merges.
"""

from __future__ import annotations

import argparse

from ..i18n import tr

SOURCE, REFERENCE, NETWORK = "velog 'ConvNet shape 계산'", "000", "CNNWithResidual"  # the tutorial: where, our number, its class
INPUT = (1, 1, 28, 28)
# The tutorial's flow table: (row label, node whose output ends the row, its output as printed there).
FLOW = (
    ("Conv1 + ReLU", "relu", (28, 28, 32)),
    ("MaxPool", "pool1", (14, 14, 32)),
    ("Residual Block 1", "resblock1.relu2", (14, 14, 64)),
    ("MaxPool", "pool2", (7, 7, 64)),
    ("Residual Block 2", "resblock2.relu2", (7, 7, 128)),
    ("MaxPool", "pool3", (3, 3, 128)),
    ("Flatten", "flatten", (1152,)),
    ("fc1 + ReLU", "fc1_relu", (512,)),
    ("fc2", "fc2", (10,)),
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help=tr("the seed tutorial's residual CNN, layer by layer (what bare `convlens` shows)"),
        description=tr("``convlens demo`` (also bare ``convlens``): the seed tutorial's residual CNN, computed."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(run=run)


def _layer(name: str, *args, **kwargs):
    from ..core import layer

    return layer(name, *args, **kwargs)


def residual_block(prefix: str, source: str, in_channels: int, out_channels: int) -> list:
    """The tutorial's ``ResidualBlock``: 1×1-conv shortcut, conv1 → relu → conv2, add, relu."""
    from ..core.network import Node

    return [
        Node(_layer("Conv2d", in_channels, out_channels, kernel_size=1), f"{prefix}.shortcut", inputs=(source,)),
        Node(_layer("Conv2d", in_channels, out_channels, kernel_size=3, padding=1), f"{prefix}.conv1", inputs=(source,)),
        Node(_layer("ReLU"), f"{prefix}.relu1"),
        Node(_layer("Conv2d", out_channels, out_channels, kernel_size=3, padding=1), f"{prefix}.conv2"),
        Node(_layer("add"), f"{prefix}.add", inputs=(f"{prefix}.conv2", f"{prefix}.shortcut")),  # x + shortcut
        Node(_layer("ReLU"), f"{prefix}.relu2"),
    ]


def tutorial_network(fc1_in_features: int = 128 * 3 * 3) -> list:
    """``CNNWithResidual`` as core nodes; the tutorial wrote ``fc1_in_features=128 * 7 * 7``."""
    from ..core.network import Node

    return [
        Node(_layer("Conv2d", 1, 32, kernel_size=3, padding=1), "conv1"),
        Node(_layer("ReLU"), "relu"),  # torch.relu(x)
        Node(_layer("MaxPool2d", kernel_size=2, stride=2), "pool1"),
        *residual_block("resblock1", "pool1", 32, 64),
        Node(_layer("MaxPool2d", kernel_size=2, stride=2), "pool2"),
        *residual_block("resblock2", "pool2", 64, 128),
        Node(_layer("MaxPool2d", kernel_size=2, stride=2), "pool3"),
        Node(_layer("Flatten"), "flatten"),  # the tutorial's x.view(-1, 128 * 7 * 7); (1, 128, 3, 3) -> (1, 1152)
        Node(_layer("Linear", fc1_in_features, 512), "fc1"),
        Node(_layer("ReLU"), "fc1_relu"),  # torch.relu(self.fc1(x))
        Node(_layer("Linear", 512, 10), "fc2"),
    ]


def _hwc(shape) -> tuple:
    """(N, C, H, W) -> (H, W, C) and (N, F) -> (F,): how the tutorial's table writes shapes."""
    if len(shape) == 4:
        return (shape[2], shape[3], shape[1])
    return tuple(shape[1:])


def flow(result) -> list[tuple[str, tuple, tuple]]:
    """The tutorial's flow table recomputed: (row, input (H, W, C), output (H, W, C))."""
    rows, previous = [], _hwc(result.input_shape)
    for label, node, _ in FLOW:
        out = _hwc(result[node].result.output_shape)
        rows.append((label, previous, out))
        previous = out
    return rows


def run(args) -> int:
    from ..core.network import NetworkError, evaluate
    from ..frontends.build import summary_of_network
    from .calc import show

    print("convlens demo: " + tr("{source} (reference {reference}): {network}, input {input}", source=SOURCE, reference=REFERENCE,
                                 network=NETWORK, input=INPUT) + "\n")
    print(tr("1. As written: {code}", code="fc1 = nn.Linear(128 * 7 * 7, 512)"))
    try:
        evaluate(tutorial_network(128 * 7 * 7), INPUT)
        print("   " + tr("(evaluated without error)"))
    except NetworkError as exc:
        print(f"   convlens: {exc}")
        pooled = next(n.result.output_shape for n in exc.partial if n.name == "pool3")  # (1, 128, 3, 3)
        c, h, w = pooled[1:]
        print("   " + tr("Three 2×2 max-pools take 28 → 14 → 7 → {h} (the floor drops the last row), so fc1 receives "
                         "{c}·{h}·{w} = {n} features: in_features must be {c}*{h}*{w}, not 128*7*7 = {wrong}.",
                         c=c, h=h, w=w, n=c * h * w, wrong=128 * 7 * 7))
        print("   " + tr("(The tutorial's {code} fails for one image as well, and for a batch of 49 images "
                         "silently regroups them into 9 rows of 6272.)", code="x.view(-1, 128 * 7 * 7)"))

    result = evaluate(tutorial_network(), INPUT)
    summary = summary_of_network(result, title="CNNWithResidual, fc1 = nn.Linear(128 * 3 * 3, 512)")
    print("\n" + tr("2. Corrected: {code}, layer by layer", code="fc1 = nn.Linear(128 * 3 * 3, 512)") + "\n")
    print(show(summary, "table"))

    print("\n" + tr("3. The tutorial's flow table, recomputed {axes}", axes="(H, W, C)") + "\n")
    rows = flow(result)
    width = max(len(r[0]) for r in rows)
    for (label, ins, out), (_, _, printed) in zip(rows, FLOW):
        mark = "✓" if out == printed else tr("✗ tutorial: {printed}", printed=printed)
        print(f"   {label.ljust(width)}  {str(ins):>14} → {str(out):<14} {mark}")
    print("\n" + tr("Try: {commands}", commands="convlens calc --input 1x28x28 \"Conv2d(1, 32, 3, padding=1)\" \"ReLU()\" \"MaxPool2d(2)\"   "
          "·   convlens solve Conv2d --input 224 --output-size 112   ·   convlens rf --input 1x3x224x224 \"Conv2d(3, 64, 3, padding=1)\""))
    return 0
