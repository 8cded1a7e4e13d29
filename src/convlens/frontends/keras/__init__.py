"""Keras front end: a Keras 3 model -> the summary record.

``summary(model)`` reads every layer call of a Sequential, Functional (several inputs and
outputs), nested or subclassed model (``_graph``, ``_subclassed``), maps each Keras layer to the
core layer of the same name (``layers``), evaluates the network with the core
(``core.network``) — so shapes, weights, MACs, FLOPs and the receptive field come from the one
home of every formula — and assembles the record (``_assemble``). What Keras itself reports
(each layer's output shape and ``count_params()``) is compared with the core's figures and any
disagreement is reported as an error diagnostic (``_checks``). A layer the core has no formula for
is read as Keras reports it, with a note.

Keras conventions are kept: channels-last shapes with ``None`` for the batch, BatchNormalization's
moving statistics as non-trainable parameters, Keras layer names, shared layers counted once.
"""

from __future__ import annotations

import os
from dataclasses import replace

from ...core import costs
from ...core.costs import COST_NOTE
from ...core.framework import Framework
from ...core.memory import ACTIVATIONS_ESTIMATE, training_memory
from ...core.network import NetworkError, Node, evaluate
from ...core.reported import InputLayer
from ...errors import UserError, first_line
from ...record import DiagnosticCode, MemoryEstimate, Severity, Summary
from ..build import summary_of_failure, summary_of_network
from ...i18n import N_, language, tr
from . import _assemble, _checks
from ._graph import functional_of, read_graph
from .layers import core_layer

KERAS_MISSING = N_("Keras is not installed; install it with: pip install keras torch==2.13.0 (convlens runs Keras on the torch backend, KERAS_BACKEND=torch)")
READ_NOTE = N_("read from the Keras model's graph and layer configurations; shapes, weights and costs computed by the convlens core and checked against Keras")
READ_FREE_NOTE = N_("read from the Keras model's graph and layer configurations; weights counted by the convlens core and checked against Keras")


class KerasModelError(UserError):
    """The object is not a Keras model convlens can read (not built, not a model, file not readable)."""


def is_keras_model(obj) -> bool:
    return any(c.__module__.startswith("keras") and c.__name__ in ("Model", "Sequential", "Functional") for c in type(obj).__mro__)


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError:
        raise KerasModelError(tr(KERAS_MISSING)) from None
    return keras


def load(path: str):
    """A ``.keras`` or legacy ``.h5`` file -> the Keras model (not compiled)."""
    keras = _keras()
    if not os.path.exists(path):
        raise KerasModelError(tr("{path}: no such file; give a .keras or .h5 file saved with model.save()", path=path))
    try:
        return keras.saving.load_model(path, compile=False)
    except ImportError as exc:
        raise KerasModelError(tr("{path}: reading it needs {package}; for .h5 files: pip install h5py", path=path,
                                 package=exc.name or tr("a missing package"))) from None
    except Exception as exc:  # Keras raises ValueError, OSError, zipfile/h5py errors for a broken file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise KerasModelError(tr("{path}: not a readable Keras model file ({error}); save it with model.save('model.keras')",
                                 path=path, error=f"{type(exc).__name__}: {first[:200]}")) from None


def summary(model, input_shape=None, *, title: str | None = None, expand_nested: bool = True, lang: str | None = None) -> Summary:
    """Summarise a built Keras model.

    ``input_shape`` (batch first, ``None`` allowed): builds a model that is not built, or, for a
    built model, evaluates it at another input size (the core computes; Keras's figures are then
    compared only where they do not depend on the input). ``expand_nested=False`` shows each
    nested model as one row, as Keras's ``model.summary()`` does by default. ``lang``: the language of
    the diagnostics and notes (None: the current one).
    """
    with language(lang):
        return _summary(model, input_shape, title=title, expand_nested=expand_nested)


def _summary(model, input_shape, *, title, expand_nested) -> Summary:
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise KerasModelError(tr("expected a keras.Model, got {type}", type=type(model).__name__))
    if input_shape is not None and not model.built:
        try:
            model.build(tuple(input_shape))
        except Exception as exc:
            raise KerasModelError(tr("building {model} on the input {shape} failed: {error}", model=model.name, shape=tuple(input_shape),
                                     error=first_line(exc))) from None
    if not model.built:
        raise KerasModelError(tr("the Keras model is not built; give its input shape, e.g. (None, 28, 28, 1), or start it with keras.Input(shape=...)"))
    if functional_of(model) is not None:
        calls, output_calls = read_graph(model)
        model_inputs = [tuple(t.shape) for t in model.inputs]
        model_outputs = [tuple(t.shape) for t in model.outputs]
    else:
        from ._subclassed import record_calls

        calls, model_inputs, model_outputs = record_calls(model, input_shape)
        output_calls = [calls[-1].name]
    first = tuple(model_inputs[0])
    shape = tuple(input_shape) if input_shape is not None else first
    example = "x".join(["1"] + [str(d or STAND_IN) for d in shape[1:]])
    # Free sizes (Keras's (None, None, None, 3)): parameters do not depend on them, MACs and activations do.
    # The core counts the weights at a stand-in size; the rows show Keras's own shapes and MACs unknown.
    free = input_shape is None and any(d is None for d in shape[1:])
    needs_size = tr("{model} takes inputs of any size {shape}; give one, e.g. --input {example} (or input_shape=(None, ...) in Python)",
                    model=model.name, shape=first, example=example)
    if free:
        return _free_size(model, calls, output_calls, model_inputs, model_outputs, title or model.name, example, expand_nested, needs_size)
    if any(d is None for d in shape[1:]):
        raise KerasModelError(needs_size)
    same_input = shape[1:] == first[1:]  # the sizes Keras built the model for (any batch)
    nodes, notes, flatten_of = _nodes(calls, shape, several_inputs=len(model_inputs) > 1)
    name = title or model.name
    try:
        result = evaluate(nodes, shape)
    except NetworkError as exc:
        s = summary_of_failure(exc, shape, title=name)
        rows = _assemble.rows_of(calls, s, expand_nested=True, batch=shape[0], same_sizes=same_input)
        diagnostics = list(s.diagnostics)
        fix = _checks.merge_fix(exc, calls) if diagnostics and diagnostics[0].fix is None else None
        if fix:
            diagnostics[0] = replace(diagnostics[0], fix=fix, layer=next(c.row_name for c in calls if c.name == exc.node_name))
        s = replace(s, framework=Framework.KERAS, layers=tuple(rows), diagnostics=tuple(diagnostics), notes=tuple(s.notes) + tuple(notes))
        return s
    s = summary_of_network(result, title=name)
    rows_by_name = {r.name: r for r in s.layers}
    rows = _assemble.rows_of(calls, s, expand_nested=expand_nested, batch=shape[0], same_sizes=same_input)
    s = replace(s, framework=Framework.KERAS, layers=tuple(rows), **_assemble.totals(rows),
                input_shapes=tuple(model_inputs) if shape == first else (shape,) + tuple(model_inputs[1:]),
                output_shapes=tuple(model_outputs) if shape == first else tuple(rows_by_name[c].output_shape for c in output_calls))
    diagnostics = list(s.diagnostics)
    diagnostics += _checks.compare_with_keras(calls, rows_by_name, same_input=same_input)
    diagnostics += _checks.dense_inputs(calls, rows_by_name, flatten_of)
    if same_input and model.count_params() != s.total_params:
        diagnostics.append(_checks.Diagnostic(Severity.ERROR, DiagnosticCode.CORE_DISAGREES, _checks.total_disagrees(model.count_params(), s.total_params), None, None))
    notes = list(s.notes) + [tr(READ_NOTE)] + notes
    s = replace(s, diagnostics=tuple(diagnostics), notes=tuple(notes))
    return replace(s, memory=_memory(s))
    return s


STAND_IN = 224  # the size a free input dimension is shown with in the example of --input
# Sizes a free input dimension is given, in turn, to count the weights (which do not depend on it): the
# first the core can evaluate (NASNetLarge's cells line up at its default 331, not at 224).
STAND_INS = (224, 331, 299, 256, 512)


def _free_size(model, calls, output_calls, model_inputs, model_outputs, name, example, expand_nested, needs_size) -> Summary:
    """The record of a model whose input size is free, as Keras's ``model.summary()`` shows it: Keras's
    shapes with ``None`` where the size is free, the core's weights (checked against Keras's), MACs,
    FLOPs, receptive field and training memory unknown (``None``), and a note saying how to give a size."""
    first = tuple(model_inputs[0])
    failure = None
    for size in STAND_INS:
        shape = (None,) + tuple(size if d is None else d for d in first[1:])
        nodes, notes, _ = _nodes(calls, shape, several_inputs=len(model_inputs) > 1)
        try:
            result = evaluate(nodes, shape)
            break
        except NetworkError as exc:
            failure = failure or exc
    else:  # Keras built a graph that lines up at no size (NASNet's free-size graph: Keras's own forward fails too)
        raise KerasModelError(tr("{needs_size}; at {size} its layers do not line up: {failure}", needs_size=needs_size,
                                 size=f"{STAND_IN}×{STAND_IN}", failure=failure))
    s = summary_of_network(result, title=name)
    rows_by_name = {r.name: r for r in s.layers}
    keras_shapes = {c.name: c for c in calls}
    rows = []
    for row in s.layers:
        call = keras_shapes.get(row.name)
        rows.append(replace(
            row, macs=None, flops=None, receptive_field=None, calculation=(), warnings=(),
            input_shapes=tuple(call.input_shapes) if call is not None else row.input_shapes,
            output_shape=tuple(call.output_shapes[0]) if call is not None else row.output_shape,
        ))
    s = replace(s, layers=tuple(rows))
    shown = _assemble.rows_of(calls, s, expand_nested=expand_nested)
    s = replace(s, framework="keras", layers=tuple(shown), **_assemble.totals(shown), input_shapes=tuple(model_inputs),
                output_shapes=tuple(model_outputs), receptive_field=None, memory=None)
    diagnostics = _checks.compare_with_keras(calls, rows_by_name, same_input=False, same_params=True)
    if model.count_params() != s.total_params:
        diagnostics.append(_checks.Diagnostic("error", "core-disagrees", _checks.total_disagrees(model.count_params(), s.total_params), None, None))
    free_note = tr("{model} takes inputs of any size {shape}: shapes are shown as Keras shows them, with None where the size is free; "
                   "MACs, FLOPs, the receptive field and training memory need an input size: give one, e.g. --input {example} "
                   "(input_shape=(1, ...) in Python)", model=model.name, shape=tuple(model_inputs[0]), example=example)
    kept = [n for n in s.notes if n not in (COST_NOTE, tr(COST_NOTE))]
    return replace(s, diagnostics=tuple(diagnostics), notes=tuple([free_note] + kept + [tr(READ_FREE_NOTE)] + notes))


def _nodes(calls, shape, *, several_inputs: bool):
    """The core network of the calls: (nodes, notes on reported layers, {call reading a Flatten: that Flatten})."""
    import keras

    nodes, notes, flatten_of = [], [], {}
    for call in calls:
        if call.container:
            continue
        outs = call.output_shapes if shape[0] is None else tuple((shape[0],) + tuple(o[1:]) for o in call.output_shapes)
        layer, note = core_layer(call.op, outs)
        if note:
            notes.append(f"{call.row_name} ({note})")  # a name and a note: no sentence of its own
        if isinstance(layer, InputLayer) and not several_inputs:
            layer = replace(layer, batch_shape=shape)  # the input the model is read at
        nodes.append(Node(layer, call.name, call.inputs))
        if isinstance(call.op, keras.layers.Flatten):
            flatten_of.update({c.name: call.name for c in calls if c.inputs == (call.name,)})
    return nodes, notes, flatten_of


def _memory(s: Summary) -> MemoryEstimate:
    """Training memory from the core's estimate (``core.memory``): Keras gives no measured figure."""
    outputs = sum(costs.numel(r.output_shape) for r in s.layers if r.is_leaf and r.type != "InputLayer" and r.output_shape is not None)
    m = training_memory(parameter_bytes=s.param_bytes, trainable_bytes=4 * s.trainable_params, buffer_bytes=s.buffer_bytes,
                        input_bytes=4 * sum(costs.numel(shape) for shape in s.input_shapes), activation_bytes=4 * outputs)
    return MemoryEstimate(
        parameters=m.parameters, gradients=m.gradients, optimizer=m.optimizer, activations=m.activations, buffers=m.buffers, inputs=m.inputs,
        formula=tr("parameters (all, BatchNormalization statistics included) + gradients (trainable) + Adam moments (2 × trainable) + "
                   "input + {activations} — an estimate, not a measurement; excludes framework workspace and fragmentation",
                   activations=tr(ACTIVATIONS_ESTIMATE)),
    )


__all__ = ["KERAS_MISSING", "KerasModelError", "is_keras_model", "load", "summary"]
