"""The ``convlens`` command: one module per sub-command, each with ``register(subparsers)``.

Users' mistakes (a bad shape, an unknown layer, a missing file) print one line naming what is
wrong and what would work, and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
import threading

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


def requested_language(argv: list[str]) -> tuple[str | None, list[str]]:
    """The ``--lang`` of a command line and the command line without it, read before parsing: help
    and usage errors are then in that language too, and ``--lang`` may stand anywhere, also after a
    chain of layer calls (which ``calc`` and ``rf`` take as they are). A value that is not a language
    is left for argparse to refuse.

    >>> requested_language(["calc", "Conv2d(1, 2, 3)", "--lang", "ko"]), requested_language(["--lang=ko", "demo"])
    (('ko', ['calc', 'Conv2d(1, 2, 3)']), ('ko', ['demo']))
    >>> requested_language(["calc", "--lang", "fr"])
    (None, ['calc', '--lang', 'fr'])
    """
    lang, rest, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if value is not None and value.strip().lower() in LANGUAGES:
            lang = value.strip().lower()
            i += 2 if arg == "--lang" else 1
            continue
        rest.append(arg)
        i += 1
    return lang, rest


def main(argv: list[str] | None = None) -> int:
    lang, argv = requested_language(sys.argv[1:] if argv is None else list(argv))
    with language(lang), argparse_speaks():
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


def entry() -> None:
    """The ``convlens`` program (console script and ``python -m convlens``): ``main``, then ``finish``."""
    finish(main())


def finish(code: int) -> None:
    """End the program with ``code``, skipping the interpreter's own shutdown where it only costs time.

    With torch imported, Python's shutdown after the last line is written (clearing every module,
    libtorch's destructors) took ~0.5 s of a ~2.6 s ``convlens summary`` on the 2-core machine; flushing
    the output, running the ``atexit`` handlers and ``os._exit`` took ~0.04 s
    (``benchmarks/bench_coldstart.py``). The handlers are what a normal exit runs first (logging, temporary
    folders, multiprocessing, a model file's own); what is skipped is only the freeing of objects, which
    Python does not promise to finish at exit either. A normal exit when torch is not imported (nothing to
    gain), when another non-daemon thread is still running (the interpreter would wait for it), under a
    tracer or profiler (coverage and cProfile write their data after the program returns), when the
    output cannot be flushed (a closed pipe), or on a Python without ``atexit._run_exitfuncs``."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    # CPython's own step of a normal exit; the stdlib names no public form of it, so without it: a normal exit
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if "torch" not in sys.modules or others or sys.gettrace() is not None or sys.getprofile() is not None or run_handlers is None:
        sys.exit(code)
    if not _flushed():  # a closed pipe or stream: let the normal exit report it as it does
        sys.exit(code)
    run_handlers()
    _flushed()  # what the handlers printed
    os._exit(code)


def _flushed() -> bool:
    """Flush standard output and error; False where one of them cannot be written."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return False
    return True
