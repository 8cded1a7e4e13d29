"""Plumbing shared by the sub-commands: the usage error, shape parsing, output formats."""

from __future__ import annotations

import re

from ..errors import UserError
from ..i18n import tr


class UsageError(UserError):
    """A user's mistake on the command line; printed as one line, exit status 2."""


_DIM = re.compile(r"^(\d+|None|\?)$")


def parse_shape(text: str, *, option: str = "--input") -> tuple:
    """``'16x1x28x28'`` -> ``(16, 1, 28, 28)``; ``'Nonex28x28x1'`` or ``'?x28x28x1'`` -> ``(None, 28, 28, 1)``.

    Commas and ``×`` separate as well as ``x``; surrounding brackets are ignored.
    """
    raw = text.strip().strip("()[]")
    parts = [p.strip() for p in re.split(r"[x×,*]", raw) if p.strip()]
    if not parts or not all(_DIM.match(p) for p in parts):
        raise UsageError(tr("{option} {text!r} is not a shape; write sizes separated by 'x', e.g. {option} 1x3x224x224", option=option, text=text))
    return tuple(None if p in ("None", "?") else int(p) for p in parts)


FORMATS = ("table", "json", "md", "csv", "html")


def add_format(p, choices=FORMATS, *, json_synonym: bool = False) -> None:
    """``--format`` (default table), the one option name for how a command prints its result;
    ``json_synonym`` keeps ``--json`` as a short way to write ``--format json`` where it existed."""
    p.add_argument("--format", choices=choices, default="table", help=tr("how to print the result: {choices} (default: table)", choices=", ".join(choices)))
    if json_synonym:
        p.add_argument("--json", dest="format", action="store_const", const="json", help=tr("the same as --format json"))


def render(summary, fmt: str) -> str:
    """Render a Summary in one of FORMATS (the report layer does the work)."""
    from .. import render as r

    return r.render(summary, fmt)
