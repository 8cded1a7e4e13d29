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
from ..i18n import LANGUAGES, N_, language, tr
from ._argparse import argparse_speaks, wide

# sub-command modules, in the order `convlens --help` lists them
COMMANDS = ("demo", "calc", "solve", "rf", "summary", "check", "draw", "zoo", "compare", "export", "serve",
            "train", "eval", "predict", "features", "data")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, formatter_class=argparse.HelpFormatter, **kwargs):  # Korean help wrapped by its columns
        super().__init__(*args, formatter_class=wide(formatter_class), **kwargs)

    def error(self, message):  # argparse's own usage errors: one line, exit 2
        command = f"convlens {self.prog.split(' ', 1)[-1] if ' ' in self.prog else ''}"
        self.exit(2, ("convlens: " + tr("{message} (see '{command} --help')", message=message, command=command) + "\n").replace("  ", " "))


LANG_HELP = N_("the language convlens writes in: {choices} (default: the locale's, from LANG/LC_ALL; else en)")


def add_lang(p: argparse.ArgumentParser) -> None:
    """``--lang`` on a parser: every command takes it, before or after its own arguments."""
    p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=tr(LANG_HELP, choices=", ".join(LANGUAGES)))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="convlens", description=tr("Shapes, parameters, cost and receptive fields of convolutional networks, computed and explained."))
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"convlens {__version__}",
                        help=tr("show program's version number and exit"))
    add_lang(parser)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    _add_lang_everywhere(parser)
    return parser


def _add_lang_everywhere(parser: argparse.ArgumentParser) -> None:
    """``--lang`` on every sub-command, sub-sub-commands (`zoo list`, `data get`) included."""
    for action in parser._actions:  # noqa: SLF001 (argparse's list of options)
        if not isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            continue
        for child in action.choices.values():
            if not any("--lang" in a.option_strings for a in child._actions):  # noqa: SLF001
                add_lang(child)
            _add_lang_everywhere(child)


def requested_language(argv: list[str]) -> str | None:
    """The ``--lang`` of a command line, read before parsing so that help and usage errors are in it too.

    >>> requested_language(["calc", "--lang", "ko", "Conv2d"]), requested_language(["--lang=ko"]), requested_language(["calc"])
    ('ko', 'ko', None)
    """
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            continue
        if value.strip().lower() in LANGUAGES:
            return value.strip().lower()
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with language(requested_language(argv)), argparse_speaks():
        return _main(argv)


def _main(argv: list[str]) -> int:
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
        print("convlens: " + tr("interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in convlens, not the user's mistake: still one line unless asked
        if os.environ.get("CONVLENS_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print("convlens: " + tr("internal error: {error}: {first} (run with CONVLENS_DEBUG=1 for the traceback, and please report it)",
                                error=type(exc).__name__, first=first), file=sys.stderr)
        return 3


def entry() -> None:  # pragma: no cover
    sys.exit(main())
