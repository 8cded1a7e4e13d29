"""Window arithmetic: the output size of a window swept over a spatial axis, shared by
convolutions, transposed convolutions and pooling in both frameworks.

PyTorch (``torch/nn/modules/conv.py`` "Shape:", ``aten/src/ATen/native/Pool.h``)::

    out = ⌊(in + pad_total − dilation·(kernel − 1) − 1) / stride⌋ + 1           (floor mode)
    out = ⌈(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌉ + 1, minus 1 if the last
          window would start at or after in + padding                         (pool ceil mode)

    out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1  (transposed)

Every convention of a window lives here: the dilated (effective) kernel ``dilation·(kernel − 1) + 1``,
the forward and transposed output sizes of both frameworks, when Keras's ``'same'`` pads the same
amounts whatever the input, and the letters that name the spatial axes. Keras's ``'same'`` split
(⌈in/stride⌉, the extra pixel after) is in ``keras_conventions``. Tensor layouts (channels first or
last) are split and joined here too, once for every rank.
"""

from __future__ import annotations

from fractions import Fraction

from ..i18n import tr, trn
from . import costs
from ._base import Shape


def effective_kernel(kernel: int, dilation: int) -> int:
    """The pixels one dilated window spans: ``dilation·(kernel − 1) + 1`` (``torch/nn/modules/conv.py``
    "Shape:"; Keras ``compute_conv_output_shape``).

    >>> effective_kernel(3, 1), effective_kernel(3, 2), effective_kernel(1, 4)
    (3, 5, 1)
    """
    return dilation * (kernel - 1) + 1


def effective_kernels(kernel: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[int, ...]:
    """``effective_kernel`` on every spatial axis.

    >>> effective_kernels((3, 5), (2, 1))
    (5, 5)
    """
    return tuple(map(effective_kernel, kernel, dilation))


def axis_letters(n: int) -> str:
    """The letters naming ``n`` spatial axes in order: ``"L"`` (1-D), ``"HW"`` (2-D), ``"DHW"`` (3-D),
    as in PyTorch's "Shape:" sections.

    >>> axis_letters(1), axis_letters(2), axis_letters(3)
    ('L', 'HW', 'DHW')
    """
    return "DHW"[3 - n:] if n > 1 else "L"


def same_pads_statically(kernel: int, stride: int, dilation: int) -> bool:
    """Whether Keras's ``'same'`` pads a fixed, symmetric amount whatever the input size. With
    stride 1 it pads ``effective_kernel − 1`` in all (``keras_same_padding``), split evenly exactly
    when the effective kernel is odd; a one-pixel window pads nothing at any stride; any other
    strided window pads what the input size leaves over. Only when this holds is ``'same'`` the
    same as a PyTorch ``padding=(k'−1)/2``.

    >>> same_pads_statically(3, 1, 1), same_pads_statically(3, 2, 1), same_pads_statically(2, 1, 1)
    (True, False, False)
    >>> same_pads_statically(2, 1, 2), same_pads_statically(1, 2, 1)  # dilated to 3 pixels; a 1×1 window
    (True, True)
    """
    e = effective_kernel(kernel, dilation)
    return e == 1 or (stride == 1 and e % 2 == 1)


def transposed_out_size(size: int, kernel: int, stride: int, padding: int, dilation: int, output_padding: int) -> int:
    """One spatial output size of a PyTorch transposed convolution (``torch/nn/modules/conv.py``
    ``ConvTranspose2d`` "Shape:")::

        out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1

    >>> transposed_out_size(7, 3, 2, 1, 1, 1)  # ConvTranspose2d(k=3, s=2, p=1, output_padding=1): 7 -> 14
    14
    >>> transposed_out_size(7, 4, 2, 1, 1, 0)  # k=4, s=2, p=1 doubles without output_padding
    14
    """
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def keras_transposed_out_size(size: int, kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None) -> int:
    """One spatial output size of a Keras ``ConvNDTranspose`` (``keras/src/backend/common/backend_utils.py``
    ``compute_conv_transpose_output_shape``), with k' = ``effective_kernel(kernel, dilation)``::

        'valid': out = (in − 1)·stride + k' + (output_padding if given else max(k', stride) − k')
        'same':  out = in·stride if output_padding is None else (in − 1)·stride + k' mod 2 + output_padding

    >>> keras_transposed_out_size(7, 3, 2, 1, "same", None), keras_transposed_out_size(7, 3, 2, 1, "valid", None)
    (14, 15)
    >>> keras_transposed_out_size(7, 3, 2, 1, "same", 0), keras_transposed_out_size(7, 2, 3, 1, "valid", None)
    (13, 21)
    """
    e = effective_kernel(kernel, dilation)
    if padding == "valid":
        return (size - 1) * stride + e + (max(e, stride) - e if output_padding is None else output_padding)
    return size * stride if output_padding is None else (size - 1) * stride + e % 2 + output_padding


def conv_out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """One spatial output size of a convolution or pooling window sweep, floor mode.

    >>> conv_out_size(28, 5, 1, 4, 1)  # Conv2d(1, 20, 5, padding=2) on 28×28
    28
    >>> conv_out_size(7, 2, 2, 0, 1)   # MaxPool2d(2) on 7×7 drops the last row
    3
    """
    return (size + pad_total - effective_kernel(kernel, dilation)) // stride + 1


def pool_out_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """One spatial output size of a PyTorch pooling layer (floor or ceil mode).

    >>> pool_out_size(7, 2, 2, 0, 1, False), pool_out_size(7, 2, 2, 0, 1, True)
    (3, 4)
    >>> pool_out_size(6, 3, 3, 1, 1, True)  # ⌈(6+2−3)/3⌉+1 = 3; window 3 starts at 6 < 6+1: kept
    3
    >>> pool_out_size(5, 2, 2, 1, 1, True)  # ⌈(5+2−2)/2⌉+1 = 4; window 4 starts at 6 >= 5+1: dropped
    3
    """
    if not ceil_mode:
        return conv_out_size(size, kernel, stride, 2 * padding, dilation)
    out = conv_out_size(size, kernel, stride, 2 * padding + stride - 1, dilation)
    if (out - 1) * stride >= size + padding:
        out -= 1
    return out


def split_spatial(shape: Shape, n: int, channels_last: bool) -> tuple[int, tuple[int, ...]]:
    """(channels, spatial sizes) of an ``n``-D spatial tensor shape.

    >>> split_spatial((16, 3, 28, 28), 2, False), split_spatial((None, 28, 28, 3), 2, True)
    ((3, (28, 28)), (3, (28, 28)))
    """
    if channels_last:
        return shape[-1], tuple(shape[-1 - n:-1])
    return shape[-1 - n], tuple(shape[-n:])


def join_spatial(shape: Shape, n: int, channels_last: bool, channels: int, spatial: tuple[int, ...]) -> Shape:
    """``shape`` with its channels and spatial sizes replaced (the batch and leading dims kept)."""
    if channels_last:
        return tuple(shape[:-1 - n]) + spatial + (channels,)
    return tuple(shape[:-1 - n]) + (channels,) + spatial


def leading_numel(shape: Shape, n: int) -> int:
    """Elements of the dimensions before the channels (the batch; 1 for an unbatched input)."""
    lead = shape[: len(shape) - n - 1]
    return costs.numel(lead)


def window_warnings(layer, spatial, out, kernel, stride, pads, dilation, same) -> tuple[str, ...]:
    """Warnings shared by every sliding-window layer (conv and pool)."""
    notes = []
    for size, o, k, s, (a, b), d in zip(spatial, out, kernel, stride, pads, dilation):
        if size is None or o is None:
            continue
        e = effective_kernel(k, d)
        covered = (o - 1) * s + e
        # input rows (not padding) that no window reaches; when the stride already skips pixels
        # between windows, the stride warning below says it
        dropped = size + a - covered
        if dropped > 0 and s <= e:
            notes.append(trn(
                "{layer}: the floor drops the last {n} input row/column ({size} → {out}): no window reaches it; pad or crop so that (in + padding − kernel) is divisible by the stride",
                "{layer}: the floor drops the last {n} input rows/columns ({size} → {out}): no window reaches them; pad or crop so that (in + padding − kernel) is divisible by the stride",
                dropped, layer=layer, n=dropped, size=size, out=o))
        if s > e:
            notes.append(trn("{layer}: stride {stride} is larger than the kernel {kernel}: {n} pixel between windows are never seen",
                             "{layer}: stride {stride} is larger than the kernel {kernel}: {n} pixels between windows are never seen",
                             s - e, layer=layer, stride=s, kernel=e, n=s - e))
        if same and a != b:  # Keras' 'same' with a stride pads by what the size needs, not by the kernel alone
            notes.append(tr("{layer}: 'same' padding is asymmetric here ({before} before, {after} after): the extra pixel goes at the end, so the windows are not centred",
                            layer=layer, before=a, after=b))
    return tuple(dict.fromkeys(notes))


def stride1_padding(size_in: int, size_out: int, kernel: int) -> Fraction | None:
    """The symmetric padding per side that makes a stride-1 window of ``kernel`` take ``size_in``
    to ``size_out`` (``conv_out_size`` solved for the padding); None when no padding >= 0 does.
    A half (an odd total) is returned as a Fraction so the caller can say it is not symmetric.

    >>> stride1_padding(28, 26, 3), stride1_padding(28, 26, 5), stride1_padding(28, 28, 4)
    (0, 1, Fraction(3, 2))
    """
    total = size_out - size_in + kernel - 1
    if total < 0:
        return None
    return Fraction(total, 2) if total % 2 else total // 2


__all__ = [
    "axis_letters", "conv_out_size", "effective_kernel", "effective_kernels", "join_spatial", "keras_transposed_out_size",
    "leading_numel", "pool_out_size", "same_pads_statically", "split_spatial", "stride1_padding", "transposed_out_size",
    "window_warnings",
]
