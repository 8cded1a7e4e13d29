"""Mapping a Keras layer to its core layer: one table keyed by the Keras class.

The table holds every ``keras.layers`` class whose name is a Keras core layer (``core.LAYERS`` or
``core.KERAS_ALIASES``) and the custom layers ``keras.applications`` defines (ConvNeXt's
``LayerScale``, InceptionResNetV2's ``CustomScaleLayer``). A layer maps through its class or its
nearest ancestor in the table. The core layer is built from ``layer.get_config()``; arguments
that change nothing convlens computes (initialisers, regularisers, names) are dropped.

A layer with no entry, or whose configuration the core cannot take (an activation given as a
Python function, say), becomes ``core.reported.Reported``: its row carries the output shape and
weights Keras reports, with a note — the model is never refused for it.

The table is public and extendable: ``register(MyLayer, handler)`` teaches convlens a Keras layer
class of the user's; ``handler(layer)`` returns the core layer of one instance (it maps the
class's subclasses too, as the built-in entries do).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache

from ...core import KERAS_ALIASES, LAYERS, LayerError
from ...core.framework import Framework
from ...core.keras_conventions import KERAS_IGNORED
from ...core.reported import InputLayer, Reported
from ...i18n import tr
from ._subclassed import _Operation

# Custom layers of keras.applications models: (module, class name) -> core layer name.
_APPLICATION_LAYERS = {
    ("keras.src.applications.convnext", "LayerScale"): "LayerScale",
    ("keras.src.applications.inception_resnet_v2", "CustomScaleLayer"): "CustomScaleLayer",
    # operations applied to tensors in a functional model (``x + y`` is ``keras.ops.add``): the
    # Keras merge of the same name follows the same broadcasting for these shapes
    ("keras.src.ops.numpy", "Add"): "Add",
    ("keras.src.ops.numpy", "Subtract"): "Subtract",
    ("keras.src.ops.numpy", "Multiply"): "Multiply",
    ("keras.src.ops.numpy", "Maximum"): "Maximum",
    ("keras.src.ops.numpy", "Minimum"): "Minimum",
}


@lru_cache(maxsize=1)
def table() -> dict[type, type]:
    """Keras layer class -> core layer class."""
    import keras

    out: dict[type, type] = {}
    for name in list(LAYERS) + list(KERAS_ALIASES):
        cls = getattr(keras.layers, name, None)
        core = KERAS_ALIASES.get(name) or LAYERS.get(name)
        if isinstance(cls, type) and issubclass(cls, keras.layers.Layer) and core is not None and core.framework is Framework.KERAS:
            out[cls] = core
    for (module, name), core_name in _APPLICATION_LAYERS.items():
        try:
            out[getattr(importlib.import_module(module), name)] = LAYERS[core_name]
        except (ImportError, AttributeError):  # another Keras version: the layer is read as Reported
            pass
    return out


_REGISTERED: dict[type, Callable] = {}


class RegistrationError(TypeError):
    """``register`` was given something that is not a class, or no callable handler."""


def register(layer_class: type, handler: Callable) -> None:
    """Teach convlens a Keras layer class: ``handler(layer)`` returns the core layer of one instance
    (``lambda layer: core.layer("Conv2D", layer.filters, layer.kernel_size, framework="keras")``).
    A handler that raises ``LayerError``/``TypeError``/``ValueError`` or returns None leaves the layer
    read as Keras reports it, with a note. A later call for the same class replaces the handler."""
    if not isinstance(layer_class, type):
        raise RegistrationError(tr("{call}: layer_class must be a Keras layer class, got {type}",
                                   call="register(layer_class, handler)", type=type(layer_class).__name__))
    if not callable(handler):
        raise RegistrationError(tr("{call}: the handler must be a callable returning a core layer, got {type}",
                                   call=f"register({layer_class.__qualname__}, handler)", type=type(handler).__name__))
    _REGISTERED[layer_class] = handler


def unregister(layer_class: type) -> None:
    """Forget what ``register(layer_class, ...)`` taught; the built-in entry, if any, applies again."""
    _REGISTERED.pop(layer_class, None)


def _registered(op) -> Callable | None:
    return next((_REGISTERED[c] for c in type(op).__mro__ if c in _REGISTERED), None) if _REGISTERED else None


def _tuples(value):
    """JSON-ish config values -> hashable ones: lists become tuples, recursively."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def core_layer(op, call_shapes_out) -> tuple[object, str | None]:
    """(core layer, note) for one Keras layer; the note says why a layer is ``Reported``."""
    import keras

    if isinstance(op, keras.layers.InputLayer):
        return InputLayer(call_shapes_out[0]), None
    error = None  # what a handler or the core raised, for the note
    handler = _registered(op)
    if handler is not None:
        try:
            core = handler(op)
            if core is not None:
                return core, None
            why = _REPORTED_NONE
        except (LayerError, TypeError, ValueError) as exc:
            why, error = _REPORTED_FAILED, exc
        return _reported(op, call_shapes_out, why, error)
    core_cls = next((table()[c] for c in type(op).__mro__ if c in table()), None)
    if core_cls is not None:
        config = op.get_config() if isinstance(op, keras.layers.Layer) else {}
        fields = core_cls.__dataclass_fields__
        kwargs = {k: _tuples(v) for k, v in config.items() if k in fields and k not in KERAS_IGNORED}
        try:
            return core_cls(**kwargs), None
        except (LayerError, TypeError) as exc:
            why, error = _REPORTED_REFUSED, exc
    else:
        why = _REPORTED_UNKNOWN
    return _reported(op, call_shapes_out, why, error)


# why a Keras layer is read as Keras reports it: one whole note each ({kind}: the layer's class, {error}: what was raised)
_REPORTED_NONE = "none"
_REPORTED_FAILED = "failed"
_REPORTED_REFUSED = "refused"
_REPORTED_UNKNOWN = "unknown"


def _reported_note(why: str, kind: str, error) -> str:
    if why == _REPORTED_NONE:
        return tr("{kind}: shapes and parameters as Keras reports them; its registered handler returned None; its MACs are not counted",
                  kind=kind)
    if why == _REPORTED_FAILED:
        return tr("{kind}: shapes and parameters as Keras reports them; its registered handler failed ({error}); its MACs are not "
                  "counted", kind=kind, error=error)
    if why == _REPORTED_REFUSED:
        return tr("{kind}: shapes and parameters as Keras reports them; the core cannot take its configuration ({error}); its MACs "
                  "are not counted", kind=kind, error=error)
    return tr("{kind}: shapes and parameters as Keras reports them; convlens has no formula for it; its MACs are not counted", kind=kind)


def _reported(op, call_shapes_out, why: str, error=None) -> tuple[object, str]:
    kind = type(op).__name__
    weights = tuple((w.path.split("/")[-1], tuple(int(d) for d in w.shape), bool(w.trainable)) for w in getattr(op, "weights", ()))
    if isinstance(op, _Operation):  # arithmetic written in a subclassed model's call()
        return Reported("ops", call_shapes_out[0], ()), tr("{kind}: a tensor computed outside Keras layers in call(), e.g. x + y; its shape is "
                                                           "Keras's and it is linked after the previous layer", kind="ops")
    return Reported(kind, call_shapes_out[0], weights), _reported_note(why, kind, error)
