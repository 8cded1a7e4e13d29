"""Rows and options from issue 8's README section: MultiheadAttention's out_proj, dict outputs,
transposed convolutions that are not ambiguous, and --depth as torchinfo means it."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn as nn

import convlens
from convlens.cli import main
from convlens.core import layer


class DictOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.att = nn.MultiheadAttention(16, 2, batch_first=True)

    def forward(self, x):
        y, _ = self.att(x, x, x)
        return {"tokens": y, "pooled": y.mean(1)}  # (B, N, 16), (B, 16)


@dataclasses.dataclass
class Heads:
    logits: torch.Tensor
    aux: tuple


class DataclassOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        y = self.fc(x)
        return Heads(y, (y.sum(1), {"m": y.max(1).values}))


def test_multihead_attention_row_holds_out_proj():
    s = convlens.summary(DictOut(), input_size=(1, 5, 16))
    att = next(r for r in s.layers if r.type == "MultiheadAttention")
    assert att.params == sum(p.numel() for p in nn.MultiheadAttention(16, 2).parameters()) == 3 * 16 * 16 + 3 * 16 + 16 * 16 + 16
    assert {w.name for w in att.weights} == {"in_proj_weight", "in_proj_bias", "weight", "bias"}
    assert sum(r.params for r in s.layers) == s.total_params


def test_dict_and_dataclass_outputs_show_where_each_tensor_is():
    s = convlens.summary(DictOut(), input_size=(1, 5, 16))
    assert s.output_names == ("tokens", "pooled") and s.output_shapes == ((1, 5, 16), (1, 16))
    assert "Output: tokens [1, 5, 16], pooled [1, 16]" in str(s)
    s = convlens.summary(DataclassOut(), input_size=(2, 4))
    assert s.output_names == ("logits", "aux[0]", "aux[1].m") and s.output_shapes == ((2, 3), (2,), (2,))
    plain = convlens.summary(nn.Linear(4, 3), input_size=(2, 4))
    assert plain.output_names == ()


@pytest.mark.parametrize(("kwargs", "warned"), [
    (dict(kernel_size=2, stride=2), False),  # U-Net up-sampling: exactly 2×in
    (dict(kernel_size=4, stride=2, padding=1), False),  # DCGAN: exactly 2×in
    (dict(kernel_size=3, stride=2, padding=1), True),  # gives 2×in − 1: output_padding=1 gives 2×in
    (dict(kernel_size=3, stride=2, padding=1, output_padding=1), False),
    (dict(kernel_size=3, stride=1, padding=1), False),
])
def test_transposed_conv_warns_only_where_output_padding_decides(kwargs, warned):
    out = nn.ConvTranspose2d(4, 2, **kwargs)(torch.zeros(1, 4, 8, 8)).shape
    r = layer("ConvTranspose2d", 4, 2, **kwargs).evaluate((1, 4, 8, 8))
    assert r.output_shape == tuple(out)
    assert bool(r.warnings) == warned
    if warned:
        assert "use output_padding=1 for 16" in r.warnings[0]
        fixed = nn.ConvTranspose2d(4, 2, output_padding=1, **kwargs)(torch.zeros(1, 4, 8, 8)).shape
        assert tuple(fixed[2:]) == (16, 16)


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU()), nn.Conv2d(4, 4, 3))
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.features(x).mean((2, 3)))  # (B, 4, 4, 4) -> (B, 4)


@pytest.fixture
def nested_file(tmp_path):
    import inspect

    path = tmp_path / "nested.py"
    path.write_text("import torch.nn as nn\n\n\n" + inspect.getsource(Nested))
    return f"{path}:Nested"


def _table_names(out):
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-" * 20)) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("=" * 20))
    return [line.split()[0] for line in lines[start:end]]


def test_depth_means_what_it_means_in_torchinfo(nested_file, capsys):
    assert main(["summary", nested_file, "--input", "1x1x8x8", "--depth", "1"]) == 0
    assert _table_names(capsys.readouterr().out) == ["features", "mean", "head"]  # torchinfo depth=1: the model's children
    assert main(["summary", nested_file, "--input", "1x1x8x8", "--depth", "2"]) == 0
    assert _table_names(capsys.readouterr().out) == ["features", "features.0", "features.1", "mean", "head"]


@pytest.mark.parametrize("depth", ["0", "-1"])
def test_depth_below_one_is_a_usage_error(nested_file, capsys, depth):
    assert main(["summary", nested_file, "--input", "1x1x8x8", "--depth", depth]) == 2
    err = capsys.readouterr().err
    assert f"--depth must be a whole number >= 1" in err and f"got {depth}" in err and "Traceback" not in err
