"""`convlens summary TARGET --input 1x3x224x224`: the layer table, totals and diagnostics of a real model."""

from __future__ import annotations

import sys

from ..i18n import tr
from ._common import FORMATS
from ._model import add_model_arguments, summarise


def register(sub) -> None:
    p = sub.add_parser("summary", help=tr("every layer's shapes, parameters, MACs and calculation of a PyTorch model, with diagnostics"),
                       description=tr("Trace one forward pass of a PyTorch model (on the meta device: no weights) and print every "
                                      "layer's input/output shape, parameters, MACs and worked calculation, the totals, the "
                                      "training-memory estimate, the receptive field and the diagnosis of shape bugs."))
    add_model_arguments(p)
    p.add_argument("--depth", type=int, default=None,
                   help=tr("show rows nested at most N levels deep, the model's top-level layers being level 1, as torchinfo's "
                           "depth (totals are unchanged; default: every level)"))
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--style", choices=("default", "tutorial"), default="default", help=tr("tutorial: layer, input, output and what the layer does to the shape, in words"))
    p.add_argument("--calculation", action="store_true", help=tr("print every layer's worked calculation"))
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import render

    s = summarise(args)
    # torchinfo's depth N shows the layers N levels below the model; the renderer counts its top level as 0.
    depth = None if args.depth is None else args.depth - 1
    sys.stdout.write(render.render(s, args.format, depth=depth, style=args.style, show_calculation=args.calculation).rstrip("\n") + "\n")
    return 1 if (s.failed or s.errors) else 0
