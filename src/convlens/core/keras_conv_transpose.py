"""Keras ``Conv1DTranspose`` and ``Conv3DTranspose``: ``conv_keras.Conv2DTranspose``'s formula (written
once over the spatial rank) at rank 1 and 3; kernel ``(*kernel_size, filters, C)``.

Per axis, with k' = dilation·(k−1)+1 (``keras/src/backend/common/backend_utils.py``)::

    'valid': out = (in − 1)·stride + k' + (output_padding if given else max(k', stride) − k')
    'same':  out = in·stride if output_padding is None else (in − 1)·stride + k' mod 2 + output_padding
"""

from __future__ import annotations

from .conv_keras import Conv2DTranspose


class Conv1DTranspose(Conv2DTranspose, n=1):
    """``keras.layers.Conv1DTranspose(filters, kernel_size, strides=1, padding='valid', ...)``.

    >>> r = Conv1DTranspose(8, 3, strides=2).evaluate((None, 10, 4))  # (10 − 1)·2 + 3 = 21
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 21, 8), [(3, 8, 4), (8,)], 104)
    """


class Conv3DTranspose(Conv2DTranspose, n=3):
    """``keras.layers.Conv3DTranspose(filters, kernel_size, strides=1, padding='valid', ...)``.

    >>> r = Conv3DTranspose(4, 2, strides=2, padding="same").evaluate((None, 4, 4, 4, 8))
    >>> r.output_shape, r.params
    ((None, 8, 8, 8, 4), 260)
    """
