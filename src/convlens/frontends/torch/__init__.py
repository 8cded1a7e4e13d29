"""PyTorch front end: a real ``nn.Module`` -> the summary record.

``summary(model, input_size=(1, 3, 224, 224))`` runs one forward pass on the ``meta`` device (no
weight memory), records every module call and every functional op (``_trace``, which returns a
frozen ``TraceResult``), counts MACs with the core's formulas (``_costs``), measures what autograd
saves for backward, diagnoses shape bugs (``_diagnose``) and builds the ``Summary``
(``_assemble``). This file only orchestrates: the inputs, the meta trace, the CPU fallback, the
batch probe, the assembly. Modules and functions map to core layers through ``ops`` (public, with
``ops.register`` for a user's own module); ``walk`` reads a forward as a ``torch.fx`` graph. The user's model is never changed
(``_guard``): parameters, buffers, classes, training flags and hooks are as before, even when the
forward raises, and the user's observing hooks are not called. Where meta cannot follow the model
(it reads values), one real forward on the CPU is traced instead, and a note says so.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import gc
import os

import torch
import torch.nn as nn

from ...errors import UserError
from ...i18n import language, tr
from ...record import Diagnostic, DiagnosticCode, Summary
from ..device import TraceDevice
from . import _assemble, _diagnose, _structures, _trace

__all__ = ["SummaryError", "check", "summary"]


class SummaryError(UserError):
    """A user's mistake in calling ``summary`` (not a model, a malformed input size...)."""


def _to(obj, device):
    """``obj`` with every tensor in it (nested lists, tuples, dicts) moved to ``device``."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return {k: _to(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(v, device) for v in obj) if not hasattr(obj, "_fields") else type(obj)(*(_to(v, device) for v in obj))
    return obj


def _is_shape(s) -> bool:
    return isinstance(s, (tuple, list, torch.Size)) and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in s)


def _make_inputs(input_size, input_data, dtypes, device):
    """-> (args, kwargs) on ``device``, from torchinfo's arguments: ``input_size`` (one shape, a list
    of shapes, ``()`` for a 0-d input) with ``dtypes``, or ``input_data`` (a tensor; a list or tuple
    of positional inputs; a dict of keyword inputs)."""
    if input_data is not None:
        if isinstance(input_data, torch.Tensor):
            return (input_data.to(device),), {}
        if isinstance(input_data, dict):
            return (), {k: _to(v, device) for k, v in input_data.items()}
        if isinstance(input_data, (list, tuple)):
            return tuple(_to(v, device) for v in input_data), {}
        raise SummaryError(tr("input_data must be a tensor, a tuple/list of tensors or a dict, got {type}", type=type(input_data).__name__))
    if input_size is None:
        raise SummaryError(tr("give input_size=(1, 3, 224, 224) (or input_data=tensor) so convlens knows the input shape"))
    sizes = [input_size] if _is_shape(input_size) else list(input_size) if isinstance(input_size, (list, tuple)) else [input_size]
    for s in sizes:
        if not _is_shape(s):
            raise SummaryError(tr("input_size must be a tuple of non-negative ints or a list of such tuples, got {value}", value=repr(input_size)))
    if dtypes is None:
        dtypes = [torch.float32] * len(sizes)
    elif isinstance(dtypes, torch.dtype):
        dtypes = [dtypes] * len(sizes)
    if len(dtypes) != len(sizes):
        raise SummaryError(tr("got {n} dtypes for {inputs} inputs; give one dtype per input", n=len(dtypes), inputs=len(sizes)))
    args = []
    for s, dt in zip(sizes, dtypes):
        if not isinstance(dt, torch.dtype):
            raise SummaryError(tr("dtypes must be torch dtypes such as torch.float32 or torch.long, got {value}", value=repr(dt)))
        if device == "meta":
            args.append(torch.empty(tuple(s), dtype=dt, device="meta"))
        elif dt.is_floating_point or dt.is_complex:
            args.append(torch.randn(tuple(s), dtype=dt, device=device))
        else:
            args.append(torch.zeros(tuple(s), dtype=dt, device=device))
    return tuple(args), {}


def _device(device) -> TraceDevice:
    """``TraceDevice.META`` or ``.CPU`` from a string or a ``torch.device`` (as torchinfo takes it)."""
    name = device.type if isinstance(device, torch.device) else device
    if name not in tuple(TraceDevice):
        raise SummaryError(tr("device must be 'meta' (default: no weights, nothing computed) or 'cpu' (a real forward), got {value}",
                                value=repr(device)))
    return TraceDevice(name)


def summary(model: nn.Module, input_size=None, *, input_data=None, dtypes=None, device: str = "meta",
            title: str | None = None, memory: bool = True, lang: str | None = None) -> Summary:
    """Summarise ``model`` on the given input: every layer's shapes, weights, MACs, the worked
    calculation, totals, training memory, receptive field and diagnostics.

    ``device="meta"`` (default) allocates no weights and computes no numbers; ``device="cpu"``
    (or ``torch.device("cpu")``) runs the forward for real (buffers are copied so BatchNorm
    statistics are not touched). ``input_size`` is one shape, a list of shapes or ``()`` for a
    0-d input, with ``dtypes``; or ``input_data`` is a tensor, a list/tuple of positional inputs
    or a dict of keyword inputs (torchinfo's arguments). ``lang``: the language of the diagnostics and
    notes (``"en"``, ``"ko"``; None: the current one).
    """
    with language(lang):
        return _summary(model, input_size, input_data=input_data, dtypes=dtypes, device=device, title=title, memory=memory)


def _summary(model, input_size, *, input_data, dtypes, device, title, memory) -> Summary:
    if not isinstance(model, nn.Module):
        raise SummaryError(tr("summary() needs a torch.nn.Module, got {type}", type=type(model).__name__))
    with _collector_paused():
        return _traced(model, input_size, input_data, dtypes, _device(device), title, memory)


@contextlib.contextmanager
def _collector_paused():
    """The cyclic garbage collector paused while the model is traced: the trace makes many objects
    and no cyclic garbage, and in a process holding all of torch's objects the full collection they
    would trigger costs as much as the trace. Enabled again after, as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _traced(model, input_size, input_data, dtypes, device, title, memory) -> Summary:
    notes = []
    if isinstance(model, torch.jit.ScriptModule):
        model, device, note = _script_stand_in(model)
        notes.append(note)
    args, kwargs = _make_inputs(input_size, input_data, dtypes, device)
    result = _trace_once(model, args, kwargs, device, memory)
    diagnostics = list(result.diagnostics)
    if device == "meta" and result.failed and _meta_cannot_follow(result):
        fallback = _cpu_fallback(model, input_size, input_data, dtypes, memory, result)
        if isinstance(fallback, str):  # it does not fit: say what stopped the trace and what to pass
            i = max(i for i, d in enumerate(diagnostics) if d.code is DiagnosticCode.FORWARD_FAILED)
            diagnostics[i] = dataclasses.replace(diagnostics[i], fix=fallback)
        else:
            result, (args, kwargs), device, note = fallback
            diagnostics = list(result.diagnostics)
            notes.append(note)
    diagnostics += _batch_probe(model, args, kwargs, device, result, diagnostics)
    inputs = _structures.tensors((args, kwargs))  # also those inside dicts and lists: {256: x, 512: [y]}
    return _assemble.assemble(model, inputs=inputs, result=result, diagnostics=_assemble.group(diagnostics), title=title,
                              substitutes=result.substitutes, extra_notes=notes, on_meta=device == "meta")


def _meta_cannot_follow(result) -> bool:
    """The meta trace stopped because the forward needs values (``.item()``, a data-dependent
    branch, an op with no meta kernel), not because of a shape bug."""
    failed = next((d for d in reversed(result.diagnostics) if d.code is DiagnosticCode.FORWARD_FAILED), None)
    text = (failed.message if failed else "").lower()
    # "...failed in the TorchScript interpreter": a TorchScript submodule keeps its own real weights, which its
    # compiled code cannot mix with meta inputs (the error it quotes reaches the trace without its text)
    return any(word in text for word in ("meta", "data-dependent", "notimplementederror", "torchscript interpreter"))


def _cpu_fallback(model, input_size, input_data, dtypes, memory, result):
    """Trace again by a real forward on the CPU, if that fits in memory.
    -> (result, (args, kwargs), 'cpu', note), or the one-line reason it does not fit."""
    tensors = list(model.parameters()) + list(model.buffers())
    to_allocate = sum(t.numel() * t.element_size() for t in tensors if t.device.type == "meta")
    buffers = sum(b.numel() * b.element_size() for b in model.buffers())
    need = to_allocate + buffers + 2 * result.saved_bytes
    free = _free_memory()
    reason = next(d.message for d in reversed(result.diagnostics) if d.code is DiagnosticCode.FORWARD_FAILED)
    if free is not None and need > free // 2:
        return tr("the meta device cannot follow this forward (it reads tensor values) and a real forward on the CPU would "
                  "need about {need} GB ({free} GB free): pass device='cpu' (--device cpu) on a machine with more memory, "
                  "or give the forward shapes instead of values (no .item()/.tolist()/data-dependent if)",
                  need=f"{need / 1e9:.1f}", free=f"{free / 1e9:.1f}")
    args, kwargs = _make_inputs(input_size, input_data, dtypes, "cpu")
    traced = _trace_once(model, args, kwargs, "cpu", memory)
    if traced.failed:
        return tr("the meta device cannot follow this forward (it reads tensor values), and a real forward on the CPU "
                  "failed too: see the table; pass inputs the model accepts (input_data=...)")
    what = reason.removeprefix(tr("the forward pass stopped: {reason}", reason=""))  # the diagnostic's words, in this language
    if to_allocate:
        note = tr("the meta device could not follow this forward ({reason}): shapes and costs are from one real forward on the "
                  "CPU instead (parameters built on meta stood in by random values)", reason=what)
    else:
        note = tr("the meta device could not follow this forward ({reason}): shapes and costs are from one real forward on the "
                  "CPU instead", reason=what)
    return traced, (args, kwargs), "cpu", note


def _free_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _script_stand_in(model):
    """A TorchScript module cannot be moved to meta, nor can its parameters be swapped: it is traced
    as a copy, by one real forward on the CPU. -> (copy, device, note)."""
    size = sum(t.numel() * t.element_size() for t in list(model.parameters()) + list(model.buffers()))
    free = _free_memory()
    devices = sorted({t.device.type for t in list(model.parameters()) + list(model.buffers())} - {"cpu"})
    if devices:
        raise SummaryError(tr("a TorchScript module is traced by a real forward on the CPU, but its weights are on {devices}: "
                              "load it with torch.jit.load(path, map_location='cpu'), or build it on the CPU (--device cpu "
                              "for a file.py:factory target)", devices=", ".join(devices)))
    if free is not None and 2 * size > free:
        raise SummaryError(tr("a TorchScript module is traced by a real forward on a copy of it on the CPU, which needs "
                              "{need} GB ({free} GB free); summarise the Python nn.Module instead (meta tracing needs no memory)",
                              need=f"{2 * size / 1e9:.1f}", free=f"{free / 1e9:.1f}"))
    note = tr("TorchScript module: traced by one real forward of a copy on the CPU; its layers run inside the TorchScript "
              "interpreter, so it is one row, with MACs counted from the ATen operations that ran")
    return copy.deepcopy(model), "cpu", note


def _batch_probe(model, args, kwargs, device, result, diagnostics) -> list[Diagnostic]:
    """Trace again with a batch one larger when a reshape changed dim 0 or an output's dim 0 is not
    the batch, and report where the batch stops being a dimension of its own (``_diagnose``)."""
    b1 = result.batch
    if b1 is None or result.failed or any(d.code is DiagnosticCode.BATCH_FOLDED for d in diagnostics):
        return []
    outputs = [tuple(t.shape) for t in result.outputs]
    if not result.batch_reshaped and all(s and s[0] == b1 for s in outputs):
        return []
    b2 = b1 + 1
    probe = _trace_once(model, tuple(_rebatch(a, b1, b2) for a in args), {k: _rebatch(v, b1, b2) for k, v in kwargs.items()},
                           device, False)
    if probe.failed:
        return []
    found = [d for d in probe.diagnostics if d.code is DiagnosticCode.BATCH_FOLDED]
    found = [Diagnostic(d.severity, d.code, tr("{message} (found with a batch of {b})", message=d.message, b=b2), d.fix, d.layer, d.source, d.code_line)
             for d in found]
    return found or _diagnose.batch_merges(list(result.rows), list(result.code_lines), list(probe.rows), outputs,
                                           [tuple(t.shape) for t in probe.outputs], b1, b2,
                                           result.batch_cuts, probe.batch_cuts)


def _rebatch(t, b1, b2):
    """``t`` with its batch dimension (dim 0 of size ``b1``) grown to ``b2 = b1 + 1`` (a real tensor
    repeats its first sample, so token ids and masks stay valid)."""
    if isinstance(t, torch.Tensor) and t.dim() >= 1 and t.shape[0] == b1 and b2 == b1 + 1:
        if t.device.type == "meta":
            return torch.empty((b2,) + tuple(t.shape[1:]), dtype=t.dtype, device="meta")
        return torch.cat([t, t[:1]])
    return t


def _trace_once(model, args, kwargs, device, measure_memory) -> _trace.TraceResult:
    return _trace.trace(model, args, kwargs, on_meta=device == "meta", measure_memory=measure_memory)


def check(model: nn.Module, input_size=None, *, input_data=None, dtypes=None, device: str = "meta",
          lang: str | None = None) -> list[Diagnostic]:
    """Only the diagnostics of ``summary`` (training memory is not measured), in ``lang``."""
    return summary(model, input_size, input_data=input_data, dtypes=dtypes, device=device, memory=False, lang=lang).diagnostics
