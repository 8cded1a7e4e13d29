"""Normalisation: PyTorch ``BatchNorm1d/2d/3d``, ``LayerNorm``, ``GroupNorm``, ``InstanceNorm1d/2d/3d``;
Keras ``BatchNormalization``.

Every normalisation keeps the input shape. Cost: no MACs, one FLOP per output element (``costs``).
Parameter counts follow each framework's own bookkeeping: PyTorch keeps running statistics in
*buffers* (not parameters); Keras keeps them as *non-trainable weights*, which its summary counts
as parameters (BatchNormalization on 75 channels: 300 params, 150 of them non-trainable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from . import costs
from ._args import fmt_shape, fmt_tuple, positive_int, ranks_text
from ._base import Layer, Role, Weight, DeclaredWeight
from .framework import Framework
from ._errors import LayerError
from ..i18n import N_, tr


@dataclass(frozen=True)
class _Norm(Layer):
    elementwise_flops: ClassVar[bool] = True

    def output_shape(self, shape):
        self._check(shape)
        return tuple(shape)


@dataclass(frozen=True)
class _BatchNormNd(_Norm):
    """``nn.BatchNormNd(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)``.

    Parameters weight, bias ``(C,)`` when ``affine``; buffers running_mean, running_var ``(C,)`` and
    num_batches_tracked ``()`` when ``track_running_stats``. Evaluated as in ``model.eval()``.
    """

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("features",), Role.SCALE, N_("a learned factor per channel (γ), applied after normalising")),
        DeclaredWeight("bias", ("features",), Role.SHIFT, N_("a learned offset per channel (β), added after scaling")),
        DeclaredWeight("running_mean", ("features",), Role.STATISTIC, N_("the channel mean used in eval mode, updated in training")),
        DeclaredWeight("running_var", ("features",), Role.STATISTIC, N_("the channel variance used in eval mode, updated in training")),
        DeclaredWeight("num_batches_tracked", (), Role.STATISTIC, N_("how many batches updated the statistics")),
    )
    taken_from_input: ClassVar = {"num_features": 1}

    num_features: int | None = None  # None: taken from the input's dimension 1
    eps: float = 1e-5
    momentum: float | None = 0.1
    affine: bool = True
    track_running_stats: bool = True
    ranks: ClassVar[tuple[int, ...]] = (4,)

    def __post_init__(self):
        if self.num_features is not None:
            positive_int(self.type_name, "num_features", self.num_features, allow_zero=True)

    def _check(self, shape):
        name = self.type_name
        if len(shape) not in self.ranks:
            raise LayerError(name, "input", tr("expected a {ranks} input (N, C, …), got {rank}-D {shape}", ranks=ranks_text(self.ranks), rank=len(shape), shape=fmt_shape(shape)))
        c = shape[1]
        if self.num_features is not None and c != self.num_features and (self.affine or self.track_running_stats):
            raise LayerError(name, "num_features", tr("num_features={want} but the input {shape} has {c} channels in dimension 1; use num_features={c}", want=self.num_features, shape=fmt_shape(shape), c=c))
        if not self.track_running_stats and shape[0] * costs.numel(shape[2:]) == 1:
            # without running statistics even model.eval() normalises with the batch's own statistics
            raise LayerError(name, "input", tr("track_running_stats=False normalises with batch statistics, which needs more than one value per channel; the input {shape} has 1", shape=fmt_shape(shape)))

    def _c(self, shape):
        return shape[1]

    def weights(self, shape):
        c = self._c(shape)
        return (Weight("weight", (c,)), Weight("bias", (c,))) if self.affine else ()

    def buffers(self, shape):
        c = self._c(shape)
        if not self.track_running_stats:
            return ()
        return (Weight("running_mean", (c,), False), Weight("running_var", (c,), False), Weight("num_batches_tracked", (), False))

    def warnings(self, shape, out):
        if self.track_running_stats and shape[0] * costs.numel(shape[2:]) == 1:
            return (tr("{layer}: the input {shape} has one value per channel; in training mode PyTorch raises {error}", layer=self.type_name, shape=fmt_shape(shape), error="'Expected more than 1 value per channel'"),)
        return ()

    def explain(self, shape, out):
        c = self._c(shape)
        lines = [tr("output shape {out} (same as input); statistics over every dimension but C={c}", out=fmt_shape(out), c=c)]
        lines.append(tr("params = 2 × {c} (weight, bias) = {n}", c=c, n=self.param_count(shape)) if self.affine else f"params = 0 = {self.param_count(shape)}")
        if self.track_running_stats:
            lines.append(tr("buffers = 2 × {c} (running_mean, running_var) + 1 (num_batches_tracked) = {n} — not parameters", c=c, n=2 * c + 1))
        return lines


class BatchNorm1d(_BatchNormNd):
    """``nn.BatchNorm1d`` on (N, C) or (N, C, L)."""

    ranks: ClassVar[tuple[int, ...]] = (2, 3)


class BatchNorm2d(_BatchNormNd):
    """``nn.BatchNorm2d`` on (N, C, H, W).

    >>> r = BatchNorm2d(64).evaluate((1, 64, 56, 56))
    >>> r.params, [(b.name, b.shape) for b in r.buffers], r.flops
    (128, [('running_mean', (64,)), ('running_var', (64,)), ('num_batches_tracked', ())], 200704)
    """

    ranks: ClassVar[tuple[int, ...]] = (4,)


class BatchNorm3d(_BatchNormNd):
    ranks: ClassVar[tuple[int, ...]] = (5,)


@dataclass(frozen=True)
class _InstanceNormNd(_BatchNormNd):
    """``nn.InstanceNormNd(num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False)``:
    statistics per sample and channel over the spatial dimensions; (N, C, *spatial) or (C, *spatial)."""

    affine: bool = False
    track_running_stats: bool = False
    n: ClassVar[int] = 2

    def _c(self, shape):
        return shape[-1 - self.n]

    def _check(self, shape):
        name, n = self.type_name, self.n
        if len(shape) not in (n + 1, n + 2):
            raise LayerError(name, "input", tr("expected a {a}-D (unbatched) or {b}-D (batched) input, got {rank}-D {shape}", a=n + 1, b=n + 2, rank=len(shape), shape=fmt_shape(shape)))
        c = self._c(shape)
        if self.num_features is not None and c != self.num_features and (self.affine or self.track_running_stats):
            raise LayerError(name, "num_features", tr("num_features={want} but the input {shape} has {c} channels; use num_features={c}", want=self.num_features, shape=fmt_shape(shape), c=c))
        if not self.track_running_stats and costs.numel(shape[-n:]) == 1:
            raise LayerError(name, "input", tr("instance statistics need more than one spatial element, got {size} in {shape}", size=fmt_tuple(shape[-n:]), shape=fmt_shape(shape)))

    def warnings(self, shape, out):
        notes = []
        c = self._c(shape)
        if self.num_features is not None and c != self.num_features:
            notes.append(tr("{layer}: num_features={want} differs from the input's {c} channels; PyTorch only warns because affine=False", layer=self.type_name, want=self.num_features, c=c))
        if self.track_running_stats and costs.numel(shape[-self.n:]) == 1:
            notes.append(tr("{layer}: one spatial element per channel; in training mode PyTorch raises", layer=self.type_name))
        return tuple(notes)


class InstanceNorm1d(_InstanceNormNd, n=1):
    """``nn.InstanceNorm1d``."""


class InstanceNorm2d(_InstanceNormNd, n=2):
    """``nn.InstanceNorm2d``: no parameters or buffers by default.

    >>> r = InstanceNorm2d(64).evaluate((1, 64, 32, 32))
    >>> r.output_shape, r.params, r.buffer_count
    ((1, 64, 32, 32), 0, 0)
    """


class InstanceNorm3d(_InstanceNormNd, n=3):
    """``nn.InstanceNorm3d``."""


@dataclass(frozen=True)
class LayerNorm(_Norm):
    """``nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True)``: the input must
    end in ``normalized_shape``; weight and bias have that shape.

    >>> r = LayerNorm(768).evaluate((1, 197, 768))
    >>> [w.shape for w in r.weights], r.params
    ([(768,), (768,)], 1536)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("features",), Role.SCALE, N_("a learned factor per normalised element (γ)")),
        DeclaredWeight("bias", ("features",), Role.SHIFT, N_("a learned offset per normalised element (β)")),
    )

    normalized_shape: int | tuple = None
    eps: float = 1e-5
    elementwise_affine: bool = True
    bias: bool = True

    def __post_init__(self):
        ns = self.normalized_shape
        if ns is None:
            raise LayerError(self.type_name, "normalized_shape", tr("normalized_shape is required, e.g. LayerNorm(768)"))
        ns = (ns,) if isinstance(ns, int) and not isinstance(ns, bool) else tuple(ns) if isinstance(ns, (tuple, list)) else None
        if ns is None or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ns):
            raise LayerError(self.type_name, "normalized_shape", tr("normalized_shape must be an int or a tuple of ints >= 0, got {value}", value=repr(self.normalized_shape)))
        object.__setattr__(self, "_ns", ns)

    def _check(self, shape):
        ns = self._ns
        if len(shape) < len(ns) or tuple(shape[len(shape) - len(ns):]) != ns:
            raise LayerError(self.type_name, "normalized_shape", tr("normalized_shape={ns} must match the last {n} dimension(s) of the input {shape}; use normalized_shape={use}", ns=fmt_shape(ns), n=len(ns), shape=fmt_shape(shape), use=fmt_shape(tuple(shape[-len(ns):]) if ns else ())))

    def weights(self, shape):
        if not self.elementwise_affine:
            return ()
        return (Weight("weight", self._ns),) + ((Weight("bias", self._ns),) if self.bias else ())

    def explain(self, shape, out):
        k = costs.numel(self._ns)
        n_w = (1 + int(self.bias)) if self.elementwise_affine else 0
        return [tr("output shape {out} (same as input); statistics over the last {n} dimension(s) {dims}", out=fmt_shape(out), n=len(self._ns), dims=fmt_tuple(self._ns)),
                f"params = {n_w} × {k} = {self.param_count(shape):,}"]


@dataclass(frozen=True)
class GroupNorm(_Norm):
    """``nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True)``: num_channels must divide
    into num_groups; weight, bias ``(num_channels,)``. ``num_channels=None`` takes the input's
    dimension 1, as ``in_channels``/``num_features`` do elsewhere.

    >>> GroupNorm(32, 256).evaluate((2, 256, 14, 14)).params
    512
    >>> GroupNorm(4).evaluate((2, 32, 8, 8)).weights[0].shape
    (32,)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("features",), Role.SCALE, N_("a learned factor per channel (γ), applied after normalising each group")),
        DeclaredWeight("bias", ("features",), Role.SHIFT, N_("a learned offset per channel (β)")),
    )

    num_groups: int | None = None
    num_channels: int | None = None  # None: taken from the input's dimension 1
    eps: float = 1e-5
    affine: bool = True

    def __post_init__(self):
        name = self.type_name
        if self.num_groups is None:
            raise LayerError(name, "num_groups", tr("num_groups is required, e.g. GroupNorm(num_groups=32) (num_channels is taken from the input when not given)"))
        positive_int(name, "num_groups", self.num_groups)
        if self.num_channels is None:
            return
        positive_int(name, "num_channels", self.num_channels, allow_zero=True)
        if self.num_channels % self.num_groups:
            raise LayerError(name, "num_channels", tr("num_channels={c} is not divisible by num_groups={g}; use a multiple of {g}", c=self.num_channels, g=self.num_groups))

    def _check(self, shape):
        name = self.type_name
        if len(shape) < 2:
            raise LayerError(name, "input", tr("expects at least a 2-D input (N, C, …), got {shape}", shape=fmt_shape(shape)))
        c = shape[1]
        if self.affine and self.num_channels is not None and c != self.num_channels:
            raise LayerError(name, "num_channels", tr("num_channels={want} but the input {shape} has {c} channels; use num_channels={c}", want=self.num_channels, shape=fmt_shape(shape), c=c))
        if c % self.num_groups:
            raise LayerError(name, "num_groups", tr("the input's {c} channels ({shape}) are not divisible by num_groups={g}", c=c, shape=fmt_shape(shape), g=self.num_groups))
        if shape[0] * (c // self.num_groups) * costs.numel(shape[2:]) == 1:  # F.group_norm's _verify_batch_size
            raise LayerError(name, "input", tr("each group of {shape} holds a single value (N·C/num_groups·spatial = 1); statistics need more than one", shape=fmt_shape(shape)))

    def weights(self, shape):
        c = shape[1] if self.num_channels is None else self.num_channels
        return (Weight("weight", (c,)), Weight("bias", (c,))) if self.affine else ()

    def explain(self, shape, out):
        return [tr("output shape {out} (same as input); {g} groups of {c} channels, statistics per sample and group", out=fmt_shape(out), g=self.num_groups, c=shape[1] // self.num_groups),
                f"params = {'2 × ' + str(shape[1] if self.num_channels is None else self.num_channels) if self.affine else '0'} = {self.param_count(shape)}"]


@dataclass(frozen=True)
class BatchNormalization(_Norm):
    """``keras.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
    renorm=False)``: gamma (if scale) and beta (if center) are trainable; moving_mean and moving_variance
    are *non-trainable weights* that Keras counts as parameters: 4·C in all.

    >>> r = BatchNormalization().evaluate((None, 28, 28, 75))
    >>> r.params, r.trainable_params, r.non_trainable_params
    (300, 150, 150)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("gamma", ("features",), Role.SCALE, N_("a learned factor per channel, applied after normalising")),
        DeclaredWeight("beta", ("features",), Role.SHIFT, N_("a learned offset per channel, added after scaling")),
        DeclaredWeight("moving_mean", ("features",), Role.STATISTIC, N_("the channel mean used in inference; Keras counts it as a non-trainable parameter")),
        DeclaredWeight("moving_variance", ("features",), Role.STATISTIC, N_("the channel variance used in inference; a non-trainable parameter in Keras")),
    )

    framework: ClassVar[Framework] = Framework.KERAS
    axis: int = -1
    momentum: float = 0.99
    epsilon: float = 1e-3
    center: bool = True
    scale: bool = True
    renorm: bool = False  # adds moving_stddev, renorm_mean, renorm_stddev (non-trainable)

    def __post_init__(self):
        if isinstance(self.axis, bool) or not isinstance(self.axis, int):
            raise LayerError(self.type_name, "axis", tr("axis must be an int, got axis={axis}", axis=repr(self.axis)))

    def _check(self, shape):
        if not -len(shape) <= self.axis < len(shape):
            raise LayerError(self.type_name, "axis", tr("axis={axis} is out of bounds for the input {shape}; use an axis in [-{r}, {last}]", axis=self.axis, shape=fmt_shape(shape), r=len(shape), last=len(shape) - 1))
        if shape[self.axis] is None:
            raise LayerError(self.type_name, "axis", tr("the normalised axis {axis} of {shape} must have a known size", axis=self.axis, shape=fmt_shape(shape)))

    def weights(self, shape):
        c = (shape[self.axis],)
        w = ((Weight("gamma", c),) if self.scale else ()) + ((Weight("beta", c),) if self.center else ())
        w += (Weight("moving_mean", c, False), Weight("moving_variance", c, False))
        if self.renorm:
            w += (Weight("moving_stddev", c, False), Weight("renorm_mean", c, False), Weight("renorm_stddev", c, False))
        return w

    def explain(self, shape, out):
        c = shape[self.axis]
        t = int(self.scale) + int(self.center)
        nt = 2 + 3 * int(self.renorm)
        return [tr("output shape {out} (same as input); one gamma/beta/mean/variance per channel (axis {axis}, {c} channels)", out=fmt_shape(out), axis=self.axis, c=c),
                tr("params = {t} × {c} trainable + {nt} × {c} non-trainable = {n}", t=t, c=c, nt=nt, n=f"{self.param_count(shape):,}")]
