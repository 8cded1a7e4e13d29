"""The summary as a self-contained HTML fragment (no scripts, no external files): a ``<table>``,
the totals, the parameter breakdown, notes and diagnostics. Jupyter shows it through
``Summary._repr_html_``. Every piece of text from the record is escaped."""

from __future__ import annotations

from html import escape

from ..i18n import N_, language, tr
from ._common import SEVERITY_WORDS, Options, Style, source_line_number
from .report import build

# Scoped to the fragment's class so it styles nothing else on the page.
_CSS = (
    ".convlens{font-family:system-ui,sans-serif;font-size:13px;line-height:1.4}"
    ".convlens table{border-collapse:collapse;margin:6px 0}"
    ".convlens th,.convlens td{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}"
    ".convlens td.num,.convlens th.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".convlens code,.convlens pre{font-family:ui-monospace,monospace}"
    ".convlens pre{white-space:pre-wrap;margin:4px 0}"
    ".convlens tr.failed td{color:#b00020}"
    ".convlens .sub{color:#666;font-size:12px}"
    ".convlens .error{color:#b00020;font-weight:bold}"
    ".convlens .warning{color:#a36200;font-weight:bold}"
    ".convlens .info{color:#00658f;font-weight:bold}"
)

BREAKDOWN_WIDTH = 90  # the breakdown's <pre> block wraps between terms at this width


def _e(text) -> str:
    return escape(str(text), quote=True)


def render(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None, lang: str | None = None) -> str:
    """The summary as an HTML fragment; ``lang``: ``"en"``, ``"ko"`` (None: the current language)."""
    with language(lang):
        return _render(summary, depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)


def _render(summary, *, depth, style, show_calculation, color, width) -> str:
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    report = build(summary, opts)
    tutorial = report.style is Style.TUTORIAL
    out = [f'<div class="convlens"><style>{_CSS}</style>', f"<h4>{_e(report.title)}</h4>"]
    out.append("<p>" + " · ".join(f"<b>{_e(k)}:</b> <code>{_e(v)}</code>" for k, v in report.facts) + "</p>")
    if report.failed:
        out.append('<p class="error">' + _e(tr("The forward pass did not complete: the table stops at the failing layer.")) + "</p>")

    heads = [N_("Layer"), N_("Type"), N_("Input size"), N_("Output size"), N_("What it does")] if tutorial else \
        [N_("Layer"), N_("Type"), N_("Input shape"), N_("Output shape"), N_("Params"), N_("MACs")]
    out.append("<table><thead><tr>" + "".join(
        f'<th class="num">{_e(tr(h))}</th>' if h in ("Params", "MACs") else f"<th>{_e(tr(h))}</th>" for h in heads) + "</tr></thead><tbody>")
    for r in report.rows:
        pad = f' style="padding-left:{8 + 16 * r.depth}px"' if r.depth else ""
        name = ("↻ " if r.repeated else "") + _e(r.name or tr("(model)"))
        cells = [f"<td{pad}>{name}</td>", f"<td>{_e(r.type)}</td>", f"<td><code>{_e(r.inputs)}</code></td>", f"<td><code>{_e(r.output)}</code></td>"]
        if tutorial:
            cells.append(f"<td>{_e(r.what)}</td>")
        else:
            cells += [f'<td class="num">{r.params}</td>', f'<td class="num">{r.macs}</td>']
        out.append(('<tr class="failed">' if r.failed else "<tr>") + "".join(cells) + "</tr>")
        sub = ([f"✗ {_e(r.failed)}"] if r.failed else []) + [f"! {_e(w)}" for w in r.warnings] + [_e(c) for c in r.calculation]
        if sub:
            out.append(f'<tr class="sub"><td colspan="{len(heads)}"{pad}>' + "<br>".join(sub) + "</td></tr>")
    if not report.rows:
        none = _e(tr("(no layers)"))
        out.append(f'<tr><td colspan="{len(heads)}"><i>{none}</i></td></tr>')
    out.append("</tbody></table>")
    if report.repeats:
        legend = tr("{mark} a repeated call of a module listed above; its parameters are counted once.", mark="↻")
        out.append(f'<p class="sub">{_e(legend)}</p>')
    if report.hidden:
        out.append(f'<p class="sub">{_e(report.hidden_totals_note)}</p>')

    out.append("<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in report.totals) + "</table>")
    title = tr("<b>Parameters, layer by layer</b> (in × out × kernel + bias):")
    out.append(f"<p>{title}</p><pre>{_e(chr(10).join(report.breakdown(BREAKDOWN_WIDTH)))}</pre>")
    if report.notes:
        out.append("<p><b>" + _e(tr("Notes")) + "</b></p><ul>" + "".join(f"<li>{_e(n)}</li>" for n in report.notes) + "</ul>")
    if report.diagnostics:
        out.append("<p>" + tr("<b>Diagnostics:</b> {counts}", counts=_e(report.diagnostic_counts)) + "</p><ul>")
        for d in report.diagnostics:
            item = f'<li><span class="{_e(d.severity)}">{_e(tr(SEVERITY_WORDS.get(d.severity, d.severity.upper())))}</span> [{_e(d.code)}]'
            if d.layer:
                item += f" <code>{_e(d.layer)}</code>"
            if d.source:
                item += " " + tr("at {source}", source="<code>" + _e(d.source) + "</code>")
            if d.code_line:
                lineno = source_line_number(d.source)
                item += f"<pre>{_e(lineno + ' | ' if lineno else '')}{_e(d.code_line.strip())}</pre>"
            else:
                item += "<br>"
            item += _e(d.message)
            if d.fix:
                item += "<br>" + tr("<b>fix:</b> {fix}", fix=_e(d.fix))
            out.append(item + "</li>")
        out.append("</ul>")
    out.append("</div>")
    return "\n".join(out)
