"""Training from the page: a real background `convlens train` on a subset of Fashion-MNIST, its progress,
one at a time, cancel, the designed network (a spec) trained too, and what the API refuses."""

from __future__ import annotations

import json
import time
import warnings

import pytest

pytest.importorskip("torch")
pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from convlens.web import create_app  # noqa: E402

from .conftest import FASHION, TINY_FASTNET  # noqa: E402

if not FASHION.is_dir():
    pytest.skip(f"training from the page is tested on Fashion-MNIST in {FASHION}", allow_module_level=True)

SMALL = {"model": "fastnet", "model_args": json.loads(TINY_FASTNET), "epochs": 1, "batch_size": 64, "train_subset": 256, "test_subset": 64}
SPEC = """name: tiny-designed
input: [1, 1, 28, 28]
layers:
  - {type: Conv2d, name: conv, in_channels: 1, out_channels: 4, kernel_size: 3, padding: 1}
  - {type: ReLU}
  - {type: MaxPool2d, kernel_size: 4}
  - {type: Flatten}
  - {type: Linear, name: fc, in_features: 196, out_features: 10}
"""


@pytest.fixture
def client(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(runs=tmp_path / "runs"), raise_server_exceptions=False) as c:
            c.root = tmp_path / "runs"
            yield c
            if c.get("/api/train").json()["state"] == "running":
                c.post("/api/train/cancel", json={})


def wait(client, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = client.get("/api/train").json()
        if t["state"] != "running":
            return t
        time.sleep(0.5)
    pytest.fail(f"the training did not finish in {timeout} s: {t}")


def test_train_from_the_page_writes_the_command_s_run_folder(client):
    assert client.get("/api/train").json() == {"state": "idle"}
    start = client.post("/api/train", json=SMALL)
    assert start.status_code == 200, start.text
    assert start.json()["state"] == "running" and start.json()["run"].startswith("fastnet-fashion-mnist-")
    t = wait(client)
    assert t["state"] == "done", t["output"]
    assert t["epochs_done"] == 1 and 0 <= t["test_accuracy"] <= 1 and t["images_per_s"] > 0 and t["exit_code"] == 0
    assert any(line.startswith("done: test accuracy") for line in t["output"])
    folder = client.root / t["run"]
    for name in ("checkpoint.pt", "config.json", "run.json", "metrics.csv", "log.txt", "curves.png", "confusion.png"):
        assert (folder / name).is_file(), name
    config = json.loads((folder / "config.json").read_text())
    assert config["notes"] == ["preset fast"] and config["train_subset"] == 256  # the command's default recipe, the options given
    assert t["run"] in {r["name"] for r in client.get("/api/runs").json()["runs"]}
    inside = client.post("/api/inside", json={"run": t["run"], "test_index": 0})
    assert inside.status_code == 200 and inside.json()["layers"]


def test_one_training_at_a_time_and_cancel(client):
    long = {**SMALL, "epochs": 50, "train_subset": 4096}
    assert client.post("/api/train", json=long).status_code == 200
    second = client.post("/api/train", json=SMALL)
    assert second.status_code == 409 and "already running" in second.json()["error"]["message"]
    time.sleep(1)
    cancelled = client.post("/api/train/cancel", json={})
    assert cancelled.status_code == 200
    t = cancelled.json()
    assert t["state"] == "cancelled" and t["exit_code"] is not None and t["epochs_done"] < 50
    assert client.post("/api/train/cancel", json={}).status_code == 409
    assert client.post("/api/train", json=SMALL).status_code == 200  # free again
    assert wait(client)["state"] == "done"


def test_progress_is_live_inside_the_first_epoch_and_cancel_still_works(client):
    """progress.json, rewritten by the training process about twice a second, shows the batch count
    rising inside epoch 1 before any epoch has finished (metrics.csv has no row yet)."""
    # 1,024 batches per epoch: many seconds even at ~4,800 images/s (a 256-batch epoch could end
    # before three progress records were polled on a fast machine)
    long = {**SMALL, "epochs": 3, "batch_size": 16, "train_subset": 16384}
    assert client.post("/api/train", json=long).status_code == 200
    batches, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline and len(set(batches)) < 3:
        time.sleep(0.2)
        t = client.get("/api/train").json()
        assert t["state"] == "running", t["output"]
        p = t["progress"]
        if p is not None and p["phase"] == "training":
            assert t["epochs_done"] == 0 and p["epoch"] == 1 and p["epochs"] == 3 and p["batches"] == 1024, t
            assert 0 <= p["batch"] < p["batches"] and p["images"] == 16 * p["batch"]
            if p["batch"] == 0:  # the epoch's first record, before its first step
                assert p["train_loss"] is None and p["images_per_s"] is None
                continue
            assert p["images_per_s"] > 0 and 0 < p["train_accuracy"] <= 1 and p["train_loss"] > 0
            assert t["time_left_s"] == p["time_left_s"] > 0
            assert f"batch {p['batch']:,}/1,024" in t["text"]
            batches.append(p["batch"])
    assert len(set(batches)) >= 3 and batches == sorted(batches), batches  # live within the epoch, never going back
    cancelled = client.post("/api/train/cancel", json={}).json()
    assert cancelled["state"] == "cancelled" and cancelled["epochs_done"] == 0
    assert "batch" not in cancelled["text"]  # a stopped job shows no live batch
    assert json.loads((client.root / cancelled["run"] / "progress.json").read_text())["phase"] == "training"  # where it stopped


def test_the_designed_network_trains_from_its_spec(client):
    r = client.post("/api/train", json={"yaml": SPEC, "epochs": 1, "batch_size": 64, "train_subset": 256, "test_subset": 64})
    assert r.status_code == 200, r.text
    t = wait(client)
    assert t["state"] == "done", t["output"]
    folder = client.root / t["run"]
    assert (folder / "model.py").is_file() and t["run"].startswith("designed-")
    u = client.post("/api/inside/unit", json={"run": t["run"], "test_index": 1, "layer": "conv", "channel": 3, "y": 27, "x": 0}).json()
    assert u["kind"] == "conv" and len(u["window"]) == 1 and u["window"][0][2] == [0.0, 0.0, 0.0]  # the bottom row is padding


@pytest.mark.parametrize("body, status", [
    ({"model": "no-such-model"}, 404),
    ({"model": "../../x.py:Net"}, 404),
    ({"model": "keras-tutorial-cnn-keras"}, 422),
    ({"model": 3}, 400),
    ({**SMALL, "epochs": 0}, 400),
    ({**SMALL, "epochs": "2"}, 400),
    ({**SMALL, "train_subset": 1}, 400),
    ({**SMALL, "model_args": "[1]"}, 400),
    ({"yaml": "layers: ["}, 400),
    ({"yaml": "input: [1, 1, 28, 28]\nlayers:\n  - {type: Conv2d, in_channels: 3, out_channels: 4, kernel_size: 3}\n"}, 422),
])
def test_bad_training_requests_are_refused(client, body, status):
    r = client.post("/api/train", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"] and client.get("/api/train").json() == {"state": "idle"}
