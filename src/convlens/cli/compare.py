"""`convlens compare TARGET TARGET ... [--input 1x3x224x224]`: models side by side.

For each model: parameters, MACs, output shape, training memory and receptive field, then each
total written out (``260,160 = (3×64×3×3 + 64) + …``), then every model measured against the
first: ``resnet-stem: 27.5× fewer parameters than vgg-first-blocks``.

TARGET is anything `convlens summary` takes (``zoo:NAME``, ``path/to/file.py:Class``,
``package.module:attr``); every target is resolved by ``convlens.targets`` on one request
(``--input``, ``--args``, ``--device``, ``--dtype``), as `summary` resolves its one.

This module summarises the targets (``compare()``); the text is ``convlens.render.comparison``
and the ratios are ``convlens.render.compare.ratio``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from ..errors import UserError
from ..i18n import tr
from ..record import Summary
from ..render import comparison
from ..render.compare import QUANTITIES, ratio, rf_size
from ..targets import Request, TargetError, is_keras_model, resolve, summarize
from ._common import UsageError
from ._model import add_model_arguments, request_from

COMPARE_FORMATS = ("table", "md", "json")


def register(sub) -> None:
    p = sub.add_parser("compare", help=tr("models side by side: parameters, MACs, output, training memory, receptive field, ratios"),
                       description=tr("Summarise several models on the same input and compare them: totals, how each total is "
                                      "made up, and how many times more or less each needs than the first."))
    add_model_arguments(p, several=True)
    p.add_argument("--format", choices=COMPARE_FORMATS, default="table")  # argparse writes the choices
    p.set_defaults(run=run)


@dataclass(frozen=True)
class Compared:
    """One model in the comparison."""

    target: str  # as typed: "zoo:resnet-stem"
    label: str  # short name used in the table and sentences: "resnet-stem"
    input_size: tuple[int, ...]
    summary: Summary


def compare(targets: list[str], request: Request) -> list[Compared]:
    """Summarise every target on ``request`` (its input, or each target's documented one)."""
    if len(targets) < 2:
        raise UsageError(tr("compare needs at least two targets, e.g. convlens compare zoo:vgg-first-blocks zoo:resnet-stem"))
    out = []
    for target in targets:
        resolved = resolve(target, request)
        if is_keras_model(resolved.model):
            raise UsageError(tr("compare: {label} is a Keras model; compare traces PyTorch models only "
                                "(keras-tutorial-cnn-keras has the PyTorch port zoo:keras-tutorial-cnn)", label=resolved.label))
        sizes = resolved.request.input_sizes
        if sizes is None:
            raise UsageError(tr("give the input shape for {target}, e.g. --input 1x3x224x224", target=target))
        try:
            s = summarize(resolved)
        except TargetError:  # names the target already
            raise
        except UserError as exc:  # the front end refused the input (SummaryError): say which target
            raise UsageError(f"compare {target}: {exc}") from None  # the command, the target, then the front end's sentence
        out.append(Compared(target, resolved.label, tuple(sizes[0]), s))
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
    request = request_from(args)
    if request.input_sizes is not None and any(d is None for s in request.input_sizes for d in s):
        raise UsageError(tr("compare needs every input size, including the batch: e.g. --input 1x3x224x224"))
    models = compare(args.targets, request)
    if args.format == "json":
        sys.stdout.write(json.dumps(to_dict(models), indent=2) + "\n")
    else:
        sys.stdout.write(comparison([(m.label, m.summary) for m in models], args.format))
    return 1 if any(m.summary.failed for m in models) else 0
