"""Keep the message catalogs complete: extract every message from the source, update the ``.po``
files, compile the ``.mo`` files the package ships, and check them (the suite runs the check).

    python -m convlens.i18n.catalog update    # new messages enter every language's .po, untranslated
    python -m convlens.i18n.catalog compile   # .po -> .mo, after translating
    python -m convlens.i18n.catalog check     # what tests/i18n/test_catalog.py asserts, as a report

Messages are found by Babel's extractors: in Python, the first argument of ``tr``/``N_`` and the
first two of ``trn``; in the page's JavaScript, ``tr("...")`` and ``trn("...", "...", n)``; in its
HTML, the text of an element marked ``data-tr`` and the attributes named by ``data-tr-attr``. Each
package is one domain (``core.po``, ``render.po``…), the page (``web/static``) is ``page.po``. Babel
is a test and development dependency only: at run time the stdlib's gettext reads the ``.mo``.
"""

from __future__ import annotations

import contextlib
import datetime
import html.parser
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from . import DEFAULT, DOMAINS, LANGUAGES, LOCALE_DIR, fields_of

SRC = Path(__file__).resolve().parents[1]  # src/convlens
STATIC = SRC / "web" / "static"
KEYWORDS = {"tr": (1,), "N_": (1,), "trn": (1, 2)}
HEADER = "Korean messages of convlens"
STAMP = datetime.datetime(2026, 12, 2, tzinfo=datetime.timezone.utc)  # a fixed header date: an update changes only what changed


def _new_catalog(lang: str, domain: str):
    from babel.messages.catalog import Catalog

    return Catalog(locale=lang, domain=domain, project="convlens", version="0.1", header_comment=f"# {HEADER}: {domain}",
                   creation_date=STAMP, revision_date=STAMP, last_translator="convlens", language_team="convlens",
                   fuzzy=False)


def domain_of(path: Path) -> str:
    """The catalog a source file's messages go to: its top package, ``page`` for the page's files."""
    rel = path.resolve().relative_to(SRC)
    if rel.parts[:2] == ("web", "static"):
        return "page"
    if len(rel.parts) == 1 or rel.parts[0] == "i18n":
        return "convlens"
    return rel.parts[0]


class _Marked(html.parser.HTMLParser):
    """Text of elements marked ``data-tr``, and attributes listed in ``data-tr-attr``, with line numbers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._open: list[tuple[str, int, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        line = self.getpos()[0]
        for name in (a.get("data-tr-attr") or "").split():
            if a.get(name):
                self.found.append((line, a[name]))
        if "data-tr" in a:
            self._open.append((tag, line, []))

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            _, line, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if text:
                self.found.append((line, text))


def extract_html(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the page's HTML (see the module's docstring)."""
    parser = _Marked()
    parser.feed(fileobj.read().decode(options.get("encoding", "utf-8")))
    for line, text in parser.found:
        yield line, "tr", text, []


def extracted() -> dict[str, dict[tuple[str, ...], list[tuple[str, int]]]]:
    """domain -> {message (one string, or singular and plural): [(file, line), ...]} over the whole source."""
    from babel.messages.extract import extract_from_dir

    method_map = [("web/static/**.js", "javascript"), ("web/static/**.html", "convlens.i18n.catalog:extract_html"),
                  ("**.py", "python")]
    out: dict[str, dict[tuple[str, ...], list[tuple[str, int]]]] = {d: {} for d in DOMAINS}
    # Babel warns of every f-string inside a tr() call, placeholder values included; the suite checks
    # instead that every message (the first argument) is a plain literal (tests/i18n/test_catalog.py)
    with contextlib.redirect_stderr(io.StringIO()):
        found = list(extract_from_dir(str(SRC), method_map, keywords=KEYWORDS, strip_comment_tags=True))
    for filename, lineno, message, _comments, _context in found:
        if "/i18n/catalog.py" in "/" + filename:
            continue
        key = tuple(message) if isinstance(message, tuple) else (message,)
        if any(not part for part in key):
            continue
        domain = domain_of(SRC / filename)
        out[domain].setdefault(key, []).append((filename, lineno))
    return out


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read(lang: str, domain: str):
    from babel.messages.pofile import read_po

    path = po_path(lang, domain)
    if not path.exists():
        return _new_catalog(lang, domain)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=domain)


def update() -> list[str]:
    """Bring every language's ``.po`` in line with the source; returns what changed, a line each."""
    from babel.messages.pofile import write_po

    report = []
    found = extracted()
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        for domain in DOMAINS:
            messages = found[domain]
            old = read(lang, domain)
            if not messages and not len(old):
                continue
            new = _new_catalog(lang, domain)
            for key, locations in sorted(messages.items(), key=lambda kv: (kv[1][0], kv[0])):
                msgid = key if len(key) > 1 else key[0]
                before = old.get(msgid)
                string = before.string if before is not None and not before.fuzzy else ("", "") if len(key) > 1 else ""
                new.add(msgid, string, locations=sorted({(f, None) for f, _ in locations}))
            gone = [m.id for m in old if m.id and new.get(m.id) is None]
            added = [m.id for m in new if m.id and old.get(m.id) is None]
            path = po_path(lang, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            write_po(buf, new, width=0, sort_output=False, omit_header=False, include_previous=False, include_lineno=False)
            if not path.exists() or path.read_bytes() != buf.getvalue():
                path.write_bytes(buf.getvalue())
                report.append(f"{path.relative_to(SRC.parent.parent)}: {len(added)} new, {len(gone)} gone")
    return report


def compiled(lang: str, domain: str) -> bytes:
    """The ``.mo`` bytes that ``lang``'s ``domain.po`` compiles to."""
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, read(lang, domain), use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> list[str]:
    report = []
    for lang in LANGUAGES:
        for domain in DOMAINS:
            if lang == DEFAULT or not po_path(lang, domain).exists():
                continue
            mo = po_path(lang, domain).with_suffix(".mo")
            data = compiled(lang, domain)
            if not mo.exists() or mo.read_bytes() != data:
                mo.write_bytes(data)
                report.append(str(mo.relative_to(SRC.parent.parent)))
    return report


def _percent_fields(message: str) -> set[str]:
    """The %-style placeholders of a message (argparse's own ones): ``%(prog)s``, ``%s`` -> {"prog", "%s"}."""
    return {m.group(1) or "%" + m.group(2) for m in re.finditer(r"%(?:\(([a-z_]+)\)[#0\- +]*\d*[a-z]|([sdr]))", message)}


def glossary() -> list[tuple[str, str]]:
    """(English term, Korean term) of ``glossary.tsv``, longest English term first."""
    rows = []
    for line in (Path(__file__).with_name("glossary.tsv")).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            en, ko = line.split("\t")[:2]
            rows.append((en.strip(), ko.strip()))
    return sorted(rows, key=lambda r: -len(r[0]))


_CODE = re.compile(r"\{[^{}]*\}|`[^`]*`|'[^']*'|--?[a-z][\w-]*|\w+[_.=]\w*|\w*[_.]\w+")


def glossary_misses(msgid: str, msgstr: str) -> list[str]:
    """The glossary's terms ``msgid`` uses (as words, outside placeholders, code and option names) that ``msgstr`` lacks.

    >>> glossary_misses("the kernel and its stride", "커널과 그 스트라이드"), glossary_misses("--stride {stride}", "x")
    ([], [])
    >>> glossary_misses("output size of the kernel", "출력의 크기")
    ['output size -> 출력 크기', 'kernel -> 커널']
    """
    words = _CODE.sub(" ", msgid).lower()
    missed = []
    for en, ko in glossary():
        pattern = r"(?<![\w-])" + re.escape(en.lower()) + r"(?![\w-])"
        if re.search(pattern, words):
            words = re.sub(pattern, " ", words)
            if ko not in msgstr:
                missed.append(f"{en} -> {ko}")
    return missed


def problems() -> list[str]:
    """Every way the catalogs fall short, a line each (empty: complete and current)."""
    out = []
    found = extracted()
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        seen: dict[str, tuple[str, str]] = {}
        for domain in DOMAINS:
            cat = read(lang, domain)
            where = f"{lang}/{domain}.po"
            for key, locations in found[domain].items():
                msgid = key if len(key) > 1 else key[0]
                m = cat.get(msgid)
                at = f"{locations[0][0]}:{locations[0][1]}"
                if m is None:
                    out.append(f"{where}: missing {key[0]!r} ({at}); run: python -m convlens.i18n.catalog update")
                    continue
                strings = m.string if isinstance(m.string, tuple) else (m.string,)
                if m.fuzzy or not all(strings):
                    out.append(f"{where}: untranslated or fuzzy {key[0]!r} ({at})")
                    continue
                want = set().union(*(fields_of(k) for k in key))
                want_pct = set().union(*(_percent_fields(k) for k in key))
                for s in strings:
                    if _percent_fields(s) != want_pct:
                        out.append(f"{where}: %-placeholders of {key[0]!r} are {sorted(want_pct)}, the translation has {sorted(_percent_fields(s))}")
                    if fields_of(s) != want:
                        out.append(f"{where}: placeholders of {key[0]!r} are {sorted(want)}, the translation has {sorted(fields_of(s))}")
                    try:
                        s.format(**{f: "x" for f in want})
                    except (ValueError, IndexError, KeyError) as exc:
                        out.append(f"{where}: translation of {key[0]!r} does not format: {exc}")
                for miss in glossary_misses(" ".join(key), " ".join(strings)):
                    out.append(f"{where}: {key[0]!r} uses the glossary's {miss}, its translation {strings[0]!r} does not")
                if len(key) == 1:
                    if key[0] in seen and seen[key[0]][1] != strings[0]:
                        out.append(f"{where}: {key[0]!r} reads {strings[0]!r} here but {seen[key[0]][1]!r} in {seen[key[0]][0]}")
                    seen.setdefault(key[0], (where, strings[0]))
            for m in cat:
                key = (m.id,) if isinstance(m.id, str) else tuple(m.id)
                if key[0] and key not in found[domain]:
                    out.append(f"{where}: {key[0]!r} is no longer in the source; run: python -m convlens.i18n.catalog update")
            if po_path(lang, domain).exists():
                mo = po_path(lang, domain).with_suffix(".mo")
                if not mo.exists() or mo.read_bytes() != compiled(lang, domain):
                    out.append(f"{where}: the .mo is not compiled from the .po; run: python -m convlens.i18n.catalog compile")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    what = args[0] if args else "check"
    if what == "update":
        print("\n".join(update()) or "the catalogs are up to date")
        return 0
    if what == "compile":
        print("\n".join(compile_all()) or "every .mo is current")
        return 0
    if what == "check":
        found = problems()
        print("\n".join(found) or "every message has its translation")
        return 1 if found else 0
    print("usage: python -m convlens.i18n.catalog update|compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
