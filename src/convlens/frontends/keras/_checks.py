"""Diagnostics of a Keras model read by convlens.

* ``core-disagrees`` (error): Keras's own output shape or parameter count of a layer differs from
  the core's — a convlens bug, reported rather than hidden.
* ``dense-input`` (error): a ``Dense`` layer whose kernel Keras built for ``k`` features now receives
  ``n ≠ k`` (the model summarised at another input size than it was built for; after a ``Flatten``
  the count grows with the image). The fix names the input size that gives ``k``, or a global pool.
* Merges of mismatched branches and windows larger than their input stop the core's evaluation;
  ``text.summary_of_failure`` turns that into an error naming the layer. Pools and convolutions
  whose floor drops input rows are the core's window warnings, named by layer.
"""

from __future__ import annotations

from ...i18n import tr
from ...record import Diagnostic, DiagnosticCode, LayerRow, Severity
from ._graph import Call


def compare_with_keras(calls: list[Call], rows_by_name: dict[str, LayerRow], *, same_input: bool,
                       same_params: bool = False) -> list[Diagnostic]:
    """Keras's own output shape (batch aside, when the input has the sizes Keras built the model for)
    and parameter count of every call (also when ``same_params``: the model's sizes are free, so
    its weights are the same at any size)."""
    import keras

    out = []
    for call in calls:
        row = rows_by_name.get(call.name)
        if row is None or call.container or isinstance(call.op, keras.layers.InputLayer):
            continue
        keras_out = call.output_shapes[0]
        if same_input and row.output_shape is not None and tuple(row.output_shape)[1:] != keras_out[1:]:
            out.append(Diagnostic(Severity.ERROR, DiagnosticCode.CORE_DISAGREES, tr("Keras gives {layer} the output shape {keras}, the core {core}; please report this", layer=call.row_name, keras=keras_out, core=tuple(row.output_shape)), None, call.row_name))
        if (same_input or same_params) and not call.repeated and hasattr(call.op, "count_params") and getattr(call.op, "built", False):
            n = call.op.count_params()
            if n != row.params:
                out.append(Diagnostic(Severity.ERROR, DiagnosticCode.CORE_DISAGREES, tr("Keras counts {keras} parameters in {layer}, the core {core}; please report this", keras=f"{n:,}", layer=call.row_name, core=f"{row.params:,}"), None, call.row_name))
    return out


def dense_inputs(calls: list[Call], rows_by_name: dict[str, LayerRow], flatten_of: dict[str, str]) -> list[Diagnostic]:
    """A built ``Dense`` whose kernel expects other than the features it now receives."""
    import keras

    out = []
    for call in calls:
        row = rows_by_name.get(call.name)
        if row is None or not isinstance(call.op, keras.layers.Dense) or not call.op.built or row.input_shape is None:
            continue
        built = int(call.op.kernel.shape[0])
        got = row.input_shape[-1]
        if got is None or got == built:
            continue
        src = flatten_of.get(call.name)
        fields = dict(layer=call.row_name, built=f"{built:,}", got=f"{got:,}")
        if src:
            message = tr("{layer} (Dense) was built for {built} input features but now receives {got} from {flatten} (Flatten of {shape})",
                         flatten=src, shape=rows_by_name[src].input_shape, **fields)
            fix = tr("feed the input size the model was built for, or put GlobalAveragePooling2D() instead of Flatten() so {layer} "
                     "always gets the channel count", layer=call.row_name)
        else:
            message = tr("{layer} (Dense) was built for {built} input features but now receives {got}", **fields)
            fix = tr("give {layer} an input with {n} features", layer=call.row_name, n=built)
        out.append(Diagnostic(Severity.ERROR, DiagnosticCode.DENSE_INPUT, message, fix, call.row_name))
    return out


def merge_fix(error, calls: list[Call]) -> str | None:
    """A fix for a merge whose branches disagree: which branch gives which shape, and what aligns them."""
    call = next((c for c in calls if c.name == error.node_name), None)
    if call is None or len(error.input_shapes) < 2:
        return None
    parts = [tr("{layer} gives {shape}", layer=src, shape=tuple(shape)) for src, shape in zip(call.inputs, error.input_shapes)]
    return tr("{layer} reads {inputs}; make the branches agree — use padding='same' on the strided convolution/pool of one branch "
              "(or the same strides on both), or choose an input size that both branches reduce alike",
              layer=call.row_name, inputs=", ".join(parts))


def total_disagrees(keras: int, core: int) -> str:
    """The core-disagrees message about a whole model's parameter count."""
    return tr("Keras counts {keras} parameters in all, the core {core}; please report this", keras=f"{keras:,}", core=f"{core:,}")
