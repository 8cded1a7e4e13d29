"""One way in: every kind of target resolved by ``convlens.targets`` into a model and a frozen request."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

import convlens
from convlens.record import Summary
from convlens.targets import TraceDevice, Request, RequestError, TargetError, register_file_loader, resolve, summarize

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("options, message", [
    ({"depth": 0}, "depth must be a whole number >= 1"),
    ({"depth": True}, "depth must be"),
    ({"device": "cuda:7"}, "device must be 'meta' or 'cpu', got 'cuda:7'"),
    ({"args": [1, 2]}, "args must be a dict"),
])
def test_request_refuses_malformed_options(options, message):
    with pytest.raises(RequestError, match=message):
        Request.make(**options)


def test_request_is_frozen_and_normalised():
    r = Request.make(input_size=(1, 3, 8, 8), device=torch.device("cpu"), args={"num_classes": 10}, dtypes=torch.float16)
    assert r.input_sizes == ((1, 3, 8, 8),) and r.device is TraceDevice.CPU and r.kwargs == {"num_classes": 10}
    assert r.dtypes == (torch.float16,)
    assert Request.make(input_size=[(2, 3), (2, 5)]).input_sizes == ((2, 3), (2, 5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.depth = 3


def test_zoo_target_takes_its_documented_input_and_builds_on_meta():
    resolved = resolve("zoo:mnist-conv")
    assert resolved.label == "mnist-conv" and resolved.request.input_sizes == ((16, 1, 28, 28),)  # its documented input
    assert all(p.device.type == "meta" for p in resolved.model.parameters())
    assert summarize(resolved).total_params == 520


def test_the_python_api_takes_targets_too():
    s = convlens.summary("zoo:mnist-conv", input_size=(16, 1, 28, 28))
    assert s.title == "mnist-conv" and s.layers[0].output_shape == (16, 20, 28, 28)


def test_the_python_api_has_no_catch_all():
    with pytest.raises(TypeError, match="unexpected keyword"):
        convlens.summary(torch.nn.Linear(2, 2), input_size=(1, 2), depht=3)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A model file that imports a sibling module, at import time and inside its constructor."""
    (tmp_path / "blocks_for_convlens_test.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        def block(c):
            return nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU())
    """))
    (tmp_path / "late_for_convlens_test.py").write_text("WIDTH = 4\n")
    (tmp_path / "net.py").write_text(textwrap.dedent("""
        import torch.nn as nn
        from blocks_for_convlens_test import block

        class Net(nn.Module):
            def __init__(self, channels=3):
                super().__init__()
                from late_for_convlens_test import WIDTH  # imported when the class is built
                self.body = block(channels)
                self.head = nn.Conv2d(channels, WIDTH, 1)

            def forward(self, x):
                return self.head(self.body(x))

        def huge():
            return nn.Linear(10**6, 10**6)  # 4 TB of float32 weights
    """))
    for name in ("blocks_for_convlens_test", "late_for_convlens_test"):
        monkeypatch.delitem(__import__("sys").modules, name, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "nowhere"))  # restored after the test
    return tmp_path


def test_a_file_target_imports_its_sibling_modules(project):
    s = convlens.summary(f"{project / 'net.py'}:Net", input_size=(1, 3, 8, 8), args={"channels": 3})
    assert s.output_shapes == ((1, 4, 8, 8),) and s.title == "Net"


def test_out_of_memory_on_cpu_says_meta_needs_none(project):
    with pytest.raises(TargetError, match="does not fit in memory on the CPU .* --device meta .* needs no memory"):
        resolve(f"{project / 'net.py'}:huge", Request.make(device="cpu"))
    on_meta = resolve(f"{project / 'net.py'}:huge")  # the same model on meta costs nothing
    assert sum(p.numel() for p in on_meta.model.parameters()) == 10**12 + 10**6


def test_a_keras_file(tmp_path):
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), keras.layers.Dense(2)])
    path = tmp_path / "small.keras"
    model.save(path)
    s = convlens.summary(str(path))
    assert s.framework == "keras" and s.total_params == model.count_params() and s.title == "small.keras"


def test_file_loaders_register_by_suffix(tmp_path):
    made = convlens.summary("zoo:mnist-conv")
    register_file_loader(".convlens-test", lambda path, request: made)
    path = tmp_path / "m.convlens-test"
    path.write_text("")
    s = convlens.summary(str(path))
    assert isinstance(s, Summary) and s.total_params == 520 and s.title == "m.convlens-test"


def test_spec_files_need_the_spec_front_end(tmp_path):
    import importlib.util

    if importlib.util.find_spec("convlens.design") is not None:
        pytest.skip("convlens.design is installed: its own tests cover spec files")
    path = tmp_path / "m.yaml"
    path.write_text("layers: []\n")
    with pytest.raises(TargetError, match="needs convlens.design"):
        resolve(str(path))


@pytest.mark.parametrize("target, message", [
    ("no-colon", "must be path/to/file.py:ClassOrFactory"),
    ("missing.py:Net", "does not exist"),
    ("zoo:resnet-19", "did you mean"),
    ("missing.keras", "no such file"),
])
def test_bad_targets_name_what_works(target, message):
    with pytest.raises(TargetError, match=message):
        resolve(target)
