"""`convlens zoo spec NAME`: a zoo model written as a spec (the sub-parser that cli/zoo.py adds), and
writing generated text to a file or standard output (shared with `convlens export`)."""

from __future__ import annotations

import sys

from ..i18n import tr
from ._common import UsageError


def add_zoo_spec(actions) -> None:
    p = actions.add_parser("spec", help=tr("write a zoo model as a spec file (YAML)"),
                           description=tr("Write a zoo model as a spec: its layers, read from the model's forward (torch.fx), "
                                          "with residual blocks as branches. `convlens summary` of the spec equals the model's."))
    p.add_argument("name", metavar="NAME", help=tr("a name from `convlens zoo list`"))
    p.add_argument("-o", "--output", metavar="FILE", help=tr("write to FILE instead of standard output"))
    p.set_defaults(run=run_zoo_spec)


def run_zoo_spec(args) -> int:
    from ..design.from_zoo import zoo_yaml

    try:
        text = zoo_yaml(args.name)
    except ImportError as exc:
        raise UsageError(tr("zoo spec needs the model's framework: {error}", error=exc)) from None
    write(text, args.output)
    return 0


def write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise UsageError(tr("cannot write {path}: {reason}", path=output, reason=exc.strerror)) from None
    print(tr("wrote {path}", path=output), file=sys.stderr)
