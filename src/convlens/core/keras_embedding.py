"""Keras ``Embedding`` (``keras/src/layers/core/embedding.py``): a lookup table.

``Embedding(input_dim, output_dim)``: weight ``embeddings`` of ``(input_dim, output_dim)``; every
integer of the input becomes a row: output = input shape + ``(output_dim,)``. A lookup multiplies
nothing: 0 MACs, 0 FLOPs (``costs``). PyTorch's ``nn.Embedding`` has the same class name, so this
one is ``KerasEmbedding`` and ``core.KERAS_ALIASES`` maps the Keras spelling to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._args import fmt_shape, positive_int
from ._base import Layer, Weight
from .framework import Framework
from ._errors import LayerError
from ..i18n import tr


@dataclass(frozen=True)
class KerasEmbedding(Layer):
    """``keras.layers.Embedding(input_dim, output_dim, mask_zero=False)``.

    >>> r = KerasEmbedding(10_000, 64).evaluate((None, 100))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 100, 64), [(10000, 64)], 640000)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    input_dim: int = None
    output_dim: int = None
    mask_zero: bool = False

    def __post_init__(self):
        for name in ("input_dim", "output_dim"):
            if getattr(self, name) is None:
                raise LayerError(self.type_name, name, tr("{name} is required, e.g. Embedding(input_dim=10000, output_dim=64)", name=name))
            positive_int(self.type_name, name, getattr(self, name))

    @property
    def type_name(self) -> str:
        return "Embedding"

    def output_shape(self, shape):
        return tuple(shape) + (self.output_dim,)

    def weights(self, shape):
        return (Weight("embeddings", (self.input_dim, self.output_dim)),)

    def explain(self, shape, out):
        return [tr("{shape} -> {out}: every index becomes a row of {n} numbers", shape=fmt_shape(shape), out=fmt_shape(out), n=self.output_dim),
                tr("params = {rows} × {dim} = {total}; a lookup: 0 MACs", rows=f"{self.input_dim:,}", dim=self.output_dim, total=f"{self.input_dim * self.output_dim:,}")]
