"""The ``convlens`` command: one module per sub-command, each with ``register(subparsers)``.

Users' mistakes (a bad shape, an unknown layer, a missing file) print one line naming what is
wrong and what would work, and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import UserError

# sub-command modules, in the order `convlens --help` lists them
COMMANDS = ("demo", "calc", "solve", "rf", "summary", "check", "draw", "zoo", "compare", "export", "serve",
            "train", "eval", "predict", "features", "data")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: one line, exit 2
        self.exit(2, f"convlens: {message} (see 'convlens {self.prog.split(' ', 1)[-1] if ' ' in self.prog else ''} --help')\n".replace("  ", " "))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="convlens", description="Shapes, parameters, cost and receptive fields of convolutional networks, computed and explained.")
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"convlens {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        args = parser.parse_args(["demo"])
    try:
        return int(args.run(args) or 0)
    except UserError as exc:  # every user's mistake, from any layer below: the one place they become exit 2
        print(f"convlens: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `convlens ... | head`
        return 0
    except KeyboardInterrupt:
        print("convlens: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in convlens, not the user's mistake: still one line unless asked
        if os.environ.get("CONVLENS_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"convlens: internal error: {type(exc).__name__}: {first} (run with CONVLENS_DEBUG=1 for the traceback, and please report it)", file=sys.stderr)
        return 3


def entry() -> None:  # pragma: no cover
    sys.exit(main())
