"""Reading a subclassed Keras model (``class Net(keras.Model)`` with its own ``call``).

Such a model has no graph to read. Keras builds its output symbolically by running ``call`` on
placeholder tensors (on the torch backend: twice, with two made-up batch sizes, to find which
dimensions are dynamic); ``record_calls`` wraps ``keras.layers.Layer.__call__`` for that run
only (restored in ``finally``) and records the model's direct sub-layer calls of the first run,
in order, with their input and output shapes (the placeholder batch becomes ``None``).

Data flow is matched by tensor identity. A tensor that no recorded layer produced — the result
of arithmetic in ``call`` such as ``self.conv(y) + y`` — becomes an ``(operation)`` row carrying
the shape Keras computed, read after the previous layer; the record's notes say so.
"""

from __future__ import annotations

from ...i18n import tr
from ._graph import Call


class _Operation:
    """Stands for the tensor operations written in a subclassed model's ``call``."""

    name = "operation"
    weights = ()


def record_calls(model, input_shape) -> tuple[list[Call], list[tuple], list[tuple]]:
    """-> (calls, [input shape], [output shape]) of a subclassed ``model``."""
    import keras

    from . import KerasModelError

    shape = tuple(input_shape) if input_shape is not None else tuple((getattr(model, "_build_shapes_dict", None) or {}).get("input_shape") or ())
    if not shape:
        raise KerasModelError(tr("{model} is a subclassed model built without a known input shape; give it, e.g. --input 1x28x28x1 or input_shape=(None, 28, 28, 1)", model=model.name))
    layer_cls = keras.layers.Layer
    original = layer_cls.__call__
    log: list[tuple] = []
    level = [0]

    def recording(self, *args, **kwargs):
        level[0] += 1
        try:
            out = original(self, *args, **kwargs)
        finally:
            level[0] -= 1
        if level[0] == 0:
            tensors = [a for a in args if hasattr(a, "shape")] + [v for k, v in kwargs.items() if k != "mask" and hasattr(v, "shape")]
            log.append((self, tensors, out))
        return out

    layer_cls.__call__ = recording
    try:
        x = keras.KerasTensor(shape)
        spec = model.compute_output_spec(x)
    except Exception as exc:
        raise KerasModelError(tr("running {call} on an input of shape {shape} failed: {error}", call=f"{model.name}.call", shape=shape,
                                 error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")) from None
    finally:
        layer_cls.__call__ = original
    if not log:
        raise KerasModelError(tr("{call} used no Keras layer; convlens reads models made of keras.layers", call=f"{model.name}.call"))
    batch = log[0][1][0].shape[0] if log[0][1] else None
    first_run = []
    for entry in log:
        ins = entry[1]
        if first_run and ins and ins[0].shape[0] != batch:
            break  # Keras's second run, with another placeholder batch
        first_run.append(entry)

    def shape_of(t) -> tuple:
        dims = tuple(int(d) if d is not None else None for d in t.shape)
        return ((None,) + dims[1:]) if shape[0] is None and dims else dims

    calls: list[Call] = []
    producer: dict[int, str] = {}
    seen: dict[int, int] = {}
    used: set[str] = set()
    previous = "input"
    for layer, ins, out in first_run:
        sources = []
        for t in ins:
            if not calls and id(t) not in producer and shape_of(t) == shape:  # the model's input itself
                producer[id(t)] = "input"
            if id(t) not in producer:  # made by an operation in call(): a row with Keras's shape
                op_name = _unique(used, "operation")
                calls.append(Call(_Operation(), op_name, op_name, (previous,), (), (shape_of(t),), 0))
                producer[id(t)] = op_name
            sources.append(producer[id(t)])
        k = seen.get(id(layer), 0)
        seen[id(layer)] = k + 1
        name = _unique(used, layer.name)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        calls.append(Call(layer, name, layer.name, tuple(sources) or (previous,), tuple(shape_of(t) for t in ins), tuple(shape_of(t) for t in outs), 0, repeated=k > 0))
        for t in outs:
            producer[id(t)] = name
        previous = name
    outputs = spec if isinstance(spec, (tuple, list)) else (spec,)
    return calls, [shape], [tuple(o.shape) for o in outputs]


def _unique(used: set[str], name: str) -> str:
    out, k = name, 1
    while out in used:
        k += 1
        out = f"{name}#{k}"
    used.add(out)
    return out
