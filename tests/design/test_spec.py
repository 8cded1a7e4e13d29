"""The spec format: the examples' published figures, blocks/params/repeat/branches, the schema, errors
with file/line/column/layer, the YAML writer, and the CLI (summary, check, export, zoo spec)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from convlens import design
from convlens.cli import main
from convlens.design._dump import dump

EXAMPLES = design.SCHEMA_PATH.with_name("examples")


# --- the examples: published figures --------------------------------------------------------------
@pytest.mark.parametrize("name, params, trainable, macs, output", [
    ("residual-cnn", 883_082, 883_082, 23_299_584, (1, 10)),              # zoo:residual-cnn
    ("resnet18", 11_689_512, 11_689_512, 1_814_073_344, (1, 1000)),      # torchvision's table; FlopCounterMode / 2
    ("bottleneck", 215_808, 215_808, 667_942_912, (1, 256, 56, 56)),     # ResNet-50 layer1
    ("mobilenet-inverted-residual", 39_696, 39_696, 37_443_840, (1, 32, 28, 28)),
    ("inception", 163_696, 163_696, 128_049_152, (1, 256, 28, 28)),      # GoogLeNet 3a: 64 + 128 + 32 + 32 channels
    ("keras-cnn", 264_562, 264_262, 7_913_050, (None, 25)),              # the Keras tutorial's model.summary()
])
def test_example_specs(name, params, trainable, macs, output):
    s = design.summary(EXAMPLES / f"{name}.yaml")
    assert not s.failed and not s.errors
    assert (s.total_params, s.trainable_params, s.total_macs, s.output_shapes[0]) == (params, trainable, macs, output)


def test_examples_match_the_zoo_and_pytorch():
    torch = pytest.importorskip("torch")
    import convlens
    from convlens import zoo

    for example, model, shape in (("residual-cnn", "residual-cnn", (1, 1, 28, 28)), ("resnet18", "resnet18", (1, 3, 224, 224))):
        with torch.device("meta"):
            traced = convlens.summary(zoo.build(model), shape, memory=False)
        s = design.summary(EXAMPLES / f"{example}.yaml")
        assert (s.total_params, s.total_macs) == (traced.total_params, traced.total_macs)
    import torch.nn as nn

    inception = nn.ModuleList([nn.Conv2d(192, 64, 1), nn.Conv2d(192, 96, 1), nn.Conv2d(96, 128, 3, padding=1), nn.Conv2d(192, 16, 1),
                               nn.Conv2d(16, 32, 5, padding=2), nn.Conv2d(192, 32, 1)])
    assert design.summary(EXAMPLES / "inception.yaml").total_params == sum(p.numel() for p in inception.parameters())


def test_every_example_validates_against_the_published_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(design.SCHEMA_PATH.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    assert len(list(EXAMPLES.glob("*.yaml"))) == 7
    for path in EXAMPLES.glob("*.yaml"):
        doc, _ = design.read(path.read_text(), path.name)
        jsonschema.validate(doc, schema)


# --- the format -----------------------------------------------------------------------------------
def test_blocks_params_repeat_and_names():
    text = """
input: [1, 8, 16, 16]
blocks:
  unit:
    params: {c: null, k: 3}
    layers:
      - {type: Conv2d, name: conv, in_channels: $c, out_channels: "$c * 2", kernel_size: $k, padding: "$k // 2"}
      - {type: Conv2d, in_channels: "$c * 2", out_channels: $c, kernel_size: 1}
layers:
  - {block: unit, name: stage, repeat: 3, with: {c: 8}}
  - {block: unit, with: {c: 8, k: 5}}
  - "Conv2d(8, 4, 3, padding=1)"
  - {type: ReLU, name: act, repeat: 2}
"""
    s = design.summary(design.loads(text))
    names = [r.name for r in s.layers]
    assert names == ["stage.0.conv", "stage.0.1", "stage.1.conv", "stage.1.1", "stage.2.conv", "stage.2.1", "unit1.conv", "unit1.1", "4", "act.0", "act.1"][:8] + ["8", "act.0", "act.1"]
    assert s.layers[6].weights[0].shape == (16, 8, 5, 5)
    assert s.layers[0].weights[0].shape == (16, 8, 3, 3)
    assert s.output_shapes[0] == (1, 4, 16, 16)


def test_in_channels_can_be_left_to_the_input_and_arithmetic_is_integer():
    s = design.summary(design.loads("input: [1, 3, 8, 8]\nlayers:\n  - {type: Conv2d, out_channels: 4, kernel_size: 3}\n  - {type: Flatten}\n  - {type: Linear, in_features: 4*6*6, out_features: 2}\n"))
    assert s.total_params == (3 * 4 * 9 + 4) + (144 * 2 + 2)


def test_explicit_inputs_make_a_graph():
    text = "input: [1, 4, 8, 8]\nlayers:\n  - {type: Conv2d, name: a, in_channels: 4, out_channels: 4, kernel_size: 1}\n" \
           "  - {type: Conv2d, name: b, in_channels: 4, out_channels: 4, kernel_size: 1, inputs: [input]}\n" \
           "  - {type: cat, name: c, inputs: [a, b]}\n"
    s = design.summary(design.loads(text))
    assert s.output_shapes[0] == (1, 8, 8, 8) and s.layers[2].input_shapes == ((1, 4, 8, 8), (1, 4, 8, 8))


def test_json_specs_read_like_yaml(tmp_path):
    doc, _ = design.read((EXAMPLES / "resnet18.yaml").read_text())
    path = tmp_path / "resnet18.json"
    path.write_text(json.dumps(doc, indent=1))
    assert design.summary(path).total_params == 11_689_512


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_the_yaml_writer_round_trips(name):
    doc, _ = design.read((EXAMPLES / f"{name}.yaml").read_text())
    again, _ = design.read(dump(doc))
    assert again == doc


# --- errors: file, line, column, layer, reason -----------------------------------------------------
@pytest.mark.parametrize("text, where, words", [
    ("input: [1, 3\nlayers: []\n", "net.yaml:2:7", "not valid YAML"),
    ("input: [1, 3]\nlayers:\n  - {type: Conv2d, out_channels: 4, kernel_size: 3, stride: 2, padding: same}\n", "net.yaml:3:73",
     "layer 0 (Conv2d): padding='same' is not supported for strided convolutions"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: Conv2D, filters: 3}\n", "net.yaml:3:12", "Conv2D is a Keras layer and this spec follows the pytorch convention"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: conv2d}\n", "net.yaml:3:12", "layer 0 (conv2d): unknown layer 'conv2d' in a pytorch spec; did you mean Conv2d"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {typ: ReLU}\n", "net.yaml:3:5", "needs 'type'"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU}\n  - {block: missing}\n", "net.yaml:4:13", "no block is called 'missing'"),
    ("input: [1, 3, 8, 8]\nblocks: {b: {params: {c: null}, layers: [{type: ReLU}]}}\nlayers:\n  - {block: b}\n", "net.yaml:4:5", "needs 'c'"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: Conv2d, out_channels: $c, kernel_size: 3}\n", "net.yaml:3:34", "$c is not a parameter"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU, name: a}\n  - {type: ReLU, name: a}\n", "net.yaml:4:24", "the name 'a' is already used by layer 0"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU, inputs: [zz]}\n", "net.yaml:3:27", "no earlier layer is called 'zz'"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: Linear, in_features: 3/2, out_features: 2}\n", "net.yaml:3:33", "'/' gives a float"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU}\nlayers: []\n", "net.yaml:4:1", "given twice"),
])
def test_errors_name_file_line_column_layer_and_reason(text, where, words):
    with pytest.raises(design.SpecError) as info:
        design.loads(text, "net.yaml")
    assert str(info.value).startswith(where + ": "), str(info.value)
    assert words in str(info.value)


def test_a_shape_error_is_a_failed_summary_with_position_and_fix():
    text = (EXAMPLES / "residual-cnn.yaml").read_text().replace("in_features: 1152", "in_features: 128*7*7")
    s = design.summary(design.loads(text, "net.yaml"))
    assert s.failed and s.layers[-1].name == "fc1"
    d = s.diagnostics[0]
    line = next(k for k, l in enumerate(text.splitlines(), 1) if "name: fc1" in l)
    column = text.splitlines()[line - 1].index("128*7*7") + 1
    assert d.layer == "fc1" and d.source == f"net.yaml:{line}:{column}" and "name: fc1" in d.code_line
    assert "in_features=6272" in d.message and "1152" in d.message
    assert d.fix == "set in_features: 1152 (the input (1, 1152) gives 1,152)"


def test_the_solver_suggests_padding_for_a_window_larger_than_its_input():
    network = design.loads("input: [1, 3, 2, 2]\nlayers:\n  - {type: Conv2d, out_channels: 4, kernel_size: 3}\n", "net.yaml")
    _, fix = design.analyse(network)
    assert fix["argument"] == "padding" and fix["value"] == 1 and "convlens solve" in fix["text"]


# --- the command line -----------------------------------------------------------------------------
def run(*argv, capsys):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_summary_check_and_errors(capsys, tmp_path):
    code, out, _ = run("summary", str(EXAMPLES / "residual-cnn.yaml"), capsys=capsys)
    assert code == 0 and "883,082" in out and "resblock1.shortcut (Conv2d)" in out
    code, out, _ = run("check", str(EXAMPLES / "resnet18.yaml"), "--no-warnings", capsys=capsys)
    assert code == 0
    broken = tmp_path / "net.yaml"
    broken.write_text((EXAMPLES / "residual-cnn.yaml").read_text().replace("in_features: 1152", "in_features: 128*7*7"))
    code, out, _ = run("check", str(broken), capsys=capsys)
    assert code == 1 and "linear-in-features" in out and "fix: set in_features: 1152" in out
    code, _, err = run("summary", str(tmp_path / "missing.yaml"), capsys=capsys)
    assert code == 2 and err.strip().startswith(f"convlens: file '{tmp_path / 'missing.yaml'}' does not exist; check the path")
    bad = tmp_path / "bad.yml"
    bad.write_text("input: [1, 3]\nlayers:\n  - {type: Nope}\n")
    code, _, err = run("summary", str(bad), capsys=capsys)
    assert code == 2 and err.count("\n") == 1 and f"{bad}:3:12: layer 0 (Nope): unknown layer 'Nope'" in err
    code, out, _ = run("summary", str(EXAMPLES / "residual-cnn.yaml"), "--input", "1x1x32x32", "--format", "json", capsys=capsys)
    rows = {r["name"]: r for r in json.loads(out)["layers"]}  # the input given overrides the spec's: 32 -> 4 -> 2048 features
    assert code == 1 and rows["flatten"]["output_shape"] == [1, 2048] and "in_features=1152" in rows["fc1"]["failed"]


def test_cli_export_pytorch_writes_a_runnable_module(capsys, tmp_path):
    pytest.importorskip("torch")
    out_file = tmp_path / "net.py"
    code, _, err = run("export", str(EXAMPLES / "residual-cnn.yaml"), "--to", "pytorch", "-o", str(out_file), capsys=capsys)
    assert code == 0 and "wrote" in err
    result = subprocess.run([sys.executable, str(out_file)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "883,082 parameters; output (1, 10)"
    code, out, _ = run("summary", f"{out_file}:build_model", "--input", "1x1x28x28", capsys=capsys)
    assert code == 0 and "883,082" in out


def test_cli_export_keras_totals_equal_the_specs(capsys, tmp_path):
    pytest.importorskip("keras")
    out_file = tmp_path / "net_keras.py"
    code, _, _ = run("export", str(EXAMPLES / "keras-cnn.yaml"), "--to", "keras", "-o", str(out_file), capsys=capsys)
    assert code == 0
    result = subprocess.run([sys.executable, str(out_file)], capture_output=True, text=True, timeout=300, env={**__import__("os").environ, "KERAS_BACKEND": "torch"})
    assert result.returncode == 0, result.stderr
    for line in ("Total params: 264,562", "Trainable params: 264,262", "Non-trainable params: 300"):
        assert line in result.stdout


def test_cli_export_refuses_what_it_cannot_write(capsys, tmp_path):
    code, _, err = run("export", str(EXAMPLES / "keras-cnn.yaml"), "--to", "pytorch", capsys=capsys)
    assert code == 2 and "keras convention" in err
    broken = tmp_path / "net.yaml"
    broken.write_text((EXAMPLES / "residual-cnn.yaml").read_text().replace("in_features: 1152", "in_features: 6272"))
    code, _, err = run("export", str(broken), "--to", "pytorch", capsys=capsys)
    assert code == 2 and "'fc1' (Linear)" in err and "fix it before exporting" in err


def test_cli_zoo_spec(capsys, tmp_path):
    pytest.importorskip("torch")
    code, out, _ = run("zoo", "spec", "resnet-stem", capsys=capsys)
    assert code == 0 and "kernel_size: 7, stride: 2, padding: 3" in out
    assert design.summary(design.loads(out)).total_params == 9_472
    code, _, err = run("zoo", "spec", "residual-cnn-as-written", capsys=capsys)
    assert code == 2 and "view(pool_2, -1, 6272)" in err
    code, _, err = run("zoo", "spec", "nope", capsys=capsys)
    assert code == 2 and "no model named 'nope'" in err


def test_the_tutorials_bug_as_a_spec():
    s = design.summary(EXAMPLES / "residual-cnn-as-written.yaml")
    assert s.failed and s.layers[-1].name == "fc1" and s.layers[-2].output_shape == (1, 1152)
    assert s.diagnostics[0].code == "linear-in-features" and s.diagnostics[0].fix.startswith("set in_features: 1152")


def test_specs_need_no_framework():
    """summary, check and export --to pytorch|keras of a spec run with torch, keras and numpy unimportable."""
    block = "import sys; sys.modules['torch'] = None; sys.modules['keras'] = None; sys.modules['numpy'] = None; "
    code = (block + "from convlens.cli import main; import sys; "
            f"codes = [main(['summary', {str(EXAMPLES / 'resnet18.yaml')!r}]), main(['export', {str(EXAMPLES / 'resnet18.yaml')!r}, '--to', 'keras']), "
            f"main(['check', {str(EXAMPLES / 'residual-cnn-as-written.yaml')!r}])]; print(codes, file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.stderr.strip().splitlines()[-1] == "[0, 0, 1]", p.stderr
    assert "11,689,512" in p.stdout and "layers.Conv2D(filters=64, kernel_size=7, strides=2" in p.stdout and "linear-in-features" in p.stdout


def test_a_json_mistake_is_reported_as_json_tools_report_it(tmp_path):
    path = tmp_path / "net.json"
    path.write_text('{"input": [1, 3, 8, 8],\n "layers": [{"type": "ReLU"},]}')
    with pytest.raises(design.SpecError) as info:
        design.load(path)
    assert str(info.value).startswith(f"{path}:2:30: not valid JSON: ")  # the position; the json module's words follow
