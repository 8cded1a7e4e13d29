"""Tracing one forward pass of an ``nn.Module`` into summary rows.

Three instruments run together, all removed in ``finally``:

* global module hooks (``register_module_forward_pre_hook``/``register_module_forward_hook``)
  keep the stack of modules being called, so every operation is attributed to a module path;
  the user's own hooks are never touched;
* a ``TorchFunctionMode`` sees every functional and tensor-method call (``torch.relu``,
  ``x + shortcut``, ``view``, ``F.conv2d``...) made by the user's code, records it as a row,
  checks that reshapes keep the batch dimension, and repairs known shape bugs so the trace can
  go on and find the next one;
* a ``TorchDispatchMode`` sees the ATen operations and counts MACs of convolutions, matrix
  products and attention with the core's formulas (``convlens.core.costs``), the same set of
  operations as ``torch.utils.flop_counter.FlopCounterMode`` counts.
"""

from __future__ import annotations

import math
import dataclasses
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from ...core import LayerError, ReceptiveField, costs
from ...core.network import merge_fields, rf_dict
from ...record import Diagnostic, LayerRow, WeightInfo
from . import _ops
from ._source import raising_frame, user_frame

aten = torch.ops.aten


class TraceStop(Exception):
    """The forward pass failed at a point convlens cannot repair; carries the message."""


@dataclass(frozen=True)
class Owned:
    """A parameter or buffer a module owns, as the substitute the trace uses."""

    qualname: str  # "layer1.0.conv1.weight"
    name: str  # "weight"
    tensor: torch.Tensor  # the substitute (materialised during the trace for a lazy module)
    trainable: bool
    is_buffer: bool

    def info(self) -> WeightInfo | None:
        """None while the tensor is an uninitialised lazy parameter (the forward failed before it)."""
        if isinstance(self.tensor, nn.parameter.UninitializedTensorMixin):
            return None
        return WeightInfo(self.name, tuple(self.tensor.shape), self.trainable, self.tensor.element_size())


@dataclass
class _Row:
    """A row under construction, plus what only the tracer needs."""

    row: LayerRow
    module: nn.Module | None = None
    parent: int | None = None  # index of the enclosing row
    core: object = None  # the core layer, for mapped modules
    code_line: str | None = None  # the text of the user's source line
    owned: tuple = ()  # Owned tensors counted on this row (first call of the module only)


@dataclass
class TraceResult:
    rows: list[LayerRow]
    parents: list[int | None]
    outputs: list
    diagnostics: list[Diagnostic]
    used_params: set
    called_modules: set
    saved_bytes: int
    failed: bool
    receptive_field: ReceptiveField | None
    last_spatial_input: tuple | None
    output_names: tuple = ()  # where each output sits in a dict/dataclass/named-tuple result; () for plain tensors


def _shapes(obj) -> tuple:
    """Shapes of every tensor in a nested structure of args."""
    return tuple(tuple(t.shape) for t in _tensors(obj))


def _tensors(obj) -> list[torch.Tensor]:
    out = []

    def visit(o):
        if isinstance(o, torch.Tensor):
            out.append(o)
        elif isinstance(o, (list, tuple)):
            for x in o:
                visit(x)
        elif isinstance(o, dict):
            for x in o.values():
                visit(x)

    visit(obj)
    return out


def named_outputs(obj, path: str = "") -> list[tuple[str, torch.Tensor]]:
    """Every tensor of a model's output with where it sits: ``[("logits", t), ("aux[0]", t)]``.

    Dicts give their keys, dataclasses and named tuples their field names, sequences their
    indices, ``torch.distributions`` objects their parameters (``loc``, ``scale``...).
    """
    if isinstance(obj, torch.Tensor):
        return [(path, obj)]
    join = (lambda k: f"{path}.{k}" if path else str(k))
    if isinstance(obj, dict):
        return [o for k, v in obj.items() for o in named_outputs(v, join(k))]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return [o for k in obj._fields for o in named_outputs(getattr(obj, k), join(k))]
    if isinstance(obj, (list, tuple)):
        return [o for i, v in enumerate(obj) for o in named_outputs(v, f"{path}[{i}]")]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [o for f in dataclasses.fields(obj) for o in named_outputs(getattr(obj, f.name), join(f.name))]
    if isinstance(obj, torch.distributions.Distribution):
        names = [k for k in getattr(obj, "arg_constraints", {}) if k in vars(obj)]
        return [o for k in names for o in named_outputs(vars(obj)[k], join(k))]
    return []


def _first_tensor(obj):
    ts = _tensors(obj)
    return ts[0] if ts else None


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


class Tracer:
    """Runs one forward pass and builds rows. Use ``run(model, args, kwargs)``."""

    def __init__(self, model: nn.Module, *, batch: int | None, names: dict[int, str], owners: dict[int, list],
                 param_ids: dict[int, str], module_params: dict[int, list[str]], frozen_storages: set,
                 measure_memory: bool, repair: bool = True, on_meta: bool = True):
        self.model = model
        self.batch = batch
        self.names = names  # id(module) -> qualified name
        self.owners = owners  # id(module) -> [(param name, WeightInfo, is_buffer)] owned by it (shared ones only once)
        self.param_ids = param_ids  # id(parameter tensor used in the forward) -> qualified name
        self.module_params = module_params  # id(module) -> qualified names of all its parameters
        self.on_meta = on_meta
        self.batch_reshaped = False  # a reshape changed the size of dim 0 from the batch: a second trace checks it
        self.frozen_storages = frozen_storages  # storages of parameters/buffers: not activations
        self.measure_memory = measure_memory
        self.repair = repair
        self.rows: list[_Row] = []
        self.stack: list[int | None] = []  # row index per module being called (None for the root)
        self.active: list[int] = []  # rows receiving MACs, innermost last
        self.diagnostics: list[Diagnostic] = []
        self.used_params: set[str] = set()
        self.called: set[int] = set()
        self.seen_calls: set[int] = set()
        self.producer: dict[int, int] = {}  # id(tensor) -> row index that produced it
        self.rf: dict[int, ReceptiveField] = {}
        self.flat_origin: dict[int, tuple] = {}  # id(flattened tensor) -> shape before flattening
        self.keep: list = []  # tensors whose ids are keys above stay alive
        self.saved: dict[int, int] = {}
        self.last_rf: ReceptiveField | None = None
        self.last_spatial_input: tuple | None = None
        self._fn_counter: dict[str, int] = {}
        self.raised_at: tuple[str | None, str | None] = (None, None)  # the user's line that raised, if not a row's

    # --- bookkeeping ------------------------------------------------------------------------
    def _depth(self) -> int:
        return sum(1 for i in self.stack if i is not None)

    def _parent(self) -> int | None:
        for i in reversed(self.stack):
            if i is not None:
                return i
        return None

    def _parent_name(self) -> str:
        p = self._parent()
        return self.rows[p].row.name if p is not None else ""

    def _in_framework_module(self) -> bool:
        p = self._parent()
        return p is not None and self.rows[p].module is not None and _ops.is_framework_module(self.rows[p].module)

    def _note_output(self, index: int, out, in_tensors: list[torch.Tensor], step=None):
        """Remember who produced ``out`` and its receptive field."""
        in_rf = merge_fields([self.rf.get(id(t)) for t in in_tensors])  # the core's union per axis
        for t in _tensors(out):
            if id(t) in self.producer:  # produced inside (a container passing on its last child's output)
                continue
            self.producer[id(t)] = index
            self.keep.append(t)
            if in_rf is not None:
                if t.dim() < 3:
                    rf = ReceptiveField(in_rf.size, in_rf.jump, in_rf.start, True)
                elif step is not None:
                    rf = in_rf.then(step)
                else:
                    rf = in_rf
                self.rf[id(t)] = rf
                if not rf.is_global:
                    self.last_rf = rf
        t0 = _first_tensor(out)
        if t0 is not None and id(t0) in self.rf:
            r = self.rf[id(t0)]
            self.rows[index].row.receptive_field = rf_dict(r)

    def _diag(self, severity, code, message, fix=None, index=None, source=None, code_line=None):
        layer = self.rows[index].row.name if index is not None else None
        if index is not None and source is None:
            source = self.rows[index].row.source
            code_line = self.rows[index].code_line
        d = Diagnostic(severity, code, message, fix, layer, source, code_line)
        if d not in self.diagnostics:
            self.diagnostics.append(d)

    # --- module hooks ---------------------------------------------------------------------
    def pre_hook(self, module, args):
        if module is self.model and not self.stack and any(True for _ in module.children()) and not _ops.is_framework_module(module):
            self.stack.append(None)  # the root container is the summary itself, not a row
            return None
        if self._in_framework_module():  # e.g. MultiheadAttention's out_proj: part of its parent's row
            self.stack.append(None)
            return None
        name = self.names.get(id(module)) or _ops.type_name(module)
        source, code_line = user_frame(1)
        repeated = id(module) in self.seen_calls
        self.seen_calls.add(id(module))
        self.called.add(id(module))
        owned = ()
        if not repeated:  # a framework module's row holds its children's tensors too (MultiheadAttention's out_proj)
            owned = tuple(o for sub in (module.modules() if _ops.is_framework_module(module) else (module,))
                          for o in self.owners.get(id(sub), ()))
        if _ops.is_framework_module(module):
            self.used_params.update(self.module_params.get(id(module), ()))
        has_children = any(True for _ in module.children())
        framework = _ops.is_framework_module(module)
        row = LayerRow(
            name=name, type=_ops.type_name(module), depth=self._depth(), input_shapes=_shapes(args), output_shape=None,
            kind="module" if (framework or not has_children) else "container",
            is_leaf=framework or not has_children, source=source, repeated=repeated,
        )
        entry = _Row(row, module, self._parent(), code_line=code_line, owned=owned)
        core = _ops.core_layer(module)
        if core is not None:
            entry.core = core
            row.spec = core.spec()
        self.rows.append(entry)
        index = len(self.rows) - 1
        self.stack.append(index)
        self.active.append(index)
        return None

    def post_hook(self, module, args, output):
        index = self.stack.pop() if self.stack else None
        if index is None:
            return None
        if self.active and self.active[-1] == index:
            self.active.pop()
        entry = self.rows[index]
        if entry.core is None and _ops.type_name(module) != entry.row.type:  # a lazy module became its real class
            entry.core = _ops.core_layer(module)
            entry.row.spec = entry.core.spec() if entry.core is not None else None
        t = _first_tensor(output)
        entry.row.output_shape = tuple(t.shape) if t is not None else None
        step = None
        if entry.core is not None and entry.row.input_shapes:
            in_shape = entry.row.input_shapes[0]
            try:
                result = entry.core.evaluate(in_shape)
            except LayerError:
                alt = _ops.core_layer(module, from_input=True)
                result = None
                if alt is not None:
                    try:
                        result = alt.evaluate(in_shape)
                    except LayerError:
                        result = None
            if result is not None:
                entry.row.calculation = tuple(result.calculation())
                step = result.receptive_field
                entry.row.flops = costs.flops(entry.row.macs, _elementwise(result))
                entry.row.warnings = tuple(result.warnings)
                for w in result.warnings:
                    self._diag("warning", "layer-warning", w, None, index)
                if len(in_shape) >= 3:
                    self.last_spatial_input = in_shape
        else:
            entry.row.flops = costs.flops(entry.row.macs)
        self._note_output(index, output, _tensors(args), step)
        return None

    def finish(self) -> None:
        """Fill each module row's weights, from the substitutes as they are after the trace."""
        for e in self.rows:
            infos = [(o, o.info()) for o in e.owned]
            e.row.weights = tuple(i for o, i in infos if i is not None and not o.is_buffer)
            e.row.buffers = tuple(i for o, i in infos if i is not None and o.is_buffer)

    # --- functions --------------------------------------------------------------------------
    def on_function(self, func, args, kwargs):
        kwargs = kwargs or {}
        if self.on_meta and func in _ops.FACTORIES and kwargs.get("device") is None:
            # torch.zeros(x.shape[0], 4), torch.arange(n): a tensor the forward makes without a device
            # would be on the CPU next to meta activations; on meta it is where the model's tensors are.
            kwargs = {**kwargs, "device": "meta"}
        for t in _tensors(args) + _tensors(kwargs):
            name = self.param_ids.get(id(t))
            if name is not None:
                self.used_params.add(name)
        if self._in_framework_module() or func in _ops.SILENT or getattr(func, "__name__", "") == "__get__":
            return self._call_inside(func, args, kwargs)
        source, code_line = user_frame(1)
        op = _ops.function_name(func)
        parent = self._parent_name()
        key = f"{parent}/{op}" if parent else op
        self._fn_counter[key] = self._fn_counter.get(key, 0) + 1
        name = key if self._fn_counter[key] == 1 else f"{key}#{self._fn_counter[key]}"
        in_tensors = _tensors(args) + _tensors(kwargs)
        row = LayerRow(name=name, type=op, depth=self._depth(), input_shapes=tuple(tuple(t.shape) for t in in_tensors),
                       output_shape=None, kind="function", source=source)
        entry = _Row(row, None, self._parent(), code_line=code_line)
        self.rows.append(entry)
        index = len(self.rows) - 1
        self.active.append(index)
        try:
            out = self._run_function(func, args, kwargs, index, in_tensors)
        finally:
            self.active.pop()
        t = _first_tensor(out)
        if t is None:  # not a tensor-producing op: not a row
            self.rows.pop()
            return out
        row.output_shape = tuple(t.shape)
        step = None
        core = _ops.core_layer_of_call(func, args, kwargs)
        result = None
        if core is not None:
            try:
                result = core.evaluate(row.input_shapes[0])
            except LayerError:
                result = None
        if result is not None:  # a layer called as a function: its row reads like the module's
            row.spec = core.spec()
            row.calculation = tuple(result.calculation())
            row.warnings = tuple(result.warnings)
            row.flops = costs.flops(row.macs, _elementwise(result))
            step = result.receptive_field
            if len(row.input_shapes[0]) >= 3:
                self.last_spatial_input = row.input_shapes[0]
        else:
            row.flops = costs.flops(row.macs, costs.numel(row.output_shape) if func in _ops.ELEMENTWISE else 0)
        self._note_output(index, out, in_tensors, step)
        return out

    def _call_inside(self, func, args, kwargs):
        """A call inside a framework module (or a metadata read): runs as part of that row."""
        try:
            if func is F.batch_norm and self.on_meta:
                return _meta_batch_norm(*args, **kwargs)
            return func(*args, **kwargs)
        except Exception as exc:
            p = self._parent()
            if p is None or not self.repair:
                raise
            return self._repair_module(p, exc)

    def _run_function(self, func, args, kwargs, index, in_tensors):
        try:
            out = func(*args, **kwargs)
        except TraceStop:
            raise
        except Exception as exc:
            return self._repair_function(func, args, kwargs, index, in_tensors, exc)
        if func in _ops.RESHAPES:
            out = self._check_reshape(func, args, kwargs, index, out)
        return out

    # --- diagnosis and repair ---------------------------------------------------------------
    def _check_reshape(self, func, args, kwargs, index, out):
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if x is None or not isinstance(out, torch.Tensor):
            return out
        if out.dim() < x.dim() and x.dim() >= 3:
            self.flat_origin[id(out)] = tuple(x.shape)
            self.keep.append(out)
        b = self.batch
        if b is None or x.dim() == 0 or x.shape[0] != b or out.dim() == 0:
            return out
        rows = out.shape[0]
        if rows != b:
            self.batch_reshaped = True
        if rows == b or (rows % b == 0 and rows >= b):
            return out
        per_sample = x.numel() // b
        call = self._call_text(func, args, kwargs)
        self._diag(
            "error", "batch-folded",
            f"{call} folds the batch: {b} samples of {_factor(per_sample, x.shape[1] if x.dim() >= 2 else None)} values "
            f"become {rows} rows of {out.numel() // max(rows, 1):,}; the model silently returns {rows} outputs for {b} inputs",
            "use x.flatten(1) (or x.view(x.size(0), -1)), which keeps the batch dimension", index,
        )
        if self.repair and x.dim() >= 2:
            fixed = x.flatten(1)
            self.flat_origin[id(fixed)] = tuple(x.shape)
            self.keep.append(fixed)
            return fixed
        return out

    def _call_text(self, func, args, kwargs) -> str:
        op = _ops.function_name(func)
        shape_args = [a for a in args[1:] if not isinstance(a, torch.Tensor)]
        if len(shape_args) == 1 and isinstance(shape_args[0], (tuple, list)):
            shape_args = list(shape_args[0])
        text = ", ".join(str(a) for a in shape_args)
        extra = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        return f"x.{op}({text}{', ' if text and extra else ''}{extra})"

    def _repair_function(self, func, args, kwargs, index, in_tensors, exc):
        row = self.rows[index].row
        message = str(exc).splitlines()[0]
        if func in _ops.RESHAPES and args and isinstance(args[0], torch.Tensor) and self.repair:
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
            detail = (f"each sample {tuple(x.shape[1:])} has {_factor(per, c)} values, "
                      f"which do not fill rows of {_factor(wanted, c) if wanted else '?'}")
            self._diag("error", "reshape-mismatch", f"{call} cannot reshape {tuple(x.shape)}: {detail}",
                       "use x.flatten(1), which keeps the batch dimension, and size the next layer for "
                       f"{per:,} features", index)
            fixed = x.flatten(1)
            self.flat_origin[id(fixed)] = tuple(x.shape)
            self.keep.append(fixed)
            return fixed
        if (func in _ops.MERGES or func in _ops.CONCATS) and self.repair:
            shapes = [tuple(t.shape) for t in in_tensors]
            where = []
            for t in in_tensors:
                p = self.producer.get(id(t))
                where.append(f"{tuple(t.shape)} from {self.rows[p].row.name} ({self.rows[p].row.type})" if p is not None else f"{tuple(t.shape)}")
            kind = "concat" if func in _ops.CONCATS else _ops.function_name(func)
            diff = [str(i) for i, (a, b) in enumerate(zip(shapes[0], shapes[1])) if a != b] if len(shapes) >= 2 and len(shapes[0]) == len(shapes[1]) else []
            self._diag(
                "error", "branch-mismatch",
                f"{kind} of branches whose shapes disagree{' in dims ' + ','.join(diff) if diff else ''}: " + " vs ".join(where),
                "make both branches produce the same shape: give the shortcut the same stride/channels as the main path "
                "(e.g. a 1×1 Conv2d with the block's stride) or fix the padding", index,
            )
            first = in_tensors[0]
            return torch.empty(first.shape, dtype=first.dtype, device=first.device)
        row.failed = message
        raise TraceStop(f"{row.name}: {message}")

    def _repair_module(self, index: int, exc: Exception):
        """A framework module failed inside: diagnose with the core, and go on with the shape it would give."""
        entry = self.rows[index]
        module = entry.module
        message = str(exc).splitlines()[0]
        x_shape = entry.row.input_shapes[0] if entry.row.input_shapes else None
        alt = _ops.core_layer(module, from_input=True) if module is not None else None
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
        name = _ops.module_type(module).__name__
        if core_msg is None:  # the arguments fit the input: PyTorch refused for another reason
            self._diag("error", "layer-failed", f"{entry.row.name} ({name}) raises: {message}", None, index)
            core_msg = message
        elif isinstance(module, nn.Linear):
            self._diag("error", "linear-in-features", self._linear_message(entry, x_shape), self._linear_fix(entry, x_shape), index)
        else:
            arg = _ops.INPUT_ARGUMENT.get(_ops.MODULES.get(_ops.module_type(module), ("",))[0])
            actual = (x_shape[1] if len(x_shape) > 1 else x_shape[0]) if arg else None
            fix = f"use nn.{name}({arg}={actual}, …)" if arg else None
            self._diag("error", "layer-mismatch", f"{entry.row.name} ({core_msg})", fix, index)
        entry.row.failed = core_msg
        dtype = torch.float32
        return torch.empty(out_shape, dtype=dtype, device="meta" if self.on_meta else "cpu")

    def _flat_origin(self, x_shape) -> tuple | None:
        """The shape a flattened tensor of ``x_shape`` had before it was flattened, if known."""
        for t in self.keep[::-1]:
            if tuple(t.shape) == tuple(x_shape) and id(t) in self.flat_origin:
                return self.flat_origin[id(t)]
        return None

    def _linear_message(self, entry: _Row, x_shape) -> str:
        m = entry.module
        origin = self._flat_origin(x_shape)
        channels = origin[1] if origin and len(origin) >= 3 else None
        text = f"{entry.row.name} expects {_factor(m.in_features, channels)} features but receives {_factor(x_shape[-1], channels)}"
        if origin and len(origin) == 4:
            history = self._spatial_history()
            if history:
                text += f" ({history})"
        return text

    def _linear_fix(self, entry: _Row, x_shape) -> str:
        m = entry.module
        origin = self._flat_origin(x_shape)
        expr = f"{origin[1]}*{'*'.join(str(s) for s in origin[2:])}" if origin and len(origin) >= 3 else str(x_shape[-1])
        return f"use nn.Linear({expr}, {m.out_features}) or nn.LazyLinear({m.out_features})"

    def _spatial_history(self) -> str:
        """``'after three 2×2 pools 28→14→7→3'`` from the rows that changed the spatial size."""
        sizes, kinds = [], []
        for e in self.rows:
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
            words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
            n = len(kinds)
            return f"after {words.get(n, str(n))} {k}×{k} {what}{'s' if n != 1 else ''} {chain}" if k else f"after {n} {t} {chain}"
        return f"after {', '.join(t for t, _, _ in kinds)}: {chain}"

    # --- costs (dispatch level) ----------------------------------------------------------------
    def on_aten(self, func, args, kwargs, out):
        macs = _aten_macs(func, args, kwargs, out)
        if macs and self.active:
            self.rows[self.active[-1]].row.macs += macs
        return macs

    def pack(self, t: torch.Tensor):
        try:
            storage = t.untyped_storage()
            key = storage._cdata
        except Exception:
            return t
        if key not in self.frozen_storages and key not in self.saved:
            self.saved[key] = storage.nbytes()
            self.keep.append(t)
        return t


def _elementwise(result) -> int:
    """The elementwise FLOPs of a core result (bias, normalisation, activation, pooling): its FLOPs
    less those of its MACs, by the core's cost convention."""
    return max(result.flops - costs.flops(result.macs), 0)


def _family_word(module) -> str:
    """'pool' / 'conv' / the type name, by the module's type."""
    if isinstance(module, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
        return "pool"
    if isinstance(module, nn.modules.conv._ConvNd):
        return "conv"
    return type(module).__name__ if module is not None else "op"


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


def _meta_batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
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


def _aten_macs(func, args, kwargs, out) -> int:
    """MACs of one ATen op, with the core's formulas; the op set of FlopCounterMode."""
    packet = func.overloadpacket
    if packet in (aten.mm, aten.addmm, aten.bmm, aten.baddbmm):
        a, b = (args[0], args[1]) if packet in (aten.mm, aten.bmm) else (args[1], args[2])
        return costs.matmul_macs(tuple(a.shape), tuple(b.shape))
    if packet in (aten.convolution, aten._convolution):
        x, w = args[0], args[1]
        transposed = bool(args[6])
        groups = int(args[8])
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


class FunctionMode(TorchFunctionMode):
    def __init__(self, tracer: Tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return self.tracer.on_function(func, args, kwargs)


class CostMode(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # The mode runs only inside convlens' own trace, never under torch.compile; without this,
        # torch wraps __torch_dispatch__ in a dynamo guard whose first call imports torch._dynamo (~1.5 s).
        return False

    def __init__(self, tracer: Tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        self.tracer.on_aten(func, args, kwargs, out)
        return out


def run(tracer: Tracer, forward, args, kwargs) -> tuple[object, bool, str | None]:
    """Run ``forward(*args, **kwargs)`` under the three instruments; returns (output, failed, message)."""
    from torch.nn.modules import module as module_mod

    handles = [
        module_mod.register_module_forward_pre_hook(tracer.pre_hook),
        module_mod.register_module_forward_hook(tracer.post_hook),
    ]
    failed, message, out = False, None, None
    try:
        ctx = torch.autograd.graph.saved_tensors_hooks(tracer.pack, lambda t: t) if tracer.measure_memory else _null()
        with ctx, FunctionMode(tracer), CostMode(tracer):
            out = forward(*args, **kwargs)
    except TraceStop as exc:
        failed, message = True, str(exc)
    except LayerError as exc:
        failed, message = True, str(exc)
        tracer.raised_at = raising_frame(exc.__traceback__)
    except Exception as exc:  # the user's forward raised something convlens did not foresee
        failed, message = True, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        tracer.raised_at = raising_frame(exc.__traceback__)
    finally:
        for h in handles:
            h.remove()
    return out, failed, message


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
