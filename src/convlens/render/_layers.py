"""What the report layer needs to know about a row's ``type``: one table, looked up by exact name.

The summary rows carry the framework's own class or op name (``"Conv2d"``, ``"Conv2D"``,
``"add"``). Two things in the reports depend on it: how a layer's weight dimensions are read
(PyTorch stores a conv weight ``(out, in, kH, kW)``, Keras a kernel ``(kH, kW, in, out)``) — which
each core layer class declares once (``core.declared_weight``) — and the family behind the
plain-words description of the tutorial view (``KINDS`` below). Unknown types fall back to
shape-only rules.
"""

from __future__ import annotations

from enum import Enum

from ..core import declared_weight


class Kind(Enum):
    CONV = "conv"
    CONV_TRANSPOSE = "conv_transpose"
    LINEAR = "linear"
    POOL = "pool"
    GLOBAL_POOL = "global_pool"
    NORM = "norm"
    ACTIVATION = "activation"
    DROPOUT = "dropout"
    FLATTEN = "flatten"
    RESHAPE = "reshape"
    ADD = "add"
    MULTIPLY = "multiply"
    CONCAT = "concat"
    UPSAMPLE = "upsample"
    PAD = "pad"
    IDENTITY = "identity"
    OTHER = "other"


def _names(kind: Kind, *names: str) -> dict[str, Kind]:
    return {n: kind for n in names}


_N = ("1d", "2d", "3d")
_ND = ("1D", "2D", "3D")

KINDS: dict[str, Kind] = {
    # PyTorch modules
    **_names(Kind.CONV, *(f"Conv{n}" for n in _N), *(f"LazyConv{n}" for n in _N)),
    **_names(Kind.CONV_TRANSPOSE, *(f"ConvTranspose{n}" for n in _N), *(f"LazyConvTranspose{n}" for n in _N)),
    **_names(Kind.LINEAR, "Linear", "LazyLinear", "Bilinear"),
    **_names(Kind.POOL, *(f"{p}{n}" for p in ("MaxPool", "AvgPool", "LPPool", "FractionalMaxPool") for n in _N)),
    **_names(Kind.GLOBAL_POOL, *(f"Adaptive{p}Pool{n}" for p in ("Avg", "Max") for n in _N)),
    **_names(Kind.NORM, *(f"BatchNorm{n}" for n in _N), *(f"LazyBatchNorm{n}" for n in _N), *(f"InstanceNorm{n}" for n in _N),
             "GroupNorm", "LayerNorm", "LocalResponseNorm", "SyncBatchNorm", "RMSNorm"),
    **_names(Kind.ACTIVATION, "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish",
             "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Softplus", "Hardswish", "Hardsigmoid", "Hardtanh", "Softsign"),
    **_names(Kind.DROPOUT, "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"),
    **_names(Kind.FLATTEN, "Flatten", "flatten"),
    **_names(Kind.RESHAPE, "Unflatten", "view", "reshape", "permute", "transpose", "squeeze", "unsqueeze", "contiguous"),
    **_names(Kind.UPSAMPLE, "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "interpolate"),
    **_names(Kind.PAD, "ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d", "pad"),
    **_names(Kind.IDENTITY, "Identity"),
    # PyTorch functional ops, as the tracer names them
    **_names(Kind.ADD, "add", "iadd", "__add__", "__iadd__", "sum_"),
    **_names(Kind.MULTIPLY, "mul", "__mul__", "imul"),
    **_names(Kind.CONCAT, "cat", "concat", "concatenate", "stack"),
    **_names(Kind.ACTIVATION, "relu", "relu_", "gelu", "silu", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "hardswish"),
    **_names(Kind.POOL, "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d"),
    **_names(Kind.GLOBAL_POOL, "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool2d"),
    **_names(Kind.DROPOUT, "dropout"),
    **_names(Kind.LINEAR, "linear", "matmul", "bmm", "mm"),
    # Keras layers
    **_names(Kind.CONV, *(f"Conv{n}" for n in _ND), *(f"Convolution{n}" for n in _ND), "DepthwiseConv1D", "DepthwiseConv2D",
             "SeparableConv1D", "SeparableConv2D"),
    **_names(Kind.CONV_TRANSPOSE, *(f"Conv{n}Transpose" for n in _ND)),
    **_names(Kind.LINEAR, "Dense", "EinsumDense"),
    **_names(Kind.POOL, *(f"{p}Pooling{n}" for p in ("Max", "Average") for n in _ND), *(f"{p}Pool{n}" for p in ("Max", "Avg") for n in _ND)),
    **_names(Kind.GLOBAL_POOL, *(f"Global{p}Pooling{n}" for p in ("Max", "Average") for n in _ND),
             *(f"Global{p}Pool{n}" for p in ("Max", "Avg") for n in _ND)),
    **_names(Kind.NORM, "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization"),
    **_names(Kind.ACTIVATION, "Activation", "Softmax", "ELU", "LeakyReLU", "ReLU", "PReLU"),
    **_names(Kind.DROPOUT, "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout", "GaussianNoise"),
    **_names(Kind.RESHAPE, "Reshape", "Permute"),
    **_names(Kind.ADD, "Add"),
    **_names(Kind.MULTIPLY, "Multiply"),
    **_names(Kind.CONCAT, "Concatenate"),
    **_names(Kind.UPSAMPLE, *(f"UpSampling{n}" for n in _ND)),
    **_names(Kind.PAD, *(f"ZeroPadding{n}" for n in _ND), *(f"Cropping{n}" for n in _ND)),
    **_names(Kind.IDENTITY, "InputLayer", "Identity"),
}

def kind(type_name: str) -> Kind:
    """The family of a row's type; ``Kind.OTHER`` when the type is not in the table."""
    return KINDS.get(type_name, Kind.OTHER)


def tutorial_order(dims: tuple[int, ...], type_name: str, weight_name: str | None = None) -> tuple[int, ...]:
    """A weight's dimensions in the tutorials' order ``in, out, *kernel``, read from the layer
    class's own declaration (``core.declared_weight``); unchanged for an undeclared type.

    >>> tutorial_order((64, 3, 3, 3), "Conv2d"), tutorial_order((3, 3, 3, 64), "Conv2D")
    ((3, 64, 3, 3), (3, 64, 3, 3))
    >>> tutorial_order((512, 1152), "Linear"), tutorial_order((1152, 512), "Dense"), tutorial_order((64,), "Conv2d", "bias")
    ((1152, 512), (1152, 512), (64,))
    """
    declared = _declared(type_name, weight_name)
    return tuple(dims) if declared is None else declared.tutorial_order(dims)


def kernel_size(dims: tuple[int, ...], type_name: str, weight_name: str | None = None) -> tuple[int, ...] | None:
    """The spatial kernel of a conv weight, or ``None`` when the row's type declares none.

    >>> kernel_size((64, 3, 7, 7), "Conv2d"), kernel_size((3, 3, 1, 32), "Conv2D"), kernel_size((10, 512), "Linear")
    ((7, 7), (3, 3), None)
    """
    declared = _declared(type_name, weight_name)
    return None if declared is None else declared.kernel(dims)


def _declared(type_name: str, weight_name: str | None):
    """The declared weight; a name the class does not declare reads as its main weight."""
    return (weight_name and declared_weight(type_name, weight_name)) or declared_weight(type_name)
