"""The parameter total written out the way the tutorials write it by hand:

    260,160 = (3×64×3×3 + 64) + (64×64×3×3 + 64) + (64×128×3×3 + 128) + (128×128×3×3 + 128)

One term per row that owns weights: its main weight's dimensions in the order
``in × out × kernel`` (conv_params = input_ch × output_ch × kernel_w × kernel_h + bias), then the
sizes of its other weights (the bias). Built from the rows' ``WeightInfo`` only.
"""

from __future__ import annotations

from ..i18n import language, tr, trn
from . import _format as f
from ._layers import tutorial_order

MAX_TERMS = 12  # above this, identical terms are grouped ("2 × (…)"); still above, the tail is cut


def row_term(row) -> str:
    """``'3×64×3×3 + 64'`` for ``Conv2d(3, 64, 3)``: each weight's dims, multiplied out in text."""
    return " + ".join(f.times(tutorial_order(w.shape, row.type, w.name)) or "1" for w in row.weights)


def _wrap(term: str, count: int = 1) -> str:
    if count > 1:
        return f"{count} × ({term})"
    return f"({term})" if " + " in term else term


def parts(summary) -> tuple[str, list[str]]:
    """The left side (the total, with separators) and the terms of the right side."""
    terms = [row_term(r) for r in summary.layers if r.weights]
    lhs = f.thousands(summary.total_params)
    if not terms:
        return lhs, []
    if len(terms) > MAX_TERMS:
        counts: dict[str, int] = {}
        for t in terms:  # dicts keep first-appearance order
            counts[t] = counts.get(t, 0) + 1
        shown = [_wrap(t, n) for t, n in counts.items()]
    else:
        shown = [_wrap(t) for t in terms]
    if len(shown) > MAX_TERMS:
        rest = len(shown) - (MAX_TERMS - 1)
        shown = shown[: MAX_TERMS - 1] + ["… " + trn("({n} more term)", "({n} more terms)", rest, n=rest)]
    listed = sum(r.params for r in summary.layers)
    if listed != summary.total_params:
        diff = summary.total_params - listed
        if diff > 0:
            shown.append(tr("{n} (not owned by any listed row)", n=f.thousands(diff)))
        else:
            shown.append(tr("({n}: rows list {listed})", n=f.thousands(diff), listed=f.thousands(listed)))
    return lhs, shown


def breakdown(summary, *, lang: str | None = None) -> str:
    """The parameter total as a sum of per-layer products, on one line.

    With no weights at all: ``'0 (no layer has weights)'``.
    """
    with language(lang):
        lhs, terms = parts(summary)
        if not terms:
            return tr("{total} (no layer has weights)", total=lhs)
        return f"{lhs} = " + " + ".join(terms)


def wrapped(summary, width: int) -> list[str]:
    """The breakdown packed into lines of at most ``width`` characters, broken only between
    terms, continuation lines aligned under the ``=`` as the tutorials align them::

        3,504,522 = (1×32×3×3 + 32) + (32×64×1×1 + 64)
                  + (32×64×3×3 + 64) + …
    """
    lhs, terms = parts(summary)
    if not terms:
        return [breakdown(summary)]
    lines, line = [], f"{lhs} = {terms[0]}"
    cont = " " * len(lhs) + " + "
    for term in terms[1:]:
        if len(line) + 3 + len(term) <= width:
            line += f" + {term}"
        else:
            lines.append(line)
            line = cont + term
    lines.append(line)
    return lines
