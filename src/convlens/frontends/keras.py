"""Keras front end: a built Keras 3 model -> the summary record.

Every Keras layer is mapped, by its type, to the core layer of the same name with the layer's own
configuration; the network is then evaluated by the core (``core.network``), so shapes, weights,
MACs, FLOPs and the receptive field come from the one home of every formula. What Keras itself
reports (each layer's output shape and ``count_params()``) is compared with the core's figures,
and any disagreement is reported as a diagnostic rather than hidden.
"""

from __future__ import annotations

import os
from dataclasses import replace

from ..core import KERAS_ALIASES, LAYERS, LayerError
from ..core.keras_conventions import KERAS_IGNORED
from ..core.network import NetworkError, Node, evaluate
from ..record import Diagnostic, Summary
from .build import summary_of_failure, summary_of_network


class KerasModelError(ValueError):
    """The object is not a Keras model convlens can read (not built, several inputs, unknown layers)."""


def is_keras_model(obj) -> bool:
    return any(c.__module__.startswith("keras") and c.__name__ in ("Model", "Sequential", "Functional") for c in type(obj).__mro__)


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


def _table() -> dict[type, type]:
    """Keras layer class -> core layer class, for every Keras layer the core models."""
    keras = _keras()
    table = {}
    for name in list(LAYERS) + list(KERAS_ALIASES):
        cls = getattr(keras.layers, name, None)
        if isinstance(cls, type) and issubclass(cls, keras.layers.Layer):
            core = KERAS_ALIASES.get(name) or LAYERS[name]
            if core.framework == "keras":
                table[cls] = core
    return table


def _core_layer(layer, table):
    core_cls = next((table[c] for c in type(layer).__mro__ if c in table), None)
    if core_cls is None:
        return None
    config = layer.get_config()
    fields = core_cls.__dataclass_fields__
    kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in config.items() if k in fields and k not in KERAS_IGNORED}
    return core_cls(**kwargs)


def summary(model, input_shape=None, *, title: str | None = None) -> Summary:
    """Summarise a Keras ``Sequential`` or functional model with one input.

    ``input_shape`` (batch first, ``None`` allowed) is needed only for a model that is not built.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise KerasModelError(f"expected a keras.Model, got {type(model).__name__}")
    if input_shape is not None and not model.built:
        model.build(tuple(input_shape))
    if not model.built:
        raise KerasModelError("the Keras model is not built; give its input shape, e.g. (None, 28, 28, 1), or start it with keras.Input(shape=...)")
    inputs = model.inputs
    if len(inputs) != 1:
        raise KerasModelError(f"convlens reads Keras models with one input; this one has {len(inputs)}")
    shape = tuple(input_shape) if input_shape is not None else tuple(inputs[0].shape)
    table = _table()
    nodes, unknown, keras_layers = [], [], []
    input_names = {layer.name for layer in model.layers if isinstance(layer, keras.layers.InputLayer)} | {inputs[0].name}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        try:
            core = _core_layer(layer, table)
        except (LayerError, TypeError) as exc:
            raise KerasModelError(f"Keras layer '{layer.name}' ({type(layer).__name__}): {exc}") from None
        if core is None:
            unknown.append(f"{layer.name} ({type(layer).__name__})")
            continue
        parents = _parents(layer, model)
        sources = tuple("input" if p in input_names else p for p in parents)
        nodes.append(Node(core, layer.name, sources if not isinstance(model, keras.Sequential) else ()))
        keras_layers.append(layer)
    if unknown:
        raise KerasModelError(f"Keras layers convlens does not model yet: {', '.join(unknown)}")
    name = title or model.name
    try:
        result = evaluate(nodes, shape)
    except NetworkError as exc:
        return summary_of_failure(exc, shape, title=name, framework="keras")
    s = summary_of_network(result, title=name, framework="keras")
    # What Keras says is the truth: compare it with the core's figures.
    diagnostics = list(s.diagnostics)
    for layer, row in zip(keras_layers, s.layers):
        keras_out = tuple(layer.output.shape) if shape == tuple(inputs[0].shape) else None
        if keras_out is not None and keras_out != tuple(row.output_shape):
            diagnostics.append(Diagnostic("error", "core-disagrees", f"Keras gives {layer.name} the output shape {keras_out}, the core {row.output_shape}; please report this", None, layer.name))
        if layer.count_params() != row.params:
            diagnostics.append(Diagnostic("error", "core-disagrees", f"Keras counts {layer.count_params():,} parameters in {layer.name}, the core {row.params:,}; please report this", None, layer.name))
    if model.count_params() != s.total_params:
        diagnostics.append(Diagnostic("error", "core-disagrees", f"Keras counts {model.count_params():,} parameters in all, the core {s.total_params:,}", None, None))
    return replace(s, diagnostics=diagnostics, notes=list(s.notes) + ["read from the Keras model's layers and configuration; shapes, weights and costs computed by the convlens core and checked against Keras"])


def _parents(layer, model) -> list[str]:
    """Names of the layers whose outputs ``layer`` reads in ``model`` (its first call)."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return []
    return [p.operation.name for p in nodes[0].parent_nodes]
