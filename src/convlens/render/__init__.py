"""Reports: every renderer reads only a ``convlens.record.Summary`` and returns text.

    render(summary, "table")                      # terminal table (terminal.py)
    render(summary, "table", style="tutorial")    # the hand-drawn flow: what each layer does
    render(summary, "md" | "json" | "csv" | "html")
    render(summary, "diagnostics")                # only the diagnostics (convlens check)
    breakdown(summary)                            # '260,160 = (3×64×3×3 + 64) + …'
    layer_detail(summary)                         # one layer in full (convlens calc Conv2d …; detail.py)
    receptive_table(summary), receptive_json(summary)   # the field after every layer (convlens rf; receptive.py)
    comparison([(label, summary), …], "table" | "md")    # models side by side (convlens compare; compare.py)
    table(header, rows)                           # a plain text (or Markdown) table of given cells (convlens data list, eval)

``report.build`` turns a Summary into the sections (header facts, rows with their cells spelled,
totals, notes, diagnostics) that the terminal, Markdown and HTML writers lay out; JSON and CSV
write the record's numbers. Numbers are formatted in ``_format`` only; the family table behind
the tutorial phrases is ``_layers`` (weight layouts come from each core layer's declaration).
No renderer imports a framework or a core layer class. Each writer's module is imported when it is
first asked for: a script that prints one table does not pay for the HTML, Markdown or comparison ones.
"""

from __future__ import annotations

import importlib
from enum import StrEnum

from ..i18n import language, tr

from ._breakdown import breakdown
from ._common import Style
from ._table import table
from ._format import wrap, width  # display columns: a Hangul syllable takes two (the CLI's help wraps by them too)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    MD = "md"
    CSV = "csv"
    HTML = "html"
    DIAGNOSTICS = "diagnostics"  # only the diagnostics section, as `convlens check` prints it


_RENDERERS = {  # format -> (module of this package, function)
    Format.TABLE: ("terminal", "render"),
    Format.JSON: ("jsonout", "render"),
    Format.MD: ("markdown", "render"),
    Format.CSV: ("csvout", "render"),
    Format.HTML: ("html", "render"),
    Format.DIAGNOSTICS: ("terminal", "render_diagnostics"),
}


def _writer(module: str):
    return importlib.import_module(f"{__name__}.{module}")


def render(summary, fmt: str = "table", *, depth: int | None = None, style: str = "default",
           show_calculation: bool = False, color: bool = False, width: int | None = None, lang: str | None = None) -> str:
    """Render ``summary`` as ``fmt``, one of ``table``, ``json``, ``md``, ``csv``, ``html``, or
    ``diagnostics`` (only the diagnostics section of the table).

    ``depth``: hide rows nested deeper than this (0 = top level); totals are unchanged.
    ``style``: ``"default"`` (shapes, parameters, MACs) or ``"tutorial"`` (input size, output size
    and what each layer does, as the hand-drawn tables show it; table, md and html).
    ``show_calculation``: print each row's worked calculation under it (table, md, html).
    ``color``: ANSI colours (table only). ``width``: terminal width for the table.
    ``lang``: the language of the text, ``"en"`` or ``"ko"`` (None: the current one; JSON keys stay English).
    """
    with language(lang):
        try:
            fmt = Format(fmt)
        except ValueError:
            raise ValueError(tr("unknown format {fmt!r}; valid formats: {choices}", fmt=fmt, choices=", ".join(f.value for f in Format))) from None
        module, function = _RENDERERS[fmt]
        return getattr(_writer(module), function)(summary, depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)


def layer_detail(summary, *, lang: str | None = None) -> str:
    """The first (usually only) row of ``summary`` in full: shapes, each weight, counts,
    receptive field, worked calculation, warnings and notes."""
    return _writer("detail").render(summary, lang=lang)


def receptive_table(summary, *, lang: str | None = None) -> str:
    """Receptive-field size, jump and start after every row, with the composition formula."""
    return _writer("receptive").table(summary, lang=lang)


def receptive_json(summary) -> str:
    """The same figures as ``receptive_table``, as a JSON list with one object per row."""
    return _writer("receptive").json_text(summary)


def comparison(items, fmt: str = "table", *, lang: str | None = None) -> str:
    """Several summaries side by side: ``items`` are ``(label, Summary)`` pairs, the first the
    one the others are measured against; ``fmt`` is ``table`` or ``md``."""
    return _writer("compare").render(items, fmt, lang=lang)


__all__ = ["Format", "Style", "breakdown", "comparison", "layer_detail", "receptive_json", "receptive_table", "render", "table", "width", "wrap"]
