"""Layers whose figures come from the framework itself, not from a formula.

A Keras layer (or operation) convlens has no formula for still gets a row: ``Reported`` carries
the output shape and weights Keras reports for it, so the model is summarised whole and its
totals stay exact; the row says so. It counts 0 MACs and 0 FLOPs (its cost is unknown, not zero:
the record's notes say which rows are reported). ``InputLayer`` is a model input: it passes a
shape on and owns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._args import fmt_shape
from ._base import Layer, Weight
from .framework import Framework
from ..i18n import tr


@dataclass(frozen=True)
class Reported(Layer):
    """A layer known only by what the framework reports: ``kind`` (its class name), ``output``
    (its output shape) and ``weights_reported`` (``(name, shape, trainable)`` triples).

    >>> r = Reported("LSTM", (None, 8), (("kernel", (4, 32), True), ("recurrent_kernel", (8, 32), True), ("bias", (32,), True))).evaluate([(None, 10, 4)])
    >>> r.output_shape, r.params, r.macs, r.layer.type_name
    ((None, 8), 416, 0, 'LSTM')
    """

    framework: ClassVar[Framework] = Framework.KERAS
    n_inputs: ClassVar[int] = 0
    kind: str = "Layer"
    output: tuple = ()
    weights_reported: tuple = ()

    @property
    def type_name(self) -> str:
        return self.kind

    def output_shape(self, shapes):
        return tuple(self.output)

    def weights(self, shape):
        return tuple(Weight(name, tuple(s), bool(t)) for name, s, t in self.weights_reported)

    def code(self) -> str:
        return f"{self.kind}(...)"

    def explain(self, shape, out):
        n = sum(w.numel for w in self.weights(shape))
        return [tr("{shapes} -> {out} and {n} parameters, as Keras reports them: convlens has no formula for {kind}; MACs not counted",
                   shapes=' , '.join(fmt_shape(s) for s in shape), out=fmt_shape(out), n=f"{n:,}", kind=self.kind)]


@dataclass(frozen=True)
class InputLayer(Layer):
    """``keras.Input(batch_shape=...)``: a model input; the output is its own shape.

    >>> InputLayer((None, 28, 28, 1)).evaluate((None, 28, 28, 1)).output_shape
    (None, 28, 28, 1)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    batch_shape: tuple = ()

    def output_shape(self, shape):
        return tuple(self.batch_shape)

    def explain(self, shape, out):
        return [tr("model input {shape}; no parameters", shape=fmt_shape(out))]
