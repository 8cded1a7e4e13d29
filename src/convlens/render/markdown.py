"""The summary as GitHub-flavoured Markdown: a table, the totals, the parameter breakdown,
notes and diagnostics. Text from the record is escaped (``|``, ``<``, ``>``, ``&``)."""

from __future__ import annotations

import html

from ..i18n import language, tr
from ._common import SEVERITY_WORDS, Options, Style
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


def render(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None, lang: str | None = None) -> str:
    """The summary as GitHub Markdown; ``lang``: ``"en"``, ``"ko"`` (None: the current language)."""
    with language(lang):
        return _render(summary, depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)


def _render(summary, *, depth, style, show_calculation, color, width) -> str:
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    report = build(summary, opts)
    tutorial = report.style is Style.TUTORIAL
    out = [f"### {esc(report.title)}", ""]
    out.append(" · ".join(f"**{k}:** {_code(v) if i else esc(v)}" for i, (k, v) in enumerate(report.facts)))  # the first: the framework
    out.append("")
    if report.failed:
        out += [tr("> **The forward pass did not complete**: the table stops at the failing layer."), ""]

    def label(r) -> str:
        return "&emsp;" * r.depth + ("↻ " if r.repeated else "") + esc(r.name or tr("(model)"))

    if tutorial:
        heads = (tr("Layer"), tr("Type"), tr("Input size"), tr("Output size"), tr("What it does"))
        out += ["| " + " | ".join(heads) + " |", "|---|---|---|---|---|"]
        out += [f"| {label(r)} | {esc(r.type)} | {_code(r.inputs)} | {_code(r.output)} | {esc(r.what)} |" for r in report.rows]
    else:
        heads = (tr("Layer"), tr("Type"), tr("Input shape"), tr("Output shape"), tr("Params"), tr("MACs"))
        out += ["| " + " | ".join(heads) + " |", "|---|---|---|---|---:|---:|"]
        out += [f"| {label(r)} | {esc(r.type)} | {_code(r.inputs)} | {_code(r.output)} | {r.params} | {r.macs} |" for r in report.rows]
    if not report.rows:
        none = tr("(no layers)")
        out.append(f"| *{none}* | | | | |" if tutorial else f"| *{none}* | | | | | |")
    out.append("")

    extra = []
    for r, full in zip(report.rows, report.full_names):
        if r.failed:
            extra.append("- " + tr("**{layer}** failed: {error}", layer=esc(full), error=esc(r.failed)))
        for w in r.warnings:
            extra.append(f"- **{esc(full)}**: {esc(w)}")
        if r.calculation:
            extra.append(f"- **{esc(full)}** ({esc(r.type)}):")
            extra += [f"  - {esc(c)}" for c in r.calculation]
    if report.repeats:
        extra.append("- " + tr("↻ marks a repeated call of a module listed above; its parameters are counted once."))
    if report.hidden:
        extra.append(f"- {report.hidden_totals_note}")
    if extra:
        out += extra + [""]

    out += [f"- **{esc(k)}:** {esc(v)}" for k, v in report.totals]
    out += ["", tr("**Parameters, layer by layer** (in × out × kernel + bias):"), "", "```text", *report.breakdown(BREAKDOWN_WIDTH), "```"]
    if report.notes:
        out += ["", "**" + tr("Notes") + "**", ""] + [f"- {esc(n)}" for n in report.notes]
    if report.diagnostics:
        out += ["", tr("**Diagnostics:** {counts}", counts=report.diagnostic_counts), ""]
        for d in report.diagnostics:
            where = " ".join(x for x in (_code(d.layer) if d.layer else "", tr("at {source}", source=_code(d.source)) if d.source else "") if x)
            out.append(f"- **{tr(SEVERITY_WORDS.get(d.severity, d.severity.upper()))}** [{esc(d.code)}] {where}".rstrip())
            if d.code_line:
                out.append("  - " + tr("code: {line}", line=_code(d.code_line.strip())))
            out.append(f"  - {esc(d.message)}")
            if d.fix:
                out.append("  - " + tr("fix: {fix}", fix=esc(d.fix)))
    return "\n".join(out)
