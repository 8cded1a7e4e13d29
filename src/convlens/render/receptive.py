"""The receptive-field view of a chain (``convlens rf``): after every layer, how many input pixels
one output sees (size), the distance in input pixels between neighbouring outputs (jump) and where
the first output's field is centred (start). The figures come from the rows' ``receptive_field``,
composed by ``core.network``; this module only lays them out, as a table or as JSON.
"""

from __future__ import annotations

import json

from ..i18n import N_, language, tr
from . import _format as f
from ._table import table as _table

# Araujo et al., "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019.
FORMULA = N_("size' = size + (k − 1)·jump;  jump' = jump·stride;  start' = start + ((k − 1)/2 − padding)·jump  (k = dilated kernel)")
LEGEND = N_("size: input pixels one output sees; jump: input pixels between neighbouring outputs; "
            "start: centre of the first output's field (input pixel index; negative = in the padding)")
HEADER = ("#", N_("layer"), N_("output"), N_("size"), N_("jump"), N_("start"))


def cells(rf: dict | None) -> tuple[str, str, str]:
    """``(size, jump, start)`` as text: ``('4×4', '2×2', '0.5×0.5')``; ``'global'`` once every
    output sees the whole input; ``'-'`` where the row has no field (an elementwise layer)."""
    if rf is None:
        return ("-", "-", "-")
    if rf["global"]:
        return (tr("global"), "-", "-")
    return tuple(f.times(rf[k], decimal=True) for k in ("size", "jump", "start"))


def table(summary, *, lang: str | None = None) -> str:
    """One row per layer: index, the call as typed (named when it assigned a name), output shape,
    size, jump and start; then the composition formula, the legend and the summary's notes.
    ``lang``: ``"en"``, ``"ko"`` (None: the current language)."""
    with language(lang):
        return _table_text(summary)


def _table_text(summary) -> str:
    header = tuple(tr(h) for h in HEADER)
    body = []
    for i, r in enumerate(summary.layers):
        label = r.code if r.name.isdigit() else f"{r.name}: {r.code}"
        body.append((str(i), label, f.shape(r.output_shape, "tuple") or "--", *cells(r.receptive_field)))
    lines = [_table(header, body, right=(3, 4, 5), rule=False).rstrip("\n"), "", tr(FORMULA), tr(LEGEND)]
    lines += [tr("note: {note}", note=n) for n in summary.notes[:-1]]  # the last note is the cost convention
    return "\n".join(lines)


def records(summary) -> list[dict]:
    """Per layer: name, type, output shape and the field with ``Fraction``s as floats."""
    return [{"layer": r.name, "type": r.type, "output_shape": list(r.output_shape), "receptive_field": _plain(r.receptive_field)}
            for r in summary.layers]


def json_text(summary) -> str:
    return json.dumps(records(summary), indent=2)


def _plain(rf: dict | None) -> dict | None:
    if rf is None:
        return None
    return {k: ([v if isinstance(v, int) else float(v) for v in val] if isinstance(val, list) else val) for k, val in rf.items()}
