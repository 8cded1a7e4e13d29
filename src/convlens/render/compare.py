"""Several summaries side by side (``convlens compare``): a table of totals and ratios to the
first model, one sentence per ratio, and how each total is made up.

    render([("vgg-first-blocks", s1), ("resnet-stem", s2)], "table")   # or "md"

The numbers of the comparison (``QUANTITIES``, ``ratio``, ``rf_size``) are pure functions here,
used by this text and by the command's JSON output alike.
"""

from __future__ import annotations

from ..i18n import N_, language, tr, trn
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

# each ratio as whole sentences, per quantity: (the other needs less, needs more, the same, not comparable)
SENTENCES = {
    "parameters": (N_("{label}: {factor} fewer parameters than {first}"), N_("{label}: {factor} more parameters than {first}"),
                   N_("{label}: the same parameters as {first}"), N_("{label}: parameters not comparable with {first} (unknown or zero)")),
    "MACs": (N_("{label}: {factor} fewer MACs than {first}"), N_("{label}: {factor} more MACs than {first}"),
             N_("{label}: the same MACs as {first}"), N_("{label}: MACs not comparable with {first} (unknown or zero)")),
    "training memory": (N_("{label}: {factor} less training memory than {first}"), N_("{label}: {factor} more training memory than {first}"),
                        N_("{label}: the same training memory as {first}"),
                        N_("{label}: training memory not comparable with {first} (unknown or zero)")),
}
# the rows of the totals table, as labels (the JSON output keeps the English keys of QUANTITIES)
LABELS = {"input": N_("input"), "parameters": N_("parameters"), "MACs": N_("MACs"), "output": N_("output"),
          "training memory": N_("training memory"), "receptive field": N_("receptive field"), "diagnostics": N_("diagnostics")}


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
    sentences = SENTENCES.get(quantity)
    if sentences is None:  # a quantity without sentences of its own: English words as given
        sentences = (f"{{label}}: {{factor}} {fewer} {quantity} than {{first}}", f"{{label}}: {{factor}} {more} {quantity} than {{first}}",
                     f"{{label}}: the same {quantity} as {{first}}", f"{{label}}: {quantity} not comparable with {{first}} (unknown or zero)")
    if r is None:
        return tr(sentences[3], label=label, first=first_label)
    if r == 1:
        return tr(sentences[2], label=label, first=first_label)
    return tr(sentences[0] if r > 1 else sentences[1], label=label, factor=f.multiple(r if r > 1 else 1 / r), first=first_label)


def _layer_ref(name: str) -> str:
    """A row's name in a sentence: ``'layer 1'`` for an ``nn.Sequential`` index, else the path."""
    if not name:
        return tr("the model")
    return tr("layer {name}", name=name) if name.isdigit() else name


def macs_breakdown(s) -> str:
    """The MAC total as the sum of its largest terms, one per layer, largest first::

        4,710,924,288 = 1,849,688,064 (layer 1, Conv2d) + 1,849,688,064 (layer 4, Conv2d) + …

    With more than ``MAX_MAC_TERMS`` layers, layers of the same type and MACs are one term
    (``13 × 115,605,504 (layer1.0.conv1 and 12 more, Conv2d)``), the terms are ordered by what
    they add up to, and the tail is summed as ``… (N more layers)``.
    """
    rows = [r for r in s.layers if r.macs]
    if not rows:
        return tr("{total} (no layer multiplies)", total=f.thousands(s.total_macs))
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
            shown.append(f"{len(names)} × {f.thousands(macs)} " + tr("({layer} and {n} more, {type})", layer=ref, n=len(names) - 1, type=kind))
    rest = terms[MAX_MAC_TERMS:]
    if rest:
        n = sum(len(names) for _, _, names in rest)
        shown.append(f"{f.thousands(sum(macs * len(names) for macs, _, names in rest))} "
                     + trn("({n} more layer)", "({n} more layers)", n, n=n))
    return f"{f.thousands(s.total_macs)} = " + " + ".join(shown)


def _output(s) -> str:
    if s.failed:
        where = next((r.name for r in s.layers if r.failed), None)
        return tr("FAILED at {layer}", layer=where) if where else tr("FAILED")
    return ", ".join(f.shape_x(o) for o in s.output_shapes) or "--"


def _totals_table(items, markdown: bool) -> str:
    """Models as columns; totals, then each total divided by the first model's."""
    summaries = [s for _, s in items]
    first_label, first = items[0]
    body = [
        (tr(LABELS["input"]), *(", ".join(f.shape_x(i) for i in s.input_shapes) for s in summaries)),
        (tr(LABELS["parameters"]), *(f.count(s.total_params) for s in summaries)),
        (tr(LABELS["MACs"]), *(f.count(s.total_macs) for s in summaries)),
        (tr(LABELS["output"]), *(_output(s) for s in summaries)),
        (tr(LABELS["training memory"]), *(f.nbytes(s.memory.total) if s.memory is not None else "--" for s in summaries)),
        (tr(LABELS["receptive field"]), *(f.times(rf_size(s)) if rf_size(s) else "--" for s in summaries)),
        (tr(LABELS["diagnostics"]), *(diagnostic_counts([d for d in s.diagnostics if d.severity != "info"]) for s in summaries)),
    ]
    body += [(f"{tr(LABELS.get(q, q))} ÷ {first_label}", *(f.factor(ratio(get(s), get(first))) for s in summaries)) for q, get, _, _ in QUANTITIES]
    header = ("", *(label for label, _ in items))
    return table(header, body, markdown=markdown, right=tuple(range(1, len(header))))


def render(items, fmt: str = "table", *, lang: str | None = None) -> str:
    """``items``: ``(label, Summary)`` pairs, the first being the one the others are measured
    against; ``fmt``: ``"table"`` (plain text) or ``"md"`` (Markdown); ``lang``: ``"en"``, ``"ko"``
    (None: the current language)."""
    with language(lang):
        return _render(items, fmt)


def _render(items, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(tr("unknown comparison format {fmt!r}; valid formats: {choices}", fmt=fmt, choices=", ".join(FORMATS)))
    if len(items) < 2:
        raise ValueError(tr("a comparison needs at least two summaries, got {n}", n=len(items)))
    markdown = fmt == "md"
    first_label, first = items[0]
    h = "### " if markdown else ""
    bullet = "- " if markdown else "  "
    relative = tr("Relative to {model}", model=first_label)
    out = [_totals_table(items, markdown), f"\n{h}{relative}\n"]
    for label, s in items[1:]:
        for q, get, fewer, more in QUANTITIES:
            out.append(bullet + ratio_sentence(label, q, ratio(get(first), get(s)), first_label, fewer, more) + "\n")

    out.append("\n" + h + tr("How each total is made up") + "\n")
    for label, s in items:
        title = tr("{model} (forward failed: totals cover the layers that ran)", model=label) if s.failed else label
        out.append(f"\n{'#### ' if markdown else ''}{title}\n")
        out.append(bullet + tr("parameters: {breakdown}", breakdown=breakdown(s)) + "\n")
        out.append(bullet + tr("MACs: {breakdown}", breakdown=macs_breakdown(s)) + "\n")
        memory = f"{f.nbytes(s.memory.total)} = {memory_terms(s.memory)}" if s.memory is not None else tr("not estimated")
        out.append(bullet + tr("training memory: {memory}", memory=memory) + "\n")
    if any(s.errors for _, s in items):
        out.append("\n" + tr("Some models have errors: `convlens zoo show NAME` explains each one.") + "\n")
    if first.memory is not None:
        out.append("\n" + tr("Training memory = {formula}; one step, batch as given.", formula=tr(first.memory.formula)) + "\n")
    return "".join(out)
