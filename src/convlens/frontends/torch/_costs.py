"""Costs at the dispatch level: MACs of the ATen operations that run, with the core's formulas.

The operations are those ``torch.utils.flop_counter.FlopCounterMode`` counts (matrix products,
convolutions, attention), plus the CPU's fused LSTM layer. Every formula is the core's
(``convlens.core.costs``); this module only reads the operands' shapes.
"""

from __future__ import annotations

import math

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ...core import costs

aten = torch.ops.aten


def elementwise_flops(result) -> int:
    """The elementwise FLOPs of a core result (bias, normalisation, activation, pooling): its FLOPs
    less those of its MACs, by the core's cost convention."""
    return max(result.flops - costs.flops(result.macs), 0)


class _MetaBatchNormFn(torch.autograd.Function):
    """Batch norm on the meta device without PyTorch's Python decomposition (~2 ms a call).

    Saves for backward exactly what ``native_batch_norm``'s autograd formula saves (input, weight,
    running mean and variance, the per-channel saved mean and inverse std), so the activation
    memory that convlens measures is unchanged; the output is an empty tensor of the input's shape.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training):
        c = x.shape[1] if x.dim() > 1 else x.shape[0]
        stats = c if training else 0
        ctx.save_for_backward(x, weight, running_mean, running_var, x.new_empty((stats,)), x.new_empty((stats,)))
        return x.new_empty(x.shape)

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - convlens never runs backward
        raise RuntimeError("convlens traces shapes only")


def meta_batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """``F.batch_norm`` on meta tensors, with the checks PyTorch makes (same messages)."""
    if training:
        size = input.size()
        values = size[0] * math.prod(size[2:]) if len(size) > 2 else size[0]
        if values <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    c = input.shape[1] if input.dim() > 1 else input.shape[0]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    return _MetaBatchNormFn.apply(input, weight, bias, running_mean, running_var, training or running_mean is None)


def aten_macs(func, args, kwargs, out) -> int:
    """MACs of one ATen op, with the core's formulas; the op set of FlopCounterMode."""
    packet = func.overloadpacket
    if packet in (aten.mm, aten.addmm, aten.bmm, aten.baddbmm):
        a, b = (args[0], args[1]) if packet in (aten.mm, aten.bmm) else (args[1], args[2])
        return costs.matmul_macs(tuple(a.shape), tuple(b.shape))
    if packet in (aten.convolution, aten._convolution):
        x, w = args[0], args[1]
        transposed = bool(args[6])
        if transposed:
            return costs.transposed_conv_macs(x.shape[0] * math.prod(x.shape[2:]), x.shape[1], w.shape[1], tuple(w.shape[2:]))
        o = out
        return costs.conv_macs(o.shape[0] * math.prod(o.shape[2:]), w.shape[0], w.shape[1], tuple(w.shape[2:]))
    if packet in _FUSED_RNN:
        # The CPU's fused LSTM layer (mkldnn): the same products the unfused cell computes at every
        # step, x_t·W_ih^T and h_{t−1}·W_hh^T, counted with the core's matmul formula over all steps.
        x, w_ih, w_hh = args[0], args[1], args[2]
        steps = math.prod(x.shape[:-1])
        return (costs.matmul_macs((steps, w_ih.shape[1]), (w_ih.shape[1], w_ih.shape[0]))
                + costs.matmul_macs((steps, w_hh.shape[1]), (w_hh.shape[1], w_hh.shape[0])))
    if packet in _SDPA:
        q, k, v = args[0], args[1], args[2]
        return costs.attention_macs(tuple(q.shape), tuple(k.shape), tuple(v.shape))
    return 0


_FUSED_RNN = tuple(getattr(aten, n) for n in ("mkldnn_rnn_layer",) if hasattr(aten, n))

_SDPA = tuple(
    getattr(aten, n)
    for n in ("_scaled_dot_product_efficient_attention", "_scaled_dot_product_flash_attention",
              "_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_cudnn_attention")
    if hasattr(aten, n)
)


class CostMode(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # The mode runs only inside convlens' own trace, never under torch.compile; without this,
        # torch wraps __torch_dispatch__ in a dynamo guard whose first call imports torch._dynamo (~1.5 s).
        return False

    def __init__(self, tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        self.tracer.on_aten(func, args, kwargs, out)
        return out
