"""Layer math: pure functions of layer arguments and input shapes. Imports no framework.

``LAYERS`` maps every layer name (PyTorch's and Keras's own class names, case-sensitive) to its
core class; ``calc`` is the one-call entry point.
"""

from __future__ import annotations

import difflib
import re

from ..i18n import N_, tr
from ._base import KERNEL_AXES, Layer, LayerResult, ReceptiveField, RFStep, Role, Weight, DeclaredWeight
from ._errors import LayerError
from .framework import USER_FRAMEWORKS, Framework
from .keras_conventions import KERAS_IGNORED

LAYERS: dict[str, type[Layer]] = {}


def register(module) -> None:
    """Add every public Layer subclass defined in ``module`` to ``LAYERS``."""
    for name, obj in vars(module).items():
        if isinstance(obj, type) and issubclass(obj, Layer) and not name.startswith("_") and obj.__module__ == module.__name__:
            LAYERS[name] = obj


from . import (  # noqa: E402  one family per file
    conv, conv_keras, conv_transpose, elementwise, keras_activation, keras_conv_transpose, keras_embedding, keras_merge,
    keras_norm, keras_reshape, linear, merge, norm, pool, pool_keras, resample, scaling, shape,
)

for _family in (conv, conv_transpose, conv_keras, keras_conv_transpose, pool, pool_keras, linear, keras_embedding, norm,
                keras_norm, shape, keras_reshape, resample, scaling, elementwise, keras_activation, merge, keras_merge):
    register(_family)


from .reported import InputLayer as _InputLayer  # noqa: E402 - ``Reported`` is no framework's layer: not registered

LAYERS["InputLayer"] = _InputLayer

# Keras names that PyTorch also uses for a different layer. ``LAYERS`` holds the PyTorch meaning
# under the bare name; a chain read as Keras (``framework="keras"``) looks here first.
KERAS_ALIASES: dict[str, type[Layer]] = {
    name: LAYERS[f"Keras{name}"] for name in ("Flatten", "Dropout", "ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU", "Embedding")
}


def declared_weight(type_name: str, weight_name: str | None = None) -> DeclaredWeight | None:
    """The declaration of weight ``weight_name`` (default: the main one) of the layer class
    named ``type_name`` — a framework's class name as summary rows carry it; ``Lazy`` modules
    read as the class they become. None when the type or the weight is not declared.

    >>> declared_weight("Conv2D").tutorial_order((3, 3, 1, 32))
    (1, 32, 3, 3)
    """
    cls = LAYERS.get(type_name[4:] if type_name.startswith("Lazy") else type_name)
    return None if cls is None else cls.declared_weight(weight_name)


def layer(name: str, /, *args, framework: Framework | str = Framework.TORCH, **kwargs) -> Layer:
    """Build a core layer by its framework class name: ``layer("Conv2d", 1, 20, 5, padding=2)``.

    ``framework="keras"`` resolves the names both frameworks use (``Flatten``, ``Dropout``) to the
    Keras layer. Keras layers accept and drop the arguments in ``keras_conventions.KERAS_IGNORED``
    (initialisers, regularisers, names), which change nothing convlens computes.

    >>> layer("Flatten", framework="keras").evaluate((None, 4, 4, 25)).output_shape
    (None, 400)
    >>> layer("Dense", 10, kernel_initializer="he_normal").code()
    'Dense(units=10)'
    """
    if framework not in USER_FRAMEWORKS:
        raise LayerError(name, "framework", tr("framework={framework} must be 'torch' or 'keras'", framework=repr(framework)))
    cls = KERAS_ALIASES.get(name) if framework == Framework.KERAS else None
    try:
        cls = cls or LAYERS[name]
    except KeyError:
        raise LayerError(name, "layer", _unknown_layer(name)) from None
    if cls.framework is Framework.KERAS:
        kwargs = {k: v for k, v in kwargs.items() if k not in KERAS_IGNORED}
    try:
        return cls(*args, **kwargs)
    except TypeError as exc:
        raise LayerError(name, "arguments", _bad_arguments(f"{exc}".replace(f"{cls.__name__}.__init__()", name))) from None


# Python's own words for a call that does not fit a signature, so they can be said as messages
_TYPE_ERRORS = (
    (re.compile(r"(?P<call>\S+) got an unexpected keyword argument (?P<name>'\w+')"),
     N_("{call} got an unexpected keyword argument {name}")),
    (re.compile(r"(?P<call>\S+) got multiple values for argument (?P<name>'\w+')"),
     N_("{call} got multiple values for argument {name}")),
    (re.compile(r"(?P<call>\S+) takes from (?P<low>\d+) to (?P<high>\d+) positional arguments but (?P<n>\d+) were given"),
     N_("{call} takes from {low} to {high} positional arguments but {n} were given")),
)


def _bad_arguments(text: str) -> str:
    """Python's ``TypeError`` of a layer call, as a message when it is one of the usual three.

    >>> _bad_arguments("Conv2d() got an unexpected keyword argument 'foo'")
    "Conv2d() got an unexpected keyword argument 'foo'"
    """
    for pattern, message in _TYPE_ERRORS:
        m = pattern.fullmatch(text)
        if m:
            return tr(message, **m.groupdict())
    return text


# how alike (difflib's ratio, 0..1) a misspelt layer name must be to a known one to be suggested
CLOSE_NAME_CUTOFF = 0.6


def close_names(name: str, known, *, n: int = 3, cutoff: float = CLOSE_NAME_CUTOFF) -> list[str]:
    """The ``known`` names a misspelt ``name`` may mean, best first: the names that differ only in
    case if there are any (layer names are case-sensitive), else up to ``n`` close ones (difflib's
    ratio at least ``cutoff``). The one lookup behind every "did you mean": core layer names, zoo
    model names, module paths of a trained network.

    >>> close_names("conv2d", LAYERS), close_names("Conv2dd", LAYERS, n=1), close_names("Nope", LAYERS)
    (['Conv2d', 'Conv2D'], ['Conv2d'], [])
    """
    known = list(known)
    same_letters = [k for k in known if k.lower() == name.lower()]
    return same_letters[:n] or difflib.get_close_matches(name, known, n=n, cutoff=cutoff)


def _unknown_layer(name: str) -> str:
    """What to say about a layer name that is not in ``LAYERS``: the close name it may mean
    (``close_names``), or the list.

    >>> _unknown_layer("Conv2dd"), _unknown_layer("conv2d")
    ("unknown layer 'Conv2dd'; did you mean 'Conv2d'?", "unknown layer 'conv2d'; did you mean 'Conv2d'? names are case-sensitive")
    """
    close = close_names(name, LAYERS, n=1)
    if close and close[0].lower() == name.lower():
        return tr("unknown layer {name}; did you mean {close}? names are case-sensitive", name=repr(name), close=repr(close[0]))
    if close:
        return tr("unknown layer {name}; did you mean {close}?", name=repr(name), close=repr(close[0]))
    return tr("unknown layer {name}; known layers: {known}", name=repr(name), known=", ".join(sorted(LAYERS)))


def calc(name: str, input_shape, /, *args, **kwargs) -> LayerResult:
    """Evaluate one layer on one input shape.

    >>> r = calc("Conv2d", (16, 1, 28, 28), out_channels=20, kernel_size=5, padding=2)
    >>> r.output_shape, r.params, r.macs
    ((16, 20, 28, 28), 520, 6272000)
    """
    return layer(name, *args, **kwargs).evaluate(tuple(input_shape))


__all__ = [
    "Framework", "KERAS_ALIASES", "KERNEL_AXES", "LAYERS", "Layer", "LayerError", "LayerResult", "RFStep", "ReceptiveField", "Role", "Weight",
    "CLOSE_NAME_CUTOFF", "DeclaredWeight", "calc", "close_names", "layer", "register", "declared_weight",
]
