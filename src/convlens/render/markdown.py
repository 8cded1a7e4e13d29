"""The summary as GitHub-flavoured Markdown: a table, the totals, the parameter breakdown,
notes and diagnostics. Text from the record is escaped (``|``, ``<``, ``>``, ``&``)."""

from __future__ import annotations

import html

from ._common import Options, Style
from .report import build

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
    report = build(summary, opts)
    tutorial = report.style is Style.TUTORIAL
    out = [f"### {esc(report.title)}", ""]
    out.append(" · ".join(f"**{k}:** {_code(v) if k != 'Framework' else esc(v)}" for k, v in report.facts))
    out.append("")
    if report.failed:
        out += ["> **The forward pass did not complete**: the table stops at the failing layer.", ""]

    def label(r) -> str:
        return "&emsp;" * r.depth + ("↻ " if r.repeated else "") + esc(r.name or "(model)")

    if tutorial:
        out += ["| Layer | Type | Input size | Output size | What it does |", "|---|---|---|---|---|"]
        out += [f"| {label(r)} | {esc(r.type)} | {_code(r.inputs)} | {_code(r.output)} | {esc(r.what)} |" for r in report.rows]
    else:
        out += ["| Layer | Type | Input shape | Output shape | Params | MACs |", "|---|---|---|---|---:|---:|"]
        out += [f"| {label(r)} | {esc(r.type)} | {_code(r.inputs)} | {_code(r.output)} | {r.params} | {r.macs} |" for r in report.rows]
    if not report.rows:
        out.append("| *(no layers)* | | | | |" if tutorial else "| *(no layers)* | | | | | |")
    out.append("")

    extra = []
    for r, full in zip(report.rows, report.full_names):
        if r.failed:
            extra.append(f"- **{esc(full)}** failed: {esc(r.failed)}")
        for w in r.warnings:
            extra.append(f"- **{esc(full)}**: {esc(w)}")
        if r.calculation:
            extra.append(f"- **{esc(full)}** ({esc(r.type)}):")
            extra += [f"  - {esc(c)}" for c in r.calculation]
    if report.repeats:
        extra.append("- ↻ marks a repeated call of a module listed above; its parameters are counted once.")
    if report.hidden:
        extra.append(f"- {report.hidden_legend}; totals include {'them' if report.hidden != 1 else 'it'}.")
    if extra:
        out += extra + [""]

    out += [f"- **{esc(k)}:** {esc(v)}" for k, v in report.totals]
    out += ["", "**Parameters, layer by layer** (in × out × kernel + bias):", "", "```text", *report.breakdown(BREAKDOWN_WIDTH), "```"]
    if report.notes:
        out += ["", "**Notes**", ""] + [f"- {esc(n)}" for n in report.notes]
    if report.diagnostics:
        out += ["", f"**Diagnostics:** {report.diagnostic_counts}", ""]
        for d in report.diagnostics:
            where = " ".join(x for x in (_code(d.layer) if d.layer else "", f"at {_code(d.source)}" if d.source else "") if x)
            out.append(f"- **{d.severity.upper()}** [{esc(d.code)}] {where}".rstrip())
            if d.code_line:
                out.append(f"  - code: {_code(d.code_line.strip())}")
            out.append(f"  - {esc(d.message)}")
            if d.fix:
                out.append(f"  - fix: {esc(d.fix)}")
    return "\n".join(out)
