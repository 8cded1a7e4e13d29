"""``convlens rf``: the receptive field after every layer of a chain.

    convlens rf --input 1x3x224x224 "Conv2d(3, 64, 3, padding=1)" "MaxPool2d(2)" ...

For each layer: how many input pixels one output sees (size), the distance in input pixels
between neighbouring outputs (jump) and where the first output's field is centred (start;
negative = in the padding). Composition (Araujo et al., Distill 2019), done by ``core.network``:
size' = size + (k − 1)·jump, jump' = jump·stride, start' = start + ((k − 1)/2 − padding)·jump.
"""

from __future__ import annotations

import argparse

from ..i18n import N_, tr
from ..render import receptive_json, receptive_table
from .calc import add_common, chain, output_format, parse_chain_args, show
from ._common import UsageError


EXAMPLE_HEAD = N_("example:")
EXAMPLE = "convlens rf --input 1x3x224x224 \"Conv2d(3, 64, 3, padding=1)\" \"MaxPool2d(2)\""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rf",
        help=tr("receptive field, jump and centre offset after every layer of a chain"),
        description=tr("``convlens rf``: the receptive field after every layer of a chain."),
        epilog=tr(EXAMPLE_HEAD) + "\n  " + EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(p)
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="CALL ...", help=tr("layer calls, e.g. {example}", example="\"Conv2d(3, 64, 3, padding=1)\""))
    p.set_defaults(run=run)


def run(args) -> int:
    if not args.rest:
        raise UsageError(tr("give layer calls, e.g. {example}", example=EXAMPLE))
    opts = parse_chain_args("rf", args, list(args.rest))
    summary = chain(opts.calls, opts.input)
    fmt = output_format(opts)
    if fmt == "json":
        print(receptive_json(summary))
    elif fmt != "table":
        print(show(summary, fmt))
    else:
        print(receptive_table(summary))
    return 0
