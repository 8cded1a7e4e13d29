"""The one definition of MACs and FLOPs used everywhere in convlens.

* **MACs** — multiply–accumulate operations of convolutions, linear layers and matrix
  products (attention included). A bias add is *not* a MAC.
* **FLOPs** — ``2 × MACs`` plus **one per output element** for each bias add,
  normalisation, activation, pooling window result and elementwise merge (add, concat
  copies nothing and costs 0). Reshapes, dropout and identity cost 0.
* Both are counted **for the whole batch** given. A ``None`` (Keras) batch counts as 1.

MACs follow the convention of ``torch.utils.flop_counter.FlopCounterMode``, which counts
``2 × MACs`` for conv/linear/matmul/attention and nothing else; so ``FlopCounterMode``'s
total is exactly ``2 × total MACs`` on any model (convlens' tests check this).
"""

from __future__ import annotations

from math import prod

from ..i18n import N_

# The convention above in one sentence, stated with every summary (its notes) ...
# (both are messages: marked with N_ here, written with tr(COST_NOTE) where shown)
COST_NOTE = N_(
    "MACs count the multiply–accumulates of convolutions and linear layers; FLOPs = 2 × MACs + one per output "
    "element of each bias add, normalisation, activation, pooling and add (convlens.core.costs). The whole batch is counted."
)
# ... and in one line, next to the totals of every table.
COST_CONVENTION = N_(
    "MACs = multiply–accumulates of conv/linear/matmul, bias excluded; "
    "FLOPs = 2×MACs + 1 per output of bias/norm/activation/pool/merge"
)


def param_counts(weights) -> tuple[int, int, int]:
    """(total, trainable, non-trainable) elements of ``weights``: anything with ``numel`` and
    ``trainable`` (core ``Weight``, the record's ``WeightInfo``). Keras counts its BatchNormalization
    moving statistics as non-trainable parameters; PyTorch keeps them as buffers, not counted here.

    >>> from convlens.core import Weight
    >>> param_counts([Weight("gamma", (32,)), Weight("moving_mean", (32,), trainable=False)])
    (64, 32, 32)
    """
    total = trainable = 0
    for w in weights:
        total += w.numel
        if w.trainable:
            trainable += w.numel
    return total, trainable, total - trainable


class CountsParams:
    """The parameter triplet of anything that holds ``weights`` (a layer's result, a network's,
    a summary row), from ``param_counts``."""

    __slots__ = ()

    @property
    def params(self) -> int:
        return param_counts(self.weights)[0]

    @property
    def trainable_params(self) -> int:
        return param_counts(self.weights)[1]

    @property
    def non_trainable_params(self) -> int:
        return param_counts(self.weights)[2]


def numel(shape) -> int:
    """Number of elements of ``shape``; a ``None`` (unknown batch) counts as 1.

    >>> numel((16, 20, 28, 28))
    250880
    >>> numel((None, 400))
    400
    """
    n = 1
    for d in shape:
        if d is not None:
            n *= d
    return n


def conv_macs(out_shape_numel_no_channels: int, out_channels: int, in_channels_per_group: int, kernel: tuple[int, ...]) -> int:
    """MACs of a convolution: every output element is a dot product of
    ``in_channels/groups × prod(kernel)`` terms.

    >>> conv_macs(16 * 28 * 28, 20, 1, (5, 5))  # Conv2d(1, 20, 5, padding=2) on 16×1×28×28
    6272000
    """
    return out_shape_numel_no_channels * out_channels * in_channels_per_group * prod(kernel)


def transposed_conv_macs(in_numel_no_channels: int, in_channels: int, out_channels_per_group: int, kernel: tuple[int, ...]) -> int:
    """MACs of a transposed convolution: every *input* element is multiplied by
    ``out_channels/groups × prod(kernel)`` weights and scattered into the output.

    >>> transposed_conv_macs(1 * 7 * 7, 64, 32, (4, 4))
    1605632
    """
    return in_numel_no_channels * in_channels * out_channels_per_group * prod(kernel)


def matmul_macs(a_shape, b_shape) -> int:
    """MACs of ``a @ b`` with numpy/torch broadcasting of the leading (batch) dimensions.

    ``(..., n, k) @ (..., k, m)`` costs ``batch × n × k × m``; a 1-D operand is treated as a
    row (left) or a column (right) vector.

    >>> matmul_macs((8, 197, 64), (8, 64, 197))
    19870208
    >>> matmul_macs((4, 10), (10,))
    40
    """
    a = tuple(1 if d is None else d for d in a_shape)
    b = tuple(1 if d is None else d for d in b_shape)
    if len(a) == 1:
        a = (1,) + a
    if len(b) == 1:
        b = b + (1,)
    n, k = a[-2], a[-1]
    m = b[-1]
    batch_a, batch_b = a[:-2], b[:-2]
    width = max(len(batch_a), len(batch_b))
    batch_a = (1,) * (width - len(batch_a)) + batch_a
    batch_b = (1,) * (width - len(batch_b)) + batch_b
    batch = prod(max(x, y) for x, y in zip(batch_a, batch_b))
    return batch * n * k * m


def attention_macs(q_shape, k_shape, v_shape) -> int:
    """MACs of scaled dot-product attention ``softmax(q kᵀ) v`` (the two matrix products).

    q ``(..., L, E)``, k ``(..., S, E)``, v ``(..., S, Ev)``: ``batch × L × S × (E + Ev)``.

    >>> attention_macs((1, 12, 197, 64), (1, 12, 197, 64), (1, 12, 197, 64))
    59610624
    """
    *batch, length, e = (1 if d is None else d for d in q_shape)
    s = k_shape[-2]
    ev = v_shape[-1]
    return prod(batch) * length * s * (e + ev)


def flops(macs: int, elementwise_outputs: int = 0) -> int:
    """FLOPs under the convention above: ``2 × MACs + elementwise outputs``.

    >>> flops(6272000, 16 * 20 * 28 * 28)  # the conv above plus its bias add
    12794880
    """
    return 2 * macs + elementwise_outputs
