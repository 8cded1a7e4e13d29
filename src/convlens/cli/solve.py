"""``convlens solve``: which kernel, stride, padding and dilation give the size you need.

    convlens solve Conv2d --input 224 --output 112 [--kernel-size 7]
    convlens solve Conv2d --input 28 --same --kernel-size 4
    convlens solve ConvTranspose2d --input 7 --output 14

Every candidate is evaluated by the layer itself (``core.solve``), so the answers follow the
framework's own formula: PyTorch's floor formula, Keras' 'same'/'valid', transposed output_padding.
"""

from __future__ import annotations

import argparse
import json

from ._common import UsageError, parse_shape


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "solve",
        help="find kernel/stride/padding/dilation that map an input size to an output size",
        description=__doc__.split("\n\n")[0],
        epilog="examples:\n" + "\n".join(line for line in __doc__.splitlines() if line.startswith("    convlens")),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("layer", metavar="LAYER", help="Conv2d, MaxPool2d, ConvTranspose2d, Conv2D, MaxPooling2D, ...")
    p.add_argument("--input", required=True, metavar="SIZE", help="spatial input size, e.g. 224 (or 224x224)")
    p.add_argument("--output", metavar="SIZE", help="wanted output size, e.g. 112")
    p.add_argument("--same", action="store_true", help="keep the size (stride 1); says when no symmetric padding exists")
    for name in ("kernel-size", "stride", "dilation"):
        p.add_argument(f"--{name}", type=_positive, metavar="N", help=f"fix the {name.replace('-', ' ')}")
    p.add_argument("--padding", metavar="P", help="fix the padding (an int, or 'same'/'valid' for Keras)")
    p.add_argument("--limit", type=int, default=12, metavar="N", help="show at most N answers (0: all; default 12)")
    p.add_argument("--json", action="store_true", help="print the answers as JSON")
    p.set_defaults(run=run)


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def _size(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    dims = parse_shape(text, option=option)
    if None in dims or len(set(dims)) != 1:
        raise UsageError(f"{option} {text!r}: give one spatial size (e.g. {option} 224); solve each axis separately for non-square sizes")
    return dims[0]


def run(args) -> int:
    from ..core.solve import solve

    if args.output is None and not args.same:
        raise UsageError("give --output SIZE (e.g. --input 224 --output 112) or --same to keep the size")
    padding = None
    if args.padding is not None:
        padding = int(args.padding) if args.padding.strip().isdigit() else args.padding.strip().strip("'\"")
    result = solve(
        args.layer, _size(args.input, "--input"), _size(args.output, "--output"), args.kernel_size,
        stride=args.stride, padding=padding, dilation=args.dilation, same=args.same,
    )
    shown = result.solutions if args.limit <= 0 else result.solutions[: args.limit]
    if args.json:
        print(json.dumps({
            "layer": result.layer, "input": result.input_size, "output": result.output_size,
            "solutions": [{**dict(s.args), "calculation": s.result.calculation()[0], "warnings": list(s.warnings)} for s in result.solutions],
            "notes": list(result.notes),
            "nearest": [{"output": _reached(s), **dict(s.args), "calculation": s.result.calculation()[0]} for s in result.nearest],
        }, indent=2))
        return 1 if result.unreachable else 0
    print(f"{result.layer}: {result.input_size} -> {result.output_size}: {len(result.solutions)} configuration{'s' if len(result.solutions) != 1 else ''}" + (", simplest first" if len(result.solutions) > 1 else ""))
    if shown:
        rows = [("call", "calculation", "")]
        for s in shown:
            flag = "! " + s.warnings[0].split(": ", 1)[-1] if s.warnings else ""
            rows.append((s.call(), s.result.calculation()[0], flag))
        widths = [max(len(r[c]) for r in rows) for c in range(2)]
        print()
        for r in rows:
            print(f"  {r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}".rstrip())
        if len(shown) < len(result.solutions):
            print(f"  ... {len(result.solutions) - len(shown)} more (--limit 0 shows all)")
    for note in result.notes:
        print(f"\nnote: {note}")
    if result.nearest:
        print("\nnearest reachable sizes:")
        rows = [(str(_reached(s)), s.call(), s.result.calculation()[0]) for s in result.nearest]
        widths = [max(len(r[c]) for r in rows) for c in range(2)]
        for r in rows:
            print(f"  {r[0].rjust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}")
    return 1 if result.unreachable else 0


def _reached(solution) -> int:
    """The spatial output size a solution gives (the first spatial axis; all are equal here)."""
    layer, out = solution.result.layer, solution.result.output_shape
    return out[1] if layer.framework == "keras" else out[-1]
