"""Layer math: pure functions of layer arguments and input shapes. Imports no framework.

``LAYERS`` maps every layer name (PyTorch's and Keras's own class names, case-sensitive) to its
core class; ``calc`` is the one-call entry point.
"""

from __future__ import annotations

import difflib
import importlib
import re

from ..i18n import N_, tr
from ._base import KERNEL_AXES, Layer, LayerResult, ReceptiveField, RFStep, Role, Weight, DeclaredWeight
from ._errors import LayerError
from .framework import USER_FRAMEWORKS, Framework
from .keras_conventions import KERAS_IGNORED

# One family of layers per file, and the names each defines, in the order ``LAYERS`` lists them. A
# family's module is imported the first time one of its names is looked up (a ResNet summary needs
# five of the eighteen); iterating, ``len`` or ``in`` on a name no family has loads them all.
# ``tests/core/test_registry.py`` checks this index against the modules.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "conv": ("Conv1d", "Conv2d", "Conv3d"),
    "conv_transpose": ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"),
    "conv_keras": ("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"),
    "keras_conv_transpose": ("Conv1DTranspose", "Conv3DTranspose"),
    "pool": ("MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
             "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"),
    "pool_keras": ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
                   "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
                   "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D"),
    "linear": ("Linear", "Dense", "Embedding"),
    "keras_embedding": ("KerasEmbedding",),
    "norm": ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
             "LayerNorm", "GroupNorm", "BatchNormalization"),
    "keras_norm": ("LayerNormalization",),
    "shape": ("Flatten", "KerasFlatten", "Unflatten", "ZeroPad2d", "ZeroPadding2D", "PixelShuffle", "Upsample", "Identity"),
    "keras_reshape": ("Reshape", "Permute"),
    "resample": ("Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D"),
    "scaling": ("Rescaling", "Normalization", "LayerScale"),
    "elementwise": ("ReLU", "ReLU6", "LeakyReLU", "ELU", "PReLU", "GELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid",
                    "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax", "Activation", "Dropout", "Dropout2d",
                    "KerasDropout"),
    "keras_activation": ("KerasReLU", "KerasLeakyReLU", "KerasELU", "KerasSoftmax", "KerasPReLU"),
    "merge": ("add", "cat", "Add", "Concatenate"),
    "keras_merge": ("Multiply", "Subtract", "Average", "Maximum", "Minimum", "CustomScaleLayer"),
    "reported": ("InputLayer",),  # ``Reported`` is no framework's layer: only InputLayer is registered
}
_FAMILY_OF = {name: family for family, names in _FAMILIES.items() for name in names}


class _Registry(dict):
    """``LAYERS``: a dict whose families are imported on first use (see ``_FAMILIES``). A lookup of
    one name imports that name's family only; whatever needs every name (iteration, ``len``, ``in``
    on an unknown name, ``keys``/``values``/``items``) imports them all, and the order is then the
    families' order, whatever was looked up first, with later additions after."""

    __slots__ = ("_pending",)

    def __init__(self):
        super().__init__()
        self._pending = dict.fromkeys(_FAMILIES)  # the families not imported yet, in order

    def _load(self, family: str) -> None:
        if family not in self._pending:
            return
        del self._pending[family]
        module = importlib.import_module(f"{__name__}.{family}")
        names = ("InputLayer",) if family == "reported" else _layer_names(module)
        for name in names:
            dict.__setitem__(self, name, getattr(module, name))

    def _load_all(self) -> None:
        if not self._pending:
            return
        for family in list(self._pending):
            self._load(family)
        known = [name for names in _FAMILIES.values() for name in names]
        rest = [(name, cls) for name, cls in dict.items(self) if name not in _FAMILY_OF]
        ordered = [(name, dict.__getitem__(self, name)) for name in known if dict.__contains__(self, name)] + rest
        dict.clear(self)
        dict.update(self, ordered)

    def __missing__(self, name):
        family = _FAMILY_OF.get(name) if isinstance(name, str) else None
        if family is None or family not in self._pending:
            raise KeyError(name)
        self._load(family)
        return dict.__getitem__(self, name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        if dict.__contains__(self, name):
            return True
        family = _FAMILY_OF.get(name) if isinstance(name, str) else None
        if family is not None:
            self._load(family)
        else:
            self._load_all()
        return dict.__contains__(self, name)

    def __iter__(self):
        self._load_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._load_all()
        return dict.__len__(self)

    def __reversed__(self):
        self._load_all()
        return dict.__reversed__(self)

    def __eq__(self, other):
        self._load_all()
        return dict.__eq__(self, other)

    __hash__ = None

    def __repr__(self) -> str:
        self._load_all()
        return dict.__repr__(self)

    def keys(self):
        self._load_all()
        return dict.keys(self)

    def values(self):
        self._load_all()
        return dict.values(self)

    def items(self):
        self._load_all()
        return dict.items(self)

    def copy(self) -> dict:
        self._load_all()
        return dict(dict.items(self))

    def pop(self, name, *default):
        self.get(name)
        return dict.pop(self, name, *default)

    def setdefault(self, name, default=None):
        found = self.get(name)
        return found if found is not None else dict.setdefault(self, name, default)

    def __or__(self, other):
        return self.copy() | other

    def __reduce__(self):
        return (dict, (self.copy(),))


LAYERS: dict[str, type[Layer]] = _Registry()


def _layer_names(module) -> list[str]:
    return [name for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, Layer) and not name.startswith("_") and obj.__module__ == module.__name__]


def register(module) -> None:
    """Add every public Layer subclass defined in ``module`` to ``LAYERS``."""
    for name in _layer_names(module):
        LAYERS.get(name)  # a built-in family of the same name first, so that ``module``'s class replaces it
        LAYERS[name] = getattr(module, name)


# Keras names that PyTorch also uses for a different layer. ``LAYERS`` holds the PyTorch meaning
# under the bare name; a chain read as Keras (``framework="keras"``) looks here first. Built on
# first use (``__getattr__`` below), as it names classes of five families.
_KERAS_ALIASED = ("Flatten", "Dropout", "ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU", "Embedding")


def _keras_aliases() -> dict[str, type[Layer]]:
    aliases = globals().get("KERAS_ALIASES")
    if aliases is None:
        aliases = globals()["KERAS_ALIASES"] = {n: LAYERS[f"Keras{n}"] for n in _KERAS_ALIASED}
    return aliases


def __getattr__(name: str):
    if name == "KERAS_ALIASES":
        return _keras_aliases()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    cls = _keras_aliases().get(name) if framework == Framework.KERAS else None
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
