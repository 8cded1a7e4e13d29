"""The one report builder: a ``Summary`` turned into the sections every text writer prints.

``build(summary, options)`` walks the record once and returns a frozen ``Report``: the header
facts, the table rows with their cells already spelled (shapes as the framework prints them,
counts with separators, the tutorial phrase), the legend facts, the totals, the notes and the
diagnostics. The terminal, Markdown and HTML writers only lay these sections out; none of them
walks the rows or computes a cell itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.framework import Framework
from ..i18n import trn
from . import _format as f
from ._breakdown import wrapped as breakdown_lines
from ._common import (
    Options, Style, diagnostic_counts, header_facts, macs_cell, output_cell, params_cell, row_warnings, short_names, totals, visible,
)
from ._flow import describe


@dataclass(frozen=True)
class Row:
    """One table row as every writer shows it."""

    name: str  # as shown: the short name in the tutorial view ("conv1" under "resblock1")
    type: str
    depth: int
    repeated: bool  # a second call of the same module (↻)
    inputs: str  # "[1, 64, 14, 14]" or "2 × [1, 64, 14, 14]"
    output: str  # "FAILED" for the row that raised
    params: str  # "--", "1,792", "(shared)"
    macs: str
    what: str | None  # the tutorial phrase (tutorial style only; "failed: …" for the row that raised)
    failed: str | None  # the error, printed under the row
    warnings: tuple[str, ...]  # the row's warnings the diagnostics section does not already print
    calculation: tuple[str, ...]  # worked lines, when asked for
    connected_to: str = ""  # Keras's "Connected to": the rows this one reads, "conv1, shortcut"


@dataclass(frozen=True)
class Report:
    """The sections of a summary report, in the order they are printed."""

    title: str
    facts: tuple[tuple[str, str], ...]  # ("Framework", "PyTorch"), ("Input", …), ("Output", …)
    failed: bool  # the forward pass did not complete
    style: Style
    rows: tuple[Row, ...]
    repeats: bool  # some shown row is a repeated call: the writers explain the ↻ mark
    graph: bool  # some row reads other than the row before it: the writers show "Connected to"
    hidden: int  # rows deeper than the depth asked for
    depth: int | None  # the renderer's depth: 0 = top-level rows only (the rows' own depth numbering)
    totals: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    diagnostics: tuple  # record.Diagnostic, in order
    diagnostic_counts: str  # "1 error, 2 warnings"
    full_names: tuple[str, ...]  # each shown row's full module path, for the lines under the table
    _summary: object  # for the breakdown, which each writer wraps at its own width

    def breakdown(self, width: int) -> list[str]:
        """The parameter total as a sum of per-layer terms, wrapped between terms at ``width``."""
        return breakdown_lines(self._summary, width)

    @property
    def hidden_legend(self) -> str:
        """``"12 rows below depth 1 are hidden"``, in the user's numbering: torchinfo's and ``--depth``'s,
        where 1 = the top-level layers (the renderer's ``depth`` + 1)."""
        return trn("{n} row below depth {depth} is hidden", "{n} rows below depth {depth} are hidden", self.hidden,
                   n=self.hidden, depth=self.depth + 1)

    @property
    def hidden_note(self) -> str:
        """The hidden-rows legend under the terminal table: ``hidden_legend`` and what includes them."""
        return trn("{n} row below depth {depth} is hidden; containers and totals include it.",
                   "{n} rows below depth {depth} are hidden; containers and totals include them.", self.hidden,
                   n=self.hidden, depth=self.depth + 1)

    @property
    def hidden_totals_note(self) -> str:
        """The hidden-rows legend of the Markdown and HTML reports."""
        return trn("{n} row below depth {depth} is hidden; totals include it.",
                   "{n} rows below depth {depth} are hidden; totals include them.", self.hidden, n=self.hidden, depth=self.depth + 1)

    @property
    def has_weights(self) -> bool:
        return any(r.weights for r in self._summary.layers)


def build(summary, opts: Options) -> Report:
    """Walk ``summary`` once into the sections every writer prints."""
    fw = summary.framework
    layers = summary.layers
    shown = visible(layers, opts.depth)
    tutorial = opts.style is Style.TUTORIAL
    names = short_names(layers) if tutorial else [r.name for r in layers]
    rows = tuple(
        Row(
            name=names[i], type=r.type, depth=r.depth, repeated=r.repeated,
            inputs=f.shapes(r.input_shapes, fw), output=output_cell(r, fw),
            params=params_cell(layers, i), macs=macs_cell(layers, i),
            what=describe(r, fw) if tutorial else None,
            failed=r.failed, warnings=tuple(row_warnings(summary, r)),
            calculation=tuple(r.calculation) if opts.show_calculation else (),
            connected_to=", ".join(r.connected_to),
        )
        for i, r in shown
    )
    return Report(
        title=summary.title, facts=tuple(header_facts(summary)), failed=summary.failed, style=opts.style, rows=rows,
        repeats=any(r.repeated for _, r in shown), graph=summary.framework is Framework.KERAS and _is_graph(layers), hidden=len(layers) - len(shown), depth=opts.depth,
        totals=tuple(totals(summary)), notes=tuple(summary.notes), diagnostics=tuple(summary.diagnostics),
        diagnostic_counts=diagnostic_counts(summary.diagnostics), full_names=tuple(r.name for _, r in shown), _summary=summary,
    )


__all__ = ["Report", "Row", "build"]


def _is_graph(layers) -> bool:
    """Some row reads other than the row before it (a branch, a merge, several inputs). The tables
    show the column for Keras models, as Keras's own summary does; PyTorch and core rows record
    their connections too (the diagram draws them), and their tables keep torchinfo's columns."""
    leaves = [r for r in layers if r.connected_to]
    return any(r.connected_to != (prev.name,) for prev, r in zip(leaves, leaves[1:]))
