"""`export --to keras`: a PyTorch spec becomes Keras layers (channels first) whose every output shape is
the spec's; Keras's totals are the spec's parameters plus BatchNorm's running statistics, which Keras
counts as non-trainable parameters (PyTorch keeps them as buffers). MACs equal the spec's."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras on NumPy 2: __array__ copy keyword

keras = pytest.importorskip("keras")
pytest.importorskip("torch")

import convlens  # noqa: E402
from convlens import design  # noqa: E402
from convlens.design._dump import dump  # noqa: E402
from convlens.design.export import to_keras  # noqa: E402
from convlens.design.from_zoo import zoo_document  # noqa: E402

EXAMPLES = design.SCHEMA_PATH.with_name("examples")
CASES = [f"example:{n}" for n in ("residual-cnn", "resnet18", "bottleneck", "mobilenet-inverted-residual", "inception")] + [
    f"zoo:{n}" for n in ("residual-cnn", "keras-tutorial-cnn", "alexnet-cifar", "resnet18-cifar", "mobilenet-v2", "fastnet", "bottleneck-block-projection", "vgg-first-blocks")
]


def load(case):
    kind, name = case.split(":")
    if kind == "example":
        return design.load(EXAMPLES / f"{name}.yaml")
    return design.loads(dump(zoo_document(name)), f"{name}.yaml")


@pytest.mark.parametrize("case", CASES)
def test_a_pytorch_spec_exported_to_keras_has_the_specs_shapes_and_parameters(case, tmp_path):
    network = load(case)
    s = design.summary(network)
    path = tmp_path / "exported_keras.py"
    path.write_text(to_keras(network), encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location("exported_keras", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    model = module.build_model()
    k = convlens.summary(model)
    assert not [d for d in k.diagnostics if d.code == "core-disagrees"]
    inputs = [r for r in k.layers if r.type == "InputLayer"]  # the Keras record shows keras.Input as a row, as model.summary() does
    assert [tuple(r.output_shape) for r in inputs] == [tuple(s.input_shapes[0])]
    keras_shapes = sorted(tuple(r.output_shape) for r in k.layers if r.type not in ("ZeroPadding2D", "InputLayer"))  # Keras orders a graph's layers its own way
    assert keras_shapes == sorted(tuple(r.output_shape) for r in s.layers)
    statistics = sum(2 * r.weights[0].shape[0] for r in s.layers if r.type.startswith("BatchNorm"))
    assert model.count_params() == s.total_params + statistics
    assert sum(int(w.numpy().size) for w in model.trainable_weights) == s.trainable_params
    assert k.total_macs == s.total_macs


def test_layers_without_a_keras_equivalent_are_refused_by_name():
    network = design.loads("input: [1, 3, 8, 8]\nlayers:\n  - {type: MaxPool2d, name: pool, kernel_size: 3, stride: 2, ceil_mode: true}\n", "net.yaml")
    with pytest.raises(design.SpecError) as info:
        to_keras(network)
    assert str(info.value) == ("net.yaml:3:5: layer 0 'pool' (MaxPool2d): ceil_mode=True has a Keras equivalent ('same') only with "
                               "stride = kernel_size and no padding; export this spec --to pytorch")
