"""``convlens solve``'s answers as text: each configuration with its worked calculation, the
notes, and, when nothing reaches the size, the nearest sizes that can be reached (or as JSON).

Reads a ``core.solve.SolveResult``; the search itself is the core's.
"""

from __future__ import annotations

import json

from ..core.framework import Framework
from ..i18n import N_, language, tr
from . import _format as f


def solve_json(result) -> str:
    """Every solution's arguments and calculation, the notes and the nearest reachable sizes."""
    return json.dumps({
        "layer": result.layer, "input": result.input_size, "output": result.output_size,
        "solutions": [{**dict(s.args), "calculation": s.result.calculation()[0], "warnings": list(s.warnings)} for s in result.solutions],
        "notes": list(result.notes),
        "nearest": [{"output": _reached(s), **dict(s.args), "calculation": s.result.calculation()[0]} for s in result.nearest],
    }, indent=2) + "\n"


def solve_text(result, *, limit: int = 12, lang: str | None = None) -> str:
    """The answers, simplest first (at most ``limit``; 0: all); ``lang``: ``"en"``, ``"ko"`` (None: the current language)."""
    with language(lang):
        return _solve_text(result, limit)


def _solve_text(result, limit: int) -> str:
    out = []
    shown = result.solutions if limit <= 0 else result.solutions[:limit]
    count = len(result.solutions)
    found = {0: N_("{layer}: {input} -> {output}: 0 configurations"), 1: N_("{layer}: {input} -> {output}: 1 configuration")}
    head = found.get(count, N_("{layer}: {input} -> {output}: {n} configurations, simplest first"))
    out.append(tr(head, layer=result.layer, input=result.input_size, output=result.output_size, n=count))
    if shown:
        rows = [(tr("call"), tr("calculation"), "")]
        for s in shown:
            flag = "! " + s.warnings[0].split(": ", 1)[-1] if s.warnings else ""
            rows.append((s.call(), s.result.calculation()[0], flag))
        widths = [max(f.width(r[c]) for r in rows) for c in range(2)]
        out.append("")
        for r in rows:
            out.append(f"  {f.ljust(r[0], widths[0])}  {f.ljust(r[1], widths[1])}  {r[2]}".rstrip())
        if len(shown) < count:
            out.append("  ... " + tr("{n} more (--limit 0 shows all)", n=count - len(shown)))
    for note in result.notes:
        out.append("\n" + tr("note: {note}", note=note))
    if result.nearest:
        out.append("\n" + tr("nearest reachable sizes:"))
        rows = [(str(_reached(s)), s.call(), s.result.calculation()[0]) for s in result.nearest]
        widths = [max(len(r[c]) for r in rows) for c in range(2)]
        out += [f"  {r[0].rjust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}" for r in rows]
    return "\n".join(out) + "\n"


def _reached(solution) -> int:
    """The spatial output size a solution gives (the first spatial axis; all are equal here)."""
    layer, out = solution.result.layer, solution.result.output_shape
    return out[1] if layer.framework is Framework.KERAS else out[-1]
