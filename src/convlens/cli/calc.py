"""``convlens calc``: one layer, or a chain of layer calls, computed and explained.

One layer, its options named as the layer's own keywords::

    convlens calc Conv2d --input 16x1x28x28 --out-channels 20 --kernel-size 5 --padding 2

A chain, written as in the tutorial's code (prints the layer-by-layer table with totals)::

    convlens calc --input 1x28x28 "Conv2d(1, 32, 3, padding=1)" "ReLU()" "MaxPool2d(2)"
"""

from __future__ import annotations

import argparse
from dataclasses import MISSING, fields

from ..render import layer_detail, render
from ._common import FORMATS, UsageError, parse_shape

_EXAMPLES = (
    "examples:\n"
    "  convlens calc Conv2d --input 16x1x28x28 --out-channels 20 --kernel-size 5 --padding 2\n"
    "  convlens calc Conv2d --help            (the options of one layer)\n"
    "  convlens calc --input 1x28x28 \"Conv2d(1, 32, 3, padding=1)\" \"ReLU()\" \"MaxPool2d(2)\"\n"
    "  convlens calc \"layers.Conv2D(75, (3,3), padding='same', input_shape=(28,28,1))\" \"layers.MaxPooling2D()\""
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calc",
        help="one layer or a chain of layer calls: shape, weights, params, MACs, receptive field, worked calculation",
        description=__doc__.split("\n\n")[0],
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(p)
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="LAYER ...", help="a layer name and its options, or layer calls")
    p.set_defaults(run=run)


def add_common(p) -> None:
    p.add_argument("--input", metavar="SHAPE", help="input shape, e.g. 1x3x224x224 (PyTorch) or 28x28x1 (Keras, batch left out)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--format", choices=FORMATS, default=None, help="output format (default: table)")


class RestParser(argparse.ArgumentParser):
    """Parses what follows the layer name; its mistakes are one-line usage errors."""

    def error(self, message):
        raise UsageError(f"{message} (see 'convlens {self.prog} --help')")


_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def parse_bool(text: str) -> bool:
    """``--bias false``: true/false, yes/no, 1/0 (any case); anything else is refused.

    >>> parse_bool("No"), parse_bool("1")
    (False, True)
    """
    try:
        return _BOOLS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"{text!r} is not true or false; write true/false, yes/no or 1/0") from None


def run(args) -> int:
    rest = list(args.rest)
    if not rest or rest[0].startswith("-"):
        raise UsageError(
            "give a layer name with its options (convlens calc Conv2d --input 16x1x28x28 --out-channels 20 --kernel-size 5) "
            "or layer calls (convlens calc --input 1x28x28 \"Conv2d(1, 32, 3)\" \"ReLU()\")"
        )
    if "(" in rest[0]:
        opts = parse_chain_args("calc", args, rest)
        summary = chain(opts.calls, opts.input)
        fmt = output_format(opts)
        if len(summary.layers) == 1 and fmt == "table":
            print(layer_detail(summary))
        else:
            print(show(summary, fmt))
        return 0
    return _single(args, rest)


# ---------------------------------------------------------------------------------------
# one layer by name, options from its dataclass fields
# ---------------------------------------------------------------------------------------
def _single(args, rest) -> int:
    from ..core import LAYERS, calc, layer as build
    from ..frontends.build import summary_of_layer
    from ..frontends.chain import parse_value, with_batch

    name = rest[0]
    if name not in LAYERS:
        build(name)  # the registry's "unknown layer 'conv2d'; did you mean 'Conv2d'?" error
    cls = LAYERS[name]
    parser = RestParser(prog=f"calc {name}", description=f"{name}: options are the layer's own keyword names.", add_help=True)
    add_common(parser)
    for f in fields(cls):
        if not f.init or f.metadata.get("hidden"):
            continue
        default = None if f.default is MISSING else f.default
        flags = [f"--{f.name.replace('_', '-')}"] + ([f"--{f.name}"] if "_" in f.name else [])
        kind = parse_bool if isinstance(f.default, bool) else parse_value
        parser.add_argument(*flags, dest=f"layer_{f.name}", type=kind, default=argparse.SUPPRESS, metavar="VALUE", help=f"(default: {default!r})")
    opts, unknown = parser.parse_known_args(rest[1:])
    if unknown:
        known = ", ".join(f"--{f.name.replace('_', '-')}" for f in fields(cls) if f.init and not f.metadata.get("hidden"))
        raise UsageError(f"{name} has no option {unknown[0]!r}; its options are {known} (and --input, --json, --format)")
    shape_text = getattr(opts, "input", None) or args.input
    if not shape_text:
        raise UsageError(f"--input is required: the shape {name} receives, e.g. --input 16x1x28x28")
    given = parse_shape(shape_text)
    kwargs = {k[len("layer_"):]: v for k, v in vars(opts).items() if k.startswith("layer_")}
    layer = build(name, **kwargs)
    shape, note = with_batch([layer], given)
    result = calc(name, shape, **kwargs)
    summary = summary_of_layer(result, code=layer.code(), notes=[note] if note else ())
    fmt = "json" if (opts.json or args.json) else (opts.format or args.format or "table")
    print(layer_detail(summary) if fmt == "table" else show(summary, fmt))
    return 0


# ---------------------------------------------------------------------------------------
# chains (shared with `rf`)
# ---------------------------------------------------------------------------------------
def parse_chain_args(command: str, args, rest):
    """The layer calls and options after the sub-command, in any order."""
    parser = RestParser(prog=command, add_help=False)
    add_common(parser)
    parser.add_argument("calls", nargs="*")
    opts = parser.parse_intermixed_args(rest)
    opts.input = opts.input or args.input
    opts.json = opts.json or args.json
    opts.format = opts.format or args.format
    bad = [c for c in opts.calls if "(" not in c]
    if bad:
        raise UsageError(f"{bad[0]!r} is not a layer call; write it with brackets, e.g. \"{bad[0]}()\" or \"Conv2d(1, 32, 3)\"")
    return opts


def output_format(opts) -> str:
    return "json" if opts.json else (opts.format or "table")


def chain(calls, input_text):
    """The Summary of a chain of calls; a failing layer is a one-line usage error naming it."""
    from ..frontends.chain import chain_summary

    shape = parse_shape(input_text) if input_text else None
    return chain_summary(calls, shape, title="layer chain")


def show(summary, fmt: str = "table") -> str:
    """A chain's summary as ``fmt``, with each row's worked calculation (the report layer's table)."""
    return render(summary, fmt, show_calculation=True)
