"""`convlens draw TARGET -o net.svg`: the network as a picture (Graphviz lays it out; render/diagram.py draws it)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..i18n import tr
from ._common import UsageError
from ._model import add_model_arguments, summarise


def register(sub) -> None:
    p = sub.add_parser("draw", help=tr("draw the network: a graph of its rows (shapes, parameters, diagnostics) or its feature maps"),
                       description=tr("Summarise TARGET as `convlens summary` does and draw it, laid out by Graphviz's dot: "
                                      "--style graph (one node per row at --depth, edges labelled with the tensors' shapes, "
                                      "repeated blocks folded ×N, rows with a diagnostic marked) or --style maps (feature maps "
                                      "as slabs, kernels on the arrows). Without -o, SVG on standard output."))
    add_model_arguments(p)
    p.add_argument("--depth", type=int, default=None,
                   help=tr("draw rows nested at most N levels deep, the model's top-level layers being level 1, as `summary --depth`; "
                           "hidden rows' connections go to their visible container (default: every level)"))
    p.add_argument("--style", choices=("graph", "maps"), default="graph", help=tr("graph (default): rows and the tensors between them; "
                   "maps: feature maps as stacked slabs with the kernel between them"))
    p.add_argument("-o", "--output", metavar="FILE", help=tr("write FILE: .svg, .png, .pdf or .dot, by its suffix (default: standard output)"))
    p.add_argument("--format", choices=("svg", "png", "pdf", "dot"), default=None,
                   help=tr("the image format (default: FILE's suffix, or svg); dot: the Graphviz source before layout"))
    p.set_defaults(run=run)


def run(args) -> int:
    from ..render import diagram

    fmt = args.format
    if args.output is not None:
        try:
            by_suffix = diagram.format_of(args.output)  # a bad suffix or folder is refused before the model is traced
        except diagram.DrawError:  # a UserError: cli/__init__ prints it, unless --format says the format anyway
            if fmt is None:
                raise
            by_suffix = None
        if fmt is not None and by_suffix is not None and by_suffix != fmt:
            raise UsageError(tr("--format {format} but {output!r} ends in .{suffix}; give one of them, or make them agree",
                                format=fmt, output=args.output, suffix=by_suffix.value))
        fmt = fmt or by_suffix.value
        folder = Path(args.output).absolute().parent
        if not folder.is_dir():
            raise UsageError(tr("cannot write {output!r}: the folder {folder!r} does not exist; create it or choose another path",
                                output=args.output, folder=str(folder)))
    s = summarise(args, memory=False)  # the picture shows no training memory: not measured
    depth = None if args.depth is None else args.depth - 1  # the writers count the top level as 0
    if args.output is None:
        data = diagram.render(s, style=args.style, depth=depth, fmt=fmt or "svg")
        if isinstance(data, str):
            sys.stdout.write(data)
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
    else:
        diagram.write(s, args.output, style=args.style, depth=depth, fmt=fmt)
    if args.output is not None:
        print(tr("wrote {path}", path=args.output), file=sys.stderr)
    return 0
