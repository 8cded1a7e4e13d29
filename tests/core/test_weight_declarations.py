"""Each layer class declares its weights once; what it evaluates to matches the declaration."""

from __future__ import annotations

import pytest

from convlens.core import LAYERS, calc, declared_weight

CASES = [  # (layer, input, options, main weight in the tutorials' order in × out × kernel)
    ("Conv1d", (1, 3, 20), dict(out_channels=8, kernel_size=5), (3, 8, 5)),
    ("Conv2d", (1, 3, 28, 28), dict(out_channels=8, kernel_size=3, groups=1), (3, 8, 3, 3)),
    ("Conv3d", (1, 2, 8, 8, 8), dict(out_channels=4, kernel_size=(1, 3, 3)), (2, 4, 1, 3, 3)),
    ("ConvTranspose2d", (1, 8, 7, 7), dict(in_channels=8, out_channels=4, kernel_size=2, stride=2), (8, 4, 2, 2)),
    ("Conv2D", (None, 28, 28, 1), dict(filters=32, kernel_size=3), (1, 32, 3, 3)),
    ("DepthwiseConv2D", (None, 28, 28, 8), dict(kernel_size=3, depth_multiplier=2), (8, 2, 3, 3)),
    ("SeparableConv2D", (None, 28, 28, 8), dict(filters=16, kernel_size=3), (8, 1, 3, 3)),
    ("Conv2DTranspose", (None, 7, 7, 8), dict(filters=4, kernel_size=2, strides=2), (8, 4, 2, 2)),
    ("Linear", (4, 1152), dict(in_features=1152, out_features=512), (1152, 512)),
    ("Dense", (None, 400), dict(units=512), (400, 512)),
    ("Embedding", (4, 7), dict(num_embeddings=100, embedding_dim=16), (100, 16)),
    ("BatchNorm2d", (2, 32, 8, 8), dict(num_features=32), (32,)),
    ("InstanceNorm2d", (2, 32, 8, 8), dict(num_features=32, affine=True, track_running_stats=True), (32,)),
    ("LayerNorm", (2, 10, 16), dict(normalized_shape=16), (16,)),
    ("GroupNorm", (2, 32, 8, 8), dict(num_groups=4, num_channels=32), (32,)),
    ("BatchNormalization", (None, 28, 28, 75), dict(), (75,)),
    ("PReLU", (2, 8, 4, 4), dict(num_parameters=8), (8,)),
]


@pytest.mark.parametrize("name, shape, options, main", CASES, ids=[c[0] for c in CASES])
def test_every_weight_is_declared_once(name, shape, options, main):
    r = calc(name, shape, **options)
    cls = LAYERS[name]
    for w in r.weights + r.buffers:
        spec = cls.declared_weight(w.name)
        assert spec is not None, f"{name} does not declare {w.name!r}"
        assert spec.sentence and spec.role
        if spec.axes and "k…" not in spec.axes:
            assert len(spec.axes) == len(w.shape), (name, w.name, spec.axes, w.shape)
    assert r.layer.param_count(r.input_shape) == r.params == sum(w.numel for w in r.weights)
    assert declared_weight(name).tutorial_order(r.weights[0].shape) == main


def test_lazy_modules_read_as_the_class_they_become():
    assert declared_weight("LazyConv2d") is declared_weight("Conv2d")
    assert declared_weight("NoSuchLayer") is None and declared_weight("Conv2d", "nope") is None
