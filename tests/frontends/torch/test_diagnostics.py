"""Every diagnostic on a model written for it, and the seed tutorial's residual CNN as written."""

from __future__ import annotations

import inspect

import torch

import convlens
from convlens import zoo

from .models import BadBatchNorm, BadResidual, ViT


def _codes(s):
    return [d.code for d in s.diagnostics]


def _line(obj, text):
    lines, start = inspect.getsourcelines(obj)
    return start + next(i for i, line in enumerate(lines) if text in line)


def test_seed_residual_cnn_as_written_linear_mismatch_with_line_and_fix():
    model = zoo.build("residual-cnn-as-written")
    s = convlens.summary(model, input_size=(1, 1, 28, 28))
    fc1 = next(d for d in s.diagnostics if d.code == "linear-in-features")
    assert fc1.severity == "error" and fc1.layer == "fc1"
    assert fc1.message == (
        "fc1 expects 6,272 = 128×7×7 features but receives 1,152 = 128×3×3 (after three 2×2 pools 28→14→7→3)"
    )
    assert fc1.fix == "use nn.Linear(128*3*3, 512) or nn.LazyLinear(512)"
    forward = type(model).forward
    assert fc1.source.endswith(f":{_line(forward, 'self.fc1(x)')}") and "self.fc1" in fc1.code_line
    view = next(d for d in s.diagnostics if d.code == "reshape-mismatch")
    assert view.layer == "view" and "x.flatten(1)" in view.fix
    assert view.source.endswith(f":{_line(forward, '.view(')}")
    # the trace went on past the bug: the table reaches the last layer
    assert s.output_shapes == ((1, 10),) and s.layers[-1].name == "fc2"


def test_seed_model_given_batch_49_returns_9_rows_and_convlens_says_so():
    model = zoo.build("residual-cnn-as-written")
    s = convlens.summary(model, input_size=(49, 1, 28, 28))
    fold = next(d for d in s.diagnostics if d.code == "batch-folded")
    assert fold.severity == "error"
    assert "49 samples of 1,152 = 128×3×3 values become 9 rows of 6,272" in fold.message
    assert "x.flatten(1)" in fold.fix
    # the real model really does that
    with torch.no_grad():
        assert model(torch.zeros(49, 1, 28, 28)).shape == (9, 10)


def test_a_view_that_folds_the_batch_into_rows_is_found_at_any_batch():
    # issue 8: x.view(-1, 256) turning a batch of 4 into 8 rows used to be "No problems found"
    class Folds(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(8, 2)

        def forward(self, x):  # x: (B, 8): view(-1, 4) cuts each sample's 8 features into 2 rows
            return self.fc(x.view(-1, 4).repeat(1, 2))

    # (B, 2, 2, 2) -> view(-1, 4) would merge the batch with a whole dimension (B·2 rows of 2×2, as
    # per-channel processing does): not a fold (issue 15, tests/frontends/torch/test_batch_folding.py)
    for batch in (1, 3, 4):
        s = convlens.summary(Folds(), input_size=(batch, 8))
        d = next(d for d in s.diagnostics if d.code == "batch-folded")
        assert d.severity == "error" and d.code_line.startswith("return self.fc(x.view(-1, 4)")
        assert f"a batch of {batch} gives ({2 * batch}, 4)" in d.message and "x.flatten(1)" in d.fix
        with torch.no_grad():
            assert Folds()(torch.zeros(batch, 8)).shape[0] == 2 * batch  # what the message says is real


def test_merging_the_batch_with_tokens_and_splitting_it_back_is_fine():
    class TokenWise(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(8, 8)

        def forward(self, x):  # (B, T, 8)
            b, t, c = x.shape
            y = self.fc(x.reshape(-1, c))  # (B*T, 8): a legal merge of batch and tokens
            return y.view(b, t, c)  # (B*T, 8) -> (B, T, 8)

    for batch in (1, 4):
        s = convlens.summary(TokenWise(), input_size=(batch, 5, 8))
        assert "batch-folded" not in _codes(s)


def test_corrected_tutorial_model_is_clean_of_errors():
    s = convlens.summary(zoo.build("residual-cnn"), input_size=(1, 1, 28, 28))
    assert not s.errors and not s.failed


def test_residual_branches_that_disagree():
    s = convlens.summary(BadResidual(), input_size=(1, 64, 14, 14))
    d = next(d for d in s.diagnostics if d.code == "branch-mismatch")
    assert d.severity == "error"
    assert "(1, 64, 14, 14)" in d.message and "(1, 64, 7, 7) from conv2 (Conv2d)" in d.message
    assert "dims 2,3" in d.message
    assert d.source.endswith(f":{_line(BadResidual.forward, 'return x + y')}")


def test_batchnorm_num_features_mismatch():
    s = convlens.summary(BadBatchNorm(), input_size=(2, 3, 8, 8))
    d = next(d for d in s.diagnostics if d.code == "layer-mismatch")
    assert d.layer == "bn" and "num_features=64" in d.message and "32" in d.message
    assert d.fix == "use nn.BatchNorm2d(num_features=32, …)"
    assert s.output_shapes == ((2, 10),)


def test_floor_that_drops_rows_and_input_not_divisible_by_total_stride():
    s = convlens.summary(zoo.build("residual-cnn"), input_size=(1, 1, 28, 28))
    floor = next(d for d in s.diagnostics if d.code == "layer-warning" and "floor" in d.message)
    assert "7 → 3" in floor.message and floor.layer == "pool"
    stride = next(d for d in s.diagnostics if d.code == "input-not-divisible")
    assert "total stride 8" in stride.message and "24 or 32" in stride.fix
    s32 = convlens.summary(zoo.build("residual-cnn"), input_size=(1, 1, 32, 32))
    assert "input-not-divisible" not in _codes(s32)


def test_a_forward_that_cannot_be_repaired_keeps_the_table_up_to_the_failure():
    class Broken(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)

        def forward(self, x):
            x = self.conv(x)
            return torch.nn.functional.interpolate(x, size=(2, 2, 2))  # wrong rank of size

    s = convlens.summary(Broken(), input_size=(1, 3, 8, 8))
    assert s.failed
    assert s.layers[0].name == "conv" and s.layers[0].output_shape == (1, 4, 6, 6)
    d = next(d for d in s.diagnostics if d.code == "forward-failed")
    assert d.severity == "error" and "interpolate" in (d.layer or "") and d.source


def test_vit_is_clean():
    with torch.device("meta"):
        model = ViT(depth=2)
    s = convlens.summary(model, input_size=(2, 3, 224, 224))
    assert not s.errors


def test_data_dependent_control_flow_falls_back_to_a_real_cpu_forward():
    class DataDependent(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 4)

        def forward(self, x):
            y = self.fc(x)
            return y * 2 if y.sum() > 0 else y

    s = convlens.summary(DataDependent(), input_size=(2, 4))
    assert not s.failed and not s.errors and s.output_shapes == ((2, 4),)
    assert any("could not follow" in n and "real forward on the CPU" in n for n in s.notes)
    assert not convlens.summary(DataDependent(), input_size=(2, 4), device="cpu").failed


def test_the_line_blamed_for_a_failing_forward_is_the_line_that_raised():
    class Checks(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3)

        def forward(self, x):
            x = self.conv(x)
            if x.shape[1] != 16:
                raise ValueError(f"expected 16 channels, got {x.shape[1]}")
            return x

    s = convlens.summary(torch.nn.Sequential(Checks()), input_size=(1, 3, 8, 8))
    d = next(d for d in s.diagnostics if d.code == "forward-failed")
    assert d.source.endswith(f":{_line(Checks.forward, 'raise ValueError')}")
    assert d.code_line.startswith("raise ValueError") and "expected 16 channels, got 8" in d.message
    assert d.layer == "0"  # the module whose forward raised, not the conv before it
    conv = next(r for r in s.layers if r.type == "Conv2d")
    assert conv.failed is None and conv.output_shape == (1, 8, 6, 6)
