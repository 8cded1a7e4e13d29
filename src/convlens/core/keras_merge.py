"""Keras merges beyond ``Add``/``Concatenate`` (``core.merge``): ``Multiply``, ``Subtract``,
``Average``, ``Maximum``, ``Minimum``, and ``CustomScaleLayer`` of ``keras.applications``
InceptionResNetV2 (``x + scale·r``).

Shape: Keras's elementwise merge rule (``merge.Add``): every dimension but the batch broadcasts.
Cost (``costs``): no MACs; one FLOP per output element per extra input (``CustomScaleLayer``: two,
a multiply and an add). No weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._args import fmt_shape
from ._errors import LayerError
from ..i18n import tr
from . import costs
from .merge import Add


class Multiply(Add):
    """``keras.layers.Multiply()``: the squeeze-and-excitation product of EfficientNet/MobileNetV3.

    >>> Multiply().evaluate([(None, 56, 56, 96), (None, 1, 1, 96)]).output_shape
    (None, 56, 56, 96)
    """


class Subtract(Add):
    """``keras.layers.Subtract()``: exactly two inputs.

    >>> Subtract().evaluate([(None, 8), (None, 8)]).output_shape
    (None, 8)
    """

    def output_shape(self, shapes):
        if len(shapes) != 2:
            raise LayerError(self.type_name, "inputs", tr("takes exactly 2 inputs, got {n}: {shapes}", n=len(shapes), shapes=', '.join(map(fmt_shape, shapes))))
        return super().output_shape(shapes)


class Average(Add):
    """``keras.layers.Average()``.

    >>> Average().evaluate([(None, 8), (None, 8), (None, 8)]).flops
    16
    """


class Maximum(Add):
    """``keras.layers.Maximum()``."""


class Minimum(Add):
    """``keras.layers.Minimum()``."""


@dataclass(frozen=True)
class CustomScaleLayer(Add):
    """InceptionResNetV2's ``CustomScaleLayer(scale)``: ``inputs[0] + inputs[1]·scale``
    (``keras/src/applications/inception_resnet_v2.py``); two FLOPs per output element.

    >>> r = CustomScaleLayer(0.17).evaluate([(None, 35, 35, 320), (None, 35, 35, 320)])
    >>> r.output_shape, r.params, r.flops
    ((None, 35, 35, 320), 0, 784000)
    """

    scale: float = None

    def output_shape(self, shapes):
        if len(shapes) != 2:
            raise LayerError(self.type_name, "inputs", tr("takes [shortcut, residual], got {n} inputs: {shapes}", n=len(shapes), shapes=', '.join(map(fmt_shape, shapes))))
        return super().output_shape(shapes)

    def flops(self, shape, out, macs):
        return 2 * costs.numel(out)
