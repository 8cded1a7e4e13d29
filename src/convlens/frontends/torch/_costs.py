"""Costs at the dispatch level: MACs of the ATen operations that run, with the core's formulas.

The operations are those ``torch.utils.flop_counter.FlopCounterMode`` counts (matrix products,
convolutions, attention), plus the CPU's fused LSTM layer. Every formula is the core's
(``convlens.core.costs``); this module only reads the operands' shapes.
"""

from __future__ import annotations

import math

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ...core import LAYERS, costs
from ...core.conv import conv_out_size

aten = torch.ops.aten


# PyTorch's own error messages, word for word: these fast paths stand in for PyTorch's kernels, so a model
# fails here exactly as it would in PyTorch (a real forward on the CPU gives the same English). They are
# PyTorch's sentences, not convlens's: not in the catalog, quoted as they are in every language
# (a layer-failed diagnostic shows them after convlens's own words).
PYTORCH_WORDS = {
    "backward": "convlens traces shapes only",
    "batch_norm": "Expected more than 1 value per channel when training, got input size {size}",
    "elements": "{name} should contain {c} elements not {n}",
    "broadcast": "The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {dim}",
    "inplace": "output with shape {shape} doesn't match the broadcast shape {broadcast}",
    "mm": "mat1 and mat2 shapes cannot be multiplied ({a} and {b})",
    "groups": "Given groups={groups}, weight of size {weight}, expected input{input} to have {want} channels, but got {got} channels instead",
    "too_small": "Calculated output size: {spatial} is too small for input {input} and kernel {kernel}",
}

class _MetaBatchNormFn(torch.autograd.Function):
    """Batch norm on the meta device without PyTorch's Python decomposition (~2 ms a call).

    Of what ``native_batch_norm``'s autograd formula saves for backward (input, weight, running
    mean and variance, the per-channel saved mean and inverse std) it saves what convlens counts as
    activation memory: the input and, in training, the two per-channel statistics; the weight and
    running statistics are the model's own tensors, never counted (``_trace``'s ``frozen_storages``),
    so the measured memory is the same. The output is an empty tensor of the input's shape. Its
    tensors are made with Python dispatch off: they are no operation of the model, and the cost
    mode would only pass them on (~12 µs each).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training):
        # torch.empty, not x.new_empty: the same tensors, without new_empty's Python reference on meta
        with torch._C._DisableTorchDispatch():
            if training:
                c = x.shape[1] if x.dim() > 1 else x.shape[0]
                ctx.save_for_backward(x, torch.empty((c,), dtype=x.dtype, device=x.device),
                                      torch.empty((c,), dtype=x.dtype, device=x.device))
            else:  # in evaluation the saved mean and inverse std are empty: nothing to make, nothing to count
                ctx.save_for_backward(x)
            return torch.empty(x.shape, dtype=x.dtype, device=x.device)

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - convlens never runs backward
        raise RuntimeError(PYTORCH_WORDS["backward"])


def meta_batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """``F.batch_norm`` on meta tensors, with the checks PyTorch makes (same messages)."""
    if training:
        size = input.size()
        values = size[0] * math.prod(size[2:]) if len(size) > 2 else size[0]
        if values <= 1:
            raise ValueError(PYTORCH_WORDS["batch_norm"].format(size=size))
    c = input.shape[1] if input.dim() > 1 else input.shape[0]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(PYTORCH_WORDS["elements"].format(name=name, c=c, n=t.numel()))
    return _MetaBatchNormFn.apply(input, weight, bias, running_mean, running_var, training or running_mean is None)


def aten_macs(func, args, kwargs, out) -> int:
    """MACs of one ATen op, with the core's formulas; the op set of FlopCounterMode."""
    packet = func.overloadpacket
    if packet not in _COUNTED:
        return 0
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
# every packet aten_macs counts; the others (most of a forward's operations) cost one set lookup
_COUNTED = frozenset((aten.mm, aten.addmm, aten.bmm, aten.baddbmm, aten.convolution, aten._convolution) + _FUSED_RNN + _SDPA)


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
        out = meta_shortcut(func, args, kwargs)
        if out is None:
            out = func(*args, **(kwargs or {}))
        self.tracer.on_aten(func, args, kwargs, out)
        return out


# --- meta without PyTorch's Python meta kernels ----------------------------------------------
# PyTorch computes the meta results of convolution and of elementwise arithmetic in Python
# (``torch/_meta_registrations.py``, ``torch/_refs``); their first call imports sympy (through
# ``torch._check``) and torch._dynamo (through ``torch._disable_dynamo``): about 1 s of a cold
# start, which a script that never compiles would not otherwise pay. For these few operations the
# result's shape is computed here — the convolution's with the core's window formula — and the
# same errors are raised. Everything else runs PyTorch's own meta kernels.
_BINARY = {aten.add.Tensor, aten.sub.Tensor, aten.mul.Tensor, aten.div.Tensor}
_BINARY_INPLACE = {aten.add_.Tensor, aten.sub_.Tensor, aten.mul_.Tensor, aten.div_.Tensor}
# Activations of one tensor (their other arguments only change values): a floating input's result
# has its shape, dtype and strides. The first such op on meta otherwise imports sympy and torch._dynamo.
_UNARY = {aten.relu.default, aten.sigmoid.default, aten.silu.default, aten.tanh.default, aten.hardswish.default,
          aten.hardsigmoid.default, aten.gelu.default, aten.mish.default, aten.leaky_relu.default, aten.hardtanh.default}
# every operation meta_shortcut may answer; any other is left to PyTorch at once
_SHORTCUT_OPS = frozenset(_BINARY | _BINARY_INPLACE | _UNARY | {
    aten.mm.default, aten.addmm.default, aten.mean.dim, aten.max_pool2d_with_indices.default, aten.convolution.default})


def _broadcast(a: tuple, b: tuple) -> tuple:
    """NumPy/PyTorch broadcasting of two shapes, with PyTorch's message when they do not broadcast."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(PYTORCH_WORDS["broadcast"].format(x=x, y=y, dim=max(len(a), len(b)) - i))
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


def _is_meta(t) -> bool:
    return isinstance(t, torch.Tensor) and t.device.type == "meta" and type(t) is torch.Tensor or isinstance(t, torch.nn.Parameter) and t.device.type == "meta"


def meta_shortcut(func, args, kwargs):
    """The meta result of ``func`` computed here, or None to let PyTorch compute it."""
    if func not in _SHORTCUT_OPS or kwargs or not args or not _is_meta(args[0]):
        return None
    if func in _UNARY:
        a = args[0]
        if not a.dtype.is_floating_point or not (a.is_contiguous() or a.is_contiguous(memory_format=torch.channels_last)):
            return None  # integer inputs, and the strides of a non-dense one, are PyTorch's to work out
        return torch.empty_strided(a.shape, a.stride(), dtype=a.dtype, device="meta")
    if func in _BINARY or func in _BINARY_INPLACE:
        a, b = args[0], args[1]
        if isinstance(b, torch.Tensor) and not _is_meta(b):
            return None
        if func is aten.div.Tensor and not (a.dtype.is_floating_point or a.dtype.is_complex):
            return None  # integer division promotes to float: PyTorch's rules
        shape = _broadcast(tuple(a.shape), tuple(b.shape) if isinstance(b, torch.Tensor) else ())
        if func in _BINARY_INPLACE:
            if shape != tuple(a.shape):
                raise RuntimeError(PYTORCH_WORDS["inplace"].format(shape=list(a.shape), broadcast=list(shape)))
            return a
        return torch.empty(shape, dtype=torch.result_type(a, b), device="meta")
    if func in (aten.mm.default, aten.addmm.default):
        a, b = (args[0], args[1]) if func is aten.mm.default else (args[1], args[2])
        if not (_is_meta(a) and _is_meta(b)) or a.dim() != 2 or b.dim() != 2 or a.dtype != b.dtype:
            return None
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(PYTORCH_WORDS["mm"].format(a=f"{a.shape[0]}x{a.shape[1]}", b=f"{b.shape[0]}x{b.shape[1]}"))
        if func is aten.addmm.default:
            _broadcast(tuple(args[0].shape), (a.shape[0], b.shape[1]))
        return torch.empty((a.shape[0], b.shape[1]), dtype=a.dtype, device="meta")
    if func is aten.mean.dim:
        x, dims = args[0], args[1]
        keep = bool(args[2]) if len(args) > 2 else False
        if len(args) > 3 or dims is None or not (x.dtype.is_floating_point or x.dtype.is_complex):
            return None
        axes = {d % x.dim() for d in dims} if x.dim() else set()
        shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape) if keep or i not in axes)
        return torch.empty(shape, dtype=x.dtype, device="meta")
    if func is aten.max_pool2d_with_indices.default:
        # the core's MaxPool2d (floor/ceil mode, padding and dilation rules, its errors)
        names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
        options = dict(zip(names, args[1:]))
        options["stride"] = options.get("stride") or None
        shape = LAYERS["MaxPool2d"](**options).evaluate(tuple(args[0].shape)).output_shape
        return (torch.empty(shape, dtype=args[0].dtype, device="meta"), torch.empty(shape, dtype=torch.int64, device="meta"))
    if func is aten.convolution.default and len(args) == 9:
        x, w, bias, stride, padding, dilation, transposed, output_padding, groups = args
        if transposed or not _is_meta(w) or not all(isinstance(p, int) for p in padding) or x.dim() != w.dim():
            return None
        if x.shape[1] != w.shape[1] * groups:
            raise RuntimeError(PYTORCH_WORDS["groups"].format(groups=groups, weight=list(w.shape), input=list(x.shape),
                                                              want=w.shape[1] * groups, got=x.shape[1]))
        n = w.dim() - 2
        spatial = tuple(conv_out_size(x.shape[2 + i], w.shape[2 + i], stride[i % len(stride)], 2 * padding[i % len(padding)],
                                      dilation[i % len(dilation)]) for i in range(n))
        if any(o < 1 for o in spatial):
            raise RuntimeError(PYTORCH_WORDS["too_small"].format(spatial=spatial, input=list(x.shape[2:]), kernel=list(w.shape[2:])))
        return torch.empty((x.shape[0], w.shape[0]) + spatial, dtype=x.dtype, device="meta")
    return None

