"""Every zoo model: zoo -> spec -> PyTorch code (written to a file and imported) -> summary equal to
the zoo model's own summary, parameter for parameter (layer names may differ)."""

from __future__ import annotations

import importlib.util

import pytest

torch = pytest.importorskip("torch")

import convlens  # noqa: E402
from convlens import design, zoo  # noqa: E402
from convlens.design._dump import dump  # noqa: E402
from convlens.design.export import to_keras, to_pytorch  # noqa: E402
from convlens.design.from_zoo import ZooSpecError, zoo_document  # noqa: E402

NOT_EXPRESSIBLE = {"residual-cnn-as-written": "view(pool_2, -1, 6272) in its forward: a view to (-1, 6272) has no spec layer"}  # a view that folds the batch has no spec layer
TORCH = [e.name for e in zoo.entries() if e.framework == "torch" and e.name not in NOT_EXPRESSIBLE]
KERAS = [e.name for e in zoo.entries() if e.framework == "keras"]


def fingerprint(s):
    """What must agree: each weighted layer (weight shapes, output shape), totals, MACs, output."""
    rows = sorted((tuple(tuple(w.shape) for w in r.weights), tuple(r.output_shape)) for r in s.layers if r.weights and not r.repeated)
    return {"rows": rows, "params": s.total_params, "trainable": s.trainable_params, "non_trainable": s.non_trainable_params,
            "buffers": s.buffers, "macs": s.total_macs, "output": [tuple(o) for o in s.output_shapes]}


def import_file(path, name="exported"):
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", TORCH)
def test_zoo_spec_pytorch_round_trip(name, tmp_path):
    entry = zoo.get(name)
    with torch.device("meta"):
        original = convlens.summary(zoo.build(name), entry.input_size, memory=False)
    text = dump(zoo_document(name))
    network = design.loads(text, f"{name}.yaml")
    from_spec = design.summary(network)
    assert not from_spec.failed
    assert fingerprint(from_spec) == fingerprint(original)
    path = tmp_path / "exported.py"
    path.write_text(to_pytorch(network), encoding="utf-8")
    module = import_file(path)
    with torch.device("meta"):
        model = module.build_model()
    exported = convlens.summary(model, module.INPUT_SHAPE, memory=False)
    assert fingerprint(exported) == fingerprint(original)
    assert exported.total_params == entry.published_params


@pytest.mark.parametrize("name", KERAS)
def test_zoo_spec_keras_round_trip(name, tmp_path):
    original = convlens.summary(zoo.build(name))
    network = design.loads(dump(zoo_document(name)), f"{name}.yaml")
    assert fingerprint(design.summary(network)) == fingerprint(original)
    path = tmp_path / "exported_keras.py"
    path.write_text(to_keras(network), encoding="utf-8")
    model = import_file(path, "exported_keras").build_model()
    assert fingerprint(convlens.summary(model)) == fingerprint(original)
    assert model.count_params() == entry_params(name)


def entry_params(name):
    return zoo.get(name).published_params


@pytest.mark.parametrize("name, what", sorted(NOT_EXPRESSIBLE.items()))
def test_zoo_models_a_spec_cannot_express_are_refused_by_name(name, what):
    with pytest.raises(ZooSpecError) as info:
        zoo_document(name)
    assert what in str(info.value)


def test_module_instances_fold_into_parameterised_blocks():
    doc = zoo_document("resnet50")
    assert sorted(doc["blocks"]) == ["Bottleneck", "Bottleneck_2"]  # identity shortcut; strided with projection
    uses = {item["name"]: item for item in doc["layers"] if "block" in item}
    # layer1.0 (projection, stride 1) is the only block of its kind: written out, not a block
    assert list(uses) == [f"layer{s}.{b}" for s, n in zip((1, 2, 3, 4), (3, 4, 6, 3)) for b in range(n) if (s, b) != (1, 0)]
    assert uses["layer2.0"] == {"block": "Bottleneck_2", "name": "layer2.0", "with": {"in_channels": 256, "out_channels": 128, "out_channels_2": 512}}
    assert uses["layer1.1"] == {"block": "Bottleneck", "name": "layer1.1", "with": {"in_channels": 256, "out_channels": 64}}
    assert len(dump(doc).splitlines()) < 80
