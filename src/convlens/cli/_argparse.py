"""argparse's own words ("usage: ", "options", "invalid choice: ...") in the reader's language.

argparse looks its messages up through ``argparse._`` and ``argparse.ngettext`` (the stdlib's
gettext, domain ``messages``). The messages are marked here exactly as argparse 3.11 writes them,
%-placeholders included, so that they enter ``cli.po``; :func:`argparse_speaks` points argparse's
two look-ups at convlens's catalogs while convlens writes in a language other than English, and
puts the stdlib's back afterwards. English output is argparse's own, untouched.
"""

from __future__ import annotations

import argparse
import contextlib

from ..i18n import DEFAULT, N_, current, translations

# argparse's messages (Lib/argparse.py, Python 3.11), verbatim: the catalog's msgids must equal them. Those it
# raises only for a parser built wrongly (a programmer's error, never a user's: "dest= is required for options
# like %r", "conflicting subparser: %s", ...) are left out. "subcommands" is the default title it translates.
MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("subcommands"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("cannot have multiple subparser arguments"),
)
# and ngettext's two pairs, marked below (Korean has one form: the catalog's msgstr[0])


def _marks_plurals_for_the_catalog():  # never called: the catalog's extractor reads trn's first two arguments
    from ..i18n import trn

    return (trn("expected %s argument", "expected %s arguments", 1),
            trn("conflicting option string: %s", "conflicting option strings: %s", 1))


_STDLIB = (argparse._, argparse.ngettext)  # noqa: SLF001 (the stdlib's look-ups, as argparse imported them)


def _gettext(message):
    lang = current()
    if lang == DEFAULT or message is None:  # argparse passes None for a missing description
        return _STDLIB[0](message) if message is not None else None
    return translations(lang).gettext(message)


def _ngettext(singular, plural, n):
    lang = current()
    if lang == DEFAULT:
        return _STDLIB[1](singular, plural, n)
    return translations(lang).ngettext(singular, plural, n)


@contextlib.contextmanager
def argparse_speaks(lang: str | None = None):
    """argparse writes its own messages in ``lang`` (default: the current language) inside the block."""
    lang = lang or current()
    if lang == DEFAULT or argparse._ is _gettext:  # noqa: SLF001 (English: argparse's own; already patched: nothing to do)
        yield
        return
    saved = argparse._, argparse.ngettext  # noqa: SLF001
    argparse._, argparse.ngettext = _gettext, _ngettext  # noqa: SLF001
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # noqa: SLF001


class _WideText:
    """argparse's help formatting, wrapping Korean by the columns it takes (argparse counts characters,
    so a line of Hangul would run to twice the terminal's width); English is argparse's own."""

    def _split_lines(self, text, width):
        if current() == DEFAULT:
            return super()._split_lines(text, width)
        from ..render import wrap  # measured in display columns

        return wrap(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text, width, indent):
        if current() == DEFAULT or isinstance(self, argparse.RawDescriptionHelpFormatter):
            return super()._fill_text(text, width, indent)
        from ..render import wrap

        return "\n".join(indent + line for line in wrap(self._whitespace_matcher.sub(" ", text).strip(), width - len(indent)))


def wide(formatter_class: type) -> type:
    """``formatter_class`` wrapping by columns (see :class:`_WideText`)."""
    if issubclass(formatter_class, _WideText):
        return formatter_class
    return type(f"Wide{formatter_class.__name__}", (_WideText, formatter_class), {})
