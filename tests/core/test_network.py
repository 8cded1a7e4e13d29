"""core.network: shapes, totals and receptive fields of sequences and small graphs."""

from fractions import Fraction

import pytest

from convlens.core import LAYERS, LayerError, layer
from convlens.core.network import NetworkError, Node, evaluate, sequence
from convlens.core.receptive import merge
from convlens.core._base import ReceptiveField
from convlens.zoo.vgg_config import core_layers


def needs(*names):
    missing = [n for n in names if not any(alt in LAYERS for alt in n.split("|"))]  # "add|Add": either will do
    return pytest.mark.skipif(bool(missing), reason=f"core layers not yet available: {missing}")


def test_vgg16_pool5_receptive_field_is_212_with_jump_32():
    r = evaluate(core_layers("vgg16"), (1, 3, 224, 224))
    assert r.output_shape == (1, 512, 7, 7)
    assert r.receptive_field.size == (212, 212)
    assert r.receptive_field.jump == (32, 32)
    assert r.params == 14_714_688  # torchvision vgg16().features
    assert r.macs == 15_346_630_656


@pytest.mark.parametrize(
    "layers, shape, out, size, jump, start",
    [
        ([("Conv2d", (3, 8, 3), {"padding": 1})], (1, 3, 32, 32), (1, 8, 32, 32), (3, 3), (1, 1), (0, 0)),
        ([("Conv2d", (3, 8, 3), {})], (1, 3, 32, 32), (1, 8, 30, 30), (3, 3), (1, 1), (1, 1)),
        ([("Conv2d", (3, 8, 3), {"padding": 1}), ("MaxPool2d", (2,), {})], (1, 3, 32, 32), (1, 8, 16, 16), (4, 4), (2, 2), (Fraction(1, 2),) * 2),
        ([("Conv2d", (3, 64, 7), {"stride": 2, "padding": 3})], (1, 3, 224, 224), (1, 64, 112, 112), (7, 7), (2, 2), (0, 0)),
        ([("Conv2d", (1, 1, 3), {"dilation": 2})], (1, 1, 9, 9), (1, 1, 5, 5), (5, 5), (1, 1), (2, 2)),
    ],
)
def test_sequence_table(layers, shape, out, size, jump, start):
    r = evaluate(sequence(*(layer(n, *a, **k) for n, a, k in layers)), shape)
    assert r.output_shape == out
    assert (r.receptive_field.size, r.receptive_field.jump, r.receptive_field.start) == (size, jump, start)


def test_totals_add_up():
    nodes = [layer("Conv2d", 1, 20, 5, padding=2), layer("Conv2d", 20, 8, 3, bias=False)]
    r = evaluate(nodes, (16, 1, 28, 28))
    assert r.params == r.trainable_params == 520 + 8 * 20 * 9
    assert r.non_trainable_params == 0 and r.buffers == 0
    assert r.macs == sum(n.result.macs for n in r.nodes)
    assert r.flops == sum(n.result.flops for n in r.nodes)


def test_error_names_the_node_by_index_and_name():
    nodes = [Node(layer("Conv2d", 1, 32, 3), "conv1"), Node(layer("Conv2d", 3, 64, 3), "conv2")]
    with pytest.raises(NetworkError) as e:
        evaluate(nodes, (1, 1, 28, 28))
    assert str(e.value).startswith("layer 1 'conv2' (Conv2d): in_channels=3 but the input (1, 32, 26, 26) has 32 channels")
    assert isinstance(e.value, LayerError)
    assert [n.name for n in e.value.partial] == ["conv1"]
    assert e.value.input_shapes == ((1, 32, 26, 26),)


@needs("Linear", "Flatten")
def test_linear_error_message_shape():
    nodes = [layer("MaxPool2d", 2), Node(layer("Flatten"), "flatten"), Node(layer("Linear", 128 * 7 * 7, 512), "fc1")]
    with pytest.raises(NetworkError) as e:
        evaluate(nodes, (1, 128, 7, 7))
    assert str(e.value).startswith("layer 2 'fc1' (Linear): in_features=6272 but the input (1, 1152)")


@pytest.mark.parametrize(
    "nodes, message",
    [
        ([Node(layer("Conv2d", 1, 2, 1), "a"), Node(layer("Conv2d", 2, 2, 1), "b", inputs=("c",))], "no earlier node is called 'c'"),
        ([Node(layer("Conv2d", 1, 2, 1), "a", inputs=("b",)), Node(layer("Conv2d", 2, 2, 1), "b")], "'b' is layer 1, which comes later"),
        ([Node(layer("Conv2d", 1, 2, 1), "a"), Node(layer("Conv2d", 2, 2, 1), "a")], "already used by layer 0"),
        ([Node(layer("Conv2d", 1, 2, 1), "a"), Node(layer("Conv2d", 2, 2, 1), "b", inputs=("a", "input"))], "takes one input but 2 are named"),
        ([Node(layer("Conv2d", 1, 2, 1)), Node(layer("Conv2d", 2, 2, 1), inputs=(5,))], "input 5 is not an earlier layer"),
    ],
)
def test_graph_mistakes(nodes, message):
    with pytest.raises(NetworkError, match=message):
        evaluate(nodes, (1, 1, 8, 8))


def test_named_inputs_and_indices():
    nodes = [
        Node(layer("Conv2d", 1, 4, 1), "shortcut"),
        Node(layer("Conv2d", 1, 4, 3, padding=1), "conv", inputs=("input",)),
        Node(layer("Conv2d", 4, 4, 3, padding=1), "after_shortcut", inputs=(0,)),
    ]
    r = evaluate(nodes, (1, 1, 8, 8))
    assert r["conv"].inputs == ("input",)
    assert r["after_shortcut"].inputs == ("shortcut",)
    assert r["after_shortcut"].receptive_field.size == (3, 3)


def test_merge_fields_takes_the_union():
    a = ReceptiveField((1, 1), (2, 2), (Fraction(1, 2),) * 2)
    b = ReceptiveField((9, 9), (2, 2), (Fraction(1, 2),) * 2)
    m = merge([a, b])
    assert (m.size, m.jump, m.start) == ((9, 9), (2, 2), (Fraction(1, 2),) * 2)
    shifted = ReceptiveField((3,), (1,), (5,))
    assert merge([ReceptiveField((3,), (1,), (0,)), shifted]).size == (8,)


@needs("ReLU", "Flatten", "Linear", "add|Add")
def test_tutorial_residual_cnn_flow_table():
    from convlens.cli.demo import FLOW, INPUT, flow, tutorial_network

    r = evaluate(tutorial_network(), INPUT)
    got = [out for _, _, out in flow(r)]
    assert got == [printed for *_, printed in FLOW]
    assert [r.input_shape[1:]] and flow(r)[0][1] == (28, 28, 1)
    # (28,28,1)->(28,28,32)->(14,14,32)->(14,14,64)->(7,7,64)->(7,7,128)->(3,3,128)->1152->512->10
    assert got == [(28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64), (7, 7, 128), (3, 3, 128), (1152,), (512,), (10,)]
    add = r["resblock1.add"]
    assert add.inputs == ("resblock1.conv2", "resblock1.shortcut")
    # conv1 3×3 (3), pool (4, jump 2), two 3×3 convs in the block: 4 + 2·2 + 2·2 = 12; the shortcut adds nothing
    assert add.receptive_field.size == (12, 12)
    assert r.params == 320 + (2112 + 18496 + 36928) + (8320 + 73856 + 147584) + (1152 * 512 + 512) + 5130


@needs("ReLU", "Flatten", "Linear", "add|Add")
def test_tutorial_as_written_fails_at_fc1():
    from convlens.cli.demo import INPUT, tutorial_network

    with pytest.raises(NetworkError) as e:
        evaluate(tutorial_network(128 * 7 * 7), INPUT)
    assert e.value.node_name == "fc1"
    assert "in_features=6272" in str(e.value) and "1152" in str(e.value)
