"""The terminal report: a layer table (or the tutorial flow), totals, the parameter breakdown,
notes and diagnostics, as plain text that fits the terminal's width.

When the layer table is wider than the terminal, layer names are shortened first (whole path
components or words, never a word cut in two), then the input-shape column is dropped. The
tutorial flow drops no column: its "what it does" text wraps onto continuation lines and names are
shortened at word boundaries. Explanatory lines under a row (an error, a worked calculation) wrap
on words.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass, field

from ..i18n import N_, language, tr
from . import _format as f
from ._common import Options, Style, source_line_number
from .report import build

GAP = "  "
REPEAT_MARK = "↻ "
_ANSI = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36", "green": "32"}
_SEVERITY = {"error": (N_("ERROR"), "red"), "warning": (N_("WARNING"), "yellow"), "info": (N_("INFO"), "cyan")}


def render(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None, lang: str | None = None) -> str:
    """The summary as terminal text; ``width`` defaults to the terminal's (100 when unknown); ``lang``: ``"en"``, ``"ko"``
    (None: the current language)."""
    with language(lang):
        opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
        w = opts.width or max(40, shutil.get_terminal_size((100, 24)).columns)
        return "\n".join(_Report(summary, opts, w).lines())


def render_diagnostics(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None,
                       lang: str | None = None) -> str:
    """Only the diagnostics section (``convlens check``); the failing rows when the forward pass
    stopped without a diagnostic; one line saying so when there is nothing to report."""
    with language(lang):
        return _render_diagnostics(summary, depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)


def _render_diagnostics(summary, *, depth, style, show_calculation, color, width) -> str:
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    w = opts.width or max(40, shutil.get_terminal_size((100, 24)).columns)
    report = _Report(summary, opts, w)
    out = []
    if summary.failed and not summary.errors:
        for row, name in zip(report.r.rows, report.r.full_names):
            if row.failed:
                out += report.wrap(f"✗ {name} ({row.type}): {row.failed}", "", "  ")
    if summary.diagnostics:
        out += report.diagnostics()
    if not out:
        out.append(tr("No problems found in {model} on input {input}.", model=summary.title,
                      input=f.shapes(summary.input_shapes, summary.framework)))
    return "\n".join(out)


@dataclass
class _Label:
    """The Layer cell: indentation by depth, a mark for repeated calls, the name, the type."""

    indent: str
    mark: str
    name: str
    type: str

    def text(self) -> str:
        name = self.name or tr("(model)")
        return f"{self.indent}{self.mark}{name} ({self.type})"

    def fit(self, width: int) -> str:
        """The cell in ``width`` characters: the type kept whole while the name keeps 8, the
        name shortened to its last path components (its parent row is above it)."""
        full = self.text()
        if f.width(full) <= width:
            return full
        name = self.name or tr("(model)")
        room = width - len(self.indent) - len(self.mark) - 3  # " (" and ")"
        name_room = room - len(self.type)
        type_name = self.type
        if name_room < min(len(name), 8):
            name_room = min(len(name), 10)
            type_room = room - name_room
            if type_room < 4:
                return f.truncate_middle(full, width)
            type_name = self.type[: type_room - 1] + "…"
        return f"{self.indent}{self.mark}{_shorten_path(name, name_room)} ({type_name})"


def _shorten_path(name: str, width: int) -> str:
    """``'layer4.1.downsample.0'`` in ``width`` characters: its last dotted components after an
    ellipsis when they fill most of the room, else the middle cut out. A name without dots (a
    Keras layer's) loses whole words instead (``_shorten_words``).

    >>> _shorten_path("resblock1.shortcut", 9), _shorten_path("layer4.1.downsample.0", 14)
    ('…shortcut', '…downsample.0')
    >>> _shorten_path("encoder.stage4.block2.downsample.projection", 21), _shorten_path("a_very_long_single_name", 12)
    ('encoder.st…projection', 'a_…_name')
    """
    if len(name) <= width:
        return name
    if "." not in name:
        return _shorten_words(name, width)
    parts = name.split(".")
    for i in range(1, len(parts)):
        tail = ".".join(parts[i:])
        if len(tail) + 1 <= width:
            if 5 * (len(tail) + 1) >= 3 * width:
                return "…" + tail
            break
    return f.truncate_middle(name, width)


def _shorten_words(name: str, width: int) -> str:
    """``name`` in ``width`` characters by leaving out whole ``_``-separated words from the middle,
    never cutting one in two (``batch_normalization_1`` -> ``batch_…_1``); a name whose first
    word alone does not fit is cut in the middle.

    >>> _shorten_words("max_pooling2d_1", 12), _shorten_words("batch_normalization", 10), _shorten_words("conv2d_transpose_12", 14)
    ('max_…_1', 'batch_…', 'conv2d_…_12')
    """
    if len(name) <= width:
        return name
    words = re.split(r"(?<=_)", name)  # each word keeps its trailing "_"
    head, tail = [], []
    room = width - 1  # the ellipsis
    last = "_" + words[-1]  # the separator the left-out words had
    if len(words) > 1 and len(last) <= room - len(words[0]):
        tail.append(last)
        room -= len(last)
    for word in words[: len(words) - len(tail)]:
        if len(word) > room:
            break
        head.append(word)
        room -= len(word)
    if not head:
        return f.truncate_middle(name, width)
    return "".join(head) + "…" + "".join(tail)


@dataclass
class _Column:
    header: str
    cells: list
    right: bool = False  # right-aligned (numbers)
    fit_end: bool = False  # shorten at the end ("…") instead of the middle
    wrap: bool = False  # wrap onto continuation lines instead of shortening
    width: int = field(default=0)

    def natural(self) -> int:
        return max([f.width(self.header)] + [f.width(_text(c)) for c in self.cells])

    def lines(self, i: int) -> list[str]:
        """The cell as one line, or several for a wrapping column."""
        c = self.cells[i]
        if self.wrap and f.width(c) > self.width:
            if f.width(c) == len(c):
                return [s.ljust(self.width) for s in textwrap.wrap(c, self.width, break_on_hyphens=False)]
            return [f.ljust(s, self.width) for s in f.wrap(c, self.width)]
        return [self.cell(i)]

    def cell(self, i: int) -> str:
        c = self.cells[i]
        if isinstance(c, _Label):
            s = c.fit(self.width)
        elif f.width(c) > self.width:
            s = f.cut(c, self.width, middle=not self.fit_end)
        else:
            s = c
        return f.rjust(s, self.width) if self.right else f.ljust(s, self.width)


def _text(c) -> str:
    return c.text() if isinstance(c, _Label) else c


def _fit(columns: list[_Column], plan: list[tuple], width: int) -> list[_Column]:
    """Choose column widths so a row fits ``width``.

    ``plan`` lists the steps in the order they are tried, each taken only as far as needed:
    ``(column, min_width)`` shrinks a column, ``(column, None)`` drops it. After a drop the plan
    starts again from the natural widths, so columns shrunk before the drop get their room back.
    """
    dropped: set[int] = set()
    while True:
        cols = [c for c in columns if id(c) not in dropped]
        for c in cols:
            c.width = c.natural()
        over = sum(c.width for c in cols) + len(GAP) * (len(cols) - 1) - width
        restart = False
        for column, minimum in plan:
            if over <= 0:
                break
            if id(column) in dropped:
                continue
            if minimum is None:
                dropped.add(id(column))
                restart = True
                break
            if column.width > minimum:
                cut = min(over, column.width - minimum)
                column.width -= cut
                over -= cut
        if not restart:
            return cols


class _Report:
    """Lays the sections of ``report.build`` out as terminal text of a given width."""

    def __init__(self, summary, opts: Options, width: int):
        self.r = build(summary, opts)
        self.o = opts
        self.width = width

    # -- helpers -----------------------------------------------------------------------------
    def paint(self, text: str, *styles: str) -> str:
        if not self.o.color or not styles or not text:
            return text
        codes = ";".join(_ANSI[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def wrap(self, text: str, indent: str, hanging: str | None = None) -> list[str]:
        return f.wrap(text, max(20, self.width), initial_indent=indent,
                      subsequent_indent=indent if hanging is None else hanging) or [indent.rstrip()]

    # -- sections ----------------------------------------------------------------------------
    def lines(self) -> list[str]:
        out = [self.paint(self.r.title, "bold")]
        out += self.wrap(" · ".join(f"{k}: {v}" for k, v in self.r.facts), "")
        if self.r.failed:
            out += [self.paint(l, "red") for l in self.wrap(tr(
                "The forward pass did not complete: the table stops at the failing layer and the totals cover "
                "only the layers that ran."), "")]
        out.append("")
        out += self.table()
        out.append("")
        out += self.totals()
        out += self.breakdown()
        if self.r.notes:
            out.append("")
            out.append(self.paint(tr("Notes"), "bold"))
            for note in self.r.notes:
                out += self.wrap(note, "  - ", "    ")
        if self.r.diagnostics:
            out.append("")
            out += self.diagnostics()
        return out

    def table(self) -> list[str]:
        rows = self.r.rows
        labels = [_Label("  " * r.depth, REPEAT_MARK if r.repeated else "", r.name, r.type) for r in rows]
        inputs = [r.inputs for r in rows]
        outputs = [r.output for r in rows]
        if self.r.style is Style.TUTORIAL:
            label, ins, outs = _Column(tr("Layer"), labels), _Column(tr("Input size"), inputs), _Column(tr("Output size"), outputs)
            # a failed row's message is printed in full on the line under it
            what = _Column(tr("What it does"), [tr("✗ failed: see below") if r.failed else r.what for r in rows], wrap=True)
            columns = [label, ins, outs, what]
            plan = [(what, 32), (label, 30), (what, 24), (label, 24), (what, 16), (label, 12)]  # no column is dropped
        else:
            label, ins, outs = _Column(tr("Layer (type)"), labels), _Column(tr("Input shape"), inputs), _Column(tr("Output shape"), outputs)
            columns = [label, ins, outs, _Column(tr("Params"), [r.params for r in rows], right=True),
                       _Column(tr("MACs"), [r.macs for r in rows], right=True)]
            plan = [(label, 18), (ins, None), (outs, 12)]
            if self.r.graph:  # Keras's "Connected to" column for a model that is not a chain
                connected = _Column(tr("Connected to"), [r.connected_to for r in rows])
                columns.append(connected)
                plan = [(connected, 16), (label, 18), (outs, 12), (connected, None), (ins, None)]
        cols = _fit(columns, plan, self.width)
        table_width = sum(c.width for c in cols) + len(GAP) * (len(cols) - 1)
        rule, thick = "-" * table_width, "=" * table_width
        header = GAP.join(f.rjust(c.header, c.width) if c.right else f.ljust(c.header, c.width) for c in cols).rstrip()
        out = [thick, self.paint(header, "bold"), rule]
        if not rows:
            out.append(tr("(no layers)"))
        for n, row in enumerate(rows):
            cells = [c.lines(n) for c in cols]
            for k in range(max(len(lines) for lines in cells)):
                line = GAP.join(lines[k] if k < len(lines) else " " * c.width for c, lines in zip(cols, cells)).rstrip()
                out.append(self.paint(line, "red") if row.failed else line)
            indent = "  " * row.depth + "    "
            if row.failed:
                out += [self.paint(l, "red") for l in self.wrap(f"✗ {row.failed}", indent, indent + "  ")]
            for w in row.warnings:
                out += [self.paint(l, "yellow") for l in self.wrap(f"! {w}", indent, indent + "  ")]
            for calc in row.calculation:
                out += [self.paint(l, "dim") for l in self.wrap(calc, indent + "│ ", indent + "│   ")]
        out.append(thick)
        legend = []
        if self.r.repeats:
            legend.append(tr("{mark} a repeated call of a module listed above; its parameters are counted once.", mark=REPEAT_MARK.strip()))
        if self.r.hidden:
            legend.append(self.r.hidden_note)
        for text in legend:
            out += self.wrap(text, "")
        return out

    def totals(self) -> list[str]:
        pairs = self.r.totals
        pad = max(f.width(k) for k, _ in pairs) + 2
        out = []
        for label, value in pairs:
            out += self.wrap(value, f.ljust(f"{label}:", pad), " " * pad)
        return out

    def breakdown(self) -> list[str]:
        if not self.r.has_weights:
            return []
        title = self.paint(tr("Parameters, layer by layer (in × out × kernel + bias)"), "bold")
        return ["", title] + self.r.breakdown(self.width)

    def diagnostics(self) -> list[str]:
        diags = self.r.diagnostics
        out = [self.paint(tr("Diagnostics: {counts}", counts=self.r.diagnostic_counts), "bold")]
        for d in diags:
            word, colour = _SEVERITY.get(d.severity, (d.severity.upper(), "bold"))
            head = f"  {self.paint(tr(word), colour, 'bold')} [{d.code}]"
            if d.layer:
                head += f" {d.layer}"
            if d.source:
                head += " " + tr("at {source}", source=d.source)
            out.append(head)
            if d.code_line:
                lineno = source_line_number(d.source)
                out.append(f"      {lineno} | {d.code_line.strip()}" if lineno else f"      | {d.code_line.strip()}")
            out += self.wrap(d.message, "      ")
            if d.fix:
                out += [self.paint(l, "green") for l in self.wrap(tr("fix: {fix}", fix=d.fix), "      ", "           ")]
        return out
