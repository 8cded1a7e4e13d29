"""The few meta results convlens computes itself (``_costs.meta_shortcut``) agree with PyTorch's meta
kernels — shapes, dtypes and refusals — and a summary never imports torch._dynamo or sympy."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
import torch

from convlens.frontends.torch._costs import meta_shortcut

aten = torch.ops.aten


def _meta(*shape, dtype=torch.float32):
    return torch.empty(shape, dtype=dtype, device="meta")


def _cases():
    for a, b in [((2, 3, 4), (4,)), ((2, 1, 4), (1, 5, 4)), ((3,), (2, 3)), ((2, 3), (3, 2)), ((1, 64, 7, 7), (1, 64, 14, 14))]:
        for op in (aten.add.Tensor, aten.mul.Tensor, aten.sub.Tensor, aten.div.Tensor):
            yield op, (_meta(*a), _meta(*b))
        yield aten.add.Tensor, (_meta(*a, dtype=torch.float16), _meta(*b))
        yield aten.add_.Tensor, (_meta(*a), _meta(*b))
    yield aten.mul.Tensor, (_meta(2, 3), 2.5)
    for (c, k, s, p, d, g) in itertools.product((4, 6), (1, 3), (1, 2), (0, 1), (1, 2), (1, 2)):
        yield aten.convolution.default, (_meta(2, 4, 9, 8), _meta(c, 4 // g, k, k + 1), None, [s, s], [p, p], [d, d], False, [0, 0], g)
    yield aten.convolution.default, (_meta(2, 3, 9, 8), _meta(4, 4, 3, 3), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)
    yield aten.convolution.default, (_meta(2, 4, 2, 2), _meta(4, 4, 3, 3), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)
    for k, s, p, ceil in itertools.product((2, 3), ([], [2], [1]), (0, 1), (False, True)):
        if 2 * p <= k:
            yield aten.max_pool2d_with_indices.default, (_meta(1, 3, 7, 9), [k, k], s, [p, p], [1, 1], ceil)
    for dims, keep in (([2, 3], True), ([-1], False), ([0], False)):
        yield aten.mean.dim, (_meta(2, 3, 4, 5), dims, keep)
    yield aten.addmm.default, (_meta(5), _meta(3, 4), _meta(4, 5))
    yield aten.addmm.default, (_meta(5), _meta(3, 4), _meta(6, 5))
    yield aten.mm.default, (_meta(3, 4), _meta(4, 2))


def _result(fn):
    try:
        out = fn()
        if out is None:
            return None
    except Exception as exc:  # both must refuse
        return ("raises", type(exc) if not isinstance(exc, (RuntimeError, ValueError)) else "error")
    outs = out if isinstance(out, tuple) else (out,)
    return tuple((tuple(o.shape), o.dtype) for o in outs)


@pytest.mark.parametrize(("op", "args"), list(_cases()), ids=lambda v: str(v) if not isinstance(v, tuple) else "")
def test_shortcut_agrees_with_pytorch(op, args):
    mine = _result(lambda: meta_shortcut(op, args, {}))
    theirs = _result(lambda: op(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args]))
    assert mine is not None, "the shortcut left this case to PyTorch"
    assert mine == theirs


_ACTIVATIONS = [(aten.relu.default, ()), (aten.sigmoid.default, ()), (aten.silu.default, ()), (aten.tanh.default, ()),
                (aten.hardswish.default, ()), (aten.hardsigmoid.default, ()), (aten.gelu.default, ()), (aten.mish.default, ()),
                (aten.leaky_relu.default, (0.2,)), (aten.hardtanh.default, (0.0, 6.0))]


@pytest.mark.parametrize(("op", "extra"), _ACTIVATIONS, ids=lambda v: str(v) if not isinstance(v, tuple) else "")
@pytest.mark.parametrize("layout", ["contiguous", "channels_last", "transposed", "float16", "int64"])
def test_activation_shortcut_agrees_with_pytorch_strides_included(op, extra, layout):
    x = _meta(2, 3, 5, 4, dtype=torch.float16 if layout == "float16" else torch.int64 if layout == "int64" else torch.float32)
    if layout == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    if layout == "transposed":
        x = x.transpose(1, 3)
    mine = meta_shortcut(op, (x, *extra), {})
    if layout in ("transposed", "int64"):
        assert mine is None  # left to PyTorch
        return
    theirs = op(x.clone() if layout != "channels_last" else x.clone(memory_format=torch.channels_last), *extra)
    assert (mine.shape, mine.dtype, mine.stride(), mine.device) == (theirs.shape, theirs.dtype, theirs.stride(), theirs.device)


def test_a_summary_imports_neither_dynamo_nor_sympy():
    # a model with real weights (a user's), and one convlens builds on meta (the command line's)
    code = ("import sys, convlens, convlens.zoo as z, torch\n"
            "convlens.summary(z.build('resnet18'), input_size=(1, 3, 224, 224))\n"
            "convlens.summary('zoo:resnet50')\n"
            "m = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.SiLU(), torch.nn.Hardswish(),\n"
            "                        torch.nn.ReLU6(), torch.nn.GELU(), torch.nn.Sigmoid(), torch.nn.LeakyReLU())\n"
            "convlens.summary(m, input_size=(1, 3, 32, 32))\n"
            "print(sorted(n for n in ('torch._dynamo', 'sympy') if n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr[-2000:]


def test_the_command_line_summary_of_a_pytorch_file_leaves_the_keras_front_end_alone(tmp_path):
    # `convlens summary file.py:Class` builds every sub-command's parser (compare's included) and asks
    # whether the target is a Keras model: neither may import the Keras front end (~40 ms of its layer
    # table) nor keras itself when keras was never imported (issue 20, the cold start)
    (tmp_path / "net.py").write_text("import torch.nn as nn\n\ndef Net():\n    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())\n")
    code = ("import sys\nfrom convlens.cli import main\n"
            f"assert main(['summary', {str(tmp_path / 'net.py') + ':Net'!r}, '--input', '1x3x32x32']) == 0\n"
            "print(sorted(n for n in ('keras', 'convlens.frontends.keras') if n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
