"""``convlens solve``: which kernel, stride, padding and dilation give the size you need.

    convlens solve Conv2d --input 224 --output-size 112 [--kernel-size 7]
    convlens solve Conv2d --input 28 --same --kernel-size 4
    convlens solve ConvTranspose2d --input 7 --output-size 14

Every candidate is evaluated by the layer itself (``core.solve``), so the answers follow the
framework's own formula: PyTorch's floor formula, Keras' 'same'/'valid', transposed output_padding.
"""

from __future__ import annotations

import argparse
import sys

from ..i18n import N_, tr
from ..render.solve import solve_json, solve_text
from ._common import UsageError, add_format, parse_shape


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "solve",
        help=tr("find kernel/stride/padding/dilation that map an input size to an output size"),
        description=tr("``convlens solve``: which kernel, stride, padding and dilation give the size you need."),
        epilog=tr("examples:") + "\n" + "\n".join(line for line in __doc__.splitlines() if line.startswith("    convlens")),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("layer", metavar="LAYER", help=tr("Conv2d, MaxPool2d, ConvTranspose2d, Conv2D, MaxPooling2D, ..."))
    p.add_argument("--input", required=True, metavar="SIZE", help=tr("spatial input size, e.g. 224 (or 224x224)"))
    p.add_argument("--output-size", metavar="SIZE", help=tr("wanted output size, e.g. 112"))
    p.add_argument("--same", action="store_true", help=tr("keep the size (stride 1); says when no symmetric padding exists"))
    for name, fix in (("kernel-size", N_("fix the kernel size")), ("stride", N_("fix the stride")), ("dilation", N_("fix the dilation"))):
        p.add_argument(f"--{name}", type=_positive, metavar="N", help=tr(fix))
    p.add_argument("--padding", metavar="P", help=tr("fix the padding (an int, or 'same'/'valid' for Keras)"))
    p.add_argument("--limit", type=int, default=12, metavar="N", help=tr("show at most N answers (0: all; default 12)"))
    add_format(p, ("table", "json"), json_synonym=True)
    p.set_defaults(run=run)


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(tr("{text!r} is not a positive integer", text=text))
    return int(text)


def _size(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    dims = parse_shape(text, option=option)
    if None in dims or len(set(dims)) != 1:
        raise UsageError(tr("{option} {text!r}: give one spatial size (e.g. {option} 224); solve each axis separately for non-square sizes",
                            option=option, text=text))
    return dims[0]


def run(args) -> int:
    from ..core.solve import solve

    if args.output_size is None and not args.same:
        raise UsageError(tr("give --output-size SIZE (e.g. --input 224 --output-size 112) or --same to keep the size"))
    padding = None
    if args.padding is not None:
        padding = int(args.padding) if args.padding.strip().isdigit() else args.padding.strip().strip("'\"")
    result = solve(
        args.layer, _size(args.input, "--input"), _size(args.output_size, "--output-size"), args.kernel_size,
        stride=args.stride, padding=padding, dilation=args.dilation, same=args.same,
    )
    sys.stdout.write(solve_json(result) if args.format == "json" else solve_text(result, limit=args.limit))
    return 1 if result.unreachable else 0
