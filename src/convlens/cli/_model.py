"""Shared by `summary`, `check` and `compare`: a TARGET plus options -> a Summary."""

from __future__ import annotations

from ._common import UsageError, parse_shape

DTYPES = ("float32", "float16", "bfloat16", "float64", "int64", "int32", "bool")


def add_model_arguments(p) -> None:
    p.add_argument("target", metavar="TARGET", help="path/to/file.py:ClassOrFactory, package.module:attr, zoo:NAME, or a saved Keras model.keras / model.h5")
    p.add_argument("--input", action="append", metavar="SHAPE", help="input shape, e.g. 1x3x224x224; repeat for several inputs (default: the zoo entry's documented size)")
    p.add_argument("--args", metavar="JSON", help="constructor arguments as JSON, e.g. '{\"num_classes\": 10}'")
    p.add_argument("--dtype", action="append", choices=DTYPES, help="dtype of each input (default float32; int64 for token ids)")
    p.add_argument("--device", choices=("meta", "cpu"), default="meta", help="meta (default): no weights, nothing computed; cpu: run the forward for real")


def summarise(args, *, memory: bool = True):
    """Resolve the target, build it, trace it. Users' mistakes raise UsageError."""
    try:
        import torch
    except ImportError:
        raise UsageError("PyTorch is not installed; install it with: pip install torch==2.13.0") from None
    from ..frontends.keras import KerasModelError, is_keras_model
    from ..frontends.keras import summary as keras_summary
    from ..frontends.torch import SummaryError, TargetError, build_target, summary
    from ..frontends.torch._target import parse_args_json

    try:
        if args.target.endswith((".keras", ".h5")):  # a saved Keras model (keras.saving.load_model)
            from ..frontends.keras import load

            model, default_input = load(args.target), None
        else:
            model, default_input = build_target(args.target, parse_args_json(args.args), device=args.device)
    except (TargetError, KerasModelError) as exc:
        raise UsageError(str(exc)) from None
    if is_keras_model(model):
        shape = parse_shape(args.input[0]) if args.input else None
        try:
            return keras_summary(model, shape, title=args.target.split(":", 1)[-1].rsplit("/", 1)[-1])
        except KerasModelError as exc:
            raise UsageError(str(exc)) from None
    shapes = [parse_shape(s) for s in args.input] if args.input else ([default_input] if default_input else None)
    if not shapes:
        raise UsageError(f"give the input shape of {args.target}, e.g. --input 1x3x224x224")
    if any(d is None for s in shapes for d in s):
        raise UsageError("PyTorch inputs need every size, including the batch: e.g. --input 1x3x224x224")
    dtypes = [getattr(torch, d) for d in args.dtype] if args.dtype else None
    if dtypes and len(dtypes) == 1 and len(shapes) > 1:
        dtypes = dtypes * len(shapes)
    try:
        return summary(model, shapes if len(shapes) > 1 else shapes[0], dtypes=dtypes, device=args.device, memory=memory,
                       title=args.target.split(":", 1)[-1])
    except SummaryError as exc:
        raise UsageError(str(exc)) from None
