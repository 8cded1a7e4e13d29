"""Table-driven cases: the numbers the tutorials print (Keras summary of the sign-language CNN,
PyTorch's LeNet-style conv, VGG and ResNet layers), one row per case."""

from __future__ import annotations

import pytest

from convlens.core import LayerError, layer

# (name, args, kwargs, input shape, output shape, params, non-trainable params)
CASES = [
    # PyTorch tutorial: Conv2d(1, 20, 5, padding=2) keeps 28×28
    ("Conv2d", (1, 20, 5), {"padding": 2}, (16, 1, 28, 28), (16, 20, 28, 28), 520, 0),
    # Keras summary of the ASL CNN
    ("Conv2D", (75, (3, 3)), {"strides": 1, "padding": "same", "activation": "relu"}, (None, 28, 28, 1), (None, 28, 28, 75), 750, 0),
    ("BatchNormalization", (), {}, (None, 28, 28, 75), (None, 28, 28, 75), 300, 150),
    ("MaxPooling2D", ((2, 2),), {"strides": 2, "padding": "same"}, (None, 28, 28, 75), (None, 14, 14, 75), 0, 0),
    ("Conv2D", (50, (3, 3)), {"padding": "same", "activation": "relu"}, (None, 14, 14, 75), (None, 14, 14, 50), 33_800, 0),
    ("Dropout", (0.2,), {}, (None, 14, 14, 50), (None, 14, 14, 50), 0, 0),
    ("Conv2D", (25, (3, 3)), {"padding": "same", "activation": "relu"}, (None, 7, 7, 50), (None, 7, 7, 25), 11_275, 0),
    ("BatchNormalization", (), {}, (None, 7, 7, 25), (None, 7, 7, 25), 100, 50),
    ("MaxPooling2D", ((2, 2),), {"strides": 2, "padding": "same"}, (None, 7, 7, 25), (None, 4, 4, 25), 0, 0),
    ("Flatten", (), {}, (None, 4, 4, 25), (None, 400), 0, 0),
    ("Dense", (512,), {"activation": "relu"}, (None, 400), (None, 512), 205_312, 0),
    ("Dense", (25,), {"activation": "softmax"}, (None, 512), (None, 25), 12_825, 0),
    # VGG-16 blocks
    ("Conv2d", (3, 64, 3), {"padding": 1}, (1, 3, 224, 224), (1, 64, 224, 224), 1_792, 0),
    ("Conv2d", (64, 64, 3), {"padding": 1}, (1, 64, 224, 224), (1, 64, 224, 224), 36_928, 0),
    ("Conv2d", (64, 128, 3), {"padding": 1}, (1, 64, 112, 112), (1, 128, 112, 112), 73_856, 0),
    ("Conv2d", (128, 128, 3), {"padding": 1}, (1, 128, 112, 112), (1, 128, 112, 112), 147_584, 0),
    ("MaxPool2d", (2, 2), {}, (1, 64, 224, 224), (1, 64, 112, 112), 0, 0),
    # ResNet stem and bottleneck 1×1 convolutions
    ("Conv2d", (3, 64, 7), {"stride": 2, "padding": 3}, (1, 3, 224, 224), (1, 64, 112, 112), 9_472, 0),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1}, (1, 64, 112, 112), (1, 64, 56, 56), 0, 0),
    ("Conv2d", (64, 64, 1), {}, (1, 64, 56, 56), (1, 64, 56, 56), 4_160, 0),
    ("Conv2d", (128, 64, 1), {}, (1, 128, 28, 28), (1, 64, 28, 28), 8_256, 0),
    ("Conv2d", (64, 128, 1), {}, (1, 64, 28, 28), (1, 128, 28, 28), 8_320, 0),
    ("BatchNorm2d", (64,), {}, (1, 64, 56, 56), (1, 64, 56, 56), 128, 0),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (1, 2048, 7, 7), (1, 2048, 1, 1), 0, 0),
    ("Linear", (2048, 1000), {}, (1, 2048), (1, 1000), 2_049_000, 0),
]


@pytest.mark.parametrize("name, args, kwargs, shape, out, params, non_trainable", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_tutorial_numbers(name, args, kwargs, shape, out, params, non_trainable):
    framework = "keras" if shape[0] is None else "torch"
    r = layer(name, *args, framework=framework, **kwargs).evaluate(shape)
    assert r.output_shape == out
    assert r.params == params
    assert r.non_trainable_params == non_trainable
    assert r.calculation()  # the worked calculation renders


def test_worked_calculation_lines():
    r = layer("Conv2d", 1, 20, 5, padding=2).evaluate((1, 1, 28, 28))
    assert "H_out = ⌊(28 + 2·2 − 1·(5−1) − 1) / 1⌋ + 1 = 28" in r.calculation()
    assert "params = 20 × (1 × 5 × 5) + 20 = 520" in r.calculation()


@pytest.mark.parametrize("name, args, kwargs, shape, out", [
    ("MaxPool2d", (2,), {"ceil_mode": True}, (1, 1, 7, 7), (1, 1, 4, 4)),
    ("MaxPool2d", (2,), {"stride": 2, "padding": 1, "ceil_mode": True}, (1, 1, 5, 5), (1, 1, 3, 3)),  # last window would start in the right padding
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1}, (1, 1, 7, 7), (1, 1, 4, 4)),
    ("MaxPool2d", (3,), {"stride": 1, "dilation": 2}, (1, 1, 9, 9), (1, 1, 5, 5)),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, (1, 8, 10, 9), (1, 8, 10, 3)),
    ("AveragePooling2D", (2,), {}, (None, 7, 7, 8), (None, 3, 3, 8)),
    ("GlobalAveragePooling2D", (), {"keepdims": True}, (None, 7, 7, 8), (None, 1, 1, 8)),
    ("Conv1D", (8, 3), {"padding": "causal", "dilation_rate": 2}, (None, 20, 4), (None, 20, 8)),
    ("Conv2DTranspose", (8, 3), {"strides": 2}, (None, 7, 7, 4), (None, 15, 15, 8)),
    ("Conv2DTranspose", (8, 4), {"strides": 2, "padding": "same", "output_padding": 1}, (None, 7, 7, 4), (None, 13, 13, 8)),  # (7−1)·2 + 4 mod 2 + 1
    ("ConvTranspose2d", (16, 8, 4), {"stride": 2, "padding": 1}, (1, 16, 7, 7), (1, 8, 14, 14)),
    ("Upsample", (), {"scale_factor": 1.5}, (1, 3, 7, 7), (1, 3, 10, 10)),
    ("PixelShuffle", (2,), {}, (1, 12, 8, 8), (1, 3, 16, 16)),
    ("ZeroPad2d", ((1, 0, 2, 0),), {}, (1, 3, 4, 4), (1, 3, 6, 5)),
    ("Unflatten", (1, (-1, 4)), {}, (2, 12), (2, 3, 4)),
    ("Embedding", (100, 16), {}, (4, 10), (4, 10, 16)),
])
def test_shapes(name, args, kwargs, shape, out):
    framework = "keras" if shape[0] is None else "torch"
    assert layer(name, *args, framework=framework, **kwargs).evaluate(shape).output_shape == out


@pytest.mark.parametrize("name, args, kwargs, shape, expect", [
    ("add", (), {}, [(1, 64, 14, 14), (1, 64, 7, 7)], "add: shapes (1, 64, 14, 14) and (1, 64, 7, 7) differ in dims 2,3"),
    ("Conv2d", (3, 8, 5), {}, (1, 3, 3, 3), "kernel 5×5 (dilated 5×5) is larger than the padded input 3×3"),
    ("MaxPool2d", (4,), {"padding": 3}, (1, 1, 8, 8), "padding=3×3 must be at most half the kernel_size=4×4"),
    ("GroupNorm", (3, 8), {}, (1, 8, 4, 4), "num_channels=8 is not divisible by num_groups=3"),
    ("Linear", (400, 10), {}, (1, 300), "in_features=400 but the input (1, 300) ends in 300"),
    ("Concatenate", (), {}, [(None, 4, 4, 8), (None, 2, 4, 8)], "differ in dims 1"),
])
def test_errors_name_layer_argument_and_values(name, args, kwargs, shape, expect):
    framework = "keras" if isinstance(shape, list) and shape[0][0] is None or (not isinstance(shape, list) and shape[0] is None) else "torch"
    with pytest.raises(LayerError) as info:
        layer(name, *args, framework=framework, **kwargs).evaluate(shape)
    assert expect in str(info.value)


def test_costs_follow_convention():
    conv = layer("Conv2d", 1, 20, 5, padding=2).evaluate((16, 1, 28, 28))
    assert conv.macs == 6_272_000 and conv.flops == 2 * 6_272_000 + 16 * 20 * 28 * 28
    lin = layer("Linear", 400, 512).evaluate((3, 7, 400))
    assert lin.macs == 21 * 400 * 512
    dense = layer("Dense", 512, activation="relu").evaluate((None, 400))
    assert dense.flops == 2 * 400 * 512 + 2 * 512  # bias + activation
    sep = layer("SeparableConv2D", 64, 3, padding="same").evaluate((None, 56, 56, 32))
    assert sep.macs == 56 * 56 * (32 * 9 + 32 * 64)
    assert layer("ReLU").evaluate((1, 8, 4, 4)).flops == 128
    assert layer("Dropout", 0.5).evaluate((1, 8)).flops == 0
    assert layer("cat", dim=1).evaluate([(1, 8, 4, 4), (1, 8, 4, 4)]).flops == 0


def test_receptive_field_steps():
    assert layer("Conv2d", 1, 1, 3, padding=1, dilation=2).evaluate((1, 1, 9, 9)).receptive_field.kernel == (5, 5)
    assert layer("AdaptiveAvgPool2d", 1).evaluate((1, 8, 7, 7)).receptive_field.is_global
    assert layer("Flatten").evaluate((1, 8, 7, 7)).receptive_field.is_global
    assert layer("ReLU").evaluate((1, 8, 7, 7)).receptive_field is None
    assert layer("MaxPooling2D", 2, padding="same", framework="keras").evaluate((None, 7, 7, 1)).receptive_field.padding == (0, 0)


def test_warnings():
    w = layer("MaxPool2d", 2).evaluate((1, 64, 7, 7)).warnings
    assert any("7 → 3" in x for x in w)
    assert any("stride 3 is larger than the kernel 2" in x for x in layer("MaxPool2d", 2, stride=3).evaluate((1, 1, 8, 8)).warnings)


def test_keras_aliases_and_ignored_arguments():
    assert layer("Flatten", framework="keras").evaluate((None, 2, 3)).output_shape == (None, 6)
    assert layer("Flatten").evaluate((4, 2, 3, 5)).output_shape == (4, 30)
    assert layer("Conv2D", 8, 3, kernel_initializer="he_normal", name="c1").evaluate((None, 8, 8, 3)).params == 224
