"""Diagnosis: the checks made during a trace (``Diagnosis``, a collaborator of ``_trace``), and
across traces: where the batch stops being a dimension of its own (``batch_merges``).

A reshape such as ``x.view(-1, 256)`` on a ``(4, 512)`` tensor gives ``(8, 256)``: every count
still divides, no shape error is raised, and the model silently returns 8 outputs for 4 inputs.
One trace cannot tell this from a legitimate ``(B, T, C) -> (B·T, C)``. Two traces can: run the
forward again with another batch size and compare every row's shapes. A dimension holds the batch
when it is ``b1`` in the first trace, ``b2`` in the second and every other dimension is equal; the
batch is *merged* when the shapes change but no dimension is the batch. Merges that are undone
before the output (token-wise layers) are fine; when an output has the batch merged, the last row
that took a tensor with the batch as its own dimension and gave one without is the line to fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn

from ...core import LayerError
from ...i18n import N_, current, tr, trn
from ...record import Diagnostic, LayerRow
from . import ops

class TraceStop(Exception):
    """The forward pass failed at a point convlens cannot repair; carries the message."""


def _factor(n: int, channels: int | None) -> str:
    """``6272`` with 128 channels -> ``'6,272 = 128×7×7'``."""
    if channels and n % channels == 0:
        rest = n // channels
        side = math.isqrt(rest)
        if side * side == rest and side > 1:
            return f"{n:,} = {channels}×{side}×{side}"
        if rest > 1:
            return f"{n:,} = {channels}×{rest}"
    return f"{n:,}"


class Diagnosis:
    """The checks a trace makes as it goes: reshapes that fold the batch, branches that disagree,
    framework layers whose arguments contradict their input — each diagnosed with the core's numbers
    and, where the code's intent is clear, repaired so that the trace goes on and finds the next bug.

    A collaborator of the tracer (``_trace``): it owns what it finds (``diagnostics``, which
    tensors were flattened from what, whether a reshape changed the batch) and receives the rows it
    judges as arguments; it never reads the tracer's state."""

    def __init__(self, *, batch: int | None, repair: bool, on_meta: bool):
        self.batch = batch  # dim 0 of the first input
        self.repair = repair  # go on with the shape the code meant, after diagnosing
        self.on_meta = on_meta
        self.diagnostics: list[Diagnostic] = []
        self.batch_reshaped = False  # a reshape changed the size of dim 0 from the batch: a second trace checks it
        self.batch_cuts: list[Cut] = []  # a reshape whose rows cut a sample's dimension (confirmed by that second trace)
        self._flattened: list[tuple[torch.Tensor, tuple]] = []  # (flattened tensor, its shape before), kept alive

    def report(self, severity, code, message, fix=None, entry=None, source=None, code_line=None) -> None:
        """Add a diagnostic about ``entry`` (a row of the trace), once."""
        layer = entry.row.name if entry is not None else None
        if entry is not None and source is None:
            source = entry.row.source
            code_line = entry.code_line
        d = Diagnostic(severity, code, message, fix, layer, source, code_line)
        if d not in self.diagnostics:
            self.diagnostics.append(d)

    def _flattened_from(self, fixed: torch.Tensor, shape: tuple) -> None:
        self._flattened.append((fixed, shape))

    # --- diagnosis and repair ---------------------------------------------------------------
    def check_reshape(self, func, args, kwargs, entry, out):
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if x is None or not isinstance(out, torch.Tensor):
            return out
        if out.dim() < x.dim() and x.dim() >= 3:
            self._flattened_from(out, tuple(x.shape))
        b = self.batch
        if b is None or x.dim() == 0 or x.shape[0] != b or out.dim() == 0:
            return out
        rows = out.shape[0]
        if rows != b:
            self.batch_reshaped = True
        layout = batch_rows(tuple(x.shape), tuple(out.shape), b)
        if layout == "cut":  # an error only if a trace with another batch size confirms it (batch_merges)
            self.batch_cuts.append(Cut(entry.row.name, self._call_text(func, args, kwargs), tuple(x.shape), tuple(out.shape)))
        if layout != "mixed":
            return out
        per_sample = x.numel() // b
        call = self._call_text(func, args, kwargs)
        self.report(
            "error", "batch-folded",
            tr("{call} folds the batch: {b} samples of {values} values become {rows} rows of {row_values}; "
               "the model silently returns {rows} outputs for {b} inputs",
               call=call, b=b, values=_factor(per_sample, x.shape[1] if x.dim() >= 2 else None), rows=rows,
               row_values=f"{out.numel() // max(rows, 1):,}"),
            tr(FIX), entry,
        )
        if self.repair and x.dim() >= 2:
            fixed = x.flatten(1)
            self._flattened_from(fixed, tuple(x.shape))
            return fixed
        return out

    def _call_text(self, func, args, kwargs) -> str:
        op = ops.function_name(func)
        shape_args = [a for a in args[1:] if not isinstance(a, torch.Tensor)]
        if len(shape_args) == 1 and isinstance(shape_args[0], (tuple, list)):
            shape_args = list(shape_args[0])
        text = ", ".join(str(a) for a in shape_args)
        extra = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        return f"x.{op}({text}{', ' if text and extra else ''}{extra})"

    def repair_function(self, func, args, kwargs, entry, in_tensors, exc, producer_of):
        """A functional call raised: diagnose a reshape or a merge of branches and go on with the shape
        the code meant, or stop the trace. ``producer_of(tensor)`` is the row that made a tensor."""
        row = entry.row
        message = str(exc).splitlines()[0]
        if func in ops.RESHAPES and args and isinstance(args[0], torch.Tensor) and self.repair:
            x = args[0]
            call = self._call_text(func, args, kwargs)
            b = x.shape[0] if x.dim() else 1
            per = x.numel() // max(b, 1)
            want = [a for a in (args[1:] if len(args) > 1 else ()) if not isinstance(a, torch.Tensor)]
            if len(want) == 1 and isinstance(want[0], (tuple, list)):
                want = list(want[0])
            fixed_sizes = [w for w in want if isinstance(w, int) and w != -1]
            wanted = math.prod(fixed_sizes) if fixed_sizes else None
            c = x.shape[1] if x.dim() >= 2 else None
            self.report("error", "reshape-mismatch",
                        tr("{call} cannot reshape {shape}: each sample {sample} has {values} values, which do not fill "
                           "rows of {row_values}", call=call, shape=tuple(x.shape), sample=tuple(x.shape[1:]),
                           values=_factor(per, c), row_values=_factor(wanted, c) if wanted else "?"),
                        tr("use x.flatten(1), which keeps the batch dimension, and size the next layer for {n} features",
                           n=f"{per:,}"), entry)
            fixed = x.flatten(1)
            self._flattened_from(fixed, tuple(x.shape))
            return fixed
        if (func in ops.MERGES or func in ops.CONCATS) and self.repair:
            shapes = [tuple(t.shape) for t in in_tensors]
            where = []
            for t in in_tensors:
                p = producer_of(t)
                where.append(tr("{shape} from {layer} ({type})", shape=tuple(t.shape), layer=p.row.name, type=p.row.type)
                             if p is not None else f"{tuple(t.shape)}")
            kind = "concat" if func in ops.CONCATS else ops.function_name(func)
            diff = [str(i) for i, (a, b) in enumerate(zip(shapes[0], shapes[1])) if a != b] if len(shapes) >= 2 and len(shapes[0]) == len(shapes[1]) else []
            self.report(
                "error", "branch-mismatch",
                tr("{kind} of branches whose shapes disagree in dims {dims}: {shapes}", kind=kind, dims=",".join(diff),
                   shapes=" vs ".join(where)) if diff else
                tr("{kind} of branches whose shapes disagree: {shapes}", kind=kind, shapes=" vs ".join(where)),
                tr("make both branches produce the same shape: give the shortcut the same stride/channels as the main path "
                   "(e.g. a 1×1 Conv2d with the block's stride) or fix the padding"), entry,
            )
            first = in_tensors[0]
            return torch.empty(first.shape, dtype=first.dtype, device=first.device)
        row.failed = message
        raise TraceStop(f"{row.name}: {message}")

    def repair_module(self, entry, exc: Exception, rows):
        """A framework module (the row ``entry``) failed inside: diagnose with the core, and go on with
        the shape it would give. ``rows``: the trace's rows so far (for the history of spatial sizes)."""
        module = entry.module
        message = str(exc).splitlines()[0]
        x_shape = entry.row.input_shapes[0] if entry.row.input_shapes else None
        alt = ops.core_layer(module, from_input=True) if module is not None else None
        out_shape = None
        if alt is not None and x_shape is not None:
            try:
                out_shape = alt.evaluate(x_shape).output_shape
            except LayerError:
                out_shape = None
        if out_shape is None:
            entry.row.failed = message
            raise TraceStop(f"{entry.row.name} ({entry.row.type}): {message}")
        core_msg = None
        if entry.core is not None:
            try:
                entry.core.evaluate(x_shape)
            except LayerError as err:
                core_msg = str(err)
        name = ops.module_type(module).__name__
        if core_msg is None:  # the arguments fit the input: PyTorch refused for another reason
            self.report("error", "layer-failed", tr("{layer} ({type}) raises: {message}", layer=entry.row.name, type=name, message=message), None, entry)
            core_msg = message
        elif isinstance(module, nn.Linear):
            self.report("error", "linear-in-features", self._linear_message(entry, x_shape, rows), self._linear_fix(entry, x_shape), entry)
        else:
            arg = ops.input_argument(ops.MODULES.get(ops.module_type(module), ("",))[0])
            actual = (x_shape[1] if len(x_shape) > 1 else x_shape[0]) if arg else None
            fix = tr("use {call}", call=f"nn.{name}({arg}={actual}, …)") if arg else None
            self.report("error", "layer-mismatch", f"{entry.row.name} ({core_msg})", fix, entry)
        entry.row.failed = core_msg
        dtype = torch.float32
        return torch.empty(out_shape, dtype=dtype, device="meta" if self.on_meta else "cpu")

    def _flat_origin(self, x_shape) -> tuple | None:
        """The shape a flattened tensor of ``x_shape`` had before it was flattened, if known."""
        for t, origin in self._flattened[::-1]:
            if tuple(t.shape) == tuple(x_shape):
                return origin
        return None

    def _linear_message(self, entry, x_shape, rows) -> str:
        m = entry.module
        origin = self._flat_origin(x_shape)
        channels = origin[1] if origin and len(origin) >= 3 else None
        fields = dict(layer=entry.row.name, want=_factor(m.in_features, channels), got=_factor(x_shape[-1], channels))
        history = _spatial_history(rows) if origin and len(origin) == 4 else ""
        if history:
            return tr("{layer} expects {want} features but receives {got} ({history})", history=history, **fields)
        return tr("{layer} expects {want} features but receives {got}", **fields)

    def _linear_fix(self, entry, x_shape) -> str:
        m = entry.module
        origin = self._flat_origin(x_shape)
        expr = f"{origin[1]}*{'*'.join(str(s) for s in origin[2:])}" if origin and len(origin) >= 3 else str(x_shape[-1])
        return tr("use {call} or {lazy}", call=f"nn.Linear({expr}, {m.out_features})", lazy=f"nn.LazyLinear({m.out_features})")


def _spatial_history(rows) -> str:
    """``'after three 2×2 pools 28→14→7→3'`` from the rows that changed the spatial size."""
    sizes, kinds = [], []
    for e in rows:
        r = e.row
        if r.output_shape is None or not r.input_shapes or e.row.kind == "container":
            continue
        a, b = r.input_shapes[0], r.output_shape
        if len(a) == 4 and len(b) == 4 and a[2:] != b[2:]:
            if not sizes:
                sizes.append(a[2])
            sizes.append(b[2])
            k = getattr(e.module, "kernel_size", None)
            kinds.append((r.type, k if not isinstance(k, tuple) else k[0], _family_word(e.module)))
    if not sizes:
        return ""
    chain = "→".join(str(s) for s in sizes)
    if len(set(kinds)) == 1:
        t, k, what = kinds[0]
        n = len(kinds)
        if not k:
            return tr("after {n} {type} {chain}", n=n, type=t, chain=chain)
        # English spells small counts out ("three 2×2 pools"); other languages write the digit
        words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"} if current() == "en" else {}
        fields = dict(count=words.get(n, str(n)), k=k, chain=chain)
        if what == "pool":
            return trn("after {count} {k}×{k} pool {chain}", "after {count} {k}×{k} pools {chain}", n, **fields)
        if what == "conv":
            return trn("after {count} {k}×{k} conv {chain}", "after {count} {k}×{k} convs {chain}", n, **fields)
        return trn("after {count} {k}×{k} {type} {chain}", "after {count} {k}×{k} {type}s {chain}", n, type=what, **fields)
    return tr("after {types}: {chain}", types=", ".join(t for t, _, _ in kinds), chain=chain)


def _family_word(module) -> str:
    """'pool' / 'conv' / the type name, by the module's type."""
    if isinstance(module, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
        return "pool"
    if isinstance(module, nn.modules.conv._ConvNd):
        return "conv"
    return type(module).__name__ if module is not None else "op"



FIX = N_("use x.flatten(1) (or x.view(x.size(0), -1)), which keeps the batch dimension")


@dataclass(frozen=True)
class Cut:
    """A reshape whose rows cut a dimension of each sample (``batch_rows`` gave ``'cut'``)."""

    layer: str  # the row's name, the same in a trace with another batch size
    call: str  # "x.view(-1, 256)"
    x_shape: tuple  # (4, 512)
    out_shape: tuple  # (8, 256)


def batch_rows(x_shape: tuple, out_shape: tuple, batch: int) -> str:
    """How a reshape of a tensor whose dim 0 holds ``batch`` samples lays them out in the rows
    (dim 0) of its result. Each sample is the ``prod(x_shape[1:])`` values of its index in row-major
    order, so with ``k = rows / batch``:

    * ``'kept'``: one row per sample;
    * ``'whole'``: ``k`` rows per sample, and ``k`` is a product of the sample's leading dimensions,
      so the rows follow whole dimensions: (B, T, C) -> (B·T, C), (B, C, H, W) -> (B·C, H, W),
      (T, B, V) -> (T·B, V);
    * ``'grouped'``: the batch is split over leading dimensions whose product is ``batch``
      ((2B, D) -> (2, B, D)), every sample whole;
    * ``'cut'``: ``k`` rows per sample, but the rows cut one of its dimensions: (4, 512) -> (8, 256);
    * ``'mixed'``: rows hold parts of different samples: (49, 128, 3, 3) -> (9, 6272).

    >>> [batch_rows(x, y, b) for x, y, b in [((4, 512), (4, 2, 256), 4), ((4, 6, 8), (24, 8), 4), ((8, 5), (2, 4, 5), 8),
    ...                                      ((4, 512), (8, 256), 4), ((49, 128, 3, 3), (9, 6272), 49)]]
    ['kept', 'whole', 'grouped', 'cut', 'mixed']
    """
    rows = out_shape[0] if out_shape else 1
    if batch < 1 or rows == batch or math.prod(x_shape) == 0:
        return "kept"
    if rows % batch == 0:
        k, prefix = rows // batch, 1
        for size in (1,) + tuple(x_shape[1:]):
            prefix *= size
            if prefix == k:
                return "whole"
        return "cut"
    prefix = 1
    for size in out_shape:
        prefix *= size
        if prefix == batch:
            return "grouped"
        if prefix > batch:
            break
    return "mixed"


def batch_state(s1, s2, b1: int, b2: int) -> str:
    """How a tensor's shape holds the batch, from two traces with batches ``b1`` and ``b2 = b1 + 1``:
    ``'own'`` (one dimension is the batch, the others do not change), ``'whole'`` (a dimension grows
    with the batch, ``k·b1 -> k·b2``: whole samples merged with other dimensions, as (T·B, V) logits,
    or several, as a (B, B) similarity matrix), ``'none'`` (no dimension depends on it), ``'merged'``
    (no dimension grows in proportion: rows do not map to samples), or ``'unknown'`` (ranks differ:
    the code branched on the batch size).

    >>> [batch_state(a, b, 4, 5) for a, b in [((4, 512), (5, 512)), ((8, 256), (10, 256)), ((4, 4), (5, 5)), ((3,), (3,)),
    ...                                       ((5, 8), (6, 8))]]
    ['own', 'whole', 'whole', 'none', 'merged']
    """
    if s1 is None or s2 is None or len(s1) != len(s2):
        return "unknown"
    diff = [d for d in range(len(s1)) if s1[d] != s2[d]]
    if not diff:
        return "none"
    if len(diff) == 1 and s1[diff[0]] == b1 and s2[diff[0]] == b2:
        return "own"
    if any(s1[d] * b2 == s2[d] * b1 for d in diff):
        return "whole"
    return "merged"


def batch_merges(rows: list[LayerRow], code_lines: list[str | None], probe_rows: list[LayerRow], outputs, probe_outputs,
                 b1: int, b2: int, cuts: list[Cut] = (), probe_cuts: list[Cut] = ()) -> list[Diagnostic]:
    """The batch-folded diagnostic, from a trace with ``b1`` samples and one with ``b2 = b1 + 1``.

    An error only where samples are really folded together: a reshape that cut each sample's
    dimensions into rows in both traces (so its input's dim 0 is the batch, not a coincidence) while
    an output still lacks a batch dimension of its own; or an output whose rows do not map to
    samples at all, blamed on the last row that took the batch as a dimension and gave up. Whole
    samples merged with other dimensions (time steps, heads, frames, channels, two views
    concatenated) are not an error, kept to the output or not.
    """
    if len(outputs) != len(probe_outputs):
        return []
    states = [batch_state(s1, s2, b1, b2) for s1, s2 in zip(outputs, probe_outputs)]
    index = {row.name: i for i, row in enumerate(rows)}
    confirmed = {c.layer for c in probe_cuts}
    cut = next((c for c in cuts if c.layer in confirmed and c.layer in index), None)
    if cut is not None and any(s not in ("own", "none") for s in states):
        i = index[cut.layer]
        row, other = rows[i], next(c for c in probe_cuts if c.layer == cut.layer)
        per_sample = math.prod(cut.x_shape[1:])
        k = cut.out_shape[0] // b1
        out = next(s for s, state in zip(outputs, states) if state not in ("own", "none"))
        message = trn("{call} cuts every sample into rows: a batch of {b1} gives {shape1} and a batch of {b2} gives {shape2}; "
                      "each sample's {values} values become {k} rows of {row_values}, which no dimension of the sample "
                      "separates, and the model returns {out} for {b1} input",
                      "{call} cuts every sample into rows: a batch of {b1} gives {shape1} and a batch of {b2} gives {shape2}; "
                      "each sample's {values} values become {k} rows of {row_values}, which no dimension of the sample "
                      "separates, and the model returns {out} for {b1} inputs", b1,
                      call=cut.call, b1=b1, b2=b2, shape1=cut.out_shape, shape2=other.out_shape,
                      values=_factor(per_sample, cut.x_shape[1] if len(cut.x_shape) >= 3 else None), k=k,
                      row_values=f"{math.prod(cut.out_shape[1:]):,}", out=tuple(out))
        return [Diagnostic("error", "batch-folded", message, tr(FIX), row.name, row.source, code_lines[i])]
    merged_out = [(s1, s2) for (s1, s2), state in zip(zip(outputs, probe_outputs), states) if state == "merged"]
    if not merged_out:
        return []
    probe = {r.name: r for r in probe_rows}
    culprit = None
    for i, row in enumerate(rows):
        other = probe.get(row.name)
        if other is None or not row.input_shapes or not other.input_shapes or row.kind == "container":
            continue
        took = batch_state(row.input_shapes[0], other.input_shapes[0], b1, b2)
        gave = batch_state(row.output_shape, other.output_shape, b1, b2)
        if took == "own" and gave == "merged":
            culprit = i
    if culprit is None:
        return []
    row, other = rows[culprit], probe[rows[culprit].name]
    out1, out2 = merged_out[0]
    message = trn("{type} merges the batch into another dimension: a batch of {b1} gives {shape1} and a batch of {b2} gives "
                  "{shape2}, so no dimension is the batch any more; the model returns {out1} for {b1} input ({out2} for {b2})",
                  "{type} merges the batch into another dimension: a batch of {b1} gives {shape1} and a batch of {b2} gives "
                  "{shape2}, so no dimension is the batch any more; the model returns {out1} for {b1} inputs ({out2} for {b2})",
                  b1, type=row.type, b1=b1, b2=b2, shape1=tuple(row.output_shape), shape2=tuple(other.output_shape),
                  out1=tuple(out1), out2=tuple(out2))
    return [Diagnostic("error", "batch-folded", message, tr(FIX), row.name, row.source, code_lines[culprit])]
