"""The Inside view's API against a plain PyTorch forward of the run's checkpoint: the input tensor, every
layer's maps, and every convolution's units (corners, edges and centre) — window, kernel, bias and
value — for a zoo model and a deliberately unusual one; pooling winners and linear contributions;
what is refused, and how."""

from __future__ import annotations

import base64
import io
import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("starlette")
pytest.importorskip("httpx")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from .conftest import TINY_FASTNET  # noqa: E402
from .inside_models import Odd  # noqa: E402


@pytest.fixture
def client(runs_client):
    return runs_client  # conftest's: the app over the two quick trained runs


def plain_model(runs_dir, run):
    """The checkpoint's weights in a model built by hand, not by convlens."""
    state = torch.load(runs_dir / run / "checkpoint.pt", map_location="cpu", weights_only=True)
    if run == "tiny":
        from convlens.zoo.fastnet import FastNet

        net = FastNet(widths=json.loads(TINY_FASTNET)["widths"], num_classes=10, in_channels=1)
    else:
        net = Odd()
    net.load_state_dict(state["model"])
    return net.eval(), state


def plain_forward(net, x):
    """Every module's (input, output) from hooks, for the one image x (C, H, W)."""
    seen = {}

    def keep(name):
        def hook(module, args, out):  # returns None: the output is left as it is
            seen.setdefault(name, (args[0][0], out[0]))
        return hook

    hooks = [m.register_forward_hook(keep(n)) for n, m in net.named_modules() if n]
    try:
        with torch.no_grad():
            out = net(x[None])
    finally:
        for h in hooks:
            h.remove()
    return seen, out[0]


def padded(module: nn.Conv2d, x):
    """The conv's input padded the way PyTorch pads it (F.pad with its mode; zeros otherwise)."""
    if module.padding == "same":
        pads = []
        for k, d in zip(reversed(module.kernel_size), reversed(module.dilation)):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        left = (pads[2], pads[0])
    else:
        pads = [module.padding[1], module.padding[1], module.padding[0], module.padding[0]]
        left = (module.padding[0], module.padding[1])
    mode = "constant" if module.padding_mode == "zeros" else module.padding_mode
    return F.pad(x[None], pads, mode=mode)[0], left


def same_cells(texts, raw):
    """The server's table texts are its raw numbers to 4 significant digits, nesting kept, None as 'padding'."""
    if isinstance(raw, list):
        assert isinstance(texts, list) and len(texts) == len(raw)
        for t, r in zip(texts, raw):
            same_cells(t, r)
    elif raw is None:
        assert texts == "padding"
    else:
        assert isinstance(texts, str) and "-" not in texts  # a true minus sign
        assert float(texts.replace("−", "-")) == pytest.approx(raw, rel=6e-4)


@pytest.mark.parametrize("run", ["tiny", "odd"])
def test_every_convolution_unit_matches_a_plain_forward(client, runs_dir, run):
    net, state = plain_model(runs_dir, run)
    r = client.post("/api/inside", json={"run": run, "test_index": 7})
    assert r.status_code == 200, r.text
    data = r.json()
    x = torch.tensor(data["input"])
    # the input is the test image normalised with the run's own statistics
    from convlens import data as datasets

    image = datasets.load("fashion-mnist").test_images[7].float() / 255
    mean, std = state["input"]["mean"][0], state["input"]["std"][0]
    assert torch.allclose(x, (image - mean) / std, atol=1e-6)
    seen, logits = plain_forward(net, x)
    assert data["prediction"]["index"] == int(logits.argmax())
    assert data["prediction"]["probabilities"] == pytest.approx(logits.softmax(0).tolist(), abs=1e-6)
    layers = {L["name"]: L for L in data["layers"]}
    convs = [(n, m) for n, m in net.named_modules() if isinstance(m, nn.Conv2d)]
    assert convs and all(n in layers for n, _ in convs)
    checked = 0
    for name, module in convs:
        inp, out = seen[name]
        maps = torch.frombuffer(bytearray(base64.b64decode(layers[name]["data"])), dtype=torch.float32).view(*layers[name]["shape"])
        assert torch.allclose(maps, out, atol=1e-5), name
        C, H, W = out.shape
        pad, (top, left) = padded(module, inp)
        sy, sx = module.stride
        dy, dx = module.dilation
        kh, kw = module.kernel_size
        per = module.in_channels // module.groups
        for c in {0, C - 1}:
            for y, xx in {(0, 0), (0, W - 1), (H - 1, 0), (H - 1, W - 1), (H // 2, W // 2)}:
                u = client.post("/api/inside/unit", json={"run": run, "test_index": 7, "layer": name, "channel": c, "y": y, "x": xx}).json()
                assert u["value"] == pytest.approx(float(out[c, y, xx]), abs=1e-5), (name, c, y, xx)
                g = c // (module.out_channels // module.groups) * per
                want = pad[g:g + per, y * sy:y * sy + dy * (kh - 1) + 1:dy, xx * sx:xx * sx + dx * (kw - 1) + 1:dx]
                window, kernel = torch.tensor(u["window"]), torch.tensor(u["kernel"])
                assert torch.allclose(window, want, atol=1e-6), (name, c, y, xx)
                assert torch.equal(kernel, module.weight.detach()[c])
                bias = 0.0 if module.bias is None else float(module.bias[c])
                assert (u["bias"] is None) == (module.bias is None)
                assert float((window * kernel).sum()) + bias == pytest.approx(u["value"], abs=1e-4)
                assert u["rows"][0] == y * sy - top and u["cols"][0] == xx * sx - left
                assert u["formula"][-1].startswith("value = Σ window × kernel")
                for cells in ("window", "kernel", "products"):
                    same_cells(u[f"{cells}_text"], u[cells])
                assert u["products"] == [[[a * b for a, b in zip(wr, kr)] for wr, kr in zip(wp, kp)] for wp, kp in zip(u["window"], u["kernel"])]
                checked += 1
    assert checked >= 4 * len(convs)


def test_pooling_shows_the_winner_and_linear_its_contributions(client, runs_dir):
    net, _ = plain_model(runs_dir, "odd")
    x = torch.tensor(client.post("/api/inside", json={"run": "odd", "test_index": 3}).json()["input"])
    seen, _ = plain_forward(net, x)
    inp, out = seen["max"]
    for y, xx in [(0, 0), (3, 1)]:  # (3, 1): the ceil-mode window that hangs over the edge
        u = client.post("/api/inside/unit", json={"run": "odd", "test_index": 3, "layer": "max", "channel": 5, "y": y, "x": xx}).json()
        assert u["kind"] == "maxpool" and u["value"] == pytest.approx(float(out[5, y, xx]), abs=1e-6)
        wy, wx = u["winner"]
        assert float(inp[5, wy, wx]) == pytest.approx(u["value"], abs=1e-6)
        assert u["value"] == pytest.approx(max(v for row in u["window"] for v in row if v is not None))
        same_cells(u["window_text"], u["window"])
    u = client.post("/api/inside/unit", json={"run": "odd", "test_index": 3, "layer": "avg", "channel": 0, "y": 7, "x": 3}).json()
    assert u["kind"] == "avgpool" and u["value"] == pytest.approx(float(seen["avg"][1][0, 7, 3]), abs=1e-6)
    same_cells(u["window_text"], u["window"])
    u = client.post("/api/inside/unit", json={"run": "odd", "test_index": 3, "layer": "head", "channel": 4}).json()
    head_in, head_out = seen["head"]
    assert u["kind"] == "linear" and u["value"] == pytest.approx(float(head_out[4]), abs=1e-5)
    products = [c[3] for c in u["contributions"]]
    assert products == sorted(products, key=abs, reverse=True)
    assert u["contributions"][0][1] == pytest.approx(float(head_in[u["contributions"][0][0]]))
    same_cells(u["contributions_text"], [c[1:] for c in u["contributions"]])  # input, weight, product
    full = client.post("/api/inside/unit", json={"run": "odd", "test_index": 3, "layer": "head", "channel": 4}).json()
    assert len(full["contributions"]) == 32  # the first 32 of 48, largest first
    assert float((head_in * net.head.weight.detach()[4]).sum() + net.head.bias.detach()[4]) == pytest.approx(u["value"], abs=1e-5)


def test_the_receptive_field_is_the_summary_s(client):
    u = client.post("/api/inside/unit", json={"run": "tiny", "test_index": 0, "layer": "group1.conv1", "channel": 0, "y": 0, "x": 0}).json()
    # stem 2×2 then a 3×3 'same' conv: a 4×4 field, the top-left one clipped by the padding to 3×3 pixels
    assert u["receptive_field"] == {"top": 0, "left": 0, "bottom": 2, "right": 2, "size": [4, 4]}
    assert u["input_from"] == "stem_act"


def test_runs_listing_and_pictures(client):
    runs = {r["name"]: r for r in client.get("/api/runs").json()["runs"]}
    assert set(runs) == {"tiny", "odd"}
    assert runs["tiny"]["model"] == "fastnet" and runs["tiny"]["data"] == "fashion-mnist" and runs["tiny"]["epochs_done"] == 1
    assert 0 <= runs["tiny"]["accuracy"] <= 1 and set(runs["tiny"]["pictures"]) == {"curves.png", "confusion.png"}
    r = client.get("/api/runs/tiny/pictures/curves.png")
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"


def test_test_images_by_class_and_misclassified(client):
    all_ = client.get("/api/runs/tiny/tests").json()
    assert all_["count"] == 64 and len(all_["images"]) == 48
    shirts = client.get("/api/runs/tiny/tests?label=6").json()
    assert shirts["images"] and all(im["label"] == 6 for im in shirts["images"])
    wrong = client.get("/api/runs/tiny/tests?misclassified=1&limit=100").json()
    assert wrong["count"] == all_["misclassified"] and all(im["label"] != im["predicted"] for im in wrong["images"])
    assert len(base64.b64decode(all_["images"][0]["pixels"])) == 28 * 28


def test_a_dropped_image_is_converted_as_predict_converts_it(client):
    from PIL import Image

    from convlens import data as datasets

    pixels = datasets.load("fashion-mnist").test_images[7][0].numpy()
    buf = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buf, format="PNG")
    same = client.post("/api/inside", json={"run": "tiny", "image": base64.b64encode(buf.getvalue()).decode()}).json()
    assert same["input"] == client.post("/api/inside", json={"run": "tiny", "test_index": 7}).json()["input"]
    assert same["notes"] == [] and same["label"] is None
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, format="PNG")
    colour = client.post("/api/inside", json={"run": "tiny", "image": base64.b64encode(buf.getvalue()).decode()}).json()
    assert colour["input_shape"] == [1, 28, 28]
    assert any("mode RGB to L" in n for n in colour["notes"]) and any("40×30 to 28×28" in n for n in colour["notes"])


BAD = [
    ("/api/inside", {"run": "../tiny", "test_index": 0}, 404),
    ("/api/inside", {"run": "/etc", "test_index": 0}, 404),
    ("/api/inside", {"run": "tiny/../odd", "test_index": 0}, 404),
    ("/api/inside", {"run": "nope", "test_index": 0}, 404),
    ("/api/inside", {"run": 3, "test_index": 0}, 400),
    ("/api/inside", {"run": "tiny"}, 400),
    ("/api/inside", {"run": "tiny", "test_index": "0"}, 400),
    ("/api/inside", {"run": "tiny", "test_index": True}, 400),
    ("/api/inside", {"run": "tiny", "test_index": -1}, 422),
    ("/api/inside", {"run": "tiny", "test_index": 64}, 422),
    ("/api/inside", {"run": "tiny", "image": "not base64!"}, 400),
    ("/api/inside", {"run": "tiny", "image": base64.b64encode(b"GIF89a but not really").decode()}, 422),
    ("/api/inside/unit", {"run": "tiny", "test_index": 0, "layer": "nope", "channel": 0, "y": 0, "x": 0}, 404),
    ("/api/inside/unit", {"run": "tiny", "test_index": 0, "layer": "stem", "channel": 4, "y": 0, "x": 0}, 422),
    ("/api/inside/unit", {"run": "tiny", "test_index": 0, "layer": "stem", "channel": 0, "y": 27, "x": 0}, 422),
    ("/api/inside/unit", {"run": "tiny", "test_index": 0, "layer": "stem", "channel": 0, "y": 0, "x": -1}, 422),
    ("/api/inside/unit", {"run": "tiny", "test_index": 0, "layer": "stem", "channel": 0}, 422),
    ("/api/inside/unit", {"run": "tiny", "test_index": 0, "layer": "stem", "channel": 0.5, "y": 0, "x": 0}, 400),
    ("/api/inside/unit", {"run": "tiny", "test_index": 0, "channel": 0, "y": 0, "x": 0}, 400),
]


@pytest.mark.parametrize("path, body, status", BAD)
def test_bad_requests_are_refused_with_the_reason(client, path, body, status):
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    message = r.json()["error"]["message"]
    assert message and "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("url, status", [
    ("/api/runs/nope/pictures/curves.png", 404),
    ("/api/runs/tiny/pictures/checkpoint.pt", 404),
    ("/api/runs/tiny/pictures/..%2Fodd%2Fcurves.png", 404),
    ("/api/runs/..%2Ftiny/pictures/curves.png", 404),
    ("/api/runs/tiny/tests?label=10", 422),
    ("/api/runs/tiny/tests?offset=x", 400),
    ("/api/runs/nope/tests", 404),
])
def test_bad_paths_are_refused(client, url, status):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"]
