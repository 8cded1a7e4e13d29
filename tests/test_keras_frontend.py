"""The Keras front end: real Keras 3 models (torch backend) read into the summary record."""

from __future__ import annotations

import random

import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

import convlens  # noqa: E402
from convlens import zoo  # noqa: E402
from convlens.frontends.keras import KerasModelError, summary  # noqa: E402


def test_the_tutorial_keras_summary_totals():
    m = zoo.build("keras-tutorial-cnn-keras")
    s = convlens.summary(m)
    assert s.framework == "keras"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (264_562, 264_262, 300)
    assert [r.params for r in s.layers] == [750, 300, 0, 33_800, 0, 200, 0, 11_275, 100, 0, 0, 205_312, 0, 12_825]
    assert [r.output_shape for r in s.layers] == [tuple(l.output.shape) for l in m.layers]
    assert s.input_shapes == ((None, 28, 28, 1),) and s.output_shapes == ((None, 25),)
    assert not s.errors


def test_functional_model_with_a_residual_add():
    inp = keras.Input((32, 32, 3))
    x = layers.Conv2D(16, 3, padding="same", name="stem")(inp)
    y = layers.Conv2D(16, 3, padding="same", activation="relu", name="branch")(x)
    z = layers.Add(name="add")([x, y])
    z = layers.GlobalAveragePooling2D()(z)
    out = layers.Dense(10)(z)
    m = keras.Model(inp, out)
    s = summary(m)
    add = next(r for r in s.layers if r.name == "add")
    assert add.input_shapes == ((None, 32, 32, 16), (None, 32, 32, 16))
    assert s.total_params == m.count_params() and not s.errors
    assert s.total_macs == 32 * 32 * 16 * 27 + 32 * 32 * 16 * 16 * 9 + 16 * 10


def _random_sequential(rng: random.Random):
    size = rng.choice([8, 15, 28, 32])
    model = [keras.Input((size, size, rng.choice([1, 3])))]
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["conv", "sep", "dw", "pool", "bn", "pad"])
        pad = rng.choice(["same", "valid"])
        if kind == "conv":
            model.append(layers.Conv2D(rng.choice([4, 8]), rng.choice([1, 3, 5]), strides=rng.choice([1, 2]), padding=pad, use_bias=rng.random() < 0.5))
        elif kind == "sep":
            model.append(layers.SeparableConv2D(rng.choice([4, 8]), 3, padding=pad, depth_multiplier=rng.choice([1, 2])))
        elif kind == "dw":
            model.append(layers.DepthwiseConv2D(3, strides=rng.choice([1, 2]), padding=pad))
        elif kind == "pool":
            model.append(rng.choice([layers.MaxPooling2D, layers.AveragePooling2D])(rng.choice([2, 3]), padding=pad))
        elif kind == "bn":
            model.append(layers.BatchNormalization())
        else:
            model.append(layers.ZeroPadding2D(rng.choice([1, (1, 2)])))
    model += [layers.Flatten(), layers.Dense(rng.choice([5, 10]), activation="softmax")]
    return keras.Sequential(model)


def test_random_sequential_models_agree_with_keras():
    rng = random.Random(7)
    checked = 0
    for _ in range(40):
        try:
            m = _random_sequential(rng)
        except ValueError:  # Keras itself refuses (e.g. a valid 5x5 conv on a map smaller than 5)
            continue
        s = summary(m)
        assert not [d for d in s.diagnostics if d.code == "core-disagrees"], [d.message for d in s.diagnostics]
        assert s.total_params == m.count_params()
        checked += 1
    assert checked >= 25


def test_layers_convlens_does_not_model_are_named():
    m = keras.Sequential([keras.Input((10, 4)), layers.LSTM(8), layers.Dense(2)])
    with pytest.raises(KerasModelError, match=r"does not model yet: lstm \(LSTM\)"):
        summary(m)


def test_cli_summary_of_the_keras_zoo_entry(capsys):
    from convlens.cli import main

    assert main(["summary", "zoo:keras-tutorial-cnn-keras"]) == 0
    out = capsys.readouterr().out
    assert "Framework: Keras" in out and "264,562" in out and "(None, 28, 28, 75)" in out
