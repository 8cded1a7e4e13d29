"""Assembly: a finished trace (rows, outputs, diagnostics) plus the model's facts -> the ``Summary`` record.

Counts come from the tensors the trace used (the substitutes, see ``_guard``): for a lazy module
those are the parameters its initialisation gives, while the user's module stays uninitialised.
Totals count every tensor once, however many modules or names share it. Training memory is the
core's formula (``core.memory``). The notes say what the reader must know to trust the numbers:
shared modules and tied weights, pruned weights, lazy modules, a CPU fallback.
"""

from __future__ import annotations

import sys

import torch
import torch.nn as nn

from ...core import memory as core_memory
from ...core.receptive import as_dict
from ...i18n import N_, tr
from ...record import Diagnostic, MemoryEstimate, Summary, WeightInfo, weight_totals  # Summary: the return type
from .. import build

META_NOTE = N_("shapes and costs from one forward pass on the meta device: no weights allocated, no numbers computed")
CPU_NOTE = N_("shapes and costs from one real forward pass on the CPU")


def _unique(tensors):
    seen, out = set(), []
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


def _numel(t: torch.Tensor) -> int:
    return 0 if isinstance(t, nn.parameter.UninitializedTensorMixin) else t.numel()


def _info(t: torch.Tensor) -> WeightInfo:
    """``t`` as the record's ``WeightInfo``, so that the one helper (``record.weight_totals``) sums it;
    an uninitialised (lazy) tensor has no shape yet and counts as empty."""
    if isinstance(t, nn.parameter.UninitializedTensorMixin):
        return WeightInfo("", (0,), trainable=t.requires_grad)
    return WeightInfo("", tuple(t.shape), trainable=t.requires_grad, dtype_bytes=t.element_size())


def group(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
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
        layer = ", ".join(layers) if len(layers) <= 4 else tr("{layers} and {n} more", layers=", ".join(layers[:4]), n=len(layers) - 4)
        out.append(Diagnostic(first.severity, first.code, first.message, first.fix, layer or None, first.source, first.code_line))
    return out


def model_notes(tree, substitutes: dict[int, torch.Tensor]) -> list[str]:
    """Sentences about shared modules, tied weights, pruning and lazy modules of the model whose
    ``_trace.ModelTree`` is ``tree``."""
    notes = []
    modules = {id(m): m for _, m in tree.modules}
    explained: set[int] = set()
    for key, where in tree.module_paths.items():
        if len(where) < 2:  # used at one place: nothing to say (the parameters of every module are not listed)
            continue
        m = modules[key]
        own = _unique(m.parameters())
        if own:
            explained.update(id(p) for p in own)
            count = sum(_numel(substitutes.get(id(p), p)) for p in own)
            places = ", ".join(repr(w) for w in where)
            notes.append(tr("{type} {name} is shared: used at {places}; its {count} parameters are counted once",
                            type=type(m).__name__, name=repr(where[0]), places=places, count=f"{count:,}"))
    for key, where in tree.param_names.items():
        if len(where) > 1 and key not in explained:
            notes.append(tr("parameter {name} is shared with {others}; counted once", name=repr(where[0]),
                            others=", ".join(repr(w) for w in where[1:])))
    # Pruning hooks exist only if torch.nn.utils.prune was imported: a summary does not import it (~1 ms) to look.
    prune = sys.modules.get("torch.nn.utils.prune")
    for mname, m in tree.modules:
        for hook in m._forward_pre_hooks.values():
            if prune is not None and isinstance(hook, prune.BasePruningMethod):
                tname = hook._tensor_name
                orig = m._parameters.get(tname + "_orig")
                mask = m._buffers.get(tname + "_mask")
                where = f"{mname}.{tname}" if mname else tname
                fields = dict(where=where, orig=f"{tname}_orig", n=f"{orig.numel() if orig is not None else 0:,}", mask=f"{tname}_mask")
                if mask is not None and mask.device.type != "meta" and mask.numel():
                    notes.append(tr("{where} is pruned (torch.nn.utils.prune): parameters are counted as stored, {orig} ({n}, "
                                    "pruned entries included, {zeros} of {total} masked to zero); {mask} is a buffer",
                                    zeros=f"{int((mask == 0).sum()):,}", total=f"{mask.numel():,}", **fields))
                else:
                    notes.append(tr("{where} is pruned (torch.nn.utils.prune): parameters are counted as stored, {orig} ({n}, "
                                    "pruned entries included); {mask} is a buffer", **fields))
        if isinstance(m, nn.modules.lazy.LazyModuleMixin) and m.has_uninitialized_params():
            notes.append(tr("{type} {name} is lazy and uninitialised: its shapes and parameters are those its first forward "
                            "on this input would create (the module itself was not initialised)",
                            type=type(m).__name__, name=mname or repr(type(m).__name__)))
    return notes


def _rf_diagnostics(rf, inputs) -> list[Diagnostic]:
    spatial = inputs[0].shape[2:] if inputs and inputs[0].dim() >= 3 else ()
    for size, jump in zip(spatial, rf.jump):
        if isinstance(jump, int) and jump > 1 and size % jump:
            lo, hi = size - size % jump, size - size % jump + jump
            return [Diagnostic(
                "warning", "input-not-divisible",
                tr("input size {size} is not divisible by the network's total stride {jump} ({ratio}): a floor along the way "
                   "rounds the size down and input rows/columns at the edge are dropped",
                   size=size, jump=jump, ratio=f"{size}/{jump} = {size / jump:g}"),
                tr("use an input size divisible by {jump}, e.g. {lo} or {hi}", jump=jump, lo=lo, hi=hi),
            )]
    return []


def _unused(result, substitutes) -> tuple[list[str], list[Diagnostic]]:
    unused = [name for name, _ in result.tree.params if name not in result.used_params]
    if not unused:
        return [], []
    modules = sorted({n.rsplit(".", 1)[0] if "." in n else n for n in unused})
    names = set(unused)
    count = sum(_numel(substitutes.get(id(p), p)) for n, p in result.tree.params if n in names)
    return unused, [Diagnostic(
        "warning", "unused-parameters",
        tr("{count} parameters are never used in the forward pass: {modules} (defined in __init__ but never called); they still "
           "count in the total and in the optimizer's memory",
           count=f"{count:,}", modules=", ".join(modules[:6]) + ("…" if len(modules) > 6 else "")),
        tr("call the module in forward, or delete it from __init__"),
    )]


def assemble(model, *, inputs, result, diagnostics, title, substitutes, on_meta: bool, extra_notes=()) -> Summary:
    """The Summary of one finished trace of ``model`` on ``inputs`` (the input tensors), made by the one builder
    (``frontends.build.assemble``). ``on_meta``: the trace ran on the meta device (the inputs cannot tell: a model
    may take no tensor, or only a numpy array or a dict of ints)."""
    params = [_info(p) for p in _unique(substitutes.get(id(p), p) for _, p in result.tree.params)]
    buffers = [_info(b) for b in _unique(substitutes.get(id(b), b) for _, b in result.tree.buffers)]
    # The totals count each tensor the model owns once (shared, unused and lazy ones included),
    # which the rows alone cannot give; MACs and FLOPs are the builder's sums of the rows.
    totals = weight_totals(params, buffers)
    trainable_bytes = weight_totals([p for p in params if p.trainable], ())["param_bytes"]
    input_bytes = sum(a.numel() * a.element_size() for a in inputs)

    unused = []
    if not result.failed:
        unused, found = _unused(result, substitutes)
        diagnostics += found
    rf = result.receptive_field
    rf_record = None
    if rf is not None:
        rf_record = as_dict(rf)
        diagnostics += _rf_diagnostics(rf, inputs)
    m = core_memory.training_memory(parameter_bytes=totals["param_bytes"], trainable_bytes=trainable_bytes,
                                    buffer_bytes=totals["buffer_bytes"],
                                    input_bytes=input_bytes, activation_bytes=result.saved_bytes)
    memory = MemoryEstimate(parameters=m.parameters, gradients=m.gradients, optimizer=m.optimizer, activations=m.activations,
                            buffers=m.buffers, inputs=m.inputs, formula=core_memory.FORMULA)
    notes = model_notes(result.tree, substitutes) + list(extra_notes) + [tr(META_NOTE if on_meta else CPU_NOTE)]
    return build.assemble(
        title=title or type(model).__name__, framework="torch",
        input_shapes=[tuple(a.shape) for a in inputs], output_shapes=[tuple(t.shape) for t in result.outputs],
        output_names=result.output_names, rows=result.rows, diagnostics=diagnostics, memory=memory,
        receptive_field=rf_record, unused_params=unused, failed=result.failed, notes=notes, totals=totals,
    )
