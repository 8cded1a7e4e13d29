"""Tracing: one forward pass of an ``nn.Module`` -> rows (events), by role one of three files:
``_trace`` (this: the events), ``_diagnose`` (the checks made on them, mixed into the tracer),
``_assemble`` (rows and the model's facts -> the ``Summary``); MACs come from ``_costs``, the
tensors inside nested arguments and results from ``_structures``.

Three instruments run together, all removed in ``finally``:

* global module hooks (``register_module_forward_pre_hook``/``register_module_forward_hook``)
  keep the stack of modules being called, so every operation is attributed to a module path;
  the user's own observing hooks are silenced for the trace (``_guard``);
* a ``TorchFunctionMode`` sees every functional and tensor-method call (``torch.relu``,
  ``x + shortcut``, ``view``, ``F.conv2d``...) made by the user's code, records it as a row,
  checks that reshapes keep the batch dimension, and repairs known shape bugs so the trace can
  go on and find the next one;
* a ``TorchDispatchMode`` (``_costs.CostMode``) sees the ATen operations and counts MACs of convolutions, matrix
  products and attention with the core's formulas (``convlens.core.costs``), the same set of
  operations as ``torch.utils.flop_counter.FlopCounterMode`` counts.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from ...core import LayerError, ReceptiveField, costs
from ...core.receptive import RFStep, as_dict, compose, merge
from ...core.network import INPUT
from ...record import Diagnostic, LayerRow, WeightInfo
from ..build import RowDraft
from . import _ops
from ._costs import CostMode, aten_macs, meta_batch_norm
from ._diagnose import Diagnosis, TraceStop
from ._source import raising_frame, user_frame
from ._structures import first_tensor as _first_tensor, shapes as _shapes, tensors as _tensors

_GLOBAL = RFStep((), (), (), is_global=True)


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

    row: RowDraft  # frozen into a LayerRow when the trace is over
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


class Tracer(Diagnosis):
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
        self.read_from: dict[int, str] = {}  # id(tensor) -> the row a reader of it is connected to (see connect)
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
        in_rf = merge([self.rf.get(id(t)) for t in in_tensors])  # the core's union per axis
        for t in _tensors(out):
            if id(t) in self.producer:  # produced inside (a container passing on its last child's output)
                continue
            self.producer[id(t)] = index
            self.keep.append(t)
            if in_rf is not None:
                rf = compose(in_rf, _GLOBAL if t.dim() < 3 else step)  # no spatial axes left: every output sees it all
                self.rf[id(t)] = rf
                if not rf.is_global:
                    self.last_rf = rf
        t0 = _first_tensor(out)
        if t0 is not None and id(t0) in self.rf:
            r = self.rf[id(t0)]
            self.rows[index].row.receptive_field = as_dict(r)

    # --- connections (LayerRow.connected_to: the rows whose outputs a row reads) ---------------
    def note_inputs(self, args, kwargs) -> None:
        """The model's input tensors, read as ``input`` (``input:0``, ``input:1``… when there are several)."""
        inputs = _tensors(args) + _tensors(kwargs)
        for i, t in enumerate(inputs):
            self.read_from[id(t)] = INPUT if len(inputs) == 1 else f"{INPUT}:{i}"

    def connect(self, out, name: str) -> None:
        """Readers of the tensors in ``out`` read row ``name``: the last leaf row or function that
        returned them (an in-place ``ReLU(inplace=True)`` returns the tensor it was given, and its
        reader reads the ReLU, not the layer before it)."""
        for t in _tensors(out):
            if id(t) not in self.read_from and id(t) not in self.producer:
                self.keep.append(t)  # its id stays a key
            self.read_from[id(t)] = name

    def connections(self, tensors) -> tuple[str, ...]:
        """One entry per tensor read that a row or the model's input made, in argument order
        (weights and constants are not connections)."""
        return tuple(self.read_from[id(t)] for t in tensors if id(t) in self.read_from)

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
        name = self.names.get(id(module)) or ("model" if isinstance(module, torch.jit.ScriptModule) else _ops.type_name(module))
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
        row = RowDraft(
            name=name, type=_ops.type_name(module), depth=self._depth(), input_shapes=_shapes(args), output_shape=None,
            kind="module" if (framework or not has_children) else "container",
            is_leaf=framework or not has_children, source=source, repeated=repeated, connected_to=self.connections(_tensors(args)),
        )
        entry = _Row(row, module, self._parent(), code_line=code_line, owned=owned)
        core = _ops.core_layer(module)
        if core is not None:
            entry.core = core
            row.code = core.code()
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
            entry.row.code = entry.core.code() if entry.core is not None else None
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
                entry.row.flops = result.layer.flops(in_shape, result.output_shape, entry.row.macs)  # the core's FLOPs of the MACs that ran
                entry.row.warnings = tuple(result.warnings)
                for w in result.warnings:
                    self._diag("warning", "layer-warning", w, None, index)
                if len(in_shape) >= 3:
                    self.last_spatial_input = in_shape
        else:
            entry.row.flops = costs.flops(entry.row.macs)
        self._note_output(index, output, _tensors(args), step)
        if entry.row.is_leaf:  # a container passes on what its children made
            self.connect(output, entry.row.name)
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
            out = self._call_inside(func, args, kwargs)
            if func in _ops.SILENT:  # x.contiguous(), x.float(): not a row; its result comes from where x came from
                came_from = self.connections(_tensors(args)[:1])
                if came_from:
                    self.connect(out, came_from[0])
            return out
        source, code_line = user_frame(1)
        op = _ops.function_name(func)
        parent = self._parent_name()
        key = f"{parent}/{op}" if parent else op
        self._fn_counter[key] = self._fn_counter.get(key, 0) + 1
        name = key if self._fn_counter[key] == 1 else f"{key}#{self._fn_counter[key]}"
        in_tensors = _tensors(args) + _tensors(kwargs)
        row = RowDraft(name=name, type=op, depth=self._depth(), input_shapes=tuple(tuple(t.shape) for t in in_tensors),
                       output_shape=None, kind="function", source=source, connected_to=self.connections(in_tensors))
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
            row.code = core.code()
            row.calculation = tuple(result.calculation())
            row.warnings = tuple(result.warnings)
            row.flops = result.layer.flops(row.input_shapes[0], result.output_shape, row.macs)  # the core's FLOPs of the MACs that ran
            step = result.receptive_field
            if len(row.input_shapes[0]) >= 3:
                self.last_spatial_input = row.input_shapes[0]
        else:
            row.flops = costs.flops(row.macs, costs.numel(row.output_shape) if func in _ops.ELEMENTWISE else 0)
        self._note_output(index, out, in_tensors, step)
        self.connect(out, name)
        return out

    def _call_inside(self, func, args, kwargs):
        """A call inside a framework module (or a metadata read): runs as part of that row."""
        try:
            if func is F.batch_norm and self.on_meta:
                return meta_batch_norm(*args, **kwargs)
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

    # --- costs (dispatch level) ----------------------------------------------------------------
    def on_aten(self, func, args, kwargs, out):
        macs = aten_macs(func, args, kwargs, out)
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


class FunctionMode(TorchFunctionMode):
    def __init__(self, tracer: Tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return self.tracer.on_function(func, args, kwargs)


def run(tracer: Tracer, forward, args, kwargs) -> tuple[object, bool, str | None]:
    """Run ``forward(*args, **kwargs)`` under the three instruments; returns (output, failed, message)."""
    from torch.nn.modules import module as module_mod

    handles = [
        module_mod.register_module_forward_pre_hook(tracer.pre_hook),
        module_mod.register_module_forward_hook(tracer.post_hook),
    ]
    failed, message, out = False, None, None
    tracer.note_inputs(args, kwargs)
    try:
        ctx = torch.autograd.graph.saved_tensors_hooks(tracer.pack, lambda t: t) if tracer.measure_memory else contextlib.nullcontext()
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
