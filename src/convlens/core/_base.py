"""The objects every core layer shares: weights, receptive-field steps, results, the base class.

A layer is a small frozen dataclass whose fields are the framework's own keyword names in the
framework's own positional order, so ``Conv2d(1, 20, 5, padding=2)`` reads as in PyTorch.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from fractions import Fraction
from typing import ClassVar

from ..i18n import tr
from . import costs
from .receptive import ReceptiveField, RFStep, _num  # noqa: F401  (RFStep/ReceptiveField are part of this module's API)
from ._args import fmt_shape
from ._errors import LayerError
from .framework import Framework

Shape = tuple  # tuple[int | None, ...]; None only in the batch position of a Keras shape


@dataclass(frozen=True, slots=True)
class Weight:
    """One weight tensor (or buffer) of a layer: ``Weight("weight", (20, 1, 5, 5))``."""

    name: str
    shape: tuple[int, ...]
    trainable: bool = True  # False for Keras' BatchNormalization moving statistics

    @property
    def numel(self) -> int:
        return costs.numel(self.shape)


class Role(StrEnum):
    """What a weight tensor does in its layer."""

    KERNEL = "kernel"  # multiplied with the input (conv filters, linear weights)
    BIAS = "bias"  # added to each output channel/feature
    SCALE = "scale"  # a normalisation's learned per-channel factor (γ)
    SHIFT = "shift"  # a normalisation's learned per-channel offset (β)
    STATISTIC = "statistic"  # running statistics: updated in training, never by gradients
    TABLE = "table"  # an embedding's lookup table


KERNEL_AXES = "k…"  # in ``DeclaredWeight.axes``: the kernel's spatial axes, as many as the layer has


@dataclass(frozen=True, slots=True)
class DeclaredWeight:
    """One weight a layer class declares, once: its name, what each dimension counts, its role
    and the sentence that explains it. ``explain()``, the renderers and the web page read it.

    ``axes`` name the dimensions in storage order: ``"out"``, ``"in"``, ``"mult"`` (a depthwise
    multiplier), ``"features"``, ``"rows"``, or ``KERNEL_AXES`` for all the kernel's spatial axes.

    >>> declared = DeclaredWeight("weight", ("out", "in", KERNEL_AXES), Role.KERNEL, "one kernel per output and input channel")
    >>> declared.tutorial_order((64, 3, 7, 7)), declared.kernel((64, 3, 7, 7))
    ((3, 64, 7, 7), (7, 7))
    """

    name: str
    axes: tuple[str, ...]
    role: Role
    sentence: str  # in English, marked with N_ where declared; ``text`` gives it in the current language

    @property
    def text(self) -> str:
        """The sentence in the current language (``convlens.i18n``).

        >>> from convlens.i18n import language
        >>> with language("ko"):
        ...     DeclaredWeight("bias", ("out",), Role.BIAS, "one value added to every position of each output channel").text
        '각 출력 채널의 모든 위치에 더해지는 값 하나'
        """
        return tr(self.sentence)

    def split(self, shape) -> dict[str, tuple[int, ...]]:
        """``shape`` cut into the declared axes: ``{"out": (64,), "in": (3,), "k…": (7, 7)}``."""
        n_kernel = len(shape) - (len(self.axes) - 1) if KERNEL_AXES in self.axes else 0
        parts, i = {}, 0
        for axis in self.axes:
            take = n_kernel if axis == KERNEL_AXES else 1
            parts[axis] = tuple(shape[i:i + take])
            i += take
        return parts

    def tutorial_order(self, shape) -> tuple[int, ...]:
        """The dimensions as the tutorials multiply them: ``in × out × kernel`` (other axes after)."""
        shape = tuple(shape)
        if len(shape) < 2 or len(shape) < len(self.axes) - (KERNEL_AXES in self.axes):
            return shape
        parts = self.split(shape)
        lead = [a for a in ("in", "out", "mult") if a in parts]
        if not lead:
            return shape
        return sum((parts[a] for a in lead + [a for a in self.axes if a not in lead]), ())

    def kernel(self, shape) -> tuple[int, ...] | None:
        """The spatial kernel of a weight shaped ``shape``, or None when this weight has none."""
        if KERNEL_AXES not in self.axes or len(shape) < len(self.axes):
            return None
        return self.split(tuple(shape))[KERNEL_AXES]


@dataclass(frozen=True, slots=True)
class LayerResult(costs.CountsParams):
    """Everything the core knows about one layer applied to one input shape."""

    layer: "Layer"
    input_shape: Shape  # for a merge: a tuple of shapes
    output_shape: Shape
    weights: tuple[Weight, ...]
    buffers: tuple[Weight, ...]
    macs: int
    flops: int
    receptive_field: RFStep | None
    warnings: tuple[str, ...]

    @property
    def buffer_count(self) -> int:
        return sum(w.numel for w in self.buffers)

    def calculation(self) -> list[str]:
        """The worked calculation with the numbers substituted, one line per step."""
        return self.layer.explain(self.input_shape, self.output_shape)

    def to_dict(self) -> dict:
        return {
            "layer": self.layer.code(),
            "input_shape": self.input_shape,
            "output_shape": self.output_shape,
            "weights": [{"name": w.name, "shape": w.shape, "trainable": w.trainable} for w in self.weights],
            "buffers": [{"name": w.name, "shape": w.shape} for w in self.buffers],
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "macs": self.macs,
            "flops": self.flops,
            "receptive_field": None
            if self.receptive_field is None
            else {
                "kernel": [str(k) for k in self.receptive_field.kernel],
                "stride": [str(s) for s in self.receptive_field.stride],
                "padding": [str(p) for p in self.receptive_field.padding],
                "global": self.receptive_field.is_global,
            },
            "warnings": list(self.warnings),
            "calculation": self.calculation(),
        }


class Layer:
    """Base of every core layer.

    Subclasses are ``@dataclass(frozen=True)`` with the framework's keyword names as fields and
    override the hooks below. ``evaluate(shape)`` is the one entry point; it never renders text
    (``LayerResult.calculation()`` does, lazily), so whole networks can be recomputed quickly.
    """

    framework: ClassVar[Framework] = Framework.TORCH  # whose semantics the layer follows: TORCH or KERAS
    n_inputs: ClassVar[int] = 1  # 0 = any number of inputs (merges)
    elementwise_flops: ClassVar[bool] = False  # one FLOP per output element (activation, norm, ...)
    # The weights this layer can have, declared once (``weights()`` gives their shapes for an input).
    declared_weights: ClassVar[tuple[DeclaredWeight, ...]] = ()
    # Arguments the layer takes from its input when left as None, and which input dimension gives
    # each: ``{"in_channels": 1}`` for a PyTorch conv, ``{"in_features": -1}`` for Linear. The torch
    # tracer, the spec's fix suggestions and code export read it here.
    taken_from_input: ClassVar[dict[str, int]] = {}

    @classmethod
    def declared_weight(cls, name: str | None = None) -> DeclaredWeight | None:
        """The declaration of weight ``name`` (default: the main weight, declared first)."""
        if name is None:
            return cls.declared_weights[0] if cls.declared_weights else None
        return next((w for w in cls.declared_weights if w.name == name), None)

    def __init_subclass__(cls, *, n: int | None = None, **kwargs):
        """``class Conv1d(_TorchConvNd, n=1)``: a rank variant names its number of spatial dimensions
        in its header. It adds no fields, so it needs no ``@dataclass`` of its own: the fields, the
        frozen ``__setattr__``, ``__eq__`` and ``__repr__`` are its base's."""
        super().__init_subclass__(**kwargs)
        if n is not None:
            cls.n = n

    # --- hooks -------------------------------------------------------------------------
    def output_shape(self, shape: Shape) -> Shape:
        raise NotImplementedError

    def weights(self, shape: Shape) -> tuple[Weight, ...]:
        return ()

    def buffers(self, shape: Shape) -> tuple[Weight, ...]:
        return ()

    def macs(self, shape: Shape, out: Shape) -> int:
        return 0

    def flops(self, shape: Shape, out: Shape, macs: int) -> int:
        return costs.flops(macs, costs.numel(out) if self.elementwise_flops else 0)

    def rf_step(self, shape: Shape) -> RFStep | None:
        """None: the layer keeps every position where it was (elementwise)."""
        return None

    def warnings(self, shape: Shape, out: Shape) -> tuple[str, ...]:
        return ()

    def param_count(self, shape: Shape) -> int:
        """Parameters for input ``shape``: the elements of the weights ``weights()`` declares (the
        one count; ``explain()`` quotes it rather than recomputing it)."""
        return sum(w.numel for w in self.weights(shape))

    def explain(self, shape: Shape, out: Shape) -> list[str]:
        if out == shape:
            return [tr("output shape {out} (same as input {shape})", out=fmt_shape(out), shape=fmt_shape(shape))]
        return [f"{fmt_shape(shape)} -> {fmt_shape(out)}"]

    # --- entry point ------------------------------------------------------------------
    def evaluate(self, shape) -> LayerResult:
        shape = self._check_input(shape)
        out = self.output_shape(shape)
        macs = self.macs(shape, out)
        return LayerResult(
            self,
            shape,
            out,
            self.weights(shape),
            self.buffers(shape),
            macs,
            self.flops(shape, out, macs),
            self.rf_step(shape),
            self.warnings(shape, out),
        )

    def _check_input(self, shape):
        if self.n_inputs == 1:
            return _as_shape(self.type_name, shape, allow_none_batch=self.framework is Framework.KERAS)
        if not isinstance(shape, (tuple, list)) or not shape or not all(isinstance(s, (tuple, list)) for s in shape):
            raise LayerError(self.type_name, "inputs", tr("expects a list of input shapes, got {shape}", shape=repr(shape)))
        return tuple(_as_shape(self.type_name, s, allow_none_batch=self.framework is Framework.KERAS) for s in shape)

    # --- description ------------------------------------------------------------------
    @property
    def type_name(self) -> str:
        return type(self).__name__

    @classmethod
    def argument_fields(cls) -> tuple:
        """The dataclass fields a user writes, in the framework's order (no hidden or derived ones)."""
        return tuple(f for f in fields(cls) if f.init and not f.metadata.get("hidden"))

    def arguments(self, *, input_shape: Shape | None = None, plain=None) -> dict[str, object]:
        """The arguments that differ from the defaults, in the framework's order.

        ``input_shape``: every argument in ``taken_from_input`` is kept, and filled from that input
        when it is None (what code export writes). ``plain``: a function giving the form a value is
        written in (``(3, 3)`` -> 3) before it is compared with the default and returned.

        >>> from convlens.core.conv import Conv2d
        >>> Conv2d(out_channels=20, kernel_size=5, padding=2).arguments()
        {'out_channels': 20, 'kernel_size': 5, 'padding': 2}
        >>> Conv2d(out_channels=20, kernel_size=5).arguments(input_shape=(16, 1, 28, 28))
        {'in_channels': 1, 'out_channels': 20, 'kernel_size': 5}
        """
        out = {}
        for f in self.argument_fields():
            value = getattr(self, f.name)
            if input_shape is not None and f.name in self.taken_from_input:
                out[f.name] = input_shape[self.taken_from_input[f.name]] if value is None else value
                continue
            if plain is not None:
                if value == f.default:
                    continue
                value = plain(value)
            if value != f.default:
                out[f.name] = value
        return out

    def code(self) -> str:
        """The layer as code, with only non-default arguments: ``Conv2d(1, 20, kernel_size=5, padding=2)``."""
        return f"{self.type_name}({', '.join(f'{k}={v!r}' for k, v in self.arguments().items())})"


def _as_shape(layer: str, shape, *, allow_none_batch: bool) -> Shape:
    if isinstance(shape, int) or not isinstance(shape, (tuple, list)):
        raise LayerError(layer, "input", tr("input shape must be a tuple of ints, got {shape}", shape=repr(shape)))
    out = tuple(shape)
    for i, d in enumerate(out):
        if d is None and i == 0 and allow_none_batch:
            continue
        if isinstance(d, bool) or not isinstance(d, int):
            raise LayerError(layer, "input", tr("input shape must be a tuple of ints, got {shape}", shape=fmt_shape(out)))
        if d < 0:
            raise LayerError(layer, "input", tr("input shape has a negative size: {shape}", shape=fmt_shape(out)))
    return out
