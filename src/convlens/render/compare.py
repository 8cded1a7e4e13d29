"""Several summaries side by side (``convlens compare``): a table of totals and ratios to the
first model, one sentence per ratio, and how each total is made up.

    render([("vgg-first-blocks", s1), ("resnet-stem", s2)], "table")   # or "md"

The numbers of the comparison (``QUANTITIES``, ``ratio``, ``rf_size``) are pure functions here,
used by this text and by the command's JSON output alike.
"""

from __future__ import annotations

from ..record.serialize import number
from . import _format as f
from ._breakdown import breakdown
from ._common import diagnostic_counts, memory_terms
from ._table import table

FORMATS = ("table", "md")
MAX_MAC_TERMS = 6  # the MACs breakdown lists the largest terms, then "… (N more layers)"

# (quantity, getter on a Summary, word when the other needs less, word when it needs more)
QUANTITIES = (
    ("parameters", lambda s: s.total_params, "fewer", "more"),
    ("MACs", lambda s: s.total_macs, "fewer", "more"),
    ("training memory", lambda s: s.memory.total if s.memory is not None else None, "less", "more"),
)


# --- numbers ------------------------------------------------------------------------------------


def ratio(first: int | None, other: int | None) -> float | None:
    """``first / other``: how many times more the first model needs; None when either is unknown or zero.

    >>> ratio(260160, 9472), ratio(0, 5), ratio(None, 5)
    (27.466216216216218, None, None)
    """
    if not first or not other:
        return None
    return first / other


def rf_size(s) -> list | None:
    """The receptive-field size of the summary's last spatial layer, integers where whole."""
    rf = s.receptive_field
    if not rf or "size" not in rf:
        return None
    return [number(v) for v in rf["size"]]


# --- text ---------------------------------------------------------------------------------------


def ratio_sentence(label: str, quantity: str, r: float | None, first_label: str, fewer: str, more: str) -> str:
    """``'resnet-stem: 27.5× fewer parameters than vgg-first-blocks'``.

    >>> ratio_sentence("resnet-stem", "parameters", 260160 / 9472, "vgg-first-blocks", "fewer", "more")
    'resnet-stem: 27.5× fewer parameters than vgg-first-blocks'
    >>> ratio_sentence("b", "MACs", 0.5, "a", "fewer", "more")
    'b: 2.00× more MACs than a'
    """
    if r is None:
        return f"{label}: {quantity} not comparable with {first_label} (unknown or zero)"
    if r == 1:
        return f"{label}: the same {quantity} as {first_label}"
    return f"{label}: {f.multiple(r if r > 1 else 1 / r)} {fewer if r > 1 else more} {quantity} than {first_label}"


def _layer_ref(name: str) -> str:
    """A row's name in a sentence: ``'layer 1'`` for an ``nn.Sequential`` index, else the path."""
    if not name:
        return "the model"
    return f"layer {name}" if name.isdigit() else name


def macs_breakdown(s) -> str:
    """The MAC total as the sum of its largest terms, one per layer, largest first::

        4,710,924,288 = 1,849,688,064 (layer 1, Conv2d) + 1,849,688,064 (layer 4, Conv2d) + …

    With more than ``MAX_MAC_TERMS`` layers, layers of the same type and MACs are one term
    (``13 × 115,605,504 (layer1.0.conv1 and 12 more, Conv2d)``), the terms are ordered by what
    they add up to, and the tail is summed as ``… (N more layers)``.
    """
    rows = [r for r in s.layers if r.macs]
    if not rows:
        return f"{f.thousands(s.total_macs)} (no layer multiplies)"
    group = len(rows) > MAX_MAC_TERMS
    groups: dict[tuple, list[str]] = {}  # (MACs, type[, row]) -> names; dicts keep first-appearance order
    for i, r in enumerate(rows):
        groups.setdefault((r.macs, r.type) if group else (r.macs, r.type, i), []).append(r.name)
    terms = sorted(((key[0], key[1], names) for key, names in groups.items()), key=lambda t: -t[0] * len(t[2]))
    shown = []
    for macs, kind, names in terms[:MAX_MAC_TERMS]:
        ref = _layer_ref(names[0])
        if len(names) == 1:
            shown.append(f"{f.thousands(macs)} ({ref}, {kind})")
        else:
            shown.append(f"{len(names)} × {f.thousands(macs)} ({ref} and {len(names) - 1} more, {kind})")
    rest = terms[MAX_MAC_TERMS:]
    if rest:
        n = sum(len(names) for _, _, names in rest)
        shown.append(f"{f.thousands(sum(macs * len(names) for macs, _, names in rest))} ({n} more layer{'s' * (n != 1)})")
    return f"{f.thousands(s.total_macs)} = " + " + ".join(shown)


def _output(s) -> str:
    if s.failed:
        where = next((r.name for r in s.layers if r.failed), None)
        return f"FAILED{' at ' + where if where else ''}"
    return ", ".join(f.shape_x(o) for o in s.output_shapes) or "--"


def _totals_table(items, markdown: bool) -> str:
    """Models as columns; totals, then each total divided by the first model's."""
    summaries = [s for _, s in items]
    first_label, first = items[0]
    body = [
        ("input", *(", ".join(f.shape_x(i) for i in s.input_shapes) for s in summaries)),
        ("parameters", *(f.count(s.total_params) for s in summaries)),
        ("MACs", *(f.count(s.total_macs) for s in summaries)),
        ("output", *(_output(s) for s in summaries)),
        ("training memory", *(f.nbytes(s.memory.total) if s.memory is not None else "--" for s in summaries)),
        ("receptive field", *(f.times(rf_size(s)) if rf_size(s) else "--" for s in summaries)),
        ("diagnostics", *(diagnostic_counts([d for d in s.diagnostics if d.severity != "info"]) for s in summaries)),
    ]
    body += [(f"{q} ÷ {first_label}", *(f.factor(ratio(get(s), get(first))) for s in summaries)) for q, get, _, _ in QUANTITIES]
    header = ("", *(label for label, _ in items))
    return table(header, body, markdown=markdown, right=tuple(range(1, len(header))))


def render(items, fmt: str = "table") -> str:
    """``items``: ``(label, Summary)`` pairs, the first being the one the others are measured
    against; ``fmt``: ``"table"`` (plain text) or ``"md"`` (Markdown)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown comparison format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    if len(items) < 2:
        raise ValueError(f"a comparison needs at least two summaries, got {len(items)}")
    markdown = fmt == "md"
    first_label, first = items[0]
    h = "### " if markdown else ""
    bullet = "- " if markdown else "  "
    out = [_totals_table(items, markdown), f"\n{h}Relative to {first_label}\n"]
    for label, s in items[1:]:
        for q, get, fewer, more in QUANTITIES:
            out.append(bullet + ratio_sentence(label, q, ratio(get(first), get(s)), first_label, fewer, more) + "\n")

    out.append(f"\n{h}How each total is made up\n")
    for label, s in items:
        out.append(f"\n{'#### ' if markdown else ''}{label}{' (forward failed: totals cover the layers that ran)' if s.failed else ''}\n")
        out.append(f"{bullet}parameters: {breakdown(s)}\n")
        out.append(f"{bullet}MACs: {macs_breakdown(s)}\n")
        memory = f"{f.nbytes(s.memory.total)} = {memory_terms(s.memory)}" if s.memory is not None else "not estimated"
        out.append(f"{bullet}training memory: {memory}\n")
    if any(s.errors for _, s in items):
        out.append("\nSome models have errors: `convlens zoo show NAME` explains each one.\n")
    if first.memory is not None:
        out.append(f"\nTraining memory = {first.memory.formula}; one step, batch as given.\n")
    return "".join(out)
