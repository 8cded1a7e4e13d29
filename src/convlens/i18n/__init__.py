"""Every sentence convlens says, in the reader's language: English (the default) or Korean.

Text for people is written once, in English, as a message with named placeholders, and looked up
in the message catalogs of ``src/convlens/i18n/locale/<lang>/LC_MESSAGES/<domain>.mo`` (gettext,
compiled from the ``.po`` files next to them by ``python -m convlens.i18n.catalog compile``)::

    from convlens.i18n import tr, trn, N_

    raise LayerError(tr("{layer}: kernel {kernel} > input {size}", layer=name, kernel=k, size=s))
    trn("{n} layer", "{n} layers", n, n=n)          # plural forms (Korean has one)
    HEADERS = (N_("Layer"), N_("Params"))             # marked here, translated where shown: tr(HEADERS[0])

Numbers, shapes, formulas and layer or argument names are placeholders' values: they are formatted
by the report layer and never translated. One catalog (domain) per package: ``core.po`` holds the
core's messages, ``page.po`` the page's (JavaScript and HTML), and so on; a message is looked up in
every catalog of the language, so a sentence shared by two packages reads the same in both.

The language is chosen, most specific first, by a ``lang=`` argument where text is produced (or
``with language("ko"):``), by :func:`set_language`, or by the environment (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``: a ``ko`` locale selects Korean). This module imports only the standard
library, so every package, the core included, may use it.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import os
import string
from functools import lru_cache
from pathlib import Path

from ..errors import UserError

LANGUAGES = ("en", "ko")  # English is the language of the source; every other one has a catalog
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("core", "record", "frontends", "design", "render", "zoo", "targets", "data", "train", "web", "cli", "convlens", "page")

_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("convlens_language", default=None)
_process_language: list[str | None] = [None]  # set_language's choice; None: read the environment
_environment_language: list[str | None] = [None]  # the environment's choice, read once (set_language(None) reads it again)


def normalize(lang: str | None) -> str | None:
    """``"ko"``, ``"ko_KR.UTF-8"``, ``"ko-KR"`` -> ``"ko"``; ``"C"``, ``"en_US"`` -> ``"en"``; None or ``""`` -> None.

    >>> normalize("ko_KR.UTF-8"), normalize("en_GB"), normalize("C.UTF-8"), normalize("")
    ('ko', 'en', 'en', None)
    """
    if not lang:
        return None
    head = lang.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return head if head in LANGUAGES else "en"


def from_environment(environ: dict[str, str] | None = None) -> str:
    """The language a locale selects, as gettext reads it: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``.

    >>> from_environment({"LANG": "ko_KR.UTF-8"}), from_environment({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"})
    ('ko', 'en')
    >>> from_environment({"LANGUAGE": "ko:en", "LANG": "C.UTF-8"}), from_environment({})
    ('ko', 'en')
    """
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            if name == "LANGUAGE":  # a priority list, "ko:en"; gettext reads it only with a locale other than C
                first = value.split(":")[0]
                if normalize(first) in LANGUAGES:
                    return normalize(first) or DEFAULT
                continue
            return normalize(value) or DEFAULT
    return DEFAULT


def check(lang: str) -> str:
    """``lang`` as one of :data:`LANGUAGES`, or a ``UserError`` naming the choices."""
    value = (lang or "").strip().lower().replace("-", "_").split("_")[0]
    if value not in LANGUAGES:
        raise UserError(tr("unknown language {lang!r}; choose one of: {choices}", lang=lang, choices=", ".join(LANGUAGES)))
    return value


def set_language(lang: str | None) -> None:
    """Choose the language of everything convlens writes in this process: ``"en"``, ``"ko"``, or None (the environment's)."""
    _process_language[0] = None if lang is None else check(lang)
    _environment_language[0] = None


def current() -> str:
    """The language text is written in right now."""
    chosen = _chosen.get() or _process_language[0] or _environment_language[0]
    if chosen is None:
        chosen = _environment_language[0] = from_environment()
    return chosen


@contextlib.contextmanager
def language(lang: str | None):
    """Write in ``lang`` inside the block (None: leave the choice as it is); for this thread or task only."""
    if lang is None:
        yield current()
        return
    token = _chosen.set(check(lang))
    try:
        yield _chosen.get()
    finally:
        _chosen.reset(token)


@lru_cache(maxsize=None)
def _catalog(lang: str, domain: str) -> gettext.GNUTranslations | None:
    """``lang``'s compiled catalog of ``domain``, read once; None where there is none."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.mo"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return gettext.GNUTranslations(fh)


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """Every catalog of ``lang`` chained into one (English: the messages as written)."""
    if lang == DEFAULT:
        return gettext.NullTranslations()
    chain = gettext.NullTranslations()
    for found in filter(None, (_catalog(lang, domain) for domain in DOMAINS)):
        chain.add_fallback(found)  # NullTranslations passes every lookup on along its fallbacks, in order
    return chain


def _format(text: str, fields: dict) -> str:
    return text.format(**fields) if fields else text


def tr(message: str, /, **fields) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``fields``.

    >>> tr("{layer}: {n} features", layer="fc1", n="1,152")
    'fc1: 1,152 features'
    >>> with language("ko"):
    ...     tr("unknown language {lang!r}; choose one of: {choices}", lang="fr", choices="en, ko")
    "알 수 없는 언어 'fr'입니다. 다음 중 하나를 고르세요: en, ko"
    """
    lang = current()
    text = message if lang == DEFAULT else translations(lang).gettext(message)
    return _format(text, fields)


def trn(singular: str, plural: str, n: int, /, **fields) -> str:
    """The singular or plural form for ``n``, in the current language, placeholders filled from ``fields``.

    >>> trn("{n} layer", "{n} layers", 1, n=1), trn("{n} layer", "{n} layers", 3, n=3)
    ('1 layer', '3 layers')
    """
    lang = current()
    if lang == DEFAULT:
        text = singular if n == 1 else plural
    else:
        text = translations(lang).ngettext(singular, plural, n)
    return _format(text, fields)


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalog where it is defined (a constant); translate it with :func:`tr` where shown."""
    return message


def fields_of(message: str) -> set[str]:
    """The placeholder names of a message: ``"{layer}: {n!r} x{k:,}"`` -> ``{"layer", "n", "k"}``.

    >>> sorted(fields_of("{layer}: {n!r} x{k:,} {{literal}}"))
    ['k', 'layer', 'n']
    """
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def _entries(lang: str, domains: tuple[str, ...] | None):
    """(key, translation) of ``lang``'s catalogs, in the order of ``domains``: a key is a msgid, or
    (msgid, n) for each plural form (the stdlib's one table of a catalog)."""
    for domain in domains or DOMAINS:
        found = _catalog(lang, domain)
        if found is not None:
            yield from found._catalog.items()  # noqa: SLF001


def translated(lang: str, domains: tuple[str, ...] | None = None) -> dict[str, str]:
    """msgid -> translation of ``lang``'s catalogs (the page reads ``page``'s as JSON); English: empty."""
    lang = check(lang)
    if lang == DEFAULT:
        return {}
    return {k: v for k, v in _entries(lang, domains) if isinstance(k, str) and k}


def plural_forms(lang: str, domains: tuple[str, ...] | None = None) -> dict[str, list[str]]:
    """singular msgid -> its translated forms, in order, of ``lang``'s catalogs; English: empty."""
    lang = check(lang)
    if lang == DEFAULT:
        return {}
    forms: dict[str, list[str]] = {}
    for key, text in sorted(((k, v) for k, v in _entries(lang, domains) if isinstance(k, tuple)), key=lambda kv: str(kv[0])):
        forms.setdefault(key[0], []).append(text)
    return forms


__all__ = ["LANGUAGES", "DEFAULT", "tr", "trn", "N_", "set_language", "language", "current", "from_environment",
           "normalize", "check", "fields_of", "translated", "plural_forms", "translations"]
