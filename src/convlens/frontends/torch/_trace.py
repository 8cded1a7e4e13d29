"""Tracing: one forward pass of an ``nn.Module`` -> a frozen ``TraceResult``, by role one of three
files (torchinfo's split: hooks / ``LayerInfo`` / ``ModelStatistics``): ``_trace`` (this: the
events, into rows), ``_diagnose`` (the checks made on them, a collaborator the tracer hands its
rows to), ``_assemble`` (a ``TraceResult`` and the model's facts -> the ``Summary``); MACs come
from ``_costs``, the tensors inside nested arguments and results from ``_structures``, the
module/function -> core-layer table from ``ops``.

``trace(model, args, kwargs, ...)`` is the one way in: it builds the tracer's state (module
names, the substitutes of the user's tensors, who owns which weight), runs the forward and returns
the result; nothing outside reads or sets a tracer's attributes.

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
import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from ...core import LayerError, ReceptiveField, costs
from ...core.receptive import RFStep, as_dict, compose, merge
from ...core.network import INPUT
from ...i18n import tr
from ...record import Diagnostic, LayerRow, WeightInfo
from ..build import RowDraft
from . import _guard, ops
from ._costs import CostMode, aten_macs, meta_batch_norm
from ._diagnose import Diagnosis, TraceStop
from ._source import raising_frame, user_frame
from ._structures import first_tensor as _first_tensor, named_outputs, tensors as _tensors

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
    key: object = None  # ops.layer_key(core)
    cls: type | None = None  # the module's class when it was called (a lazy module changes it)


@dataclass(frozen=True)
class TraceResult:
    """What one forward pass gave: the rows and everything the diagnosis and the assembly read."""

    rows: tuple[LayerRow, ...]
    parents: tuple[int | None, ...]  # index of each row's enclosing row
    code_lines: tuple[str | None, ...]  # the text of the user's source line of each row
    outputs: tuple  # the output tensors, in the order of ``named_outputs``
    output_names: tuple  # where each output sits in a dict/dataclass/named-tuple result; () for plain tensors
    diagnostics: tuple[Diagnostic, ...]
    used_params: frozenset  # qualified names of the parameters the forward read
    called_modules: frozenset  # id() of every module called
    saved_bytes: int  # what autograd saved for backward (0 unless memory was measured)
    failed: bool
    receptive_field: ReceptiveField | None  # the last spatial one
    last_spatial_input: tuple | None
    substitutes: Mapping  # id(user's parameter or buffer) -> the tensor the trace used instead (see _guard)
    tree: ModelTree  # the model's modules and tensors, walked once
    batch: int | None  # dim 0 of the first input tensor
    batch_reshaped: bool  # a reshape changed the size of dim 0 from the batch: a second trace checks it
    batch_cuts: tuple  # _diagnose.Cut per reshape whose rows cut a sample's dimension (confirmed by a second trace)


@dataclass(frozen=True)
class ModelTree:
    """The model's modules, parameters and buffers, from ONE walk of its module tree (a ResNet-152
    has 500 modules: each further walk costs a millisecond), read by the tracer, the guard and the
    assembly. The orders and names are PyTorch's own: ``named_modules()``, ``named_parameters()``
    and ``named_buffers()`` (each module and tensor once, under its first name)."""

    modules: tuple  # (name, module) as named_modules() gives them
    params: tuple  # (qualified name, tensor) as named_parameters() gives them
    buffers: tuple  # (qualified name, tensor) as named_buffers() gives them
    module_paths: Mapping  # id(module) -> every path it is reached by (named_modules(remove_duplicate=False))
    param_names: Mapping  # id(parameter) -> every name it has (named_parameters(remove_duplicate=False))

    @classmethod
    def of(cls, model: nn.Module) -> ModelTree:
        modules, paths, names = [], {}, {}
        for mname, m in model.named_modules(remove_duplicate=False):
            known = paths.get(id(m))
            if known is None:
                paths[id(m)] = [mname]
                modules.append((mname, m))
            else:
                known.append(mname)
            for tname, p in m._parameters.items():
                if p is not None:
                    names.setdefault(id(p), []).append(_join(mname, tname))
        params, buffers, seen_p, seen_b = [], [], set(), set()
        for mname, m in modules:
            for tname, p in m._parameters.items():
                if p is not None and id(p) not in seen_p:
                    seen_p.add(id(p))
                    params.append((_join(mname, tname), p))
            for tname, b in m._buffers.items():
                if b is not None and id(b) not in seen_b:
                    seen_b.add(id(b))
                    buffers.append((_join(mname, tname), b))
        return cls(tuple(modules), tuple(params), tuple(buffers),
                   MappingProxyType({k: tuple(v) for k, v in paths.items()}),
                   MappingProxyType({k: tuple(v) for k, v in names.items()}))


def trace(model: nn.Module, args: tuple, kwargs: dict, *, on_meta: bool, measure_memory: bool) -> TraceResult:
    """One forward pass of ``model(*args, **kwargs)`` under the instruments (see the module's text),
    the user's model untouched (``_guard``); a failed forward is a result too (``failed``)."""
    tracer = _Tracer(model, args, kwargs, on_meta=on_meta, measure_memory=measure_memory)
    scripted = isinstance(model, torch.jit.ScriptModule)  # a copy (see summary's stand-in): used as it is
    modules = [m for _, m in tracer.tree.modules]
    guard = contextlib.nullcontext() if scripted else _guard.untouched(modules, tracer.substitutes)
    with guard, (torch.enable_grad() if measure_memory else torch.no_grad()):
        out, failed, message = tracer.run(args, kwargs)
        if not scripted:
            tracer.held_at_end(modules)  # inside the guard, which then restores the user's model
    return tracer.result(out, failed, message)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class _Tracer:
    """The state of one trace and the hooks that fill it. Built and read only by ``trace``."""

    def __init__(self, model: nn.Module, args: tuple, kwargs: dict, *, on_meta: bool, measure_memory: bool,
                 repair: bool = True):
        self.model = model
        self.cwd = os.getcwd()  # for the rows' "file.py:42", read once (not at every row)
        self.on_meta = on_meta
        self.measure_memory = measure_memory
        inputs = [a for a in list(args) + list(kwargs.values()) if isinstance(a, torch.Tensor)]
        self.batch = inputs[0].shape[0] if inputs and inputs[0].dim() >= 1 else None
        self.tree = tree = ModelTree.of(model)
        self.names: dict[int, str] = {id(m): name for name, m in tree.modules}  # id(module) -> qualified name
        # Substitutes for the user's tensors (see _guard): meta copies of parameters, copies of buffers.
        subst: dict[int, torch.Tensor] = {}
        scripted = isinstance(model, torch.jit.ScriptModule)
        self.param_ids: dict[int, str] = {}  # id(parameter tensor used in the forward) -> qualified name
        for name, p in tree.params:
            subst[id(p)] = s = p if scripted else _guard.substitute(p, on_meta=on_meta, is_buffer=False)
            self.param_ids[id(s)] = name
        for _, b in tree.buffers:
            if id(b) not in subst:
                subst[id(b)] = b if scripted else _guard.substitute(b, on_meta=on_meta, is_buffer=True)
        self.substitutes = subst
        # id(module) -> the parameters and buffers it owns (a shared tensor only under its first owner),
        # as substitutes: a lazy module's are materialised by its own hook during the trace.
        self.owners: dict[int, list] = {}
        self.module_params: dict[int, list[str]] = {}  # id(module) -> qualified names of all its parameters (as asked)
        seen = set()
        for mname, m in tree.modules:
            owned = []
            for is_buffer, tensors in ((False, m._parameters), (True, m._buffers)):
                for tname, t in tensors.items():
                    if t is None or id(t) in seen:
                        continue
                    seen.add(id(t))
                    owned.append(Owned(_join(mname, tname), tname, subst[id(t)], t.requires_grad and not is_buffer, is_buffer))
            if owned:
                self.owners[id(m)] = owned
        self.frozen_storages = set()  # storages of parameters/buffers and inputs: not activations
        for t in list(subst.values()) + inputs:
            try:
                self.frozen_storages.add(t.untyped_storage()._cdata)
            except Exception:
                pass
        self.diagnosis = Diagnosis(batch=self.batch, repair=repair, on_meta=on_meta)
        self.repair = repair
        self.rows: list[_Row] = []
        self.stack: list[int | None] = []  # row index per module being called (None for the root)
        # the stack's rows (its None entries left out), and whether each is a framework module's: the
        # innermost is every call's parent, their number its depth (the stack is asked at every call)
        self.open_rows: list[int] = []
        self.open_framework: list[bool] = []
        self.active: list[int] = []  # rows receiving MACs, innermost last
        self.used_params: set[str] = set()
        self.called: set[int] = set()
        self.seen_calls: set[int] = set()
        self.producer: dict[int, int] = {}  # id(tensor) -> row index that produced it
        self.read_from: dict[int, str] = {}  # id(tensor) -> the row a reader of it is connected to (see connect)
        self.rf: dict[int, ReceptiveField] = {}
        for a in inputs:
            if a.dim() >= 3:
                self.rf[id(a)] = ReceptiveField.identity(a.dim() - 2)
        self.keep: list = []  # tensors whose ids are keys above stay alive
        self.saved: dict[int, int] = {}
        self.last_rf: ReceptiveField | None = None
        self.last_spatial_input: tuple | None = None
        self._fn_counter: dict[str, int] = {}
        self._framework: dict[int, bool] = {}  # id(module) -> ops.is_framework_module, asked once per module
        self.raised_at: tuple[str | None, str | None] = (None, None)  # the user's line that raised, if not a row's
        # ops.layer_key(core layer) -> its code; (key, input shape) -> (LayerResult, worked calculation)
        self._codes: dict = {}
        self._evaluated: dict = {}
        self._composed: dict = {}  # (ReceptiveField, RFStep) -> compose's answer

    def held_at_end(self, modules) -> None:
        """Count what each module holds when the forward ends: a forward that assigns a parameter or
        buffer in place of one it owned (``self.w = nn.Parameter(torch.zeros(128))`` replacing an
        ``nn.UninitializedParameter``, as torchinfo's ``UninitializedParameterModel`` does) is counted with
        the tensor it assigned."""
        original = {id(t): key for key, t in self.substitutes.items()}
        replaced = {}
        for m in modules:
            for o in self.owners.get(id(m), ()):
                now = (m._buffers if o.is_buffer else m._parameters).get(o.name)
                if isinstance(now, torch.Tensor) and now is not o.tensor and id(o.tensor) in original:
                    self.substitutes[original[id(o.tensor)]] = now
                    replaced[id(o)] = Owned(o.qualname, o.name, now, now.requires_grad and not o.is_buffer, o.is_buffer)
        if replaced:
            for entry in self.rows:
                entry.owned = tuple(replaced.get(id(o), o) for o in entry.owned)

    # --- bookkeeping ------------------------------------------------------------------------
    def _depth(self) -> int:
        return len(self.open_rows)

    def _parent(self) -> int | None:
        return self.open_rows[-1] if self.open_rows else None

    def _parent_name(self) -> str:
        p = self._parent()
        return self.rows[p].row.name if p is not None else ""

    def _is_framework(self, module: nn.Module) -> bool:
        """``ops.is_framework_module``, once per module (it is asked at every call inside the module)."""
        known = self._framework.get(id(module))
        if known is None:
            known = self._framework[id(module)] = ops.is_framework_module(module)
        return known

    def _params_of(self, module: nn.Module) -> list[str]:
        """Qualified names of all the parameters of ``module`` (its children's too), once per module."""
        known = self.module_params.get(id(module))
        if known is None:
            prefix = self.names.get(id(module))
            if prefix is None:
                known = []
            elif not module._modules and type(module).named_parameters is nn.Module.named_parameters:
                # a leaf (nn.Conv2d...): its own parameters, each tensor once, as named_parameters() gives them
                seen = set()
                known = [_join(prefix, n) for n, p in module._parameters.items()
                         if p is not None and id(p) not in seen and not seen.add(id(p))]
            else:
                known = [_join(prefix, n) for n, _ in module.named_parameters()]
            self.module_params[id(module)] = known
        return known

    def _in_framework_module(self) -> bool:
        return self.open_framework[-1] if self.open_framework else False

    def _note_output(self, index: int, out, in_tensors: list[torch.Tensor], step=None, mark: bool = False):
        """Remember who produced ``out`` and its receptive field."""
        rf_of = self.rf
        if len(in_tensors) == 1:
            in_rf = rf_of.get(id(in_tensors[0]))
        else:
            in_rf = merge([rf_of.get(id(t)) for t in in_tensors])  # the core's union per axis
        for t in _tensors(out):
            if id(t) in self.producer:  # produced inside (a container passing on its last child's output)
                continue
            self.producer[id(t)] = index
            self.keep.append(t)
            if in_rf is not None:
                if mark:  # called from a hook: the dim() below is a read the mode would have seen
                    self._mark_read(t)
                rf = self._compose(in_rf, _GLOBAL if t.dim() < 3 else step)  # no spatial axes left: every output sees it all
                self.rf[id(t)] = rf
                if not rf.is_global:
                    self.last_rf = rf
        t0 = _first_tensor(out)
        if t0 is not None and id(t0) in self.rf:
            r = self.rf[id(t0)]
            self.rows[index].row.receptive_field = as_dict(r)

    def _compose(self, rf: ReceptiveField, step) -> ReceptiveField:
        """The core's ``compose``, once per distinct (field, step) of the trace (a ResNet repeats them)."""
        if step is None or rf.is_global:
            return rf
        key = (rf, step)
        known = self._composed.get(key)
        if known is None:
            known = self._composed[key] = compose(rf, step)
        return known

    def _producer_of(self, t: torch.Tensor):
        p = self.producer.get(id(t))
        return self.rows[p] if p is not None else None

    def _code(self, core, key) -> str:
        """``core.code()``, once per distinct layer of the trace (``key``: ``ops.layer_key(core)``)."""
        if key is None:
            return core.code()
        code = self._codes.get(key)
        if code is None:
            code = self._codes[key] = core.code()
        return code

    def _evaluate(self, entry: _Row, core, in_shape: tuple, key, fallback=None):
        """Evaluate the row's core layer on its input and fill the row: code, worked calculation,
        FLOPs, warnings (``key``: ``ops.layer_key(core)``). ``fallback()`` gives a second core layer to
        try when the first refuses the input (a module's, without its input-derived argument).
        -> the core's result, or None."""
        cached = self._evaluated.get((key, in_shape)) if key is not None else None
        if cached is not None:  # an equal layer on the same input (a ResNet's repeated blocks): the same answers
            result, calculation = cached
        else:
            try:
                result = core.evaluate(in_shape)
            except LayerError:
                alt = fallback() if fallback is not None else None
                result = None
                if alt is not None:
                    try:
                        result = alt.evaluate(in_shape)
                    except LayerError:
                        result = None
            if result is None:
                return None
            calculation = tuple(result.calculation())
            if key is not None and result.layer is core:
                self._evaluated[(key, in_shape)] = (result, calculation)
        row = entry.row
        if row.code is None:
            row.code = self._code(core, key)
        row.calculation = calculation
        row.flops = result.layer.flops(in_shape, result.output_shape, row.macs)  # the core's FLOPs of the MACs that ran
        row.warnings = tuple(result.warnings)
        if len(in_shape) >= 3:
            self.last_spatial_input = in_shape
        return result

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

    # --- module hooks ---------------------------------------------------------------------
    # The hooks read the shapes of the tensors a module is given and returns. Inside the forward
    # those reads would reach ``__torch_function__`` (``_FunctionMode``), which only notes which
    # parameters were read; for plain tensors the hooks note that themselves and read with torch
    # functions off (a third of the trace's calls). A tensor subclass is read through the mode.
    def _mark_read(self, t) -> None:
        name = self.param_ids.get(id(t))
        if name is not None:
            self.used_params.add(name)

    @staticmethod
    def _reading(tensors):
        """A context in which a hook reads ``tensors``' shapes (having noted the reads with
        ``_mark_read``): torch functions off when all are plain tensors."""
        for t in tensors:
            if type(t) is not torch.Tensor and type(t) is not nn.Parameter:
                return contextlib.nullcontext()
        return torch._C.DisableTorchFunction()

    def pre_hook(self, module, args):
        if module is self.model and not self.stack and any(True for _ in module.children()) and not self._is_framework(module):
            self.stack.append(None)  # the root container is the summary itself, not a row
            return None
        if self._in_framework_module():  # e.g. MultiheadAttention's out_proj: part of its parent's row
            self.stack.append(None)
            return None
        type_name = ops.type_name(module)
        name = self.names.get(id(module)) or ("model" if isinstance(module, torch.jit.ScriptModule) else type_name)
        source, code_line = user_frame(1, self.cwd)
        module_id = id(module)
        repeated = module_id in self.seen_calls
        self.seen_calls.add(module_id)
        self.called.add(module_id)
        framework = self._is_framework(module)
        owned = ()
        if not repeated:  # a framework module's row holds its children's tensors too (MultiheadAttention's out_proj)
            if framework and module._modules:
                owned = tuple(o for sub in module.modules() for o in self.owners.get(id(sub), ()))
            else:
                owned = tuple(self.owners.get(module_id, ()))
        if framework:
            self.used_params.update(self._params_of(module))
        leaf = framework or not ops.has_children(module)
        arg_tensors = _tensors(args)
        for t in arg_tensors:
            self._mark_read(t)
        with self._reading(arg_tensors):
            input_shapes = tuple(tuple(t.shape) for t in arg_tensors)
        parent = self._parent()
        row = RowDraft(
            name=name, type=type_name, depth=self._depth(), input_shapes=input_shapes, output_shape=None,
            kind="module" if leaf else "container", is_leaf=leaf, source=source, repeated=repeated,
            connected_to=self.connections(arg_tensors),
        )
        entry = _Row(row, module, parent, code_line=code_line, owned=owned, cls=type(module))
        core = ops.core_layer(module)
        if core is not None:
            entry.core = core
            entry.key = ops.layer_key(core)
            row.code = self._code(core, entry.key)
        self.rows.append(entry)
        index = len(self.rows) - 1
        self.stack.append(index)
        self.open_rows.append(index)
        self.open_framework.append(framework)
        self.active.append(index)
        return None

    def post_hook(self, module, args, output):
        index = self.stack.pop() if self.stack else None
        if index is None:
            return None
        self.open_rows.pop()
        self.open_framework.pop()
        if self.active and self.active[-1] == index:
            self.active.pop()
        entry = self.rows[index]
        if entry.core is None and type(module) is not entry.cls and ops.type_name(module) != entry.row.type:
            entry.core = ops.core_layer(module)  # a lazy module became its real class
            if entry.core is not None:
                entry.key = ops.layer_key(entry.core)
                entry.row.code = self._code(entry.core, entry.key)
            else:
                entry.row.code = None
        t = _first_tensor(output)
        if t is not None:
            self._mark_read(t)
            with self._reading((t,)):
                entry.row.output_shape = tuple(t.shape)
        step = None
        if entry.core is not None and entry.row.input_shapes:
            result = self._evaluate(entry, entry.core, entry.row.input_shapes[0], entry.key,
                                    fallback=lambda: ops.core_layer(module, from_input=True))
            if result is not None:
                step = result.receptive_field
                for w in result.warnings:
                    self.diagnosis.report("warning", "layer-warning", w, None, entry)
        else:
            entry.row.flops = costs.flops(entry.row.macs)
        out_tensors = _tensors(output)
        with self._reading(out_tensors):
            self._note_output(index, output, _tensors(args), step, mark=True)
        if entry.row.is_leaf:  # a container passes on what its children made
            self.connect(output, entry.row.name)
        return None

    # --- functions --------------------------------------------------------------------------
    def on_function(self, func, args, kwargs):
        kwargs = kwargs or {}
        if self.on_meta and func in ops.FACTORIES and kwargs.get("device") is None:
            # torch.zeros(x.shape[0], 4), torch.arange(n): a tensor the forward makes without a device
            # would be on the CPU next to meta activations; on meta it is where the model's tensors are.
            kwargs = {**kwargs, "device": "meta"}
        arg_tensors = _tensors(args)
        in_tensors = arg_tensors + _tensors(kwargs) if kwargs else arg_tensors
        param_ids = self.param_ids
        for t in in_tensors:
            name = param_ids.get(id(t))
            if name is not None:
                self.used_params.add(name)
        silent = func in ops.SILENT
        if silent or self._in_framework_module() or getattr(func, "__name__", "") == "__get__":
            out = self._call_inside(func, args, kwargs)
            if silent:  # x.contiguous(), x.float(): not a row; its result comes from where x came from
                came_from = self.connections(arg_tensors[:1])
                if came_from:
                    self.connect(out, came_from[0])
            return out
        source, code_line = user_frame(1, self.cwd)
        op = ops.function_name(func)
        parent = self._parent_name()
        key = f"{parent}/{op}" if parent else op
        self._fn_counter[key] = self._fn_counter.get(key, 0) + 1
        name = key if self._fn_counter[key] == 1 else f"{key}#{self._fn_counter[key]}"
        row = RowDraft(name=name, type=op, depth=self._depth(), input_shapes=tuple(tuple(t.shape) for t in in_tensors),
                       output_shape=None, kind="function", source=source, connected_to=self.connections(in_tensors))
        entry = _Row(row, None, self._parent(), code_line=code_line)
        self.rows.append(entry)
        index = len(self.rows) - 1
        self.active.append(index)
        try:
            out = self._run_function(func, args, kwargs, entry, in_tensors)
        finally:
            self.active.pop()
        t = _first_tensor(out)
        if t is None:  # not a tensor-producing op: not a row
            self.rows.pop()
            return out
        row.output_shape = tuple(t.shape)
        core = ops.core_layer_of_call(func, args, kwargs)
        result = self._evaluate(entry, core, row.input_shapes[0], ops.layer_key(core)) if core is not None else None
        if result is None:
            row.flops = costs.flops(row.macs, costs.numel(row.output_shape) if func in ops.ELEMENTWISE else 0)
        self._note_output(index, out, in_tensors, result.receptive_field if result is not None else None)
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
            return self.diagnosis.repair_module(self.rows[p], exc, self.rows)

    def _run_function(self, func, args, kwargs, entry, in_tensors):
        try:
            out = func(*args, **kwargs)
        except TraceStop:
            raise
        except Exception as exc:
            return self.diagnosis.repair_function(func, args, kwargs, entry, in_tensors, exc, self._producer_of)
        if func in ops.RESHAPES:
            out = self.diagnosis.check_reshape(func, args, kwargs, entry, out)
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

    # --- the run and its result ------------------------------------------------------------------
    def run(self, args, kwargs) -> tuple[object, bool, str | None]:
        """Run the model's forward under the three instruments; -> (output, failed, message)."""
        from torch.nn.modules import module as module_mod

        handles = [
            module_mod.register_module_forward_pre_hook(self.pre_hook),
            module_mod.register_module_forward_hook(self.post_hook),
        ]
        failed, message, out = False, None, None
        self.note_inputs(args, kwargs)
        try:
            ctx = torch.autograd.graph.saved_tensors_hooks(self.pack, lambda t: t) if self.measure_memory else contextlib.nullcontext()
            with ctx, _FunctionMode(self), CostMode(self):
                out = self.model(*args, **kwargs)
        except TraceStop as exc:
            failed, message = True, str(exc)
        except LayerError as exc:
            failed, message = True, str(exc)
            self.raised_at = raising_frame(exc.__traceback__)
        except Exception as exc:  # the user's forward raised something convlens did not foresee
            failed, message = True, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            self.raised_at = raising_frame(exc.__traceback__)
        finally:
            for h in handles:
                h.remove()
        return out, failed, message

    def _fill_weights(self) -> None:
        """Fill each module row's weights, from the substitutes as they are after the trace."""
        for e in self.rows:
            infos = [(o, o.info()) for o in e.owned]
            e.row.weights = tuple(i for o, i in infos if i is not None and not o.is_buffer)
            e.row.buffers = tuple(i for o, i in infos if i is not None and o.is_buffer)

    def _failure(self, message: str | None) -> Diagnostic:
        """The forward-failed diagnostic, on the row that failed (or the module whose forward was running)."""
        failing = next((e for e in reversed(self.rows) if e.row.failed), None)
        if failing is None:  # raised by the user's code or an op that is not a row: blame the module whose forward was running
            open_row = self._parent()
            failing = self.rows[open_row] if open_row is not None else None
            if failing is None and self.raised_at[0] is None and self.rows:
                failing = self.rows[-1]
        if failing is not None and not failing.row.failed:
            failing.row.failed = message
        fix = None
        if self.on_meta and "meta" in (message or ""):
            fix = tr("the model reads tensor values (data-dependent control flow or .item()), which the meta device cannot "
                     "give; run with --device cpu (convlens.summary(..., device='cpu'))")
        source, code_line = self.raised_at
        if source is None and failing is not None:
            source, code_line = failing.row.source, failing.code_line
        return Diagnostic("error", "forward-failed", tr("the forward pass stopped: {reason}", reason=message),
                          fix, failing.row.name if failing else None, source, code_line)

    def result(self, out, failed: bool, message: str | None) -> TraceResult:
        self._fill_weights()
        diagnostics = list(self.diagnosis.diagnostics)
        if failed:
            diagnostics.append(self._failure(message))
        named = named_outputs(out) if out is not None else []
        structured = not isinstance(out, (torch.Tensor, list, tuple)) or (isinstance(out, tuple) and hasattr(out, "_fields"))
        return TraceResult(
            rows=tuple(e.row.freeze() for e in self.rows), parents=tuple(e.parent for e in self.rows),
            code_lines=tuple(e.code_line for e in self.rows), outputs=tuple(t for _, t in named),
            output_names=tuple(n for n, _ in named) if structured else (), diagnostics=tuple(diagnostics),
            used_params=frozenset(self.used_params), called_modules=frozenset(self.called),
            saved_bytes=sum(self.saved.values()), failed=failed, receptive_field=self.last_rf,
            last_spatial_input=self.last_spatial_input, substitutes=MappingProxyType(self.substitutes), tree=self.tree,
            batch=self.batch,
            batch_reshaped=self.diagnosis.batch_reshaped,
            batch_cuts=tuple(self.diagnosis.batch_cuts),
        )


class _FunctionMode(TorchFunctionMode):
    def __init__(self, tracer: _Tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return self.tracer.on_function(func, args, kwargs)
