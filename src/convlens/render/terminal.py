"""The terminal report: a layer table (or the tutorial flow), totals, the parameter breakdown,
notes and diagnostics, as plain text that fits the terminal's width.

Rows are never wrapped: when the table is wider than the terminal, layer names are shortened in
the middle first, then the "what it does" text at its end, then the input-shape column is
dropped. Explanatory lines under a row (an error, a worked calculation) wrap on words.
"""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass, field

from . import _format as f
from ._breakdown import wrapped as breakdown_lines
from ._common import (
    Options, Style, diagnostic_counts, header_facts, macs_cell, output_cell, params_cell, row_warnings, short_names, source_line_number, totals, visible,
)
from ._flow import describe

GAP = "  "
REPEAT_MARK = "↻ "
_ANSI = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36", "green": "32"}
_SEVERITY = {"error": ("ERROR", "red"), "warning": ("WARNING", "yellow"), "info": ("INFO", "cyan")}


def render(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None) -> str:
    """The summary as terminal text; ``width`` defaults to the terminal's (100 when unknown)."""
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    w = opts.width or max(40, shutil.get_terminal_size((100, 24)).columns)
    return "\n".join(_Report(summary, opts, w).lines())


def render_diagnostics(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None) -> str:
    """Only the diagnostics section (``convlens check``); the failing rows when the forward pass
    stopped without a diagnostic; one line saying so when there is nothing to report."""
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    w = opts.width or max(40, shutil.get_terminal_size((100, 24)).columns)
    report = _Report(summary, opts, w)
    out = []
    if summary.failed and not summary.errors:
        for row in summary.layers:
            if row.failed:
                out += report.wrap(f"✗ {row.name} ({row.type}): {row.failed}", "", "  ")
    if summary.diagnostics:
        out += report.diagnostics()
    if not out:
        out.append(f"No problems found in {summary.title} on input {f.shapes(summary.input_shapes, summary.framework)}.")
    return "\n".join(out)


@dataclass
class _Label:
    """The Layer cell: indentation by depth, a mark for repeated calls, the name, the type."""

    indent: str
    mark: str
    name: str
    type: str

    def text(self) -> str:
        name = self.name or "(model)"
        return f"{self.indent}{self.mark}{name} ({self.type})"

    def fit(self, width: int) -> str:
        """The cell in ``width`` characters: the type kept whole while the name keeps 8, the
        name shortened to its last path components (its parent row is above it)."""
        full = self.text()
        if len(full) <= width:
            return full
        name = self.name or "(model)"
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
    ellipsis when they fill most of the room, else the middle cut out.

    >>> _shorten_path("resblock1.shortcut", 9), _shorten_path("layer4.1.downsample.0", 14)
    ('…shortcut', '…downsample.0')
    >>> _shorten_path("encoder.stage4.block2.downsample.projection", 21), _shorten_path("a_very_long_single_name", 12)
    ('encoder.st…projection', 'a_very…_name')
    """
    if len(name) <= width:
        return name
    parts = name.split(".")
    for i in range(1, len(parts)):
        tail = ".".join(parts[i:])
        if len(tail) + 1 <= width:
            if 5 * (len(tail) + 1) >= 3 * width:
                return "…" + tail
            break
    return f.truncate_middle(name, width)


@dataclass
class _Column:
    header: str
    cells: list
    right: bool = False  # right-aligned (numbers)
    fit_end: bool = False  # shorten at the end ("…") instead of the middle
    width: int = field(default=0)

    def natural(self) -> int:
        return max([len(self.header)] + [len(_text(c)) for c in self.cells])

    def cell(self, i: int) -> str:
        c = self.cells[i]
        if isinstance(c, _Label):
            s = c.fit(self.width)
        elif len(c) > self.width:
            s = (c[: self.width - 1] + "…") if self.fit_end else f.truncate_middle(c, self.width)
        else:
            s = c
        return s.rjust(self.width) if self.right else s.ljust(self.width)


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


def _is_graph(layers) -> bool:
    """Some row reads other than the row before it (a branch, a merge, several inputs)."""
    leaves = [r for r in layers if r.connected_to]
    return any(r.connected_to != (prev.name,) for prev, r in zip(leaves, leaves[1:]))


class _Report:
    def __init__(self, summary, opts: Options, width: int):
        self.s = summary
        self.o = opts
        self.width = width

    # -- helpers -----------------------------------------------------------------------------
    def paint(self, text: str, *styles: str) -> str:
        if not self.o.color or not styles or not text:
            return text
        codes = ";".join(_ANSI[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def wrap(self, text: str, indent: str, hanging: str | None = None) -> list[str]:
        return textwrap.wrap(
            text, max(20, self.width), initial_indent=indent, subsequent_indent=indent if hanging is None else hanging,
            break_long_words=False, break_on_hyphens=False,
        ) or [indent.rstrip()]

    # -- sections ----------------------------------------------------------------------------
    def lines(self) -> list[str]:
        out = [self.paint(self.s.title, "bold")]
        out += self.wrap(" · ".join(f"{k}: {v}" for k, v in header_facts(self.s)), "")
        if self.s.failed:
            out += [self.paint(l, "red") for l in self.wrap(
                "The forward pass did not complete: the table stops at the failing layer and the totals cover "
                "only the layers that ran.", "")]
        out.append("")
        out += self.table()
        out.append("")
        out += self.totals()
        out += self.breakdown()
        if self.s.notes:
            out.append("")
            out.append(self.paint("Notes", "bold"))
            for note in self.s.notes:
                out += self.wrap(note, "  - ", "    ")
        if self.s.diagnostics:
            out.append("")
            out += self.diagnostics()
        return out

    def table(self) -> list[str]:
        layers = self.s.layers
        fw = self.s.framework
        shown = visible(layers, self.o.depth)
        names = short_names(layers) if self.o.style is Style.TUTORIAL else [r.name for r in layers]
        labels = [_Label("  " * r.depth, REPEAT_MARK if r.repeated else "", names[i], r.type) for i, r in shown]
        inputs = [f.shapes(r.input_shapes, fw) for _, r in shown]
        outputs = [output_cell(r, fw) for _, r in shown]
        if self.o.style is Style.TUTORIAL:
            label, ins, outs = _Column("Layer", labels), _Column("Input size", inputs), _Column("Output size", outputs)
            # a failed row's message is printed in full on the line under it
            what = _Column("What it does", ["✗ failed: see below" if r.failed else describe(r, fw) for _, r in shown], fit_end=True)
            columns = [label, ins, outs, what]
            plan = [(label, 24), (what, 40), (ins, None), (label, 18), (what, 24), (outs, 12)]
        else:
            label, ins, outs = _Column("Layer (type)", labels), _Column("Input shape", inputs), _Column("Output shape", outputs)
            columns = [
                label, ins, outs,
                _Column("Params", [params_cell(layers, i) for i, _ in shown], right=True),
                _Column("MACs", [macs_cell(layers, i) for i, _ in shown], right=True),
            ]
            plan = [(label, 18), (ins, None), (outs, 12)]
            if _is_graph(layers):  # Keras's "Connected to" column for a model that is not a chain
                connected = _Column("Connected to", [", ".join(r.connected_to) for _, r in shown])
                columns.append(connected)
                plan = [(connected, 16), (label, 18), (outs, 12), (connected, None), (ins, None)]
        cols = _fit(columns, plan, self.width)
        table_width = sum(c.width for c in cols) + len(GAP) * (len(cols) - 1)
        rule, thick = "-" * table_width, "=" * table_width
        header = GAP.join(c.header.rjust(c.width) if c.right else c.header.ljust(c.width) for c in cols).rstrip()
        out = [thick, self.paint(header, "bold"), rule]
        if not shown:
            out.append("(no layers)")
        for n, (i, row) in enumerate(shown):
            line = GAP.join(c.cell(n) for c in cols).rstrip()
            out.append(self.paint(line, "red") if row.failed else line)
            indent = "  " * row.depth + "    "
            if row.failed:
                out += [self.paint(l, "red") for l in self.wrap(f"✗ {row.failed}", indent, indent + "  ")]
            for w in row_warnings(self.s, row):
                out += [self.paint(l, "yellow") for l in self.wrap(f"! {w}", indent, indent + "  ")]
            if self.o.show_calculation:
                for calc in row.calculation:
                    out += [self.paint(l, "dim") for l in self.wrap(calc, indent + "│ ", indent + "│   ")]
        out.append(thick)
        legend = []
        if any(r.repeated for _, r in shown):
            legend.append(f"{REPEAT_MARK.strip()} a repeated call of a module listed above; its parameters are counted once.")
        hidden = len(layers) - len(shown)
        if hidden:
            legend.append(f"{hidden} rows deeper than depth {self.o.depth} are hidden; containers and totals include them.")
        for text in legend:
            out += self.wrap(text, "")
        return out

    def totals(self) -> list[str]:
        pairs = totals(self.s)
        pad = max(len(k) for k, _ in pairs) + 2
        out = []
        for label, value in pairs:
            out += self.wrap(value, f"{label}:".ljust(pad), " " * pad)
        return out

    def breakdown(self) -> list[str]:
        if not self.s.layers or not any(r.weights for r in self.s.layers):
            return []
        title = self.paint("Parameters, layer by layer (in × out × kernel + bias)", "bold")
        return ["", title] + breakdown_lines(self.s, self.width)

    def diagnostics(self) -> list[str]:
        diags = self.s.diagnostics
        out = [self.paint(f"Diagnostics: {diagnostic_counts(diags)}", "bold")]
        for d in diags:
            word, colour = _SEVERITY.get(d.severity, (d.severity.upper(), "bold"))
            head = f"  {self.paint(word, colour, 'bold')} [{d.code}]"
            if d.layer:
                head += f" {d.layer}"
            if d.source:
                head += f" at {d.source}"
            out.append(head)
            if d.code_line:
                lineno = source_line_number(d.source)
                out.append(f"      {lineno} | {d.code_line.strip()}" if lineno else f"      | {d.code_line.strip()}")
            out += self.wrap(d.message, "      ")
            if d.fix:
                out += [self.paint(l, "green") for l in self.wrap(f"fix: {d.fix}", "      ", "           ")]
        return out
