"""Elementwise layers: activations (PyTorch ``ReLU`` … ``Softplus``, Keras ``Activation``) and dropout
(PyTorch ``Dropout``, ``Dropout2d``; Keras ``Dropout`` as ``KerasDropout``).

They keep the shape and every position where it was (``rf_step`` is None). Cost (``costs``): an
activation is one FLOP per output element, whatever its formula (softmax included); dropout is 0
(it is the identity at inference). PyTorch and Keras both name a layer ``Dropout``; the Keras one
is ``KerasDropout`` here and ``core.KERAS_ALIASES`` maps the Keras spelling to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._args import fmt_shape
from ._base import Layer, Role, Weight, DeclaredWeight
from .framework import Framework
from ._errors import LayerError
from .keras_conventions import keras_activation
from ..i18n import N_, tr


@dataclass(frozen=True)
class _Elementwise(Layer):
    elementwise_flops: ClassVar[bool] = True

    def output_shape(self, shape):
        return tuple(shape)


@dataclass(frozen=True)
class _InPlace(_Elementwise):
    """An activation whose one argument, ``inplace``, changes no shape and no count."""

    inplace: bool = False


class ReLU(_InPlace):
    """``nn.ReLU(inplace=False)``: max(0, x); one FLOP per element.

    >>> ReLU().evaluate((1, 64, 56, 56)).flops
    200704
    """


class ReLU6(_InPlace):
    """``nn.ReLU6(inplace=False)``: min(max(0, x), 6)."""


@dataclass(frozen=True)
class LeakyReLU(_Elementwise):
    """``nn.LeakyReLU(negative_slope=0.01, inplace=False)``: x for x >= 0, else negative_slope·x."""

    negative_slope: float = 0.01
    inplace: bool = False


@dataclass(frozen=True)
class ELU(_Elementwise):
    """``nn.ELU(alpha=1.0, inplace=False)``: x for x > 0, else alpha·(e^x − 1)."""

    alpha: float = 1.0
    inplace: bool = False


@dataclass(frozen=True)
class PReLU(_Elementwise):
    """``nn.PReLU(num_parameters=1, init=0.25)``; weight ``(num_parameters,)``, which must be 1 or the
    input's channel count (dimension 1; a 1-D input has one channel).

    >>> PReLU(64).evaluate((1, 64, 8, 8)).params
    64
    """

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("features",), Role.SCALE, N_("the learned slope for negative inputs: one, or one per channel")),
    )

    num_parameters: int = 1
    init: float = 0.25

    def __post_init__(self):
        n = self.num_parameters
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise LayerError(self.type_name, "num_parameters", tr("num_parameters must be an int >= 0, got {value}", value=repr(n)))

    def output_shape(self, shape):
        n = self.num_parameters
        if n != 1:
            if len(shape) == 0:
                raise LayerError(self.type_name, "input", tr("num_parameters={n} needs an input with a channel dimension, got a 0-D input", n=n))
            c = shape[1] if len(shape) >= 2 else 1
            if c != n:
                raise LayerError(self.type_name, "num_parameters", tr("num_parameters={n} must be 1 or the input's {c} channels ({shape}); use num_parameters={c}", n=n, c=c, shape=fmt_shape(shape)))
        return tuple(shape)

    def weights(self, shape):
        return (Weight("weight", (self.num_parameters,)),)


@dataclass(frozen=True)
class GELU(_Elementwise):
    """``nn.GELU(approximate='none')``; approximate is 'none' or 'tanh'."""

    approximate: str = "none"

    def __post_init__(self):
        if self.approximate not in ("none", "tanh"):
            raise LayerError(self.type_name, "approximate", tr("approximate={value} must be 'none' or 'tanh'", value=repr(self.approximate)))


class SiLU(_InPlace):
    """``nn.SiLU(inplace=False)``: x·σ(x)."""


class Mish(_InPlace):
    """``nn.Mish(inplace=False)``: x·tanh(softplus(x))."""


class Hardswish(_InPlace):
    """``nn.Hardswish(inplace=False)``: x·ReLU6(x + 3)/6."""


class Hardsigmoid(_InPlace):
    """``nn.Hardsigmoid(inplace=False)``: ReLU6(x + 3)/6."""


class Sigmoid(_Elementwise):
    """``nn.Sigmoid()``: 1/(1 + e^−x)."""


class Tanh(_Elementwise):
    """``nn.Tanh()``."""


@dataclass(frozen=True)
class Softplus(_Elementwise):
    beta: float = 1.0
    threshold: float = 20.0


@dataclass(frozen=True)
class Softmax(_Elementwise):
    """``nn.Softmax(dim=None)``; ``dim`` must lie in [-rank, rank) (a 0-D input counts as rank 1).
    ``dim=None`` is PyTorch's legacy choice: 0 for 0-, 1- and 3-D inputs, else 1.

    >>> Softmax(dim=-1).evaluate((8, 10)).output_shape
    (8, 10)
    """

    dim: int | None = None

    def output_shape(self, shape):
        if self.dim is not None:
            r = max(len(shape), 1)
            if not -r <= self.dim < r:
                raise LayerError(self.type_name, "dim", tr("dim={dim} is out of range for the {rank}-D input {shape}; use a dim in [-{r}, {last}]", dim=self.dim, rank=len(shape), shape=fmt_shape(shape), r=r, last=r - 1))
        return tuple(shape)


class LogSoftmax(Softmax):
    """``nn.LogSoftmax(dim=None)``: log(softmax(x)); ``dim`` as ``Softmax``'s."""


@dataclass(frozen=True)
class Activation(_Elementwise):
    """``keras.layers.Activation(activation)``: any ``keras.activations`` name; 'linear' costs nothing.

    >>> Activation("relu").evaluate((None, 28, 28, 75)).flops
    58800
    """

    framework: ClassVar[Framework] = Framework.KERAS
    activation: str = None

    def __post_init__(self):
        if self.activation is None:
            raise LayerError(self.type_name, "activation", tr("activation is required, e.g. Activation('relu')"))
        keras_activation(self.type_name, self.activation)

    def flops(self, shape, out, macs):
        return 0 if self.activation.lower() == "linear" else super().flops(shape, out, macs)


def _rate(layer: str, name: str, value, *, upper_open: bool) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value and (value < 1 if upper_open else value <= 1)
    if not ok:
        raise LayerError(layer, name, tr("{name} must be a probability in {interval}, got {name}={value}", name=name, interval="[0, 1)" if upper_open else "[0, 1]", value=repr(value)))


@dataclass(frozen=True)
class _Dropout(Layer):
    p: float = 0.5
    inplace: bool = False

    def __post_init__(self):
        _rate(self.type_name, "p", self.p, upper_open=False)

    def output_shape(self, shape):
        return tuple(shape)

    def explain(self, shape, out):
        return [tr("output shape {out} (same as input); zeroes a fraction {p} while training, identity at inference; 0 FLOPs", out=fmt_shape(out), p=self.p)]


class Dropout(_Dropout):
    """``nn.Dropout(p=0.5, inplace=False)``; p in [0, 1]; 0 FLOPs.

    >>> Dropout(0.25).evaluate((16, 512)).flops
    0
    """


class Dropout2d(_Dropout):
    """``nn.Dropout2d``: drops whole channels while training (which needs at least a 2-D input)."""

    def warnings(self, shape, out):
        if len(shape) not in (3, 4):
            if len(shape) < 2:
                return (tr("{layer}: expects a 3-D or 4-D input (C, H, W) or (N, C, H, W), got {shape}; in training mode PyTorch raises", layer=self.type_name, shape=fmt_shape(shape)),)
            return (tr("{layer}: expects a 3-D or 4-D input (C, H, W) or (N, C, H, W), got {shape}", layer=self.type_name, shape=fmt_shape(shape)),)
        return ()


@dataclass(frozen=True)
class KerasDropout(Layer):
    """``keras.layers.Dropout(rate, noise_shape=None, seed=None)``; rate in [0, 1]; 0 FLOPs.

    >>> KerasDropout(0.5).evaluate((None, 512)).output_shape
    (None, 512)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    rate: float = None
    noise_shape: tuple | None = None
    seed: int | None = None

    def __post_init__(self):
        _rate(self.type_name, "rate", self.rate, upper_open=False)

    @property
    def type_name(self) -> str:
        return "Dropout"

    def output_shape(self, shape):
        return tuple(shape)
