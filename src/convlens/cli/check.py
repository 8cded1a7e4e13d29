"""`convlens check TARGET --input ...`: only the diagnostics; exit 1 when there is an error, 0 when clean."""

from __future__ import annotations

import sys
from dataclasses import replace

from ..i18n import tr
from ._common import add_format
from ._model import add_model_arguments, summarise


def register(sub) -> None:
    p = sub.add_parser("check", help=tr("diagnose shape bugs of a PyTorch model (exit 1 on an error)"),
                       description=tr("Trace the model and print only the diagnostics: each names the module, the source line, "
                                      "what is wrong with the numbers and a concrete fix. Exit status 1 when there is an error, "
                                      "0 when clean, 2 on bad usage."))
    add_model_arguments(p)
    p.add_argument("--warnings", action=__import__("argparse").BooleanOptionalAction, default=True, help=tr("also list warnings (default: yes)"))
    add_format(p, ("table", "json"))  # json: the whole record, its diagnostics included
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import render

    s = summarise(args, memory=False)
    if not args.warnings:
        s = replace(s, diagnostics=[d for d in s.diagnostics if d.severity == "error"])
    sys.stdout.write(render.render(s, "diagnostics" if args.format == "table" else args.format).rstrip("\n") + "\n")
    return 1 if (s.errors or s.failed) else 0
