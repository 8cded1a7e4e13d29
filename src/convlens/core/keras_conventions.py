"""Keras's conventions, in one place: channels-last layouts, ``'same'`` padding (⌈in/stride⌉,
the extra pixel after), ``standardize_tuple``, activations, and the arguments that change
nothing convlens computes (``keras/src/ops/operation_utils.py``, ``keras/src/utils/argument_validation.py``).
"""

from __future__ import annotations

from ._args import fmt_shape, fmt_tuple, ntuple
from ._base import Shape
from ._errors import LayerError
from ..i18n import tr
from .window import axis_letters, conv_out_size, effective_kernel, effective_kernels, split_spatial

# Keras arguments that change nothing convlens computes (initialisers, regularisers, names).
KERAS_IGNORED = {
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
    "activity_regularizer", "kernel_constraint", "bias_constraint", "name", "trainable",
    "dtype", "depthwise_initializer", "pointwise_initializer", "depthwise_regularizer",
    "pointwise_regularizer", "depthwise_constraint", "pointwise_constraint", "lora_rank",
    "lora_alpha", "input_shape", "input_dim", "autocast",
}



def keras_same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """Keras/TensorFlow ``'same'`` padding (before, after); the extra pixel goes after.

    >>> keras_same_padding(28, 3, 2, 1)  # out = ⌈28/2⌉ = 14 needs (14−1)·2 + 3 − 28 = 1 pixel
    (0, 1)
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - size, 0)
    return total // 2, total - total // 2


# Names ``keras.activations.get`` accepts (Keras 3.x); 'linear' and None add no work.
KERAS_ACTIVATIONS = frozenset({
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu",
    "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign",
    "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
})


def keras_tuple(layer: str, name: str, value, n: int, *, allow_zero: bool = False) -> tuple[int, ...]:
    """Keras ``standardize_tuple``: an int is repeated ``n`` times, a tuple must have exactly ``n``
    entries, every entry > 0 (>= 0 with ``allow_zero``).

    >>> keras_tuple("Conv2D", "strides", 2, 2)
    (2, 2)
    """
    if isinstance(value, (tuple, list)) and len(value) != n:
        raise LayerError(layer, name, tr("{name} must be an int or a tuple of {n} ints, got {value}", name=name, n=n, value=repr(tuple(value))))
    return ntuple(layer, name, value, n, minimum=0 if allow_zero else 1)


def keras_activation(layer: str, activation) -> str | None:
    """Check a Keras ``activation`` argument; returns it lower-cased (None stays None)."""
    if activation is None:
        return None
    if not isinstance(activation, str) or activation.lower() not in KERAS_ACTIVATIONS:
        raise LayerError(layer, "activation", tr("activation={value} is not a Keras activation; use None or one of {choices}", value=repr(activation), choices=', '.join(sorted(KERAS_ACTIVATIONS))))
    return activation.lower()


def keras_data_format(layer: str, data_format) -> str:
    """Keras ``standardize_data_format``: None means 'channels_last' (the default image_data_format)."""
    if data_format is None:
        return "channels_last"
    fmt = str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise LayerError(layer, "data_format", tr("data_format={value} must be 'channels_last' or 'channels_first'", value=repr(data_format)))
    return fmt


def keras_padding(layer: str, padding, *, allow_causal: bool = False) -> str:
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if not isinstance(padding, str) or padding.lower() not in allowed:
        raise LayerError(layer, "padding", tr("padding={value} must be one of {choices}", value=repr(padding), choices=', '.join(map(repr, allowed))))
    return padding.lower()


def keras_window_out(size: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    """One spatial output size of a Keras conv/pool (``keras/src/ops/operation_utils.py``).

    'valid': ⌊(in − dilation·(kernel − 1) − 1) / stride⌋ + 1; 'same' and 'causal': ⌈in / stride⌉.

    >>> keras_window_out(14, 3, 2, 1, "valid"), keras_window_out(7, 2, 2, 1, "same")
    (6, 4)
    """
    if padding == "valid":
        return conv_out_size(size, kernel, stride, 0, dilation)
    return -(-size // stride)


def keras_pads(size: int, kernel: int, stride: int, dilation: int, padding: str) -> tuple[int, int]:
    """Padding (before, after) a Keras window sweep applies: 0 for 'valid', the TensorFlow split
    for 'same', ``dilation·(kernel − 1)`` before for 'causal'.

    >>> keras_pads(7, 2, 2, 1, "same"), keras_pads(10, 3, 1, 2, "causal")
    ((0, 1), (4, 0))
    """
    if padding == "same":
        return keras_same_padding(size, kernel, stride, dilation)
    if padding == "causal":
        return effective_kernel(kernel, dilation) - 1, 0
    return 0, 0


def keras_window_shape(layer: str, shape: Shape, n: int, channels_last: bool, kernel, strides, dilation, padding, what: str = "kernel_size"):
    """Shared input checks and spatial output of every Keras conv: exactly n+2 dims, known
    channels, and for 'valid' a positive output."""
    if len(shape) != n + 2:
        axes = [tr("spatial..."), tr("channels")] if channels_last else [tr("channels"), tr("spatial...")]
        layout = ", ".join([tr("batch")] + axes)  # (batch, spatial..., channels) or (batch, channels, spatial...)
        raise LayerError(layer, "input", tr("expected a {rank}-D input ({layout}), got {got}-D {shape}", rank=n + 2, layout=layout, got=len(shape), shape=fmt_shape(shape)))
    c, spatial = split_spatial(shape, n, channels_last)
    out = tuple(keras_window_out(size, k, s, d, padding) for size, k, s, d in zip(spatial, kernel, strides, dilation))
    if any(o <= 0 for o in out) and padding == "valid":
        eff = effective_kernels(kernel, dilation)
        raise LayerError(
            layer, what,
            tr("computed output size {out} would be zero or negative: input {size}, {what} {kernel} (dilated {eff}), strides {strides}, "
               "padding='valid'; use padding='same' or an input of at least {eff}", out=fmt_tuple(out), size=fmt_tuple(spatial), what=what,
               kernel=fmt_tuple(kernel), eff=fmt_tuple(eff), strides=fmt_tuple(strides)),
        )
    return c, spatial, out


def keras_explain_axes(shape, out, n, channels_last, kernel, strides, dilation, padding) -> list[str]:
    spatial = split_spatial(shape, n, channels_last)[1]
    o_spatial = split_spatial(out, n, channels_last)[1]
    axes = axis_letters(n)
    lines = []
    for ax, size, o, k, s, d in zip(axes, spatial, o_spatial, kernel, strides, dilation):
        if padding == "valid":
            lines.append(f"{ax}_out = ⌊({size} − {d}·({k}−1) − 1) / {s}⌋ + 1 = {o}  (padding='valid')")
        else:
            a, b = keras_pads(size, k, s, d, padding)
            lines.append(tr("{formula}  ({padding}: {a} before, {b} after)", formula=f"{ax}_out = ⌈{size} / {s}⌉ = {o}", padding=f"padding='{padding}'", a=a, b=b))
    return lines


__all__ = [
    "KERAS_ACTIVATIONS", "KERAS_IGNORED", "keras_activation", "keras_data_format", "keras_explain_axes", "keras_pads",
    "keras_padding", "keras_same_padding", "keras_tuple", "keras_window_out", "keras_window_shape",
]
