"""`convlens compare TARGET TARGET ... [--input 1x3x224x224]`: models side by side.

For each model: parameters, MACs, output shape, training memory and receptive field, then each
total written out (``260,160 = (3×64×3×3 + 64) + …``), then every model measured against the
first: ``resnet-stem: 27.5× fewer parameters than vgg-first-blocks``.

TARGET is ``zoo:NAME``; with the PyTorch front end installed, also ``path/to/file.py:Class`` and
``package.module:attr`` (resolved by ``convlens.frontends.torch``).

This module resolves the targets and summarises them (``compare()``); the text is
``convlens.render.comparison`` and the ratios are ``convlens.render.compare.ratio``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from ..render import comparison
from ..render.compare import QUANTITIES, ratio, rf_size
from ._common import UsageError, parse_shape

COMPARE_FORMATS = ("table", "md", "json")


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
            "receptive_field": rf_size(s),
            "failed": s.failed,
            "diagnostics": [d.code for d in s.diagnostics],
            "ratios_to_first": {q: ratio(get(first), get(s)) for q, get, _, _ in QUANTITIES},
        })
    return {"first": models[0].label, "models": rows}


def run(args) -> int:
    input_size = parse_shape(args.input) if args.input else None
    if input_size is not None and any(d is None for d in input_size):
        raise UsageError("compare needs every input size, including the batch: e.g. --input 1x3x224x224")
    models = compare(args.targets, input_size)
    if args.format == "json":
        sys.stdout.write(json.dumps(to_dict(models), indent=2) + "\n")
    else:
        sys.stdout.write(comparison([(m.label, m.summary) for m in models], args.format))
    return 1 if any(m.summary.failed for m in models) else 0
