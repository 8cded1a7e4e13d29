"""Every mistake of the user's: exit status 2 and one line naming it and what works (issue 8)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from convlens.cli import main

BLOCK = "import sys; sys.modules['{0}'] = None; "


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _blocked(module: str, argv: list[str]):
    code = BLOCK.format(module) + f"from convlens.cli import main; raise SystemExit(main({argv!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


@pytest.fixture
def files(tmp_path, monkeypatch):
    (tmp_path / "sibling_for_cli_test.py").write_text("import torch.nn as nn\n\ndef head():\n    return nn.Linear(12, 2)\n")
    (tmp_path / "net.py").write_text(textwrap.dedent("""
        import torch.nn as nn
        from sibling_for_cli_test import head

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body, self.head = nn.Flatten(), head()

            def forward(self, x):
                return self.head(self.body(x))

        def huge():
            return nn.Linear(10**6, 10**6)  # 4 TB of float32 weights
    """))
    (tmp_path / "kmodel.py").write_text("import keras\n\ndef build():\n    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n")
    monkeypatch.delitem(sys.modules, "sibling_for_cli_test", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "restored-after-the-test"))
    return tmp_path


@pytest.mark.parametrize("argv, message", [
    (["summary", "zoo:mnist-conv", "--depth", "-1"], "--depth must be a whole number >= 1"),
    (["zoo", "show", "mnist-conv", "--depth", "-1"], "--depth must be a whole number >= 1"),
    (["calc", "Conv2d", "--input", "1x3x8x8", "--out-channels", "4", "--kernel-size", "3", "--bias", "maybe"],
     "'maybe' is not true or false; write true/false, yes/no or 1/0"),
    (["calc", "Conv2dd", "--input", "1x3x8x8"], "did you mean 'Conv2d'"),
    (["calc", "GroupNorm", "--input", "2x30x8x8", "--num-groups", "4"], "not divisible by num_groups=4"),
])
def test_one_line_exit_2(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2, (out, err)
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("value, bias", [("yes", True), ("No", False), ("1", True), ("0", False), ("TRUE", True)])
def test_bias_words(capsys, value, bias):
    code, out, _ = _run(capsys, "calc", "Conv2d", "--input", "1x3x8x8", "--out-channels", "4", "--kernel-size", "3", "--bias", value)
    assert code == 0 and ("bias (4,)" in out) is bias


def test_group_norm_takes_its_channels_from_the_input(capsys):
    code, out, _ = _run(capsys, "calc", "GroupNorm", "--input", "2x32x8x8", "--num-groups", "4")
    assert code == 0 and "weight (32,) = 32; bias (32,) = 32" in out


def test_out_of_memory_on_cpu_says_meta_needs_none(capsys, files):
    code, _, err = _run(capsys, "summary", f"{files / 'net.py'}:huge", "--input", "1x1000000", "--device", "cpu")
    assert code == 2 and "does not fit in memory on the CPU" in err and "--device meta" in err and "needs no memory" in err


def test_a_file_target_importing_a_sibling(capsys, files):
    code, out, err = _run(capsys, "summary", f"{files / 'net.py'}:Net", "--input", "1x3x2x2")
    assert code == 0, err
    assert "[1, 2]" in out


def test_solve_with_no_configuration_exits_1_and_shows_the_nearest(capsys):
    code, out, _ = _run(capsys, "solve", "Conv2d", "--input", "28", "--output-size", "100", "--kernel-size", "3")
    assert code == 1
    assert "nearest reachable sizes:" in out and "36  Conv2d(..., kernel_size=3, padding=7, dilation=3)" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    from convlens import __version__

    assert capsys.readouterr().out.strip() == f"convlens {__version__}"


def test_compare_takes_args_device_and_format(capsys):
    import json

    code, out, err = _run(capsys, "compare", "zoo:resnet18-cifar", "zoo:alexnet-cifar", "--args", '{"num_classes": 7}',
                          "--device", "cpu", "--format", "json")
    assert code == 0, err
    assert [m["output_shapes"] for m in json.loads(out)["models"]] == [[[1, 7]], [[1, 7]]]


def test_keras_target_without_keras_says_what_to_install(files):
    for argv in (["summary", "zoo:keras-tutorial-cnn-keras"], ["summary", f"{files / 'kmodel.py'}:build"]):
        p = _blocked("keras", argv)
        assert p.returncode == 2, p.stderr
        assert "keras is not installed; install it with: pip install keras" in p.stderr and "Traceback" not in p.stderr


def test_compare_without_torch_says_what_to_install():
    p = _blocked("torch", ["compare", "zoo:resnet18", "zoo:resnet34"])
    assert p.returncode == 2, p.stderr
    assert "pip install torch==2.13.0" in p.stderr and "not available yet" not in p.stderr


USER_ERRORS = [  # (module, class): every error that means "the user asked for something that cannot be done"
    ("convlens.core", "LayerError"), ("convlens.core.network", "NetworkError"), ("convlens.frontends.chain", "ParseError"),
    ("convlens.design", "SpecError"), ("convlens.design.from_zoo", "ZooSpecError"),
    ("convlens.targets", "TargetError"), ("convlens.targets", "RequestError"),
    ("convlens.frontends.torch", "SummaryError"), ("convlens.frontends.keras", "KerasModelError"),
    ("convlens.zoo", "ZooError"), ("convlens.zoo", "UnknownModelError"), ("convlens.data", "DataError"),
    ("convlens.train", "CheckpointError"), ("convlens.train", "ModelMismatchError"), ("convlens.train", "TrainError"),
    ("convlens.train.inference", "ImageError"), ("convlens.render.diagram", "DrawError"), ("convlens.cli._common", "UsageError"),
]


@pytest.mark.parametrize("module, name", USER_ERRORS, ids=[n for _, n in USER_ERRORS])
def test_every_users_mistake_is_a_user_error(module, name):
    import importlib

    from convlens.errors import UserError

    assert issubclass(getattr(importlib.import_module(module), name), UserError)


def _command_raising(monkeypatch, exc):
    import convlens.cli.calc as calc

    def run(args):
        raise exc

    real = calc.register

    def register(sub):
        real(sub)
        sub.choices["calc"].set_defaults(run=run)

    monkeypatch.setattr(calc, "register", register)


@pytest.mark.parametrize("exc", [
    __import__("convlens.errors", fromlist=["UserError"]).UserError("what is wrong; what would work"),
    __import__("convlens.design", fromlist=["SpecError"]).SpecError("what is wrong; what would work", filename="net.yaml", line=3, column=5),
])
def test_a_user_error_from_any_layer_is_one_line_exit_2(capsys, monkeypatch, exc):
    _command_raising(monkeypatch, exc)
    code, out, err = _run(capsys, "calc", "Conv2d(1, 2, 3)", "--input", "1x1x8x8")
    assert (code, out, err) == (2, "", f"convlens: {exc}\n")


def test_a_plain_value_error_is_a_bug_not_the_users_mistake(capsys, monkeypatch):
    _command_raising(monkeypatch, ValueError("an invariant of convlens broke"))
    code, out, err = _run(capsys, "calc", "Conv2d(1, 2, 3)", "--input", "1x1x8x8")
    assert code == 3 and "internal error: ValueError: an invariant of convlens broke" in err and "Traceback" not in err
