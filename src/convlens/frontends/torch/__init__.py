"""PyTorch front end: a real ``nn.Module`` -> the summary record.

``summary(model, input_size=(1, 3, 224, 224))`` runs one forward pass on the ``meta`` device
(no weight memory; the user's parameters, buffers, device, training flag and hooks are left as
they were, even when the forward raises), records every module call and every functional op,
counts MACs with the core's formulas, measures what autograd saves for backward, and diagnoses
shape bugs.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from ...core import ReceptiveField
from ...record import Diagnostic, MemoryEstimate, Summary, WeightInfo
from . import _trace
from ._target import TargetError, build_target, load_target

__all__ = ["SummaryError", "TargetError", "build_target", "check", "load_target", "summary"]


class SummaryError(ValueError):
    """A user's mistake in calling ``summary`` (not a model, a malformed input size...)."""


def _make_inputs(input_size, input_data, dtypes, device):
    """-> (args, kwargs) on ``device``."""
    if input_data is not None:
        if isinstance(input_data, torch.Tensor):
            return (input_data.to(device),), {}
        if isinstance(input_data, dict):
            return (), {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in input_data.items()}
        if isinstance(input_data, (list, tuple)):
            return tuple(v.to(device) if isinstance(v, torch.Tensor) else v for v in input_data), {}
        raise SummaryError(f"input_data must be a tensor, a tuple/list of tensors or a dict, got {type(input_data).__name__}")
    if input_size is None:
        raise SummaryError("give input_size=(1, 3, 224, 224) (or input_data=tensor) so convlens knows the input shape")
    sizes = [input_size] if input_size and all(isinstance(d, int) for d in input_size) else list(input_size)
    for s in sizes:
        if not isinstance(s, (tuple, list, torch.Size)) or not s or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in s):
            raise SummaryError(f"input_size must be a tuple of non-negative ints or a list of such tuples, got {input_size!r}")
    if dtypes is None:
        dtypes = [torch.float32] * len(sizes)
    elif isinstance(dtypes, torch.dtype):
        dtypes = [dtypes] * len(sizes)
    if len(dtypes) != len(sizes):
        raise SummaryError(f"got {len(dtypes)} dtypes for {len(sizes)} inputs; give one dtype per input")
    args = []
    for s, dt in zip(sizes, dtypes):
        if dt.is_floating_point or dt.is_complex:
            args.append(torch.empty(tuple(s), dtype=dt, device=device) if device == "meta" else torch.randn(tuple(s), dtype=dt, device=device))
        else:
            args.append(torch.zeros(tuple(s), dtype=dt, device=device))
    return tuple(args), {}


def summary(model: nn.Module, input_size=None, *, input_data=None, dtypes=None, device: str = "meta",
            title: str | None = None, memory: bool = True) -> Summary:
    """Summarise ``model`` on the given input: every layer's shapes, weights, MACs, the worked
    calculation, totals, training memory, receptive field and diagnostics.

    ``device="meta"`` (default) allocates no weights and computes no numbers; ``device="cpu"``
    runs the forward for real (buffers are copied so BatchNorm statistics are not touched).
    """
    if not isinstance(model, nn.Module):
        raise SummaryError(f"summary() needs a torch.nn.Module, got {type(model).__name__}")
    if device not in ("meta", "cpu"):
        raise SummaryError(f"device must be 'meta' or 'cpu', got {device!r}")
    args, kwargs = _make_inputs(input_size, input_data, dtypes, device)
    result, tracer_first = _trace_once(model, args, kwargs, device, memory)
    diagnostics = list(result.diagnostics)
    # A batch of 1 cannot show a view(-1, ...) that folds samples together: try a batch of 3.
    if tracer_first.suspicious_reshape and tracer_first.batch == 1 and not any(d.code == "batch-folded" for d in diagnostics):
        probe_args = tuple(_rebatch(a, 3) for a in args)
        probe, _ = _trace_once(model, probe_args, {k: _rebatch(v, 3) for k, v in kwargs.items()}, device, False)
        for d in probe.diagnostics:
            if d.code == "batch-folded" and d not in diagnostics:
                diagnostics.append(Diagnostic(d.severity, d.code, d.message + " (found with a batch of 3)", d.fix, d.layer, d.source, d.code_line))
    return _assemble(model, args, kwargs, result, _group(diagnostics), title, tracer_first)


def _group(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per distinct message: the same warning on several layers lists them all."""
    order: list[tuple] = []
    groups: dict[tuple, list[Diagnostic]] = {}
    for d in diagnostics:
        key = (d.severity, d.code, d.message, d.fix)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(d)
    out = []
    for key in order:
        ds = groups[key]
        layers = list(dict.fromkeys(d.layer for d in ds if d.layer))
        first = ds[0]
        layer = ", ".join(layers) if len(layers) <= 4 else ", ".join(layers[:4]) + f" and {len(layers) - 4} more"
        out.append(Diagnostic(first.severity, first.code, first.message, first.fix, layer or None, first.source, first.code_line))
    return out


def _rebatch(t, b):
    if isinstance(t, torch.Tensor) and t.dim() >= 1 and t.shape[0] == 1:
        return torch.empty((b,) + tuple(t.shape[1:]), dtype=t.dtype, device=t.device)
    return t


def _trace_once(model, args, kwargs, device, measure_memory):
    on_meta = device == "meta"
    all_meta = all(p.device.type == "meta" for p in model.parameters()) and all(b.device.type == "meta" for b in model.buffers())
    names = {}
    for name, m in model.named_modules():
        names.setdefault(id(m), name)
    # Substitutes: meta copies of the user's parameters (or the parameters themselves for a model
    # convlens built on meta), and copies of buffers so running statistics are never updated.
    subst: dict[int, torch.Tensor] = {}
    state: dict[str, torch.Tensor] = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        if id(p) not in subst:
            if all_meta or not on_meta:
                subst[id(p)] = p
            else:
                subst[id(p)] = torch.empty_like(p, device="meta").requires_grad_(p.requires_grad)
        state[name] = subst[id(p)]
    for name, b in model.named_buffers(remove_duplicate=False):
        if id(b) not in subst:
            subst[id(b)] = torch.empty_like(b, device="meta") if on_meta else b.clone()
        state[name] = subst[id(b)]
    owners, module_params, seen = {}, {}, set()
    for mname, m in model.named_modules():
        owned = []
        for pname, p in m._parameters.items():
            if p is None or id(p) in seen:
                continue
            seen.add(id(p))
            owned.append((_join(mname, pname), WeightInfo(pname, tuple(p.shape), p.requires_grad, p.element_size()), False))
        for bname, b in m._buffers.items():
            if b is None or id(b) in seen:
                continue
            seen.add(id(b))
            owned.append((_join(mname, bname), WeightInfo(bname, tuple(b.shape), False, b.element_size()), True))
        owners[id(m)] = owned
        module_params[id(m)] = [_join(mname, n) for n, _ in m.named_parameters()]
    param_ids = {}
    for name, p in model.named_parameters():
        param_ids[id(subst[id(p)])] = name
    frozen = set()
    for t in list(subst.values()) + [a for a in list(args) + list(kwargs.values()) if isinstance(a, torch.Tensor)]:
        try:
            frozen.add(t.untyped_storage()._cdata)
        except Exception:
            pass
    first = next((a for a in list(args) + list(kwargs.values()) if isinstance(a, torch.Tensor)), None)
    batch = first.shape[0] if first is not None and first.dim() >= 1 else None
    tracer = _trace.Tracer(model, batch=batch, names=names, owners=owners, param_ids=param_ids, module_params=module_params,
                           frozen_storages=frozen, measure_memory=measure_memory, on_meta=on_meta)
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, torch.Tensor) and a.dim() >= 3:
            tracer.rf[id(a)] = ReceptiveField.identity(a.dim() - 2)
    if all_meta and on_meta or (not on_meta and not model.buffers()):
        forward = model
    else:
        def forward(*a, **k):
            return torch.func.functional_call(model, state, a, k, tie_weights=True, strict=False)
    with torch.enable_grad() if measure_memory else torch.no_grad():
        out, failed, message = _trace.run(tracer, forward, args, kwargs)
    rows = [e.row for e in tracer.rows]
    diagnostics = list(tracer.diagnostics)
    if failed:
        failing = next((e for e in reversed(tracer.rows) if e.row.failed), None) or (tracer.rows[-1] if tracer.rows else None)
        if failing is not None and not failing.row.failed:
            failing.row.failed = message
        fix = None
        if on_meta and "meta" in (message or ""):
            fix = ("the model reads tensor values (data-dependent control flow or .item()), which the meta device cannot "
                   "give; run with --device cpu (convlens.summary(..., device='cpu'))")
        diagnostics.append(Diagnostic("error", "forward-failed", f"the forward pass stopped: {message}",
                                      fix, failing.row.name if failing else None, failing.row.source if failing else None,
                                      failing.code_line if failing else None))
    result = _trace.TraceResult(
        rows=rows, parents=[e.parent for e in tracer.rows], outputs=[] if out is None else _trace._tensors(out),
        diagnostics=diagnostics, used_params=tracer.used_params, called_modules=tracer.called,
        saved_bytes=sum(tracer.saved.values()), failed=failed, receptive_field=tracer.last_rf,
        last_spatial_input=tracer.last_spatial_input,
    )
    return result, tracer


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _assemble(model, args, kwargs, result, diagnostics, title, tracer) -> Summary:
    params = list(model.parameters())
    buffers = list(model.buffers())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    param_bytes = sum(p.numel() * p.element_size() for p in params)
    trainable_bytes = sum(p.numel() * p.element_size() for p in params if p.requires_grad)
    buffer_count = sum(b.numel() for b in buffers)
    buffer_bytes = sum(b.numel() * b.element_size() for b in buffers)
    inputs = [a for a in list(args) + list(kwargs.values()) if isinstance(a, torch.Tensor)]
    input_bytes = sum(a.numel() * a.element_size() for a in inputs)

    unused = []
    if not result.failed:
        for name, p in model.named_parameters():
            if name not in result.used_params:
                unused.append(name)
        if unused:
            modules = sorted({n.rsplit(".", 1)[0] if "." in n else n for n in unused})
            count = sum(p.numel() for n, p in model.named_parameters() if n in set(unused))
            diagnostics.append(Diagnostic(
                "warning", "unused-parameters",
                f"{count:,} parameters are never used in the forward pass: {', '.join(modules[:6])}{'…' if len(modules) > 6 else ''} "
                f"(defined in __init__ but never called); they still count in the total and in the optimizer's memory",
                "call the module in forward, or delete it from __init__",
            ))

    rf = result.receptive_field
    rf_dict = None
    if rf is not None:
        rf_dict = {"size": list(rf.size), "jump": list(rf.jump), "start": list(rf.start), "global": rf.is_global}
        spatial = inputs[0].shape[2:] if inputs and inputs[0].dim() >= 3 else ()
        for size, jump in zip(spatial, rf.jump):
            if isinstance(jump, int) and jump > 1 and size % jump:
                lo, hi = size - size % jump, size - size % jump + jump
                diagnostics.append(Diagnostic(
                    "warning", "input-not-divisible",
                    f"input size {size} is not divisible by the network's total stride {jump} ({size}/{jump} = {size / jump:g}): "
                    "a floor along the way rounds the size down and input rows/columns at the edge are dropped",
                    f"use an input size divisible by {jump}, e.g. {lo} or {hi}",
                ))
                break

    memory = MemoryEstimate(
        parameters=param_bytes, gradients=trainable_bytes, optimizer=2 * trainable_bytes,
        activations=result.saved_bytes, buffers=buffer_bytes, inputs=input_bytes,
        formula="parameters + gradients (trainable) + Adam moments (2 × trainable) + buffers + input + "
                "activations autograd saves for backward (measured on this input); excludes framework workspace and fragmentation",
    )
    out_shapes = tuple(tuple(t.shape) for t in result.outputs)
    return Summary(
        title=title or type(model).__name__,
        framework="torch",
        input_shapes=tuple(tuple(a.shape) for a in inputs),
        output_shapes=out_shapes,
        layers=result.rows,
        total_params=total,
        trainable_params=trainable,
        non_trainable_params=total - trainable,
        buffers=buffer_count,
        param_bytes=param_bytes,
        buffer_bytes=buffer_bytes,
        total_macs=sum(r.macs for r in result.rows),
        total_flops=sum(r.flops for r in result.rows),
        diagnostics=diagnostics,
        memory=memory,
        receptive_field=rf_dict,
        unused_params=unused,
        failed=result.failed,
        notes=[
            "shapes and costs from one forward pass on the meta device: no weights allocated, no numbers computed"
            if all(a.device.type == "meta" for a in inputs) else "shapes and costs from one real forward pass on the CPU",
        ],
    )


def check(model: nn.Module, input_size=None, **options) -> list[Diagnostic]:
    """Only the diagnostics of ``summary``."""
    return summary(model, input_size, **options).diagnostics
