"""The summary as GitHub-flavoured Markdown: a table, the totals, the parameter breakdown,
notes and diagnostics. Text from the record is escaped (``|``, ``<``, ``>``, ``&``)."""

from __future__ import annotations

import html

from . import _format as f
from ._breakdown import wrapped as breakdown_lines
from ._common import (
    Options, Style, diagnostic_counts, header_facts, macs_cell, output_cell, params_cell, row_warnings, short_names, totals, visible,
)
from ._flow import describe

BREAKDOWN_WIDTH = 90  # the breakdown's code block wraps between terms at this width


def esc(text) -> str:
    """Safe inside a table cell: HTML-escaped, pipes escaped, one line.

    >>> esc("a|b <script>")
    'a\\\\|b &lt;script&gt;'
    """
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _code(text) -> str:
    """Inline code; pipes still need escaping inside a GitHub table."""
    t = str(text).replace("`", "'").replace("|", "\\|").replace("\n", " ")
    return f"`{t}`"


def render(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None) -> str:
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    fw = summary.framework
    layers = summary.layers
    shown = visible(layers, opts.depth)
    out = [f"### {esc(summary.title)}", ""]
    out.append(" · ".join(f"**{k}:** {_code(v) if k != 'Framework' else esc(v)}" for k, v in header_facts(summary)))
    out.append("")
    if summary.failed:
        out += ["> **The forward pass did not complete**: the table stops at the failing layer.", ""]

    names = short_names(layers) if opts.style is Style.TUTORIAL else [r.name for r in layers]

    def label(i, r) -> str:
        return "&emsp;" * r.depth + ("↻ " if r.repeated else "") + esc(names[i] or "(model)")

    if opts.style is Style.TUTORIAL:
        out += ["| Layer | Type | Input size | Output size | What it does |", "|---|---|---|---|---|"]
        for i, r in shown:
            out.append(f"| {label(i, r)} | {esc(r.type)} | {_code(f.shapes(r.input_shapes, fw))} | "
                       f"{_code(output_cell(r, fw))} | {esc(describe(r, fw))} |")
    else:
        out += ["| Layer | Type | Input shape | Output shape | Params | MACs |", "|---|---|---|---|---:|---:|"]
        for i, r in shown:
            out.append(f"| {label(i, r)} | {esc(r.type)} | {_code(f.shapes(r.input_shapes, fw))} | "
                       f"{_code(output_cell(r, fw))} | {params_cell(layers, i)} | {macs_cell(layers, i)} |")
    if not shown:
        out.append("| *(no layers)* | | | | | |" if opts.style is Style.DEFAULT else "| *(no layers)* | | | | |")
    out.append("")

    extra = []
    for _, r in shown:
        if r.failed:
            extra.append(f"- **{esc(r.name)}** failed: {esc(r.failed)}")
        for w in row_warnings(summary, r):
            extra.append(f"- **{esc(r.name)}**: {esc(w)}")
        if opts.show_calculation and r.calculation:
            extra.append(f"- **{esc(r.name)}** ({esc(r.type)}):")
            extra += [f"  - {esc(c)}" for c in r.calculation]
    if any(r.repeated for _, r in shown):
        extra.append("- ↻ marks a repeated call of a module listed above; its parameters are counted once.")
    hidden = len(layers) - len(shown)
    if hidden:
        extra.append(f"- {hidden} rows deeper than depth {opts.depth} are hidden; totals include them.")
    if extra:
        out += extra + [""]

    out += [f"- **{esc(k)}:** {esc(v)}" for k, v in totals(summary)]
    out += ["", "**Parameters, layer by layer** (in × out × kernel + bias):", "", "```text", *breakdown_lines(summary, BREAKDOWN_WIDTH), "```"]
    if summary.notes:
        out += ["", "**Notes**", ""] + [f"- {esc(n)}" for n in summary.notes]
    if summary.diagnostics:
        out += ["", f"**Diagnostics:** {diagnostic_counts(summary.diagnostics)}", ""]
        for d in summary.diagnostics:
            where = " ".join(x for x in (_code(d.layer) if d.layer else "", f"at {_code(d.source)}" if d.source else "") if x)
            out.append(f"- **{d.severity.upper()}** [{esc(d.code)}] {where}".rstrip())
            if d.code_line:
                out.append(f"  - code: {_code(d.code_line.strip())}")
            out.append(f"  - {esc(d.message)}")
            if d.fix:
                out.append(f"  - fix: {esc(d.fix)}")
    return "\n".join(out)
