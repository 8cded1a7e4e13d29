"""The frozen request every way into convlens builds: what to summarise a model on, and how.

The CLI parses its options into a ``Request`` (``Request.make``); the Python API passes its
keyword arguments to the same ``Request.make``; nothing below sees argparse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..i18n import tr
from ..frontends.device import TraceDevice


class RequestError(UserError):
    """A malformed request (a negative depth, a size that is not a number…); the message names
    the argument, the value received and what works."""


DTYPE_NAMES = ("float32", "float16", "bfloat16", "float64", "int64", "int32", "bool")


@dataclass(frozen=True)
class Request:
    """What to summarise a model on, and how."""

    input_sizes: tuple[tuple, ...] | None = None  # one shape per input, batch first; None: the target's documented input
    input_data: Any = None  # the inputs themselves (tensors, a tuple/list or dict of them), instead of input_sizes
    dtypes: tuple | None = None  # one per input (or one for all): torch dtypes or their names ("int64")
    device: TraceDevice = TraceDevice.META
    args: tuple[tuple[str, Any], ...] = ()  # keyword arguments for a class or factory target
    title: str | None = None  # the summary's title (default: the target's name)
    memory: bool = True  # measure the training-memory estimate (a backward-saved-tensor count)
    depth: int | None = None  # torchinfo's depth: rows more than this many levels below the model are hidden (totals unchanged)

    @property
    def kwargs(self) -> dict:
        return dict(self.args)

    @staticmethod
    def make(*, input_size=None, input_data=None, dtypes=None, device="meta", args=None, title=None,
             memory=True, depth=None) -> "Request":
        """Validate once, at the entry. ``input_size`` is one shape ``(1, 3, 224, 224)`` or a list
        of shapes, one per input (as torchinfo takes it)."""
        return Request(
            input_sizes=_sizes(input_size), input_data=input_data, dtypes=_dtypes(dtypes), device=_device(device),
            args=_args(args), title=title, memory=bool(memory), depth=_depth(depth),
        )


def _sizes(input_size) -> tuple[tuple, ...] | None:
    if input_size is None:
        return None
    if isinstance(input_size, (tuple, list)) and all(isinstance(d, int) or d is None for d in input_size):
        return (tuple(input_size),)  # one shape (the empty shape () included: a 0-d input)
    if isinstance(input_size, (tuple, list)):
        return tuple(tuple(s) if isinstance(s, (tuple, list)) else s for s in input_size)
    try:  # a torch.Size
        return (tuple(int(d) for d in input_size),)
    except TypeError:
        raise RequestError(tr("input_size must be a shape such as (1, 3, 224, 224) or a list of shapes, got {value}", value=repr(input_size))) from None


def _dtypes(dtypes) -> tuple | None:
    if dtypes is None:
        return None
    if isinstance(dtypes, (list, tuple)):
        return tuple(dtypes)
    return (dtypes,)


def _device(device) -> TraceDevice:
    try:
        return TraceDevice(str(device))  # torch.device("cpu") reads as "cpu"
    except ValueError:
        raise RequestError(tr("device must be 'meta' or 'cpu', got {value}", value=repr(device))) from None


def _args(args) -> tuple[tuple[str, Any], ...]:
    if args is None:
        return ()
    if not isinstance(args, dict) or not all(isinstance(k, str) for k in args):
        raise RequestError(tr("args must be a dict of keyword arguments for the model's class or factory, e.g. {{'num_classes': 10}}, got {value}",
                              value=repr(args)))
    return tuple(args.items())


def _depth(depth) -> int | None:
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise RequestError(tr("depth must be a whole number >= 1 (1 = the model's top-level layers, 2 = also their children, "
                              "as torchinfo's depth) or None for every level, got {value}", value=repr(depth)))
    return depth


__all__ = ["DTYPE_NAMES", "TraceDevice", "Request", "RequestError"]
