"""Fully connected layers and lookups: PyTorch ``Linear``, ``Embedding``; Keras ``Dense``.

A linear layer acts on the last dimension only; every leading dimension is a batch dimension::

    out = in[:-1] + (out_features,)
    MACs = numel(out) / out_features × in_features × out_features

``Embedding`` is a table lookup: no MACs, no FLOPs; ``out = indices.shape + (embedding_dim,)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from . import costs
from ._args import fmt_shape, positive_int
from ._base import Layer, RFStep, Role, Weight, DeclaredWeight
from .framework import Framework
from ._errors import LayerError
from .keras_conventions import keras_activation
from ..i18n import N_, tr

_GLOBAL = RFStep((), (), (), is_global=True)  # every output mixes the whole last dimension


def _nonneg(layer: str, name: str, value) -> int:
    return positive_int(layer, name, value, allow_zero=True)


@dataclass(frozen=True)
class Linear(Layer):
    """``nn.Linear(in_features, out_features, bias=True)``; weight ``(out_features, in_features)``.

    ``in_features=None`` takes it from the input; otherwise it must equal the input's last dimension.
    params = out·in + out.

    >>> r = Linear(400, 512).evaluate((16, 400))
    >>> r.output_shape, [w.shape for w in r.weights], r.params, r.macs
    ((16, 512), [(512, 400), (512,)], 205312, 3276800)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("out", "in"), Role.KERNEL, N_("one row of in_features weights per output feature")),
        DeclaredWeight("bias", ("out",), Role.BIAS, N_("one value added to each output feature")),
    )
    taken_from_input: ClassVar = {"in_features": -1}

    in_features: int | None = None  # None: taken from the input's last dimension
    out_features: int | None = None
    bias: bool = True

    def __post_init__(self):
        if self.out_features is None:
            raise LayerError(self.type_name, "out_features", tr("out_features is required, e.g. Linear(512, 10)"))
        _nonneg(self.type_name, "out_features", self.out_features)
        if self.in_features is not None:
            _nonneg(self.type_name, "in_features", self.in_features)

    def output_shape(self, shape):
        if len(shape) < 1:
            raise LayerError(self.type_name, "input", tr("expects at least a 1-D input (…, in_features), got {shape}", shape=fmt_shape(shape)))
        if self.in_features is not None and shape[-1] != self.in_features:
            raise LayerError(self.type_name, "in_features", tr("in_features={want} but the input {shape} ends in {got}; use in_features={got} (or Flatten first)", want=self.in_features, shape=fmt_shape(shape), got=shape[-1]))
        return tuple(shape[:-1]) + (self.out_features,)

    def weights(self, shape):
        w = (Weight("weight", (self.out_features, shape[-1])),)
        return w + ((Weight("bias", (self.out_features,)),) if self.bias else ())

    def macs(self, shape, out):
        return costs.numel(shape[:-1]) * shape[-1] * self.out_features

    def flops(self, shape, out, macs):
        return costs.flops(macs, costs.numel(out) if self.bias else 0)

    def rf_step(self, shape):
        return _GLOBAL

    def explain(self, shape, out):
        i, o = shape[-1], self.out_features
        lines = [tr("output = {shape} -> {out}: the last dimension {i} becomes {o}", shape=fmt_shape(shape[:-1] + ('in',)), out=fmt_shape(out), i=i, o=o)]
        lines.append(f"params = {o} × {i}" + (f" + {o}" if self.bias else "") + f" = {self.param_count(shape):,}")
        lines.append(tr("MACs = {rows} rows × {i} × {o} = {macs}", rows=f"{costs.numel(shape[:-1]):,}", i=i, o=o, macs=f"{self.macs(shape, out):,}"))
        return lines


@dataclass(frozen=True)
class Dense(Layer):
    """``keras.layers.Dense(units, activation=None, use_bias=True)``; kernel ``(in, units)``, bias ``(units,)``.

    The tutorial's ``Dense(512, activation='relu')`` after ``Flatten`` of 4×4×25:

    >>> r = Dense(512, activation="relu").evaluate((None, 400))
    >>> r.output_shape, [w.shape for w in r.weights], r.params, r.flops
    ((None, 512), [(400, 512), (512,)], 205312, 410624)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("kernel", ("in", "out"), Role.KERNEL, N_("one column of input weights per unit")),
        DeclaredWeight("bias", ("out",), Role.BIAS, N_("one value added to each unit")),
    )

    framework: ClassVar[Framework] = Framework.KERAS
    units: int | None = None
    activation: str | None = None  # one FLOP per output element unless None/'linear'
    use_bias: bool = True

    def __post_init__(self):
        if self.units is None:
            raise LayerError(self.type_name, "units", tr("units is required, e.g. Dense(10)"))
        positive_int(self.type_name, "units", self.units)
        object.__setattr__(self, "_act", keras_activation(self.type_name, self.activation) not in (None, "linear"))

    def output_shape(self, shape):
        if len(shape) < 2:
            raise LayerError(self.type_name, "input", tr("expects at least a 2-D input (batch, …, features), got {shape}", shape=fmt_shape(shape)))
        return tuple(shape[:-1]) + (self.units,)

    def weights(self, shape):
        w = (Weight("kernel", (shape[-1], self.units)),)
        return w + ((Weight("bias", (self.units,)),) if self.use_bias else ())

    def macs(self, shape, out):
        return costs.numel(shape[:-1]) * shape[-1] * self.units

    def flops(self, shape, out, macs):
        return costs.flops(macs, costs.numel(out) * (int(self.use_bias) + int(self._act)))

    def rf_step(self, shape):
        return _GLOBAL

    def explain(self, shape, out):
        i, o = shape[-1], self.units
        lines = [f"params = {i} × {o}" + (f" + {o}" if self.use_bias else "") + f" = {self.param_count(shape):,}"]
        lines.append(tr("MACs = {rows} rows × {i} × {o} = {macs}", rows=f"{costs.numel(shape[:-1]):,}", i=i, o=o, macs=f"{self.macs(shape, out):,}"))
        if self._act:
            lines.append(tr("activation {name}: one FLOP per output element ({n})", name=f"'{self.activation}'", n=f"{costs.numel(out):,}"))
        return lines


@dataclass(frozen=True)
class Embedding(Layer):
    """``nn.Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
    scale_grad_by_freq=False, sparse=False)``; weight ``(num_embeddings, embedding_dim)``.

    The input holds integer indices; out = input shape + (embedding_dim,); no MACs, no FLOPs.

    >>> r = Embedding(10000, 128, padding_idx=0).evaluate((8, 32))
    >>> r.output_shape, r.params
    ((8, 32, 128), 1280000)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("rows", "features"), Role.TABLE, N_("one row of embedding_dim values per index; a lookup, not a product")),
    )

    num_embeddings: int | None = None
    embedding_dim: int | None = None
    padding_idx: int | None = None  # must lie in [-num_embeddings, num_embeddings)
    max_norm: float | None = None
    norm_type: float = 2.0
    scale_grad_by_freq: bool = False
    sparse: bool = False

    def __post_init__(self):
        name = self.type_name
        if self.num_embeddings is None or self.embedding_dim is None:
            raise LayerError(name, "num_embeddings", tr("num_embeddings and embedding_dim are required, got {num_embeddings}, {embedding_dim}", num_embeddings=repr(self.num_embeddings), embedding_dim=repr(self.embedding_dim)))
        _nonneg(name, "num_embeddings", self.num_embeddings)
        _nonneg(name, "embedding_dim", self.embedding_dim)
        p = self.padding_idx
        if p is not None and not -self.num_embeddings <= p < self.num_embeddings:
            raise LayerError(name, "padding_idx", tr("padding_idx={p} must lie in [-{n}, {n}) for num_embeddings={n}", p=p, n=self.num_embeddings))

    def output_shape(self, shape):
        return tuple(shape) + (self.embedding_dim,)

    def weights(self, shape):
        return (Weight("weight", (self.num_embeddings, self.embedding_dim)),)

    def explain(self, shape, out):
        return [tr("output = {shape} indices + ({dim},) = {out}", shape=fmt_shape(shape), dim=self.embedding_dim, out=fmt_shape(out)),
                tr("params = {rows} × {dim} = {n} (a lookup table: no MACs)", rows=self.num_embeddings, dim=self.embedding_dim, n=f"{self.param_count(shape):,}")]
