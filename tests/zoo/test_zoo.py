"""The zoo reproduces every published parameter count, torchvision's parameter names, and the tutorials' shapes.

Large models are built under ``torch.device("meta")``: no memory or time is spent on weights.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import torch

from convlens import zoo


def _params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def _build_meta(name: str, **kwargs):
    with torch.device("meta"):
        return zoo.build(name, **kwargs)


TORCH_ENTRIES = [e.name for e in zoo.entries() if e.framework == "torch"]

# name -> exact parameter count (PyTorch parameters; BatchNorm running statistics are buffers)
PUBLISHED_PARAMS = [
    ("residual-cnn-as-written", 3_504_522),
    ("residual-cnn", 883_082),
    ("mnist-conv", 520),
    ("keras-tutorial-cnn", 264_262),
    ("alexnet-cifar", 4_617_546),
    ("resnet18-cifar", 11_173_962),
    ("resnet34-cifar", 21_282_122),
    ("vgg-first-blocks", 260_160),
    ("resnet-stem", 9_472),
    ("plain-block", 73_856),
    ("bottleneck-block", 45_248),
    ("bottleneck-block-projection", 57_728),
    ("alexnet", 61_100_840),
    ("vgg11", 132_863_336),
    ("vgg11_bn", 132_868_840),
    ("vgg13", 133_047_848),
    ("vgg13_bn", 133_053_736),
    ("vgg16", 138_357_544),
    ("vgg16_bn", 138_365_992),
    ("vgg19", 143_667_240),
    ("vgg19_bn", 143_678_248),
    ("resnet18", 11_689_512),
    ("resnet34", 21_797_672),
    ("resnet50", 25_557_032),
    ("resnet101", 44_549_160),
    ("resnet152", 60_192_808),
    ("resnext50_32x4d", 25_028_904),
    ("wide_resnet50_2", 68_883_240),
    ("mobilenet_v2", 3_504_872),
    ("fastnet", 1_972_792),
]


@pytest.mark.parametrize("name, expected", PUBLISHED_PARAMS)
def test_parameter_count_is_exact(name, expected):
    assert _params(_build_meta(name)) == expected
    assert zoo.get(name).published_params == expected


def test_every_torch_entry_is_counted_above():
    listed = {zoo.get(n).name for n, _ in PUBLISHED_PARAMS}
    assert listed == set(TORCH_ENTRIES)


# (name, state_dict key, shape): names and shapes torchvision's own state_dict has
TORCHVISION_KEYS = [
    ("alexnet", "features.0.weight", (64, 3, 11, 11)),
    ("alexnet", "features.10.weight", (256, 256, 3, 3)),
    ("alexnet", "classifier.1.weight", (4096, 9216)),
    ("alexnet", "classifier.6.weight", (1000, 4096)),
    ("vgg11", "features.18.weight", (512, 512, 3, 3)),
    ("vgg16", "features.0.weight", (64, 3, 3, 3)),
    ("vgg16", "features.28.weight", (512, 512, 3, 3)),
    ("vgg16", "classifier.0.weight", (4096, 25088)),
    ("vgg16", "classifier.6.weight", (1000, 4096)),
    ("vgg16_bn", "features.1.running_mean", (64,)),
    ("vgg16_bn", "features.40.weight", (512, 512, 3, 3)),
    ("vgg16_bn", "features.41.running_var", (512,)),
    ("vgg19", "features.34.weight", (512, 512, 3, 3)),
    ("resnet18", "conv1.weight", (64, 3, 7, 7)),
    ("resnet18", "layer2.0.downsample.0.weight", (128, 64, 1, 1)),
    ("resnet18", "layer4.1.conv2.weight", (512, 512, 3, 3)),
    ("resnet18", "fc.weight", (1000, 512)),
    ("resnet50", "layer1.0.downsample.0.weight", (256, 64, 1, 1)),
    ("resnet50", "layer1.0.downsample.1.num_batches_tracked", ()),
    ("resnet50", "layer4.2.bn3.running_var", (2048,)),
    ("resnet50", "fc.weight", (1000, 2048)),
    ("resnet152", "layer3.35.conv3.weight", (1024, 256, 1, 1)),
    ("resnext50_32x4d", "layer1.0.conv2.weight", (128, 4, 3, 3)),
    ("wide_resnet50_2", "layer1.0.conv1.weight", (128, 64, 1, 1)),
    ("mobilenet_v2", "features.0.0.weight", (32, 3, 3, 3)),
    ("mobilenet_v2", "features.1.conv.0.0.weight", (32, 1, 3, 3)),
    ("mobilenet_v2", "features.1.conv.1.weight", (16, 32, 1, 1)),
    ("mobilenet_v2", "features.2.conv.0.0.weight", (96, 16, 1, 1)),
    ("mobilenet_v2", "features.17.conv.2.weight", (320, 960, 1, 1)),
    ("mobilenet_v2", "features.18.0.weight", (1280, 320, 1, 1)),
    ("mobilenet_v2", "features.18.1.running_mean", (1280,)),
    ("mobilenet_v2", "classifier.1.weight", (1000, 1280)),
]


@pytest.mark.parametrize("name, key, shape", TORCHVISION_KEYS)
def test_torchvision_state_dict_keys(name, key, shape):
    state = _build_meta(name).state_dict()
    assert key in state, f"{name}: {key} missing; has {list(state)[:8]}…"
    assert tuple(state[key].shape) == shape


@pytest.mark.parametrize(
    "name, n_keys",
    [("resnet18", 122), ("resnet50", 320), ("vgg16", 32), ("alexnet", 16)],  # len(torchvision_model.state_dict())
)
def test_state_dict_size_matches_torchvision(name, n_keys):
    assert len(_build_meta(name).state_dict()) == n_keys


def test_resnet18_has_no_downsample_in_first_stage():
    state = _build_meta("resnet18").state_dict()
    assert not any(k.startswith("layer1.0.downsample") for k in state)


def test_state_dict_round_trip_into_a_fresh_model():
    """What loading a torchvision checkpoint needs: strict load of the same names and shapes."""
    model = zoo.build("mobilenet_v2", num_classes=10)
    fresh = zoo.build("mobilenet_v2", num_classes=10)
    assert fresh.load_state_dict(model.state_dict(), strict=True).missing_keys == []


# (name, input size, output shape): a real CPU forward of every small model
SMALL_FORWARD = [
    ("residual-cnn", (2, 1, 28, 28), (2, 10)),
    ("mnist-conv", (16, 1, 28, 28), (16, 20, 28, 28)),
    ("keras-tutorial-cnn", (2, 1, 28, 28), (2, 25)),
    ("alexnet-cifar", (2, 3, 32, 32), (2, 10)),
    ("resnet18-cifar", (2, 3, 32, 32), (2, 10)),
    ("resnet34-cifar", (1, 3, 32, 32), (1, 10)),
    ("vgg-first-blocks", (1, 3, 224, 224), (1, 128, 56, 56)),
    ("resnet-stem", (1, 3, 224, 224), (1, 64, 56, 56)),
    ("plain-block", (1, 64, 56, 56), (1, 64, 56, 56)),
    ("bottleneck-block", (1, 64, 56, 56), (1, 64, 56, 56)),
    ("bottleneck-block-projection", (1, 64, 56, 56), (1, 128, 28, 28)),
    ("fastnet", (2, 3, 32, 32), (2, 10)),
]


@pytest.mark.parametrize("name, input_size, out_shape", SMALL_FORWARD)
def test_small_model_forward(name, input_size, out_shape):
    torch.manual_seed(0)
    model = zoo.build(name).eval()
    with torch.no_grad():
        y = model(torch.randn(input_size))
    assert tuple(y.shape) == out_shape
    assert torch.isfinite(y).all()


def test_every_small_entry_is_run_above_on_its_registered_input_size():
    small = {e.name: e.input_size for e in zoo.entries() if e.framework == "torch" and (e.family.startswith("tutorial") or e.family == "fastnet")}
    small.pop("residual-cnn-as-written")  # its forward fails by design: tested below
    covered = {name: size for name, size, _ in SMALL_FORWARD}
    assert covered.keys() == small.keys()
    for name, size in small.items():
        assert covered[name][1:] == size[1:], name


@pytest.mark.parametrize("name", ["alexnet", "vgg16_bn", "resnet50", "resnext50_32x4d", "mobilenet_v2"])
def test_imagenet_models_give_1000_logits_on_meta(name):
    entry = zoo.get(name)
    with torch.device("meta"):
        y = zoo.build(name)(torch.empty(entry.input_size))
    assert tuple(y.shape) == (1, 1000)


# --- the tutorial's shape bug, kept on purpose -------------------------------------------------


def test_as_written_residual_cnn_folds_a_batch_of_49_into_9_rows():
    """view(-1, 128*7*7) on (49, 128, 3, 3): 49·1152 = 56,448 = 9·6272, so 49 images become 9 rows."""
    model = zoo.build("residual-cnn-as-written").eval()
    with torch.no_grad():
        y = model(torch.randn(49, 1, 28, 28))
    assert tuple(y.shape) == (9, 10)


def test_as_written_residual_cnn_raises_in_view_at_batch_1():
    model = zoo.build("residual-cnn-as-written").eval()
    with pytest.raises(RuntimeError):  # PyTorch's view refuses 1152 values as rows of 6272 (its wording is not asserted)
        model(torch.randn(1, 1, 28, 28))


def test_as_written_and_corrected_differ_only_in_fc1():
    bad = _build_meta("residual-cnn-as-written").state_dict()
    good = _build_meta("residual-cnn").state_dict()
    assert bad.keys() == good.keys()
    differing = {k for k in bad if bad[k].shape != good[k].shape}
    assert differing == {"fc1.weight"}
    assert tuple(bad["fc1.weight"].shape) == (512, 6272) and tuple(good["fc1.weight"].shape) == (512, 1152)


def test_mnist_conv_weight_shape_as_printed():
    assert tuple(zoo.build("mnist-conv").weight.shape) == (20, 1, 5, 5)


def test_fixed_bottleneck_adds_the_identity():
    block = zoo.build("bottleneck-block").eval()
    x = torch.randn(1, 64, 8, 8)
    with torch.no_grad():
        branch = block.conv3(block.conv2(block.conv1(x)))
        assert torch.allclose(block(x), x + branch)


def test_identity_bottleneck_rejects_a_change_of_shape():
    from convlens.zoo.tutorial_resnet_blocks import BottleneckBlock

    with pytest.raises(ValueError, match="in_channels=64, out_channels=128"):
        BottleneckBlock(64, 128)


# --- the Keras tutorial CNN, both frameworks ---------------------------------------------------


def test_keras_tutorial_cnn_torch_port_counts_and_4x4_pool():
    model = zoo.build("keras-tutorial-cnn")
    bn = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    running = sum(m.running_mean.numel() + m.running_var.numel() for m in bn)
    assert running == 300  # Keras's "Non-trainable params: 300"
    assert _params(model) + running == 264_562  # Keras's "Total params"
    with torch.no_grad():
        x = model.block3(model.block2(model.block1(torch.randn(1, 1, 28, 28))))
    assert tuple(x.shape) == (1, 25, 4, 4)  # Keras 'same' pooling: ceil(7 / 2) = 4


def test_keras_tutorial_cnn_keras_summary_totals():
    pytest.importorskip("keras")
    import numpy as np

    model = zoo.build("keras-tutorial-cnn-keras")
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (model.count_params(), trainable, non_trainable) == (264_562, 264_262, 300)
    assert tuple(model.output_shape) == (None, 25)
    assert zoo.get("keras-tutorial-cnn-keras").published_params == 264_562


# --- the registry ------------------------------------------------------------------------------


def test_entries_are_frozen_and_documented():
    for e in zoo.entries():
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.name = "x"  # type: ignore[misc]
        assert e.source and e.reference and e.params_source and e.description, e.name
        assert e.framework in ("torch", "keras")
        assert len(e.input_size) == 4 and all(isinstance(d, int) and d > 0 for d in e.input_size)
        if e.published_macs is not None:
            assert e.macs_source


def test_exact_macs_round_to_the_published_figure():
    for e in zoo.entries():
        m = re.search(r"publishes ([\d.]+) GFLOPS", e.macs_source or "")
        if m:
            assert round(e.published_macs / 1e9, 2) == float(m.group(1)), e.name


def test_resnet18_macs_at_224():
    assert zoo.get("resnet18").published_macs == 1_814_073_344


@pytest.mark.parametrize("alias, name", [("ResNet18", "resnet18"), ("vgg16_bn", "vgg16-bn"), ("mobilenet_v2", "mobilenet-v2"), ("Wide_ResNet50_2", "wide-resnet50-2")])
def test_get_forgives_case_and_underscores(alias, name):
    assert zoo.get(alias).name == name


def test_unknown_name_lists_close_names():
    with pytest.raises(zoo.UnknownModelError, match="did you mean.*resnet18") as info:
        zoo.build("resnet-18")
    assert isinstance(info.value, ValueError)


def test_a_family_typed_alone_is_close_to_its_suffixed_variants():
    # "vgg" is 0.55 alike to "vgg19-bn": suggested with the zoo's cut-off 0.5, not with the core's 0.6
    with pytest.raises(zoo.UnknownModelError) as info:
        zoo.get("vgg")
    assert str(info.value) == "zoo: no model named 'vgg'; did you mean vgg19, vgg16, vgg13, vgg11, vgg19-bn?"


def test_unknown_option_names_the_accepted_ones():
    with pytest.raises(zoo.ZooError, match="resnet18 has no option depth; it takes num_classes"):
        zoo.build("resnet18", depth=18)


def test_build_passes_options():
    assert zoo.build("resnet18-cifar", num_classes=100).fc.out_features == 100


def test_source_code_is_the_model_file():
    code = zoo.source_code("residual-cnn-as-written")
    assert "self.fc1 = nn.Linear(128 * 7 * 7, 512)" in code and "x = x.view(-1, 128 * 7 * 7)  # Flatten the tensor" in code
    assert "class Bottleneck" in zoo.source_code("resnet50")
    assert "keras.Sequential" in zoo.source_code("keras-tutorial-cnn-keras")


def test_registry_import_needs_no_framework():
    import subprocess
    import sys

    code = "import sys, convlens.zoo as z; z.entries(); z.get('resnet18'); print('torch' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


# --- the command line --------------------------------------------------------------------------


def _cli(capsys, *argv):
    from convlens.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_zoo_list_builds_and_matches_published(capsys):
    code, out, err = _cli(capsys, "zoo", "list")
    assert code == 0, err
    assert re.search(r"^resnet18\s+resnet\s+1x3x224x224\s+11,689,512\s+1\.81 G", out, re.M)
    assert re.search(r"^vgg-first-blocks\s+.*260,160\s+4\.71 G", out, re.M)  # computed: no published MACs
    assert re.search(r"^residual-cnn-as-written\s+.*3,504,522\s+-- \(shape bug\)", out, re.M)
    assert "every count built here equals the published figure" in out
    assert "DIFFERS" not in out


def test_cli_zoo_list_json(capsys):
    code, out, _ = _cli(capsys, "zoo", "list", "--published", "--format", "json")
    import json

    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and rows.keys() == set(zoo.names())
    assert rows["resnet50"]["published_params"] == 25_557_032 and rows["resnet50"]["published_macs"] == 4_089_184_256
    assert rows["resnet50"]["macs"] is None  # --published builds nothing
    assert rows["keras-tutorial-cnn-keras"]["framework"] == "keras"


def test_cli_zoo_list_flags_a_count_that_differs(capsys, monkeypatch):
    entry = zoo.get("resnet-stem")
    monkeypatch.setitem(zoo._BY_NAME, "resnet-stem", dataclasses.replace(entry, published_params=9_000))
    monkeypatch.setattr(zoo, "_ENTRIES", tuple(zoo._BY_NAME.values()))
    _, out, _ = _cli(capsys, "zoo", "list")
    assert "9,472 (DIFFERS: published 9,000)" in out
    assert "1 count(s) differ from the published figure: resnet-stem" in out


def test_cli_zoo_code(capsys):
    code, out, _ = _cli(capsys, "zoo", "code", "bottleneck-block")
    assert code == 0
    assert out.startswith("# bottleneck-block: convlens/zoo/tutorial_resnet_blocks.py")
    assert "class BottleneckBlock(nn.Module):" in out and "``y`` never defined" in out


@pytest.mark.parametrize("argv", [["zoo", "show", "resnet-19"], ["zoo", "code", "vgg"]])
def test_cli_zoo_unknown_name_is_one_line_exit_2(capsys, argv):
    code, _, err = _cli(capsys, *argv)
    assert code == 2 and err.startswith("convlens: zoo: no model named") and err.count("\n") == 1


def test_cli_zoo_show(capsys):
    pytest.importorskip("torch")
    code, out, err = _cli(capsys, "zoo", "show", "resnet-stem", "--format", "json")
    assert code == 0, err
    import json

    data = json.loads(out)
    assert data["total_params"] == 9_472 and data["output_shapes"] == [[1, 64, 56, 56]]
    code, out, _ = _cli(capsys, "zoo", "show", "bottleneck-block-projection", "--input", "2x64x56x56", "--format", "json")
    assert json.loads(out)["output_shapes"] == [[2, 128, 28, 28]]


def test_a_value_the_factory_refuses_is_a_user_error_naming_the_options():
    # FastNet's own checks (a widths dict without every key, a logit scale that is not positive) reach the
    # user as one ZooError line (exit 2 in the CLI), not as an internal error; good values build
    with pytest.raises(zoo.ZooError, match=r'fastnet refuses the options \{"scale": 0\}: FastNet: scale .* must be positive'):
        zoo.build("fastnet", scale=0)
    with pytest.raises(zoo.ZooError, match=r"missing \['block1', 'block2', 'block3'\]"):
        zoo.build("fastnet", widths={"stem": 8})
    assert zoo.build("fastnet", scale=0.5).scale == 0.5 and zoo.build("fastnet").scale == pytest.approx(1 / 9)
