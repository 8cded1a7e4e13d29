"""/api/summary's cells (what the page's table shows) and /api/diagram (the page's picture).

The cells are the report's (the terminal table's) spelled out for the page; the figures are
checked against numbers worked by hand from the layer definitions and the published parameter
count of the tutorial's residual CNN (883,082, also checked against PyTorch in tests/zoo).
"""

from __future__ import annotations

import re
import threading
import time
import warnings

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from convlens import design  # noqa: E402
from convlens.render import report  # noqa: E402
from convlens.render._common import Options  # noqa: E402
from convlens.web import app as web  # noqa: E402
from convlens.web import create_app  # noqa: E402

EXAMPLES = web.EXAMPLES
RESIDUAL = (EXAMPLES / "residual-cnn.yaml").read_text(encoding="utf-8")
SEED_BUG = RESIDUAL.replace("in_features: 1152", "in_features: 6272")  # the tutorial's Linear(128*7*7, 512)
KERAS = """name: small-keras
framework: keras
input: [null, 28, 28, 1]
layers:
  - {type: Conv2D, name: c1, filters: 8, kernel_size: 3}
  - {type: MaxPooling2D, name: p1, pool_size: 2}
  - {type: Flatten, name: f}
  - {type: Dense, name: d, units: 10}
"""


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def test_cells_are_the_reports_and_the_hand_worked_figures(client):
    data = client.post("/api/summary", json={"yaml": RESIDUAL}).json()
    rows, totals = data["cells"]["rows"], data["cells"]["totals"]
    summary = design.summary(design.loads(RESIDUAL, "spec.yaml"))
    rep = report.build(summary, Options())  # the terminal table's cells
    assert len(rows) == len(summary.layers) == len(rep.rows)
    for cell, r in zip(rows, rep.rows):
        assert (cell["name"], cell["type"], cell["inputs"], cell["output"], cell["params"], cell["macs"]) == (r.name, r.type, r.inputs, r.output, r.params, r.macs)
    conv1 = rows[0]
    assert conv1["weights"] == "weight (32, 1, 3, 3); bias (32,)"
    assert conv1["params"] == "320"  # 32·1·3·3 + 32
    assert conv1["macs"] == "225,792"  # 32·28·28 outputs × 1·3·3
    assert conv1["receptive_field"] == "3×3"
    pool1 = next(r for r in rows if r["name"] == "pool1")
    assert pool1["receptive_field"] == "4×4 (jump 2×2)"  # 3 + (2 − 1)·1; jump 1·2
    assert pool1["weights"] == "--" and pool1["params"] == "--"
    assert rows[-1]["receptive_field"] == "global" and rows[-1]["output"] == "[1, 10]"
    assert totals == {"params": "883,082", "trainable": "883,082", "non_trainable": "0", "macs": totals["macs"], "output": "[1, 10]",
                      "warnings": sum(d["severity"] == "warning" for d in data["summary"]["diagnostics"])}
    assert totals["macs"] == f"{data['summary']['total_macs']:,}"


def test_cells_spell_keras_shapes_as_keras_and_a_failure_as_the_report_does(client):
    rows = client.post("/api/summary", json={"yaml": KERAS}).json()["cells"]["rows"]
    assert [r["output"] for r in rows] == ["(None, 26, 26, 8)", "(None, 13, 13, 8)", "(None, 1352)", "(None, 10)"]
    assert rows[-1]["params"] == "13,530"  # 1352·10 + 10
    data = client.post("/api/summary", json={"yaml": SEED_BUG}).json()
    last = data["cells"]["rows"][-1]
    assert last["name"] == "fc1" and last["output"] == "FAILED" and "in_features=6272" in last["failed"]
    assert data["cells"]["totals"]["output"] == "--"


def test_the_diagram_maps_every_node_to_its_rows(client):
    r = client.post("/api/diagram", json={"yaml": RESIDUAL})
    assert r.status_code == 200
    data = r.json()
    layers = design.summary(design.loads(RESIDUAL, "spec.yaml")).layers
    ids = set(re.findall(r'<g id="([^"]+)" class="node"', data["svg"]))
    assert {n["id"] for n in data["nodes"]} == ids  # every node the page can click is in the SVG
    drawn = sorted(i for n in data["nodes"] for i in n["rows"])
    assert drawn == sorted(set(drawn))  # a row is drawn once
    for n in data["nodes"]:
        for i in n["rows"]:
            assert n["id"] == f"row{n['rows'][0]}" and 0 <= i < len(layers)
    by_name = {layers[n["rows"][0]].name: n for n in data["nodes"] if n["rows"]}
    assert {"conv1", "pool1", "fc1", "fc2"} <= set(by_name)
    assert not any(n["failed"] for n in data["nodes"])
    assert data["filename"] == "residual_cnn.svg"


def test_the_seeds_bug_marks_its_node(client):
    data = client.post("/api/diagram", json={"yaml": SEED_BUG}).json()
    broken = [n for n in data["nodes"] if n["failed"]]
    layers = design.summary(design.loads(SEED_BUG, "spec.yaml")).layers
    assert [layers[n["rows"][0]].name for n in broken] == ["fc1"]
    assert "6272" in data["svg"] and "1152" in data["svg"]  # the message is on the picture


def test_the_diagram_as_png_and_the_errors(client):
    r = client.post("/api/diagram", json={"yaml": RESIDUAL, "format": "png"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'filename="residual_cnn.png"' in r.headers["content-disposition"]
    r = client.post("/api/diagram", json={"yaml": RESIDUAL, "format": "gif"})
    assert r.status_code == 400 and '"svg" or "png"' in r.json()["error"]["message"]
    r = client.post("/api/diagram", json={"yaml": "layers: [\n"})
    assert r.status_code == 400 and "spec.yaml" in r.json()["error"]["message"]


def test_a_diagram_over_its_deadline_is_refused_in_one_line(client, monkeypatch):
    monkeypatch.setattr(web, "DIAGRAM_SECONDS", 0.2)
    monkeypatch.setattr(web, "_draw", lambda summary, fmt: time.sleep(3))
    t = time.monotonic()
    r = client.post("/api/diagram", json={"yaml": RESIDUAL})
    assert r.status_code == 503 and time.monotonic() - t < 2.5
    assert "convlens draw" in r.json()["error"]["message"]


def test_a_network_too_large_to_draw_on_the_page_is_refused_before_dot_runs(client, monkeypatch):
    monkeypatch.setattr(web, "DIAGRAM_ROWS", 20)  # the residual CNN has 21 rows
    monkeypatch.setattr(web, "_draw", lambda summary, fmt: pytest.fail("dot ran"))
    r = client.post("/api/diagram", json={"yaml": RESIDUAL})
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("the network has 21 rows; the page draws up to 20")


def test_dot_runs_off_the_event_loop(live_server, monkeypatch):
    """While a diagram is being laid out, the table's request is answered."""
    import httpx

    started = threading.Event()

    def slow(summary, fmt):
        started.set()
        time.sleep(2)
        return web.diagram.graph(summary), web.diagram.render(summary, fmt=fmt)

    monkeypatch.setattr(web, "_draw", slow)
    out = {}
    drawing = threading.Thread(target=lambda: out.setdefault("diagram", httpx.post(live_server + "/api/diagram", json={"yaml": RESIDUAL}, timeout=30)))
    drawing.start()
    assert started.wait(10)
    t = time.monotonic()
    table = httpx.post(live_server + "/api/summary", json={"yaml": RESIDUAL}, timeout=30)
    answered = time.monotonic() - t
    drawing.join()
    assert table.status_code == 200 and out["diagram"].status_code == 200
    assert answered < 1.5  # back before the 2 s diagram could have finished
