"""Shared by `summary`, `check` and `compare`: the model options, parsed into a ``targets.Request``.

This is the only place that turns argparse's namespace into the library's frozen request; the
resolver (``convlens.targets``) does the rest, exactly as for the Python API.
"""

from __future__ import annotations

import json

from ..record import Summary
from ..targets import TraceDevice
from ..i18n import tr
from ._common import UsageError, parse_shape

EXAMPLE_ARGS = "'{\"num_classes\": 10}'"  # --args, as a shell takes it
DTYPES = ("float32", "float16", "bfloat16", "float64", "int64", "int32", "bool")


def add_model_arguments(p, *, several: bool = False) -> None:
    """TARGET (or TARGET... with ``several``) and the options every model command takes."""
    if several:
        p.add_argument("targets", nargs="+", metavar="TARGET", help=tr("zoo:NAME, path/to/file.py:ClassOrFactory, package.module:attr, or a .keras file"))
    else:
        p.add_argument("target", metavar="TARGET", help=tr("path/to/file.py:ClassOrFactory, package.module:attr, zoo:NAME, or a .keras file"))
    p.add_argument("--input", action="append", metavar="SHAPE", help=tr("input shape, e.g. 1x3x224x224; repeat for several inputs (default: the zoo entry's documented size)"))
    p.add_argument("--args", metavar="JSON", help=tr("constructor arguments as JSON, e.g. {example}", example=EXAMPLE_ARGS))
    p.add_argument("--dtype", action="append", choices=DTYPES, help=tr("dtype of each input (default float32; int64 for token ids)"))
    p.add_argument("--device", choices=[str(d) for d in TraceDevice], default=str(TraceDevice.META), help=tr("meta (default): no weights, nothing computed; cpu: run the forward for real"))


def parse_args_json(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(tr("--args {text!r} is not valid JSON ({problem}); write e.g. --args {example}", text=text, problem=exc.msg,
                            example=EXAMPLE_ARGS)) from None
    if not isinstance(value, dict):
        raise UsageError(tr("--args must be a JSON object of constructor arguments, e.g. {example}, got {text!r}", example=EXAMPLE_ARGS, text=text))
    return value


def request_from(args, *, memory: bool = True, title: str | None = None):
    """The frozen request for the options in ``args`` (argparse's namespace stops here)."""
    from ..targets import Request, RequestError

    shapes = tuple(parse_shape(s) for s in args.input) if args.input else None
    try:
        return Request.make(input_size=list(shapes) if shapes else None, dtypes=args.dtype, device=args.device,
                            args=parse_args_json(args.args), title=title, memory=memory, depth=getattr(args, "depth", None))
    except RequestError as exc:
        message = str(exc)  # "depth must be ..." / "depth는 ...": named as the option it came from, in any language
        raise UsageError("--" + message if message.startswith("depth") else message) from None


def summarise(args, *, memory: bool = True, target: str | None = None):
    """Resolve the target, build it, summarise it. Users' mistakes raise a UserError (the CLI's one line)."""
    from ..targets import is_keras_model, resolve, summarize

    target = target or args.target
    request = request_from(args, memory=memory, title=target.split(":", 1)[-1] if ":" in target else None)
    resolved = resolve(target, request)
    if isinstance(resolved.model, Summary):  # a spec file: already summarised, by the core
        return summarize(resolved)
    if resolved.request.input_sizes is None and not is_keras_model(resolved.model):
        raise UsageError(tr("give the input shape of {target}, e.g. --input 1x3x224x224", target=target))
    if not is_keras_model(resolved.model) and any(d is None for s in resolved.request.input_sizes for d in s):
        raise UsageError(tr("PyTorch inputs need every size, including the batch: e.g. --input 1x3x224x224"))
    return summarize(resolved)

