"""Layer math: pure functions of layer arguments and input shapes. Imports no framework.

``LAYERS`` maps every layer name (PyTorch's and Keras's own class names, case-sensitive) to its
core class; ``calc`` is the one-call entry point.
"""

from __future__ import annotations

from ._base import Layer, LayerResult, ReceptiveField, RFStep, Weight
from ._errors import LayerError
from . import conv

LAYERS: dict[str, type[Layer]] = {}


def register(module) -> None:
    """Add every public Layer subclass defined in ``module`` to ``LAYERS``."""
    for name, obj in vars(module).items():
        if isinstance(obj, type) and issubclass(obj, Layer) and not name.startswith("_") and obj.__module__ == module.__name__:
            LAYERS[name] = obj


register(conv)
for _name in ("pool", "linear", "norm", "shape", "elementwise", "merge",
              "keras_activation", "keras_conv_transpose", "keras_embedding", "keras_merge", "keras_norm",
              "keras_reshape", "resample", "scaling"):
    try:  # families land one file at a time; each registers itself here
        register(__import__(f"{__name__}.{_name}", fromlist=["_"]))
    except ModuleNotFoundError as exc:  # pragma: no cover - only while a family is missing
        if exc.name != f"{__name__}.{_name}":
            raise


from .reported import InputLayer as _InputLayer  # noqa: E402 - ``Reported`` is no framework's layer: not registered

LAYERS["InputLayer"] = _InputLayer

# Keras names that PyTorch also uses for a different layer. ``LAYERS`` holds the PyTorch meaning
# under the bare name; a chain read as Keras (``framework="keras"``) looks here first.
KERAS_ALIASES: dict[str, type[Layer]] = {}
if "KerasFlatten" in LAYERS:
    KERAS_ALIASES["Flatten"] = LAYERS["KerasFlatten"]
if "KerasDropout" in LAYERS:
    KERAS_ALIASES["Dropout"] = LAYERS["KerasDropout"]
for _keras_name in ("ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU", "Embedding"):
    if f"Keras{_keras_name}" in LAYERS:
        KERAS_ALIASES[_keras_name] = LAYERS[f"Keras{_keras_name}"]


def layer(name: str, /, *args, framework: str = "torch", **kwargs) -> Layer:
    """Build a core layer by its framework class name: ``layer("Conv2d", 1, 20, 5, padding=2)``.

    ``framework="keras"`` resolves the names both frameworks use (``Flatten``, ``Dropout``) to the
    Keras layer. Keras layers accept and drop the arguments in ``conv.KERAS_IGNORED``
    (initialisers, regularisers, names), which change nothing convlens computes.

    >>> layer("Flatten", framework="keras").evaluate((None, 4, 4, 25)).output_shape
    (None, 400)
    >>> layer("Dense", 10, kernel_initializer="he_normal").spec()
    'Dense(units=10)'
    """
    if framework not in ("torch", "keras"):
        raise LayerError(name, "framework", f"framework={framework!r} must be 'torch' or 'keras'")
    cls = KERAS_ALIASES.get(name) if framework == "keras" else None
    try:
        cls = cls or LAYERS[name]
    except KeyError:
        close = [n for n in LAYERS if n.lower() == name.lower()]
        hint = f"; did you mean {close[0]!r}? names are case-sensitive" if close else f"; known layers: {', '.join(sorted(LAYERS))}"
        raise LayerError(name, "layer", f"unknown layer {name!r}{hint}") from None
    if cls.framework == "keras":
        kwargs = {k: v for k, v in kwargs.items() if k not in conv.KERAS_IGNORED}
    try:
        return cls(*args, **kwargs)
    except TypeError as exc:
        raise LayerError(name, "arguments", f"{exc}".replace(f"{cls.__name__}.__init__()", name)) from None


def calc(name: str, input_shape, /, *args, **kwargs) -> LayerResult:
    """Evaluate one layer on one input shape.

    >>> r = calc("Conv2d", (16, 1, 28, 28), out_channels=20, kernel_size=5, padding=2)
    >>> r.output_shape, r.params, r.macs
    ((16, 20, 28, 28), 520, 6272000)
    """
    return layer(name, *args, **kwargs).evaluate(tuple(input_shape))


__all__ = ["KERAS_ALIASES", "LAYERS", "Layer", "LayerError", "LayerResult", "RFStep", "ReceptiveField", "Weight", "calc", "layer", "register"]
