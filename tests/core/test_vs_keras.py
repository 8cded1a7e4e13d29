"""Core layer math against real Keras 3 layers (torch backend) over generated configurations.

Each configuration is built as the core layer and as the real ``keras.layers`` layer, called on a
symbolic ``keras.KerasTensor`` (batch ``None``), which runs Keras' own shape checks and builds the
weights. They must agree on raise-vs-not, output shape, weight names, shapes and trainability.
"""

from __future__ import annotations

import os
import random
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

from convlens.core import LayerError, layer  # noqa: E402


def core_result(name, args, kwargs, shape):
    try:
        return layer(name, *args, framework="keras", **kwargs).evaluate(shape), None
    except LayerError as exc:
        return None, exc


def keras_result(name, args, kwargs, shapes):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lay = getattr(keras.layers, name)(*args, **kwargs)
            if isinstance(shapes, list):
                y = lay([keras.KerasTensor(s) for s in shapes])
            else:
                y = lay(keras.KerasTensor(shapes))
    except (ValueError, TypeError, IndexError) as exc:
        return None, exc
    weights = [(w.path.split("/")[-1], tuple(w.shape), w.trainable) for w in lay.weights]
    return (tuple(y.shape), weights), None


def compare(name, args, kwargs, shape):
    ours, our_err = core_result(name, args, kwargs, shape)
    theirs, their_err = keras_result(name, args, kwargs, shape)
    where = f"{name}(*{args!r}, **{kwargs!r}) on {shape}"
    if theirs is None or ours is None:
        assert (theirs is None) == (ours is None), f"{where}: keras {'raised ' + repr(their_err) if their_err else 'ran'}, core {'raised ' + repr(our_err) if our_err else 'ran'}"
        return False
    out, weights = theirs
    assert ours.output_shape == out, f"{where}: output {ours.output_shape} != keras {out}"
    assert [(w.name, w.shape, w.trainable) for w in ours.weights] == weights, f"{where}: weights {ours.weights} != keras {weights}"
    return True


def sweep(gen, count, seed, min_ok=0.2):
    rng = random.Random(seed)
    ok = sum(compare(*gen(rng)) for _ in range(count))
    assert ok >= min_ok * count, f"only {ok}/{count} generated configurations were valid"


def pick(rng, n, lo, hi):
    return rng.randint(lo, hi) if rng.random() < 0.5 else tuple(rng.randint(lo, hi) for _ in range(n))


def _spatial_shape(rng, n, c, channels_first, lo=1, hi=9):
    spatial = tuple(rng.randint(lo, hi) for _ in range(n))
    return (None, c) + spatial if channels_first else (None,) + spatial + (c,)


def gen_keras_conv(rng):
    kind = rng.choice(("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"))
    n = {"Conv1D": 1, "Conv3D": 3}.get(kind, 2)
    cf = rng.random() < 0.25
    kw = {}
    if cf:
        kw["data_format"] = "channels_first"
    pads = ("valid", "same", "causal") if kind == "Conv1D" else ("valid", "same")
    kw["padding"] = rng.choice(pads) if rng.random() < 0.95 else "causal"
    if rng.random() < 0.5:
        kw["strides"] = pick(rng, n, 1, 3)
    if rng.random() < 0.3:
        kw["dilation_rate"] = pick(rng, n, 1, 3)
    if rng.random() < 0.3:
        kw["use_bias"] = False
    if rng.random() < 0.3:
        kw["activation"] = rng.choice(("relu", "linear", "softmax", None))
    c = rng.randint(1, 6)
    args = ()
    if kind in ("Conv1D", "Conv2D", "Conv3D"):
        groups = rng.choice((1, 1, 2, 3))
        if groups > 1:
            kw["groups"] = groups
        args = (groups * rng.randint(1, 3) if rng.random() < 0.9 else rng.randint(1, 5), pick(rng, n, 1, 4))
    elif kind == "DepthwiseConv2D":
        args = (pick(rng, n, 1, 4),)
        if rng.random() < 0.5:
            kw["depth_multiplier"] = rng.randint(1, 3)
    elif kind == "SeparableConv2D":
        args = (rng.randint(1, 5), pick(rng, n, 1, 4))
        if rng.random() < 0.5:
            kw["depth_multiplier"] = rng.randint(1, 3)
    else:
        args = (rng.randint(1, 5), pick(rng, n, 1, 4))
        if rng.random() < 0.4:
            kw["output_padding"] = pick(rng, n, 0, 2)
    shape = _spatial_shape(rng, n, c, cf, hi=9 if n < 3 else 5)
    return kind, args, kw, shape


def test_conv_vs_keras():
    sweep(gen_keras_conv, 2000, 11)


def gen_keras_pool(rng):
    kind = rng.choice(("MaxPooling", "AveragePooling", "GlobalAveragePooling", "GlobalMaxPooling"))
    n = rng.choice((1, 2, 2, 3))
    name = f"{kind}{n}D"
    cf = rng.random() < 0.25
    kw = {"data_format": "channels_first"} if cf else {}
    args = ()
    if kind.startswith("Global"):
        if rng.random() < 0.5:
            kw["keepdims"] = True
    else:
        args = (pick(rng, n, 1, 4),)
        if rng.random() < 0.6:
            kw["strides"] = pick(rng, n, 1, 3)
        kw["padding"] = rng.choice(("valid", "same"))
    shape = _spatial_shape(rng, n, rng.randint(1, 4), cf, hi=9 if n < 3 else 5)
    return name, args, kw, shape


def test_pool_vs_keras():
    sweep(gen_keras_pool, 1000, 12)


def gen_keras_misc(rng):
    kind = rng.choice(("Dense", "BatchNormalization", "Flatten", "ZeroPadding2D", "Activation", "Dropout"))
    rank = rng.randint(1, 4)
    shape = (None,) + tuple(rng.randint(1, 5) for _ in range(rank - 1))
    if kind == "Dense":
        kw = {"use_bias": False} if rng.random() < 0.3 else {}
        return kind, (rng.randint(1, 6),), kw, shape
    if kind == "BatchNormalization":
        kw = {"axis": rng.randint(-4, 3)}
        if rng.random() < 0.3:
            kw["center"] = False
        if rng.random() < 0.3:
            kw["scale"] = False
        return kind, (), kw, shape
    if kind == "ZeroPadding2D":
        p = rng.choice((1, (1, 2), ((0, 1), (2, 3))))
        kw = {"data_format": "channels_first"} if rng.random() < 0.3 else {}
        return kind, (p,), kw, (None,) + tuple(rng.randint(1, 5) for _ in range(3 if rng.random() < 0.9 else 2))
    if kind == "Activation":
        return kind, (rng.choice(("relu", "gelu", "linear", "softmax", "tanh")),), {}, shape
    if kind == "Dropout":
        return kind, (rng.choice((0.0, 0.5, 1.0)),), {}, shape
    return kind, (), {}, shape


def test_misc_vs_keras():
    sweep(gen_keras_misc, 1000, 13)


def gen_keras_merge(rng):
    kind = rng.choice(("Add", "Concatenate"))
    rank = rng.randint(2, 4)
    a = (None,) + tuple(rng.randint(1, 4) for _ in range(rank - 1))
    b = tuple(x if (x is None or rng.random() < 0.75) else rng.randint(1, 4) for x in a)
    kw = {"axis": rng.randint(-rank, rank - 1)} if kind == "Concatenate" and rng.random() < 0.6 else {}
    if kind == "Concatenate" and rng.random() < 0.5:
        ax = kw.get("axis", -1) % rank
        if ax:
            b = b[:ax] + (rng.randint(1, 5),) + b[ax + 1:]
    return kind, (), kw, [a, b]


def test_merge_vs_keras():
    sweep(gen_keras_merge, 1000, 14)
