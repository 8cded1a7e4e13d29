"""Every kind of module a user has (issue 8): TorchScript, recurrent layers on any device, forwards
that make device-less tensors or read values, structured outputs, and torchinfo's arguments."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn as nn
from torch.utils.flop_counter import FlopCounterMode

import convlens
import convlens.frontends.torch as torch_frontend


def _flop_counter_macs(model, *inputs):
    with FlopCounterMode(display=False) as fc:
        model(*inputs)
    return fc.get_total_flops() // 2


def _small_cnn():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10)).eval()


@pytest.mark.parametrize("how", ["script", "trace"])
@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_torchscript_modules_give_parameters_shapes_and_macs(how, device):
    model = _small_cnn()
    x = torch.zeros(2, 3, 8, 8)
    scripted = torch.jit.script(model) if how == "script" else torch.jit.trace(model, x)
    s = convlens.summary(scripted, input_size=(2, 3, 8, 8), device=device)
    assert not s.failed and not s.errors
    assert s.total_params == sum(p.numel() for p in model.parameters()) == 3130
    assert s.total_macs == _flop_counter_macs(model, x) == 2 * (8 * 36 * 27 + 288 * 10)
    assert s.output_shapes == ((2, 10),)
    assert s.layers[0].type == "TorchScript(Sequential)" and s.layers[0].params == 3130
    assert any("TorchScript" in n for n in s.notes)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
def test_recurrent_macs_do_not_depend_on_the_device(cls):
    model = cls(10, 20, num_layers=2, batch_first=True, bidirectional=True)
    meta = convlens.summary(model, input_size=(3, 7, 10))
    cpu = convlens.summary(model, input_size=(3, 7, 10), device="cpu")
    with torch.device("meta"):
        expected = _flop_counter_macs(cls(10, 20, num_layers=2, batch_first=True, bidirectional=True), torch.zeros(3, 7, 10))
    gates = {nn.LSTM: 4, nn.GRU: 3, nn.RNN: 1}[cls]
    by_hand = 3 * 7 * 2 * gates * 20 * ((10 + 20) + (40 + 20))  # batch × steps × directions × gates × hidden × (in + hidden), 2 layers
    assert meta.total_macs == cpu.total_macs == expected == by_hand


class MakesTensors(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        extra = torch.zeros(x.shape[0], 4)  # no device: (B, 4)
        positions = torch.arange(x.shape[1])  # no device: (8,)
        return self.fc(torch.cat([x, extra], 1)), positions


class ReadsValues(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        if x.mean().item() > 100:  # a data-dependent branch
            x = x * 2
        rows = len(x.tolist())
        return self.fc(x)[:rows]


class Gaussian(nn.Module):
    def __init__(self):
        super().__init__()
        self.mu = nn.Linear(8, 2)
        self.log_sigma = nn.Linear(8, 2)

    def forward(self, x):
        return torch.distributions.Normal(self.mu(x), self.log_sigma(x).exp())


@dataclasses.dataclass
class Out:
    logits: torch.Tensor
    extras: dict


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        y = self.fc(x)
        return Out(y, {"pair": (y.sum(1), y.mean(0)), "n": 3})


def test_tensors_made_without_a_device_are_no_false_shape_errors():
    s = convlens.summary(MakesTensors(), input_size=(2, 8))
    assert not s.errors and not s.failed
    assert s.output_shapes == ((2, 3), (8,))
    assert all("meta" not in n or "meta device:" in n for n in s.notes)  # no fallback was needed


@pytest.mark.parametrize(("cls", "shapes", "names"), [
    (ReadsValues, ((2, 3),), ()),
    (Gaussian, ((2, 2), (2, 2)), ("loc", "scale")),
])
def test_forwards_that_read_values_fall_back_to_a_real_cpu_forward_with_a_note(cls, shapes, names):
    s = convlens.summary(cls(), input_size=(2, 8))
    assert not s.errors and not s.failed
    assert s.output_shapes == shapes and s.output_names == names
    fallback = [n for n in s.notes if "could not follow" in n]
    assert len(fallback) == 1 and "real forward on the CPU" in fallback[0] and ".item()" in fallback[0]


def test_a_model_built_on_meta_falls_back_with_stand_in_values():
    with torch.device("meta"):
        model = ReadsValues()
    s = convlens.summary(model, input_size=(2, 8))
    assert not s.failed and s.total_params == 27
    assert any("stood in by random values" in n for n in s.notes)
    assert model.fc.weight.device.type == "meta"


def test_when_the_cpu_fallback_does_not_fit_one_line_says_what_stopped_it(monkeypatch):
    monkeypatch.setattr(torch_frontend, "_free_memory", lambda: 100)  # bytes: less than its 27 parameters need twice
    with torch.device("meta"):
        model = ReadsValues()
    s = convlens.summary(model, input_size=(2, 8))
    d = next(d for d in s.diagnostics if d.code == "forward-failed")
    assert ".item() cannot be called on meta tensors" in d.message
    assert "GB free" in d.fix and "device='cpu'" in d.fix and "\n" not in d.fix


def test_nested_dataclass_dict_tuple_outputs():
    s = convlens.summary(Nested(), input_size=(2, 8))
    assert s.output_names == ("logits", "extras.pair[0]", "extras.pair[1]")
    assert s.output_shapes == ((2, 3), (2,), (3,))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 8)
        self.fc = nn.Linear(8, 2)

    def forward(self, tokens, scale=None):
        y = self.emb(tokens).mean(1)  # (B, T, 8) -> (B, 8)
        return self.fc(y if scale is None else y * scale)


class Scalar(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(3))

    def forward(self, t):  # t: a 0-d tensor
        return self.w * t


def test_torchinfo_arguments():
    tokens = torch.randint(0, 100, (2, 5))
    expected = ((2, 2),)
    assert convlens.summary(TwoInputs(), input_data=tokens).output_shapes == expected
    assert convlens.summary(TwoInputs(), input_data=[tokens]).output_shapes == expected
    assert convlens.summary(TwoInputs(), input_data=(tokens, torch.ones(2, 1))).output_shapes == expected
    assert convlens.summary(TwoInputs(), input_data={"tokens": tokens, "scale": torch.ones(2, 1)}).output_shapes == expected
    assert convlens.summary(TwoInputs(), input_size=(2, 5), dtypes=[torch.long]).output_shapes == expected
    assert convlens.summary(TwoInputs(), input_size=(2, 5), dtypes=[torch.long], device=torch.device("cpu")).output_shapes == expected
    s = convlens.summary(Scalar(), input_size=())
    assert s.input_shapes == ((),) and s.output_shapes == ((3,),)
    with pytest.raises(ValueError, match="device must be 'meta'"):
        convlens.summary(Scalar(), input_size=(), device=torch.device("meta", 0) if False else "cuda")


def test_torchscript_and_lazy_file_targets_on_the_command_line(tmp_path, capsys):
    from convlens.cli import main

    path = tmp_path / "models.py"
    path.write_text(
        "import torch\nimport torch.nn as nn\n\n\n"
        "def scripted():\n"
        "    return torch.jit.script(nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(288, 10)))\n\n\n"
        "def lazy():\n"
        "    return nn.Sequential(nn.LazyConv2d(8, 3), nn.Flatten(), nn.LazyLinear(10))\n")
    assert main(["summary", f"{path}:scripted", "--input", "1x3x8x8", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "model (TorchScript(Sequential))" in out and "3,114" in out and "10,656" in out
    assert main(["summary", f"{path}:scripted", "--input", "1x3x8x8"]) == 2  # built on meta: nothing to run
    err = capsys.readouterr().err
    assert "weights are on meta" in err and "--device cpu" in err and "Traceback" not in err
    assert main(["summary", f"{path}:lazy", "--input", "1x3x8x8"]) == 0  # exited 3 before issue 8
    out = capsys.readouterr().out
    assert "3,114" in out and "is lazy and uninitialised" in out
