"""The core's Keras layers added for ``keras.applications`` against the real Keras layers.

Generated configurations, including ones Keras refuses: the core and Keras must agree on
raise-vs-not, the output shape and every weight's name, shape and trainability (the method of
``tests/core/test_vs_keras.py``). ``LayerScale`` and ``CustomScaleLayer`` are not in
``keras.layers``; they are taken from the ``keras.applications`` modules that define them.
"""

from __future__ import annotations

import importlib
import random
import re
import warnings

import pytest

keras = pytest.importorskip("keras")

from convlens.core import LAYERS, LayerError, layer  # noqa: E402

CUSTOM = {"LayerScale": "keras.src.applications.convnext", "CustomScaleLayer": "keras.src.applications.inception_resnet_v2"}


def keras_class(name):
    return getattr(importlib.import_module(CUSTOM[name]), name) if name in CUSTOM else getattr(keras.layers, name)


def compare(name, args, kwargs, shape):
    where = f"{name}(*{args!r}, **{kwargs!r}) on {shape}"
    try:
        core = (LAYERS[name](*args, **kwargs) if name in CUSTOM else layer(name, *args, framework="keras", **kwargs)).evaluate(shape)
        core_err = None
    except LayerError as exc:
        core, core_err = None, exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lay = keras_class(name)(*args, **kwargs)
            y = lay([keras.KerasTensor(s) for s in shape] if isinstance(shape, list) else keras.KerasTensor(shape))
        # an unnamed variable of a custom layer is 'variable', 'variable_2', ... in the order Keras made them
        names = [re.sub(r"^variable_\d+$", "variable", w.path.split("/")[-1]) for w in lay.weights]
        theirs, their_err = (tuple(y.shape), [(n, tuple(w.shape), w.trainable) for n, w in zip(names, lay.weights)]), None
    except (ValueError, TypeError, IndexError, RuntimeError) as exc:  # RuntimeError: Keras could not infer the output of a custom layer
        theirs, their_err = None, exc
    if core is None or theirs is None:
        assert (core is None) == (theirs is None), f"{where}: keras {'raised ' + repr(their_err) if their_err else 'ran'}, core {'raised ' + repr(core_err) if core_err else 'ran'}"
        return False
    assert core.output_shape == theirs[0], f"{where}: output {core.output_shape} != keras {theirs[0]}"
    assert [(w.name, w.shape, w.trainable) for w in core.weights] == theirs[1], f"{where}: weights {core.weights} != keras {theirs[1]}"
    return True


def sweep(gen, count, seed, min_ok=0.3):
    rng = random.Random(seed)
    ok = sum(compare(*gen(rng)) for _ in range(count))
    assert ok >= min_ok * count, f"only {ok}/{count} generated configurations were valid"


def _shape(rng, rank, lo=1, hi=6):
    return (None,) + tuple(rng.randint(lo, hi) for _ in range(rank - 1))


def gen_activation(rng):
    kind = rng.choice(("ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU"))
    shape = _shape(rng, rng.randint(2, 4))
    kw = {}
    if kind == "ReLU":
        if rng.random() < 0.5:
            kw["max_value"] = rng.choice((6.0, 1.0, -1.0))
        if rng.random() < 0.3:
            kw["negative_slope"] = rng.choice((0.1, -0.2))
    elif kind == "Softmax" and rng.random() < 0.5:
        kw["axis"] = rng.randint(-len(shape) - 1, len(shape))
    elif kind == "PReLU" and rng.random() < 0.6:
        kw["shared_axes"] = tuple(sorted(rng.sample(range(1, len(shape) + 1), rng.randint(1, 2))))
    return kind, (), kw, shape


def test_activations_vs_keras():
    sweep(gen_activation, 300, 21)


def gen_scaling(rng):
    kind = rng.choice(("Rescaling", "Normalization", "LayerNormalization"))
    rank = rng.randint(2, 4)
    shape = _shape(rng, rank)
    if kind == "Rescaling":
        return kind, (rng.choice((1 / 255, 2.0)),), {"offset": rng.choice((0.0, -1.0))}, shape
    if kind == "Normalization":
        axis = rng.choice((-1, 1, rank, None, (1, -1), -rank - 1))
        kw = {"axis": axis}
        if rng.random() < 0.3:
            kw.update(mean=0.5, variance=0.25)
        return kind, (), kw, shape
    kw = {"axis": rng.choice((-1, 1, (1, 2), rank))}
    for flag in ("center", "scale", "rms_scaling"):
        if rng.random() < 0.3:
            kw[flag] = not {"center": True, "scale": True, "rms_scaling": False}[flag]
    return kind, (), kw, shape


def test_scaling_and_layer_normalization_vs_keras():
    sweep(gen_scaling, 300, 22)


def gen_reshape(rng):
    shape = _shape(rng, rng.randint(2, 4), 1, 4)
    n = 1
    for d in shape[1:]:
        n *= d
    if rng.random() < 0.5:
        target = rng.choice(((n,), (-1,), (1, n), (n, -1), (2, -1), (3, 3), (-1, -1)))
        return "Reshape", (target,), {}, shape
    dims = list(range(1, len(shape)))
    rng.shuffle(dims)
    if rng.random() < 0.15:
        dims = dims + [len(shape)]
    return "Permute", (tuple(dims),), {}, shape


def test_reshape_and_permute_vs_keras():
    sweep(gen_reshape, 300, 23)


def gen_merge(rng):
    kind = rng.choice(("Multiply", "Subtract", "Average", "Maximum", "Minimum", "CustomScaleLayer"))
    a = _shape(rng, rng.randint(2, 4), 1, 4)
    b = tuple(d if d is None or rng.random() < 0.7 else rng.choice((1, rng.randint(1, 4))) for d in a)
    shapes = [a, b] + ([a] if rng.random() < 0.2 and kind != "CustomScaleLayer" else [])  # CustomScaleLayer reads inputs[0] and inputs[1]
    return kind, ((0.17,) if kind == "CustomScaleLayer" else ()), {}, shapes


def test_merges_vs_keras():
    sweep(gen_merge, 300, 24)


def gen_resample(rng):
    kind = rng.choice(("Cropping", "UpSampling"))
    n = rng.choice((1, 2, 2, 3))
    cf = n > 1 and rng.random() < 0.25
    kw = {"data_format": "channels_first"} if cf else {}
    spatial = tuple(rng.randint(1, 6) for _ in range(n))
    shape = (None, 2) + spatial if cf else (None,) + spatial + (2,)
    if kind == "Cropping":
        arg = rng.choice((1, (1, 2), tuple((rng.randint(0, 2), rng.randint(0, 2)) for _ in range(n)))) if n > 1 else rng.choice((1, (0, 2), (2, 3)))
        return f"Cropping{n}D", (arg,), kw, shape
    if n == 2 and rng.random() < 0.3:
        kw["interpolation"] = "bilinear"
    return f"UpSampling{n}D", (rng.choice((2, 3)) if rng.random() < 0.5 else tuple(rng.randint(1, 3) for _ in range(n)),), kw, shape


def test_cropping_and_upsampling_vs_keras():
    sweep(gen_resample, 400, 25)


def gen_misc(rng):
    kind = rng.choice(("Embedding", "Conv1DTranspose", "Conv3DTranspose", "LayerScale"))
    if kind == "Embedding":
        return kind, (rng.randint(1, 50), rng.randint(1, 8)), {}, _shape(rng, rng.randint(2, 3))
    if kind == "LayerScale":
        shape = _shape(rng, rng.randint(2, 4))
        return kind, (1e-6, rng.choice((shape[-1], shape[-1] + 1))), {}, shape
    n = 1 if kind == "Conv1DTranspose" else 3
    kw = {"padding": rng.choice(("valid", "same"))}
    if rng.random() < 0.5:
        kw["strides"] = rng.randint(1, 3)
    if rng.random() < 0.3:
        kw["use_bias"] = False
    return kind, (rng.randint(1, 4), rng.randint(1, 3)), kw, _shape(rng, n + 2, 1, 5)


def test_embedding_transposed_convs_and_layer_scale_vs_keras():
    sweep(gen_misc, 300, 26)


def test_a_keras_chain_reads_shared_names_as_the_keras_layers():
    from convlens.frontends.chain import chain_summary

    s = chain_summary(["Conv2D(32, 3, strides=2, input_shape=(32, 32, 3))", "ReLU(6.0)", "Softmax()", "GlobalAveragePooling2D(keepdims=True)", "Reshape((32,))", "Flatten()"])
    assert [r.type for r in s.layers] == ["Conv2D", "ReLU", "Softmax", "GlobalAveragePooling2D", "Reshape", "Flatten"]
    assert [r.output_shape for r in s.layers][-3:] == [(None, 1, 1, 32), (None, 32), (None, 32)]
    assert s.layers[1].code == "ReLU(6.0)" and s.layers[1].flops == 15 * 15 * 32
