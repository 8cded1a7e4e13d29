"""``convlens calc``: one layer, or a chain of layer calls, computed and explained.

One layer, its options named as the layer's own keywords::

    convlens calc Conv2d --input 16x1x28x28 --out-channels 20 --kernel-size 5 --padding 2

A chain, written as in the tutorial's code (prints the layer-by-layer table with totals)::

    convlens calc --input 1x28x28 "Conv2d(1, 32, 3, padding=1)" "ReLU()" "MaxPool2d(2)"
"""

from __future__ import annotations

import argparse
from dataclasses import MISSING, fields

from ..i18n import N_, tr
from ..render import layer_detail, render
from . import add_lang
from ._argparse import wide
from ._common import FORMATS, UsageError, parse_shape

_EXAMPLES_HEAD = N_("examples:")
_EXAMPLES = (
    "  convlens calc Conv2d --input 16x1x28x28 --out-channels 20 --kernel-size 5 --padding 2\n"
    "  convlens calc Conv2d --help            ({one_layer})\n"
    "  convlens calc --input 1x28x28 \"Conv2d(1, 32, 3, padding=1)\" \"ReLU()\" \"MaxPool2d(2)\"\n"
    "  convlens calc \"layers.Conv2D(75, (3,3), padding='same', input_shape=(28,28,1))\" \"layers.MaxPooling2D()\""
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calc",
        help=tr("one layer or a chain of layer calls: shape, weights, params, MACs, receptive field, worked calculation"),
        description=tr("``convlens calc``: one layer, or a chain of layer calls, computed and explained."),
        epilog=tr(_EXAMPLES_HEAD) + "\n" + _EXAMPLES.replace("{one_layer}", tr("the options of one layer")),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(p)
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="LAYER ...", help=tr("a layer name and its options, or layer calls"))
    p.set_defaults(run=run)


def add_common(p) -> None:
    p.add_argument("--input", metavar="SHAPE", help=tr("input shape, e.g. 1x3x224x224 (PyTorch) or 28x28x1 (Keras, batch left out)"))
    p.add_argument("--json", action="store_true", help=tr("print the summary as JSON"))
    p.add_argument("--format", choices=FORMATS, default=None, help=tr("output format (default: table)"))


class RestParser(argparse.ArgumentParser):
    """Parses what follows the layer name; its mistakes are one-line usage errors."""

    def __init__(self, *args, **kwargs):  # Korean help wrapped by its columns
        super().__init__(*args, formatter_class=wide(argparse.HelpFormatter), **kwargs)

    def error(self, message):
        command = f"convlens {self.prog}"
        raise UsageError(tr("{message} (see '{command} --help')", message=message, command=command))


_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def parse_bool(text: str) -> bool:
    """``--bias false``: true/false, yes/no, 1/0 (any case); anything else is refused.

    >>> parse_bool("No"), parse_bool("1")
    (False, True)
    """
    try:
        return _BOOLS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(tr("{text!r} is not true or false; write true/false, yes/no or 1/0", text=text)) from None


def run(args) -> int:
    rest = list(args.rest)
    if not rest or rest[0].startswith("-"):
        raise UsageError(tr(
            "give a layer name with its options ({by_name}) or layer calls ({by_calls})",
            by_name="convlens calc Conv2d --input 16x1x28x28 --out-channels 20 --kernel-size 5",
            by_calls="convlens calc --input 1x28x28 \"Conv2d(1, 32, 3)\" \"ReLU()\"",
        ))
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
    parser = RestParser(prog=f"calc {name}", description=tr("{layer}: options are the layer's own keyword names.", layer=name), add_help=True)
    add_common(parser)
    add_lang(parser)  # main takes `--lang ko` out; a value that is no language is refused here as everywhere
    for f in fields(cls):
        if not f.init or f.metadata.get("hidden"):
            continue
        default = None if f.default is MISSING else f.default
        flags = [f"--{f.name.replace('_', '-')}"] + ([f"--{f.name}"] if "_" in f.name else [])
        kind = parse_bool if isinstance(f.default, bool) else parse_value
        parser.add_argument(*flags, dest=f"layer_{f.name}", type=kind, default=argparse.SUPPRESS, metavar="VALUE", help=tr("(default: {default!r})", default=default))
    opts, unknown = parser.parse_known_args(rest[1:])
    if unknown:
        known = ", ".join(f"--{f.name.replace('_', '-')}" for f in fields(cls) if f.init and not f.metadata.get("hidden"))
        raise UsageError(tr("{layer} has no option {option!r}; its options are {known} (and --input, --json, --format)",
                            layer=name, option=unknown[0], known=known))
    shape_text = getattr(opts, "input", None) or args.input
    if not shape_text:
        raise UsageError(tr("--input is required: the shape {layer} receives, e.g. --input 16x1x28x28", layer=name))
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
    add_lang(parser)  # main takes `--lang ko` out; a value that is no language is refused here as everywhere
    parser.add_argument("calls", nargs="*")
    opts = parser.parse_intermixed_args(rest)
    opts.input = opts.input or args.input
    opts.json = opts.json or args.json
    opts.format = opts.format or args.format
    bad = [c for c in opts.calls if "(" not in c]
    if bad:
        raise UsageError(tr("{text!r} is not a layer call; write it with brackets, e.g. \"{text}()\" or \"Conv2d(1, 32, 3)\"", text=bad[0]))
    return opts


def output_format(opts) -> str:
    return "json" if opts.json else (opts.format or "table")


def chain(calls, input_text):
    """The Summary of a chain of calls; a failing layer is a one-line usage error naming it."""
    from ..frontends.chain import chain_summary

    shape = parse_shape(input_text) if input_text else None
    return chain_summary(calls, shape, title=tr("layer chain"))


def show(summary, fmt: str = "table") -> str:
    """A chain's summary as ``fmt``, with each row's worked calculation (the report layer's table)."""
    return render(summary, fmt, show_calculation=True)
