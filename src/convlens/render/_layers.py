"""What the report layer needs to know about a row's ``type``: one table, looked up by exact name.

The summary rows carry the framework's own class or op name (``"Conv2d"``, ``"Conv2D"``,
``"add"``). Two things in the reports depend on it: how a layer's weight dimensions are read
(PyTorch stores a conv weight ``(out, in, kH, kW)``, Keras a kernel ``(kH, kW, in, out)``), and
the plain-words description of the tutorial view. Unknown types fall back to shape-only rules.
"""

from __future__ import annotations

from enum import Enum


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


class Layout(Enum):
    """How a weight tensor's dimensions are stored, to read them as the tutorials write them:
    ``in × out × kernel`` (conv_params = input_ch × output_ch × kernel_w × kernel_h + bias)."""

    OUT_IN_K = "out_in_k"  # PyTorch ConvNd (out, in/groups, *k) and Linear (out, in)
    IN_OUT_K = "in_out_k"  # PyTorch ConvTransposeNd (in, out/groups, *k)
    K_IN_OUT = "k_in_out"  # Keras ConvND (*k, in, out), DepthwiseConv (*k, in, mult), Dense (in, out)
    K_OUT_IN = "k_out_in"  # Keras ConvNDTranspose (*k, out, in)


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

LAYOUTS: dict[str, Layout] = {
    **{f"Conv{n}": Layout.OUT_IN_K for n in _N},
    **{f"LazyConv{n}": Layout.OUT_IN_K for n in _N},
    "Linear": Layout.OUT_IN_K,
    "LazyLinear": Layout.OUT_IN_K,
    **{f"ConvTranspose{n}": Layout.IN_OUT_K for n in _N},
    **{f"LazyConvTranspose{n}": Layout.IN_OUT_K for n in _N},
    **{f"Conv{n}": Layout.K_IN_OUT for n in _ND},
    **{f"Convolution{n}": Layout.K_IN_OUT for n in _ND},
    "DepthwiseConv1D": Layout.K_IN_OUT,
    "DepthwiseConv2D": Layout.K_IN_OUT,
    "SeparableConv1D": Layout.K_IN_OUT,
    "SeparableConv2D": Layout.K_IN_OUT,
    "Dense": Layout.K_IN_OUT,
    **{f"Conv{n}Transpose": Layout.K_OUT_IN for n in _ND},
}


def kind(type_name: str) -> Kind:
    """The family of a row's type; ``Kind.OTHER`` when the type is not in the table."""
    return KINDS.get(type_name, Kind.OTHER)


def tutorial_order(dims: tuple[int, ...], type_name: str) -> tuple[int, ...]:
    """A weight's dimensions in the tutorials' order ``in, out, *kernel``.

    >>> tutorial_order((64, 3, 3, 3), "Conv2d"), tutorial_order((3, 3, 3, 64), "Conv2D")
    ((3, 64, 3, 3), (3, 64, 3, 3))
    >>> tutorial_order((512, 1152), "Linear"), tutorial_order((1152, 512), "Dense"), tutorial_order((64,), "Conv2d")
    ((1152, 512), (1152, 512), (64,))
    """
    dims = tuple(dims)
    layout = LAYOUTS.get(type_name)
    if layout is None or len(dims) < 2:
        return dims
    if layout is Layout.OUT_IN_K:
        return (dims[1], dims[0]) + dims[2:]
    if layout is Layout.K_IN_OUT:
        return (dims[-2], dims[-1]) + dims[:-2]
    if layout is Layout.K_OUT_IN:
        return (dims[-1], dims[-2]) + dims[:-2]
    return dims


def kernel_size(dims: tuple[int, ...], type_name: str) -> tuple[int, ...] | None:
    """The spatial kernel of a conv weight, or ``None`` when the row's type has no known layout.

    >>> kernel_size((64, 3, 7, 7), "Conv2d"), kernel_size((3, 3, 1, 32), "Conv2D"), kernel_size((10, 512), "Linear")
    ((7, 7), (3, 3), None)
    """
    layout = LAYOUTS.get(type_name)
    if layout is None or len(dims) < 3:
        return None
    return tuple(tutorial_order(tuple(dims), type_name)[2:])
