"""``convlens rf``: the receptive field after every layer of a chain.

    convlens rf --input 1x3x224x224 "Conv2d(3, 64, 3, padding=1)" "MaxPool2d(2)" ...

For each layer: how many input pixels one output sees (size), the distance in input pixels
between neighbouring outputs (jump) and where the first output's field is centred (start;
negative = in the padding). Composition (Araujo et al., Distill 2019), done by ``core.network``:
size' = size + (k − 1)·jump, jump' = jump·stride, start' = start + ((k − 1)/2 − padding)·jump.
"""

from __future__ import annotations

import argparse
import json

from .calc import add_common, chain, output_format, parse_chain_args, show
from ._common import UsageError

FORMULA = "size' = size + (k − 1)·jump;  jump' = jump·stride;  start' = start + ((k − 1)/2 − padding)·jump  (k = dilated kernel)"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rf",
        help="receptive field, jump and centre offset after every layer of a chain",
        description=__doc__.split("\n\n")[0],
        epilog="example:\n  convlens rf --input 1x3x224x224 \"Conv2d(3, 64, 3, padding=1)\" \"MaxPool2d(2)\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(p)
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="CALL ...", help="layer calls, e.g. \"Conv2d(3, 64, 3, padding=1)\"")
    p.set_defaults(run=run)


def run(args) -> int:
    if not args.rest:
        raise UsageError("give layer calls, e.g. convlens rf --input 1x3x224x224 \"Conv2d(3, 64, 3, padding=1)\" \"MaxPool2d(2)\"")
    opts = parse_chain_args("rf", args, list(args.rest))
    summary = chain(opts.calls, opts.input)
    fmt = output_format(opts)
    if fmt == "json":
        print(json.dumps([{"layer": r.name, "type": r.type, "output_shape": list(r.output_shape), "receptive_field": _plain(r.receptive_field)} for r in summary.layers], indent=2))
    elif fmt != "table":
        print(show(summary, fmt))
    else:
        print(table(summary))
    return 0


def table(summary) -> str:
    rows = [("#", "layer", "output", "size", "jump", "start")]
    for i, r in enumerate(summary.layers):
        rf = r.receptive_field
        if rf is None:
            cells = ("-", "-", "-")
        elif rf["global"]:
            cells = ("global", "-", "-")
        else:
            cells = tuple("×".join(_num(v) for v in rf[k]) for k in ("size", "jump", "start"))
        label = r.spec if r.name.isdigit() else f"{r.name}: {r.spec}"
        rows.append((str(i), label, "(" + ", ".join("None" if d is None else str(d) for d in r.output_shape) + ")") + cells)
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if c >= 3 else cell.ljust(w) for c, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    lines += ["", FORMULA, "size: input pixels one output sees; jump: input pixels between neighbouring outputs; start: centre of the first output's field (input pixel index; negative = in the padding)"]
    lines += [f"note: {n}" for n in summary.notes[:-1]]  # the last note is the cost convention
    return "\n".join(lines)


def _num(x) -> str:
    from fractions import Fraction

    if isinstance(x, Fraction) and x.denominator != 1:
        return f"{float(x):g}"
    return str(int(x)) if isinstance(x, Fraction) else str(x)


def _plain(rf):
    if rf is None:
        return None
    return {k: ([float(v) if not isinstance(v, int) else v for v in val] if isinstance(val, list) else val) for k, val in rf.items()}
