"""Core layer math against real PyTorch modules over generated configurations.

Every configuration is built twice: as the core layer and as the real ``torch.nn`` module run on a
tiny CPU tensor. They must agree on raise-vs-not, output shape, parameter names and shapes, and
buffer names and shapes. A disagreement is a bug in the core.
"""

from __future__ import annotations

import random
import warnings

import pytest
import torch

from convlens.core import LayerError, layer

torch.set_num_threads(1)


def core_result(name, args, kwargs, shape):
    try:
        return layer(name, *args, **kwargs).evaluate(shape), None
    except LayerError as exc:
        return None, exc


def torch_result(name, args, kwargs, shape, *, train=False, build=None, inputs=None):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = build() if build else getattr(torch.nn, name)(*args, **kwargs)
            mod.train(train)
            x = inputs() if inputs else torch.zeros(shape)
            with torch.no_grad():
                y = mod(x)
    except (RuntimeError, ValueError, IndexError, AssertionError, TypeError, NotImplementedError) as exc:
        return None, exc
    if isinstance(y, tuple):
        y = y[0]
    params = [(n, tuple(p.shape)) for n, p in mod.named_parameters()]
    buffers = [(n, tuple(b.shape)) for n, b in mod.named_buffers()]
    return (tuple(y.shape), params, buffers), None


def compare(name, args, kwargs, shape, **torch_kw):
    ours, our_err = core_result(name, args, kwargs, shape)
    theirs, their_err = torch_result(name, args, kwargs, shape, **torch_kw)
    where = f"{name}(*{args!r}, **{kwargs!r}) on {shape}"
    if theirs is None or ours is None:
        assert (theirs is None) == (ours is None), f"{where}: torch {'raised ' + repr(their_err) if their_err else 'ran'}, core {'raised ' + repr(our_err) if our_err else 'ran'}"
        return False
    out, params, buffers = theirs
    assert ours.output_shape == out, f"{where}: output {ours.output_shape} != torch {out}"
    assert [(w.name, w.shape) for w in ours.weights] == params, f"{where}: weights {ours.weights} != torch {params}"
    assert [(w.name, w.shape) for w in ours.buffers] == buffers, f"{where}: buffers {ours.buffers} != torch {buffers}"
    return True


def sweep(gen, count, seed, *, min_ok=0.2, **torch_kw):
    rng = random.Random(seed)
    ok = 0
    for _ in range(count):
        name, args, kwargs, shape = gen(rng)
        ok += compare(name, args, kwargs, shape, **torch_kw)
    assert ok >= min_ok * count, f"only {ok}/{count} generated configurations were valid; the generator is too harsh"


def pick(rng, n, lo, hi, *, scalar_p=0.5):
    """An int or an n-tuple of ints in [lo, hi]."""
    if rng.random() < scalar_p:
        return rng.randint(lo, hi)
    return tuple(rng.randint(lo, hi) for _ in range(n))


# --- convolutions ---------------------------------------------------------------------------
def gen_conv(rng):
    n = rng.choice((1, 2, 3))
    groups = rng.choice((1, 1, 1, 2, 3, 4))
    cin = groups * rng.randint(1, 3) if rng.random() < 0.95 else rng.randint(1, 6)
    cout = groups * rng.randint(1, 3) if rng.random() < 0.95 else rng.randint(1, 6)
    kw = {}
    if rng.random() < 0.7:
        kw["stride"] = pick(rng, n, 1, 3) if rng.random() < 0.97 else 0
    r = rng.random()
    if r < 0.1:
        kw["padding"] = "same"
    elif r < 0.15:
        kw["padding"] = "valid"
    elif r < 0.8:
        kw["padding"] = pick(rng, n, 0, 3) if rng.random() < 0.98 else -1
    if rng.random() < 0.4:
        kw["dilation"] = pick(rng, n, 1, 3)
    if groups > 1:
        kw["groups"] = groups
    if rng.random() < 0.3:
        kw["bias"] = False
    if rng.random() < 0.2:
        kw["padding_mode"] = rng.choice(("zeros", "reflect", "replicate", "circular"))
    batch = (rng.randint(1, 2),) if rng.random() < 0.8 else ()
    shape = batch + (cin if rng.random() < 0.95 else cin + 1,) + tuple(rng.randint(1, 9 if n < 3 else 6) for _ in range(n))
    return f"Conv{n}d", (cin, cout, pick(rng, n, 1, 4)), kw, shape


def gen_conv_transpose(rng):
    n = rng.choice((1, 2, 3))
    groups = rng.choice((1, 1, 2, 3))
    cin, cout = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
    kw = {}
    stride = pick(rng, n, 1, 3)
    kw["stride"] = stride
    if rng.random() < 0.6:
        kw["padding"] = pick(rng, n, 0, 3)
    if rng.random() < 0.4:
        kw["output_padding"] = pick(rng, n, 0, 2)
    if rng.random() < 0.3:
        kw["dilation"] = pick(rng, n, 1, 3)
    if groups > 1:
        kw["groups"] = groups
    if rng.random() < 0.3:
        kw["bias"] = False
    batch = (rng.randint(1, 2),) if rng.random() < 0.8 else ()
    shape = batch + (cin,) + tuple(rng.randint(1, 6 if n < 3 else 4) for _ in range(n))
    return f"ConvTranspose{n}d", (cin, cout, pick(rng, n, 1, 4)), kw, shape


def test_conv_vs_torch():
    sweep(gen_conv, 6000, 1)


def _transpose_out(name, args, kwargs, shape):
    n = int(name[-2])
    tup = lambda v: (v,) * n if isinstance(v, int) else v  # noqa: E731
    k, s, p = tup(args[2]), tup(kwargs.get("stride", 1)), tup(kwargs.get("padding", 0))
    op, d = tup(kwargs.get("output_padding", 0)), tup(kwargs.get("dilation", 1))
    return [(i - 1) * s_ - 2 * p_ + d_ * (k_ - 1) + o_ + 1 for i, k_, s_, p_, o_, d_ in zip(shape[-n:], k, s, p, op, d)]


def gen_conv_transpose_nonempty(rng):
    # An output size of exactly 0 raises on PyTorch's reference kernels but not on its oneDNN path
    # (which one runs depends on groups, strides, sizes and threads); the core always raises there.
    while True:
        cfg = gen_conv_transpose(rng)
        if 0 not in _transpose_out(*cfg):
            return cfg


def test_conv_transpose_vs_torch():
    sweep(gen_conv_transpose_nonempty, 1500, 2)


# --- pooling ----------------------------------------------------------------------------------
def gen_pool(rng):
    n = rng.choice((1, 2, 3))
    kind = rng.choice(("Max", "Avg"))
    k = pick(rng, n, 1, 4) if rng.random() < 0.98 else 0
    kw = {}
    if rng.random() < 0.6:
        kw["stride"] = pick(rng, n, 1, 4) if rng.random() < 0.98 else 0
    if rng.random() < 0.6:
        kw["padding"] = pick(rng, n, 0, 2)
    if kind == "Max" and rng.random() < 0.4:
        kw["dilation"] = pick(rng, n, 1, 3)
    if kind == "Max" and rng.random() < 0.2:
        kw["return_indices"] = True
    if rng.random() < 0.4:
        kw["ceil_mode"] = True
    if kind == "Avg" and rng.random() < 0.3:
        kw["count_include_pad"] = False
    if kind == "Avg" and n > 1 and rng.random() < 0.1:
        kw["divisor_override"] = rng.choice((None, 1, 3))
    batch = (rng.randint(0 if rng.random() < 0.05 else 1, 2),) if rng.random() < 0.8 else ()
    shape = batch + (rng.randint(1, 3),) + tuple(rng.randint(1 if rng.random() < 0.98 else 0, 9 if n < 3 else 6) for _ in range(n))
    return f"{kind}Pool{n}d", (k,), kw, shape


def gen_adaptive(rng):
    n = rng.choice((1, 2, 3))
    kind = rng.choice(("Max", "Avg"))
    if n > 1 and rng.random() < 0.5:
        size = tuple(None if rng.random() < 0.3 else rng.randint(0, 5) for _ in range(n))
    else:
        size = rng.randint(0, 5) if n == 1 or rng.random() < 0.5 else tuple(rng.randint(1, 5) for _ in range(n))
    kw = {"return_indices": True} if kind == "Max" and rng.random() < 0.2 else {}
    batch = (rng.randint(1, 2),) if rng.random() < 0.8 else ()
    shape = batch + (rng.randint(1, 3),) + tuple(rng.randint(1 if rng.random() < 0.97 else 0, 9 if n < 3 else 5) for _ in range(n))
    return f"Adaptive{kind}Pool{n}d", (size,), kw, shape


def test_pool_vs_torch():
    sweep(gen_pool, 6000, 3)


def test_adaptive_pool_vs_torch():
    sweep(gen_adaptive, 1500, 4)


# --- linear, embedding ------------------------------------------------------------------------
def gen_linear(rng):
    cin, cout = rng.randint(0, 6), rng.randint(0, 6)
    rank = rng.randint(0, 4)
    shape = tuple(rng.randint(1, 3) for _ in range(max(rank - 1, 0))) + ((cin if rng.random() < 0.85 else rng.randint(0, 6)),) if rank else ()
    kw = {"bias": False} if rng.random() < 0.3 else {}
    return "Linear", (cin, cout), kw, shape


def test_linear_vs_torch():
    sweep(gen_linear, 1500, 5)


def test_embedding_vs_torch():
    rng = random.Random(6)
    for _ in range(500):
        num, dim = rng.randint(1, 6), rng.randint(0, 4)
        kw = {"padding_idx": rng.randint(-8, 8)} if rng.random() < 0.5 else {}
        shape = tuple(rng.randint(0, 3) for _ in range(rng.randint(0, 3)))
        compare("Embedding", (num, dim), kw, shape, inputs=lambda shape=shape: torch.zeros(shape, dtype=torch.long))


# --- normalisation ----------------------------------------------------------------------------
def gen_norm(rng):
    kind = rng.choice(("BatchNorm", "InstanceNorm", "LayerNorm", "GroupNorm"))
    rank = rng.randint(1, 5)
    shape = tuple(rng.randint(1, 4) for _ in range(rank))
    if kind in ("BatchNorm", "InstanceNorm"):
        n = rng.randint(1, 3)
        c = (shape[1] if kind == "BatchNorm" and rank > 1 else shape[-1 - n] if rank > n else 3)
        c = c if rng.random() < 0.85 else rng.randint(1, 4)
        kw = {}
        if rng.random() < 0.4:
            kw["affine"] = rng.random() < 0.5
        if rng.random() < 0.4:
            kw["track_running_stats"] = rng.random() < 0.5
        return f"{kind}{n}d", (c,), kw, shape
    if kind == "LayerNorm":
        k = rng.randint(1, rank)
        ns = tuple(shape[-k:]) if rng.random() < 0.85 else tuple(rng.randint(1, 4) for _ in range(k))
        kw = {}
        if rng.random() < 0.3:
            kw["elementwise_affine"] = False
        if rng.random() < 0.3:
            kw["bias"] = False
        return "LayerNorm", (ns[0] if len(ns) == 1 and rng.random() < 0.5 else ns,), kw, shape
    g = rng.randint(1, 4)
    c = shape[1] if rank > 1 and rng.random() < 0.85 else rng.randint(1, 8)
    kw = {"affine": False} if rng.random() < 0.3 else {}
    return "GroupNorm", (g, c), kw, shape


def test_norm_vs_torch():
    sweep(gen_norm, 4000, 7, min_ok=0.1)


def test_group_norm_takes_num_channels_from_the_input():
    """GroupNorm(num_groups) with num_channels left out against nn.GroupNorm built for the input's
    channels: shapes, weights and raises agree (e.g. channels not divisible by the groups)."""
    rng = random.Random(8)
    ok = 0
    for _ in range(600):
        rank = rng.randint(1, 5)
        shape = tuple(rng.randint(1, 6) for _ in range(rank))
        g = rng.randint(1, 4)
        kw = {"affine": False} if rng.random() < 0.3 else {}
        channels = shape[1] if rank > 1 else 1
        build = lambda: torch.nn.GroupNorm(g, channels, **kw)  # noqa: E731  what the user would have written
        ours, our_err = core_result("GroupNorm", (g,), kw, shape)
        theirs, their_err = torch_result("GroupNorm", (), {}, shape, build=build)
        where = f"GroupNorm({g}, **{kw}) on {shape}"
        assert (ours is None) == (theirs is None), f"{where}: torch {their_err!r}, core {our_err!r}"
        if ours is not None:
            out, params, buffers = theirs
            assert ours.output_shape == out and [(w.name, w.shape) for w in ours.weights] == params, where
            ok += 1
    assert ok >= 100


# --- shape layers -----------------------------------------------------------------------------
def gen_shape_layer(rng):
    kind = rng.choice(("Flatten", "Unflatten", "ZeroPad2d", "PixelShuffle", "Upsample", "Identity"))
    rank = rng.randint(0, 5)
    shape = tuple(rng.randint(1, 4) for _ in range(rank))
    if kind == "Flatten":
        kw = {}
        if rng.random() < 0.6:
            kw["start_dim"] = rng.randint(-4, 4)
        if rng.random() < 0.6:
            kw["end_dim"] = rng.randint(-4, 4)
        return kind, (), kw, shape
    if kind == "Unflatten":
        size = tuple(rng.choice((1, 2, 3, 4, -1)) for _ in range(rng.randint(1, 3)))
        return kind, (rng.randint(-3, 3), size), {}, shape
    if kind == "ZeroPad2d":
        return kind, (rng.randint(-1, 2) if rng.random() < 0.4 else tuple(rng.randint(-3, 2) for _ in range(4)),), {}, shape
    if kind == "PixelShuffle":
        r = rng.randint(0, 3)
        shape = tuple(rng.randint(1, 3) for _ in range(max(rank - 3, 0))) + (rng.choice((1, 4, 8, 9, 18)), rng.randint(1, 3), rng.randint(1, 3))
        return kind, (r,), {}, shape
    if kind == "Upsample":
        mode = rng.choice(("nearest", "nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"))
        n = max(rank - 2, 1)
        kw = {"mode": mode}
        r = rng.random()
        if r < 0.45:
            kw["scale_factor"] = rng.choice((2, 3, 0.5, 1.5, 0.3, 2.5)) if rng.random() < 0.7 else tuple(rng.choice((1, 2, 0.5)) for _ in range(n if rng.random() < 0.9 else n + 1))
        elif r < 0.9:
            kw["size"] = rng.randint(1, 6) if rng.random() < 0.6 else tuple(rng.randint(1, 6) for _ in range(n if rng.random() < 0.9 else n + 1))
        elif r < 0.95:
            kw["size"], kw["scale_factor"] = 4, 2
        if rng.random() < 0.15:
            kw["align_corners"] = rng.random() < 0.5
        return kind, (), kw, shape
    return kind, (), {}, shape


def test_shape_layers_vs_torch():
    sweep(gen_shape_layer, 2500, 8, min_ok=0.1)


# --- elementwise ------------------------------------------------------------------------------
ACTS = ("ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Sigmoid", "Tanh", "Softplus", "Dropout")


def gen_elementwise(rng):
    rank = rng.randint(0, 4)
    shape = tuple(rng.randint(1, 4) for _ in range(rank))
    kind = rng.choice(ACTS + ("PReLU", "Softmax", "LogSoftmax", "Dropout", "Dropout2d", "GELU"))
    if kind == "PReLU":
        return kind, (rng.choice((1, 1, 2, 3, 4)),), {}, shape
    if kind in ("Softmax", "LogSoftmax"):
        return kind, (), ({"dim": rng.randint(-5, 4)} if rng.random() < 0.8 else {}), shape
    if kind in ("Dropout", "Dropout2d"):
        return kind, (rng.choice((0.0, 0.5, 1.0, -0.1, 1.5)),), {}, shape
    if kind == "GELU" and rng.random() < 0.5:
        return kind, (), {"approximate": rng.choice(("none", "tanh", "fast"))}, shape
    return kind, (), {}, shape


def test_elementwise_vs_torch():
    sweep(gen_elementwise, 2000, 9)


# --- merges -----------------------------------------------------------------------------------
def gen_merge(rng):
    kind = rng.choice(("add", "cat"))
    ra = rng.randint(1 if kind == "cat" else 0, 4)
    a = tuple(rng.randint(1, 3) for _ in range(ra))
    rb = ra if kind == "cat" and rng.random() < 0.8 else rng.randint(0, 4)
    b = tuple(x if rng.random() < 0.7 else rng.choice((1, 2, 3)) for x in (a[-rb:] if rb <= ra else (2,) * (rb - ra) + a))[:rb] if rb else ()
    kw = {"dim": rng.randint(-4, 3)} if kind == "cat" else {}
    return kind, a, b, kw


def test_merge_vs_torch():
    rng = random.Random(10)
    ok = 0
    for _ in range(2000):
        kind, a, b, kw = gen_merge(rng)
        ours, our_err = core_result(kind, (), kw, [a, b])
        try:
            x, y = torch.zeros(a), torch.zeros(b)
            out = tuple((x + y).shape if kind == "add" else torch.cat([x, y], **kw).shape)
        except (RuntimeError, IndexError):
            out = None
        assert (out is None) == (ours is None), f"{kind}{kw} on {a}, {b}: torch {out}, core {our_err or ours.output_shape}"
        if out is not None:
            ok += 1
            assert ours.output_shape == out, f"{kind}{kw} on {a}, {b}: {ours.output_shape} != {out}"
    assert ok > 400
