"""`convlens compare TARGET TARGET ... [--input 1x3x224x224]`: models side by side.

For each model: parameters, MACs, output shape, training memory and receptive field, then each
total written out (``260,160 = (3×64×3×3 + 64) + …``), then every model measured against the
first: ``resnet-stem: 27.5× fewer parameters than vgg-first-blocks``.

TARGET is ``zoo:NAME``; with the PyTorch front end installed, also ``path/to/file.py:Class`` and
``package.module:attr`` (resolved by ``convlens.frontends.torch``).

The comparison is computed as numbers (``compare()``) and formatted separately (``format_*``);
the table formatting lives here until the report layer grows a comparison renderer.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from ._common import UsageError, parse_shape

COMPARE_FORMATS = ("table", "md", "json")
MAX_MAC_TERMS = 6  # the MACs breakdown lists the largest layers, then "… N more layers"


def register(sub) -> None:
    p = sub.add_parser("compare", help="models side by side: parameters, MACs, output, training memory, receptive field, ratios",
                       description="Summarise several models on the same input and compare them: totals, how each total is "
                                   "made up, and how many times more or less each needs than the first.")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="zoo:NAME (see `convlens zoo list`), path/to/file.py:Class or package.module:attr")
    p.add_argument("--input", metavar="SHAPE", help="one input shape for every model, e.g. 1x3x224x224 (default: each zoo entry's documented size)")
    p.add_argument("--format", choices=COMPARE_FORMATS, default="table")
    p.set_defaults(run=run)


@dataclass(frozen=True)
class Compared:
    """One model in the comparison."""

    target: str  # as typed: "zoo:resnet-stem"
    label: str  # short name used in the table and sentences: "resnet-stem"
    input_size: tuple[int, ...]
    summary: object  # convlens.record.Summary


# (quantity, attribute getter, word when smaller, word when larger)
QUANTITIES = (
    ("parameters", lambda s: s.total_params, "fewer", "more"),
    ("MACs", lambda s: s.total_macs, "fewer", "more"),
    ("training memory", lambda s: s.memory.total if s.memory is not None else None, "less", "more"),
)


# --- resolving and summarising ------------------------------------------------------------------


def _build(target: str):
    """-> (model, label, documented input size or None). Users' mistakes raise UsageError."""
    try:
        import torch
    except ImportError:
        raise UsageError("compare needs PyTorch; install it with: pip install torch==2.13.0") from None
    if target.startswith("zoo:"):
        from .. import zoo

        try:
            entry = zoo.get(target[4:])
        except zoo.ZooError as exc:
            raise UsageError(str(exc)) from None
        if entry.framework != "torch":
            raise UsageError(f"compare: {entry.name} is a {entry.framework} model; compare traces PyTorch models only "
                             f"(keras-tutorial-cnn-keras has the PyTorch port zoo:keras-tutorial-cnn)")
        with torch.device("meta"):
            return zoo.build(entry.name), entry.name, tuple(entry.input_size)
    try:
        from ..frontends.torch import TargetError, build_target
    except ImportError:
        raise UsageError(f"target {target!r}: only zoo:NAME targets can be compared until the PyTorch front end "
                         f"(convlens.frontends.torch) is installed") from None
    try:
        model, default_input = build_target(target, {}, device="meta")
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    return model, target.rsplit(":", 1)[-1], default_input


def compare(targets: list[str], input_size: tuple[int, ...] | None = None) -> list[Compared]:
    """Summarise every target on ``input_size`` (or its own documented size)."""
    if len(targets) < 2:
        raise UsageError("compare needs at least two targets, e.g. convlens compare zoo:vgg-first-blocks zoo:resnet-stem")
    try:
        from ..frontends.torch import summary
    except ImportError as exc:
        raise UsageError(f"compare needs the PyTorch tracer (convlens.summary), which is not available yet ({exc})") from None
    out = []
    for target in targets:
        model, label, default_input = _build(target)
        size = input_size or default_input
        if size is None:
            raise UsageError(f"give the input shape for {target}, e.g. --input 1x3x224x224")
        try:
            s = summary(model, input_size=tuple(size), title=label)
        except NotImplementedError as exc:
            raise UsageError(f"compare: the PyTorch tracer is not available yet ({exc})") from None
        except ValueError as exc:  # SummaryError: a malformed input size
            raise UsageError(f"compare {target}: {exc}") from None
        out.append(Compared(target, label, tuple(size), s))
    return out


def ratio(first: int | None, other: int | None) -> float | None:
    """``first / other``: how many times more the first model needs; None when either is unknown or zero."""
    if not first or not other:
        return None
    return first / other


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
    times = r if r > 1 else 1 / r
    text = f"{times:.1f}" if times >= 10 else f"{times:.2f}"
    return f"{label}: {text}× {fewer if r > 1 else more} {quantity} than {first_label}"


def to_dict(models: list[Compared]) -> dict:
    """The comparison as numbers (JSON output)."""
    first = models[0].summary
    rows = []
    for m in models:
        s = m.summary
        rows.append({
            "target": m.target,
            "label": m.label,
            "input_size": list(m.input_size),
            "parameters": s.total_params,
            "trainable_parameters": s.trainable_params,
            "macs": s.total_macs,
            "output_shapes": [list(o) if o is not None else None for o in s.output_shapes],
            "training_memory_bytes": s.memory.total if s.memory is not None else None,
            "receptive_field": _rf_size(s),
            "failed": s.failed,
            "diagnostics": [d.code for d in s.diagnostics],
            "ratios_to_first": {q: ratio(get(first), get(s)) for q, get, _, _ in QUANTITIES},
        })
    return {"first": models[0].label, "models": rows}


def _rf_size(s) -> list | None:
    rf = s.receptive_field
    if not rf or "size" not in rf:
        return None
    return [int(v) if float(v).is_integer() else float(v) for v in rf["size"]]


# --- formatting ---------------------------------------------------------------------------------


def _formatters():
    from .zoo import _formatters as f

    return f()


def _breakdown(s) -> str:
    try:
        from ..render import breakdown
    except ImportError:
        return f"{s.total_params:,}"
    return breakdown(s)


def _macs_breakdown(s, f) -> str:
    """The MAC total as the sum of its largest layers: ``'4,710,924,288 = 1,849,688,064 (1 Conv2d) + …'``."""
    terms = sorted(((r.macs, r.name, r.type) for r in s.layers if r.macs), key=lambda t: -t[0])
    if not terms:
        return f"{f.thousands(s.total_macs)} (no layer multiplies)"
    shown = [f"{f.thousands(macs)} ({name} {kind})" for macs, name, kind in terms[:MAX_MAC_TERMS]]
    if len(terms) > MAX_MAC_TERMS:
        rest = terms[MAX_MAC_TERMS:]
        shown.append(f"{f.thousands(sum(m for m, _, _ in rest))} ({len(rest)} more layers)")
    return f"{f.thousands(s.total_macs)} = " + " + ".join(shown)


def _memory_breakdown(s, f) -> str:
    m = s.memory
    if m is None:
        return "not estimated"
    parts = [("params", m.parameters), ("gradients", m.gradients), ("Adam state", m.optimizer), ("buffers", m.buffers),
             ("input", m.inputs), ("activations", m.activations)]
    return f"{f.nbytes(m.total)} = " + " + ".join(f"{name} {f.nbytes(v)}" for name, v in parts)


def _output_text(s, f) -> str:
    if s.failed:
        where = next((r.name for r in s.layers if r.failed), None)
        return f"FAILED{' at ' + where if where else ''}"
    return ", ".join(f.shape_x(o) for o in s.output_shapes) or "--"


def _diagnostics_text(s) -> str:
    errors = sum(1 for d in s.diagnostics if d.severity == "error")
    warnings = sum(1 for d in s.diagnostics if d.severity == "warning")
    parts = [f"{errors} error{'s' * (errors != 1)}"] * bool(errors) + [f"{warnings} warning{'s' * (warnings != 1)}"] * bool(warnings)
    return ", ".join(parts) or "none"


def format_text(models: list[Compared], *, markdown: bool = False) -> str:
    from .zoo import table

    f = _formatters()
    first = models[0]
    header = ("", *(m.label for m in models))
    body = [
        ("input", *(f.shape_x(m.input_size) for m in models)),
        ("parameters", *(f.count(m.summary.total_params) for m in models)),
        ("MACs", *(f.count(m.summary.total_macs) for m in models)),
        ("output", *(_output_text(m.summary, f) for m in models)),
        ("training memory", *(f.nbytes(m.summary.memory.total) if m.summary.memory is not None else "--" for m in models)),
        ("receptive field", *("×".join(str(v) for v in _rf_size(m.summary)) if _rf_size(m.summary) else "--" for m in models)),
        ("diagnostics", *(_diagnostics_text(m.summary) for m in models)),
    ]
    for q, get, _, _ in QUANTITIES:
        row = [f"{q} ÷ {first.label}"]
        for m in models:
            r = ratio(get(m.summary), get(first.summary))
            row.append("--" if r is None else f"{r:.3g}×")
        body.append(tuple(row))
    out = [table(header, body, markdown=markdown, right=tuple(range(1, len(header))))]

    h = "### " if markdown else ""
    bullet = "- " if markdown else "  "
    out.append(f"\n{h}Relative to {first.label}\n")
    for m in models[1:]:
        for q, get, fewer, more in QUANTITIES:
            out.append(bullet + ratio_sentence(m.label, q, ratio(get(first.summary), get(m.summary)), first.label, fewer, more) + "\n")

    out.append(f"\n{h}How each total is made up\n")
    for m in models:
        s = m.summary
        out.append(f"\n{'#### ' if markdown else ''}{m.label}{' (forward failed: totals cover the layers that ran)' if s.failed else ''}\n")
        out.append(f"{bullet}parameters: {_breakdown(s)}\n")
        out.append(f"{bullet}MACs: {_macs_breakdown(s, f)}\n")
        out.append(f"{bullet}training memory: {_memory_breakdown(s, f)}\n")
    if any(m.summary.errors for m in models):
        out.append("\nSome models have errors: `convlens zoo show NAME` explains each one.\n")
    if models[0].summary.memory is not None:
        out.append(f"\nTraining memory = {models[0].summary.memory.formula}; one step, batch as given.\n")
    return "".join(out)


def run(args) -> int:
    input_size = parse_shape(args.input) if args.input else None
    if input_size is not None and any(d is None for d in input_size):
        raise UsageError("compare needs every input size, including the batch: e.g. --input 1x3x224x224")
    models = compare(args.targets, input_size)
    if args.format == "json":
        sys.stdout.write(json.dumps(to_dict(models), indent=2) + "\n")
    else:
        sys.stdout.write(format_text(models, markdown=args.format == "md"))
    return 1 if any(m.summary.failed for m in models) else 0
