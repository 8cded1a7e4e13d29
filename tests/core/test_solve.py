"""core.solve: every answer is checked by the layer itself, and the expected ones are found."""

import pytest

from convlens.core import LayerError, calc
from convlens.core.solve import solve


@pytest.mark.parametrize(
    "layer, size, out, kwargs, expected",
    [
        ("Conv2d", 224, 112, {"kernel_size": 7}, {"kernel_size": 7, "stride": 2, "padding": 3}),
        ("Conv2d", 224, 112, {}, {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("Conv2d", 28, 28, {"kernel_size": 5}, {"kernel_size": 5, "padding": 2}),
        ("Conv2d", 32, 28, {}, {"kernel_size": 5}),
        ("MaxPool2d", 28, 14, {}, {"kernel_size": 2, "stride": 2}),
        ("MaxPool2d", 7, 3, {"kernel_size": 2}, {"kernel_size": 2, "stride": 2}),
        ("ConvTranspose2d", 7, 14, {"kernel_size": 3}, {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}),
        ("ConvTranspose2d", 7, 14, {"kernel_size": 4}, {"kernel_size": 4, "stride": 2, "padding": 1}),
        ("Conv2D", 28, 14, {"kernel_size": 3}, {"kernel_size": 3, "strides": 2, "padding": "same"}),
        ("MaxPooling2D", 28, 14, {}, {"pool_size": 2, "strides": 2}),
    ],
)
def test_expected_answer_is_found(layer, size, out, kwargs, expected):
    r = solve(layer, size, out, **kwargs)
    assert expected in [dict(s.args) for s in r.solutions]


@pytest.mark.parametrize("layer, size, out", [("Conv2d", 224, 112), ("MaxPool2d", 28, 14), ("ConvTranspose2d", 7, 14), ("Conv2D", 28, 14), ("AvgPool2d", 13, 6)])
def test_every_answer_evaluates_to_the_wanted_size(layer, size, out):
    r = solve(layer, size, out)
    assert r.solutions
    keras = layer[-1] == "D"
    shape = (1, size, size, 1) if keras else (1, 1, size, size)
    for s in r.solutions:
        extra = {"filters": 1} if layer in ("Conv2D",) else ({"out_channels": 1} if "Conv" in layer else {})
        got = calc(layer, shape, **extra, **dict(s.args)).output_shape
        assert (got[1:3] if keras else got[2:]) == (out, out), s.call()
        assert s.kernel_size <= 11 and s.stride <= 4 and s.dilation <= 3


def test_simplest_first():
    sols = solve("Conv2d", 224, 112).solutions
    keys = [(s.dilation != 1, s.kernel_size, s.stride, s.padding) for s in sols]
    assert keys == sorted(keys)
    assert sols[0].dilation == 1 and sols[0].kernel_size == 1


def test_same_with_odd_and_even_kernels():
    assert [s.padding for s in solve("Conv2d", 28, same=True, kernel_size=3).solutions] == [1]
    r = solve("Conv2d", 28, same=True, kernel_size=4)
    assert r.solutions == ()
    assert "padding='same'" in r.notes[0] and "ZeroPad2d((1, 2, 1, 2))" in r.notes[0]
    assert [s.kernel_size for s in solve("Conv2d", 28, same=True).solutions] == [1, 3, 5, 7, 9, 11]


def test_no_answer_says_why():
    r = solve("Conv2d", 28, 300)
    assert r.solutions == () and "transposed convolution" in r.notes[0]


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (("Conv2D", 28, 14), {"same": True}, "keeps the size"),
        (("Conv2d", 0, 14), {}, "input size must be a positive int"),
        (("Conv2d", 28), {}, "give the output size"),
        (("Nope", 28, 14), {}, "unknown layer"),
    ],
)
def test_mistakes(args, kwargs, message):
    with pytest.raises(LayerError, match=message):
        solve(*args, **kwargs)
