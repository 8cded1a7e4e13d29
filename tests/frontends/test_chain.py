"""frontends.chain: layer calls as written in PyTorch/Keras code, read without running them."""

from fractions import Fraction

import pytest

from convlens.core import LAYERS, LayerError, calc
from convlens.core.network import NetworkError
from convlens.frontends.build import summary_of_failure, summary_of_layer
from convlens.frontends.chain import ParseError, chain_summary, parse_call, parse_layer, parse_value
from convlens.record import Summary


def needs(*names):
    missing = [n for n in names if not any(alt in LAYERS for alt in n.split("|"))]  # "add|Add": either will do
    return pytest.mark.skipif(bool(missing), reason=f"core layers not yet available: {missing}")


@pytest.mark.parametrize(
    "text, name, args, kwargs, target",
    [
        ("Conv2d(1, 32, 3, padding=1)", "Conv2d", (1, 32, 3), {"padding": 1}, None),
        ("nn.Conv2d(1, 32, kernel_size=3)", "Conv2d", (1, 32), {"kernel_size": 3}, None),
        ("torch.nn.MaxPool2d(2)", "MaxPool2d", (2,), {}, None),
        ("Linear(128*3*3, 512)", "Linear", (1152, 512), {}, None),
        ("Linear(2**10 + 64 // 2 - 1 % 1, 10)", "Linear", (1056, 10), {}, None),
        ("self.fc1 = nn.Linear(1152, 512),", "Linear", (1152, 512), {}, "fc1"),
        ("Conv2d(out_channels=32, kernel_size=(3, 5), bias=False)", "Conv2d", (), {"out_channels": 32, "kernel_size": (3, 5), "bias": False}, None),
        ("layers.Conv2D(75, (3,3), padding='same', activation='relu', input_shape=(28,28,1))", "Conv2D", (75, (3, 3)),
         {"padding": "same", "activation": "relu", "input_shape": (28, 28, 1)}, None),
        ("model.add(layers.MaxPooling2D((2, 2)))", "MaxPooling2D", ((2, 2),), {}, None),
        ("ZeroPad2d((1, -2, 0, 0))", "ZeroPad2d", ((1, -2, 0, 0),), {}, None),
    ],
)
def test_parse_call(text, name, args, kwargs, target):
    c = parse_call(text)
    assert (c.name, c.args, dict(c.kwargs), c.target) == (name, args, kwargs, target)


@pytest.mark.parametrize(
    "text, message",
    [
        ("Conv2d(1, 32", "not valid Python"),
        ("Conv2d(c, 32, 3)", "'c' is a variable"),
        ("Linear(256/2, 10)", "use '//'"),
        ("Conv2d(1, 32, 3, **opts)", r"\*\*kwargs"),
        ("ReLU", "with brackets"),
        ("Conv2d(1, __import__('os').getpid(), 3)", "cannot be read"),
        ("Linear(2**1000, 1)", "exponent 1000"),
        ("Linear(4 // 0, 1)", "division by zero"),
        ("", "empty"),
        ("Conv2d(1, 2, 3); ReLU()", "one layer call per argument"),
    ],
)
def test_parse_mistakes(text, message):
    with pytest.raises(ParseError, match=message):
        parse_call(text)


def test_parse_value():
    assert parse_value("3") == 3
    assert parse_value("3,5") == (3, 5)
    assert parse_value("same") == "same" and parse_value("'same'") == "same"
    assert parse_value("false") is False and parse_value("True") is True and parse_value("none") is None
    assert parse_value("128*3*3") == 1152


def test_keras_input_shape_gets_a_none_batch():
    p = parse_layer("layers.Conv2D(75, (3,3), padding='same', activation='relu', input_shape=(28,28,1))")
    assert p.input_shape == (None, 28, 28, 1)
    s = chain_summary(["layers.Conv2D(75, (3,3), padding='same', activation='relu', input_shape=(28,28,1))", "layers.MaxPooling2D((2,2))"])
    assert s.input_shapes == ((None, 28, 28, 1),)
    assert [r.output_shape for r in s.layers] == [(None, 28, 28, 75), (None, 14, 14, 75)]
    assert s.layers[0].params == 750  # reference 002's Keras summary


def test_keras_cli_shape_without_batch():
    s = chain_summary(["Conv2D(32, 3)"], (28, 28, 1))
    assert s.input_shapes == ((None, 28, 28, 1),) and s.layers[0].output_shape == (None, 26, 26, 32)
    assert any("no batch dimension" in n for n in s.notes)


def test_torch_unbatched_input_gets_batch_1():
    s = chain_summary(["Conv2d(1, 32, 3, padding=1)", "MaxPool2d(2)"], (1, 28, 28))
    assert s.input_shapes == ((1, 1, 28, 28),)
    assert s.output_shapes == ((1, 32, 14, 14),)


def test_in_channels_left_out():
    s = chain_summary(["Conv2d(out_channels=32, kernel_size=3)"], (1, 3, 32, 32))
    assert s.layers[0].output_shape == (1, 32, 30, 30) and s.layers[0].params == 32 * 27 + 32


def test_summary_rows_carry_everything():
    s = chain_summary(["self.c1 = Conv2d(1, 20, 5, padding=2)", "MaxPool2d(2)"], (16, 1, 28, 28))
    assert isinstance(s, Summary) and s.framework == "core"
    c1, pool = s.layers
    assert c1.name == "c1" and pool.name == "1"
    assert [w.shape for w in c1.weights] == [(20, 1, 5, 5), (20,)]
    assert c1.macs == 6_272_000 and c1.code == "self.c1 = Conv2d(1, 20, 5, padding=2)"
    assert c1.calculation[0].startswith("H_out = ")
    assert pool.receptive_field == {"size": [6, 6], "jump": [2, 2], "start": [Fraction(1, 2)] * 2, "global": False}
    assert s.total_params == 520 and s.total_macs == 6_272_000
    assert s.receptive_field["size"] == [6, 6]
    assert s.to_dict()["layers"][0]["params"] == 520


def test_summary_of_layer():
    s = summary_of_layer(calc("Conv2d", (16, 1, 28, 28), out_channels=20, kernel_size=5, padding=2))
    assert len(s.layers) == 1 and s.total_params == 520
    assert s.layers[0].receptive_field["size"] == [5, 5]


def test_failure_is_a_network_error_and_a_summary():
    texts = ["Conv2d(1, 32, 3)", "Conv2d(3, 64, 3)"]
    with pytest.raises(NetworkError, match=r"layer 1 \(Conv2d\): in_channels=3") as e:
        chain_summary(texts, (1, 1, 28, 28))
    s = summary_of_failure(e.value, (1, 1, 28, 28))
    assert s.failed and s.layers[-1].output_shape is None and s.errors[0].fix == "use in_channels=32"


@pytest.mark.parametrize("texts", [["Foo(1)"], ["conv2d(1, 2, 3)"], ["Conv2d(1, 2)"]])
def test_unknown_or_incomplete_layers_are_layer_errors(texts):
    with pytest.raises(LayerError):
        chain_summary(texts, (1, 1, 8, 8))


@needs("ReLU", "Flatten", "Linear", "add|Add")
def test_tutorial_chain():
    texts = ["Conv2d(1, 32, 3, padding=1)", "ReLU()", "MaxPool2d(2)", "Conv2d(32, 64, 3, padding=1)", "ReLU()", "MaxPool2d(2)",
             "Flatten()", "Linear(64*7*7, 128)", "ReLU()", "Linear(128, 10)"]
    s = chain_summary(texts, (1, 28, 28))
    assert s.output_shapes == ((1, 10),)
    assert s.total_params == 320 + 18496 + 3136 * 128 + 128 + 1290
