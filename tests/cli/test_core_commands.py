"""The calc / solve / rf / demo commands: output, exit codes, one-line errors, never a traceback."""

import json
import subprocess
import sys

import pytest

from convlens.cli import main
from convlens.core import LAYERS


def needs(*names):
    missing = [n for n in names if not any(alt in LAYERS for alt in n.split("|"))]  # "add|Add": either will do
    return pytest.mark.skipif(bool(missing), reason=f"core layers not yet available: {missing}")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_calc_one_layer_by_options(capsys):
    code, out, _ = run(capsys, "calc", "Conv2d", "--input", "16x1x28x28", "--out-channels", "20", "--kernel-size", "5", "--padding", "2")
    assert code == 0
    for expected in ("(16, 20, 28, 28)", "weight (20, 1, 5, 5) = 500", "520 (trainable 520, non-trainable 0)", "6,272,000", "12,794,880",
                     "H_out = ⌊(28 + 2·2 − 1·(5−1) − 1) / 1⌋ + 1 = 28"):
        assert expected in out


def test_calc_tuple_and_bool_options(capsys):
    code, out, _ = run(capsys, "calc", "Conv2d", "--input", "1x3x32x32", "--out_channels", "8", "--kernel-size", "3,5", "--bias", "false", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["layers"][0]["output_shape"] == [1, 8, 30, 28]
    assert d["total_params"] == 8 * 3 * 15


def test_calc_chain_table(capsys):
    code, out, _ = run(capsys, "calc", "--input", "1x28x28", "Conv2d(1, 32, 3, padding=1)", "MaxPool2d(2)", "Conv2d(32, 64, 3, padding=1)")
    assert code == 0
    lines = out.splitlines()
    # golden-ish: every layer's row with its output and params, the worked formula, the totals
    assert any("Conv2d" in l and "[1, 32, 28, 28]" in l and "320" in l for l in lines)
    assert any("MaxPool2d" in l and "[1, 32, 14, 14]" in l for l in lines)
    assert any("Conv2d" in l and "[1, 64, 14, 14]" in l and "18,496" in l for l in lines)
    assert "⌊(28 + 2·1 − 1·(3−1) − 1) / 1⌋ + 1 = 28" in out
    assert "18,816" in out and "3,838,464" in out


@needs("ReLU", "Flatten", "Linear")
def test_calc_tutorial_chain_and_fc1_error(capsys):
    chain = ["Conv2d(1, 32, 3, padding=1)", "ReLU()", "MaxPool2d(2)", "Conv2d(32, 64, 3, padding=1)", "ReLU()", "MaxPool2d(2)",
             "Conv2d(64, 128, 3, padding=1)", "ReLU()", "MaxPool2d(2)", "Flatten()"]
    code, out, _ = run(capsys, "calc", "--input", "1x28x28", *chain, "Linear(128*3*3, 512)", "ReLU()", "Linear(512, 10)")
    assert code == 0 and "[1, 1152]" in out and "[1, 10]" in out
    code, out, err = run(capsys, "calc", "--input", "1x28x28", *chain, "self.fc1 = nn.Linear(128*7*7, 512)")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("convlens: layer 10 'fc1' (Linear): in_features=6272")


def test_solve(capsys):
    code, out, _ = run(capsys, "solve", "Conv2d", "--input", "224", "--output-size", "112", "--kernel-size", "7")
    assert code == 0 and "kernel_size=7, stride=2, padding=3" in out
    code, out, _ = run(capsys, "solve", "Conv2d", "--input", "28", "--same", "--kernel-size", "4")
    assert code == 0 and "padding='same'" in out and "ZeroPad2d" in out
    code, out, _ = run(capsys, "solve", "ConvTranspose2d", "--input", "7", "--output-size", "14", "--kernel-size", "3", "--json")
    assert {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}.items() <= json.loads(out)["solutions"][0].items()


def test_rf_vgg16(capsys):
    from convlens.zoo.vgg_config import layer_calls

    calls = layer_calls("vgg16")
    code, out, _ = run(capsys, "rf", "--input", "1x3x224x224", *calls)
    assert code == 0
    last = [l for l in out.splitlines() if l.startswith("17 ")][0]
    assert "212×212" in last and "32×32" in last
    code, out, _ = run(capsys, "rf", "--input", "1x3x224x224", *calls, "--json")
    assert json.loads(out)[-1]["receptive_field"]["size"] == [212, 212]


@needs("ReLU", "Flatten", "Linear", "add|Add")
def test_demo(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "layer 18 'fc1' (Linear): in_features=6272" in out
    assert "1152" in out and "✗" not in out


BAD = [
    (["calc", "Conv2dd", "--input", "1x1x28x28"], "unknown layer 'Conv2dd'"),
    (["calc", "conv2d", "--input", "1x1x28x28"], "did you mean 'Conv2d'"),
    (["calc", "Conv2d", "--input", "1xfoox28", "--out-channels", "2", "--kernel-size", "3"], "is not a shape"),
    (["calc", "Conv2d", "--input", "1x1x2x2", "--out-channels", "2", "--kernel-size", "3"], "larger than the padded input"),
    (["calc", "--input", "1x1x28x28", "Conv2d(1, 32"], "cannot read 'Conv2d(1, 32'"),
    (["calc", "--input", "1x1x28x28", "Conv2d(1, 32, k)"], "'k' is a variable"),
    (["calc", "Conv2d", "--input", "1x1x8x8", "--kernel-size", "3", "--out-channels", "2", "--pool-size", "2"], "Conv2d has no option '--pool-size'"),
    (["calc", "Conv2d", "--out-channels", "2", "--kernel-size", "3"], "--input is required"),
    (["calc"], "give a layer name"),
    (["rf", "--input", "1x1x28x28", "Conv2d(2, 4, 3)"], "layer 0 (Conv2d): in_channels=2"),
    (["solve", "Linear", "--input", "28", "--output-size", "3"], "solve works for layers with a sliding window"),
    (["solve", "Conv2d", "--input", "28"], "give --output-size"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_exits_2_with_one_line(argv, message):
    p = subprocess.run([sys.executable, "-c", "import sys; from convlens.cli import main; sys.exit(main(sys.argv[1:]))", *argv], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert message in p.stderr


def test_solve_prints_json_with_format_and_with_its_synonym(capsys):
    argv = ["solve", "Conv2d", "--input", "224", "--output-size", "112", "--kernel-size", "7"]
    outs = []
    for extra in (["--format", "json"], ["--json"]):
        code, out, _ = run(capsys, *argv, *extra)
        assert code == 0
        outs.append(json.loads(out))
    assert outs[0] == outs[1] and outs[0]["solutions"]


def test_check_prints_the_record_as_json_with_format(capsys):
    code, out, _ = run(capsys, "check", "zoo:residual-cnn-as-written", "--format", "json")
    record = json.loads(out)
    assert code == 1 and any(d["severity"] == "error" for d in record["diagnostics"])


def test_bare_data_lists_as_bare_zoo_does(capsys):
    pytest.importorskip("torch")
    code_bare, out_bare, err_bare = run(capsys, "data")
    code_list, out_list, _ = run(capsys, "data", "list")
    assert (code_bare, out_bare) == (code_list, out_list) and code_bare == 0 and out_bare.startswith("dataset")


def test_data_list_prints_json_with_format(capsys, tmp_path):
    pytest.importorskip("torch")
    code, out, _ = run(capsys, "data", "list", "--data-dir", str(tmp_path), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {r["dataset"] for r in rows} >= {"fashion-mnist", "mnist", "cifar10", "cifar100"}
    assert not any(r["found"] for r in rows)  # an empty folder holds none of them
