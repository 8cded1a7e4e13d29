"""The design page's JSON API: every endpoint, every error path, and that the server keeps serving."""

from __future__ import annotations

import json
import re
import warnings

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # starlette's note about httpx versions
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from convlens import design  # noqa: E402
from convlens.web import create_app  # noqa: E402

EXAMPLES = design.SCHEMA_PATH.with_name("examples")
RESIDUAL = (EXAMPLES / "residual-cnn.yaml").read_text(encoding="utf-8")
BROKEN = RESIDUAL.replace("in_features: 1152", "in_features: 128*7*7")


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(), raise_server_exceptions=False) as c:
            yield c


def test_page_and_its_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for asset in ("/static/main.js", "/static/app.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text  # no CDN
    # every ES module the page imports, followed from main.js, is served from /static and loads nothing from outside
    seen, todo = set(), ["main.js"]
    while todo:
        name = todo.pop()
        seen.add(name)
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and "javascript" in r.headers["content-type"], name
        assert "https://" not in r.text and "http://" not in r.text, name
        todo += [m for m in re.findall(r'^import .* from "\./([\w.]+)";$', r.text, re.M) if m not in seen]
    assert seen == {"main.js", "api.js", "state.js", "rows.js", "result.js", "diagram.js", "share.js", "i18n.js"}


def test_the_page_lays_out_the_apis_cells_and_counts_nothing_itself():
    """Issue 16: the parameter counts, the receptive fields and the number formatting come from
    /api/summary's cells (render/page.py), the Inside view's table cells from /api/inside/unit's texts
    (render/unit.py); no script of the pages sums, multiplies or formats a number."""
    from convlens.web.app import STATIC

    scripts = sorted(STATIC.glob("*.js"))
    assert {"main.js", "result.js", "inside.js"} <= {js.name for js in scripts}  # the design page and the Inside view
    for js in scripts:
        text = js.read_text(encoding="utf-8")
        for counting in ("toLocaleString", ".reduce(", "Intl.NumberFormat", "toFixed(0)", "toPrecision(", "toExponential(",
                         "output_shape", "receptive_field.size"):
            assert counting not in text, f"{js.name} uses {counting}"
        # toFixed only for the latency the browser tests read from a data attribute, never for shown text
        assert all("dataset." in line and "atency" in line for line in text.splitlines() if "toFixed(" in line), js.name


def test_summary_of_yaml_is_the_cli_summary(client):
    r = client.post("/api/summary", json={"yaml": RESIDUAL})
    assert r.status_code == 200
    data = r.json()
    s = data["summary"]
    cli = design.summary(design.loads(RESIDUAL, "spec.yaml")).to_dict()
    assert s == json.loads(json.dumps(cli))
    assert s["total_params"] == 883_082 and s["output_shapes"] == [[1, 10]]
    assert data["fix"] is None and data["layers"] == len(s["layers"]) == len(data["origins"])
    line = RESIDUAL.splitlines().index("  - {type: Conv2d, name: conv1, in_channels: 1, out_channels: 32, kernel_size: 3, padding: 1}") + 1
    assert data["origins"][0] == {"path": ["layers", 0], "line": line, "column": 5}
    assert data["yaml"] == RESIDUAL  # the text the page sent, unchanged


def test_the_server_settles_before_the_first_keystroke():
    """Startup answers one summary and freezes what is alive then, so that a full garbage collection
    (which walked every module's objects, 60-110 ms on a loaded machine) stays out of keystrokes."""
    import gc

    gc.unfreeze()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app()) as c:
            assert gc.get_freeze_count() > 0
            assert c.post("/api/summary", json={"yaml": RESIDUAL}).status_code == 200


def test_summary_of_a_document_gives_its_yaml_back(client):
    doc = client.post("/api/summary", json={"yaml": RESIDUAL}).json()["spec"]
    r = client.post("/api/summary", json={"spec": doc})
    assert r.status_code == 200
    assert design.loads(r.json()["yaml"]).document == doc
    assert r.json()["summary"]["total_params"] == 883_082


def test_a_network_that_breaks_names_the_row_and_the_fix(client):
    data = client.post("/api/summary", json={"yaml": BROKEN}).json()
    s = data["summary"]
    assert s["failed"] and s["layers"][-1]["name"] == "fc1"
    assert "in_features=6272" in s["layers"][-1]["failed"] and "1152" in s["layers"][-1]["failed"]
    assert data["fix"]["path"] == ["layers", 8] and data["fix"]["argument"] == "in_features" and data["fix"]["value"] == 1152
    assert s["diagnostics"][0]["source"] == "spec.yaml:27:44"  # the line and column of in_features


def test_export_every_target(client):
    for to, suffix, marker in (("pytorch", "_torch.py", "class ResidualCnn(nn.Module)"),
                               ("keras", "_keras.py", "layers.Conv2D(filters=32, kernel_size=3, padding='same', data_format='channels_first'"),
                               ("yaml", ".yaml", "name: residual-cnn")):
        r = client.post("/api/export", json={"yaml": RESIDUAL, "to": to})
        assert r.status_code == 200, r.text
        assert r.json()["filename"].endswith(suffix) and marker in r.json()["code"]
    keras = (EXAMPLES / "keras-cnn.yaml").read_text(encoding="utf-8")
    r = client.post("/api/export", json={"yaml": keras, "to": "keras"})
    assert r.status_code == 200 and "layers.Conv2D(filters=75" in r.json()["code"]


def test_export_errors(client):
    assert client.post("/api/export", json={"yaml": RESIDUAL, "to": "onnx"}).status_code == 400
    assert client.post("/api/export", json={"yaml": RESIDUAL}).status_code == 400
    r = client.post("/api/export", json={"yaml": BROKEN, "to": "pytorch"})
    assert r.status_code == 422 and "fc1" in r.json()["error"]["message"]
    assert client.post("/api/export", json={"yaml": "input: [1", "to": "pytorch"}).status_code == 400


def test_layers_catalogue_uses_the_frameworks_keyword_names(client):
    torch_layers = client.get("/api/layers?framework=pytorch").json()["layers"]
    assert [a["name"] for a in torch_layers["Conv2d"]][:3] == ["in_channels", "out_channels", "kernel_size"]
    keras_layers = client.get("/api/layers", params={"framework": "keras"}).json()["layers"]
    assert "filters" in [a["name"] for a in keras_layers["Conv2D"]] and "Flatten" in keras_layers
    assert client.get("/api/layers?framework=jax").status_code == 400


def test_examples_list_tutorials_and_every_zoo_model(client):
    from convlens import zoo

    names = [e["name"] for e in client.get("/api/examples").json()["examples"]]
    assert "residual-cnn" in names and all(f"zoo:{n}" in names for n in zoo.names())
    assert client.get("/api/examples/residual-cnn").json()["yaml"] == RESIDUAL
    r = client.get("/api/examples/zoo:resnet18")
    assert r.status_code == 200 and design.summary(design.loads(r.json()["yaml"])).total_params == 11_689_512
    assert client.get("/api/examples/zoo:residual-cnn-as-written").status_code == 422  # named in the answer
    assert client.get("/api/examples/nope").status_code == 404
    assert client.get("/api/examples/..%2F..%2Fcore%2F__init__").status_code == 404  # a name, never a path


def test_schema_is_published(client):
    assert client.get("/api/schema").json() == design.schema()


@pytest.mark.parametrize("body, status, words", [
    (b"{not json", 400, "not JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (b"\xff\xfe", 400, "UTF-8"),
    (b"{}", 400, '"yaml"'),
    (json.dumps({"yaml": 3}).encode(), 400, "string"),
    (json.dumps({"yaml": "input: [1, 3\nlayers: x"}).encode(), 400, "not valid YAML"),
    (json.dumps({"yaml": "input: !!python/object:os.system [1]\nlayers: []"}).encode(), 400, "not valid YAML"),
    (json.dumps({"yaml": "[" * 5000 + "]" * 5000}).encode(), 422, "nested too deeply"),
    (json.dumps({"yaml": "input: [1, 3]\nlayers:\n  - {typ: ReLU}"}).encode(), 422, "needs 'type'"),
    (json.dumps({"yaml": "input: [1, 3, 8, 8]\nlayers:\n  - {type: Conv2d, out_channels: 4, kernel_size: x}"}).encode(), 422, "kernel_size"),
    (json.dumps({"yaml": "input: [1, 3, 8, 8]\nlayers:\n  - {type: NoSuchLayer}"}).encode(), 422, "unknown layer"),
    (json.dumps({"yaml": "input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU, repeat: 10001}"}).encode(), 422, "10,000 layers"),
    (json.dumps({"yaml": "input: [1, 3, 99999999, 8]\nlayers:\n  - {type: ReLU}"}).encode(), 422, "larger than"),
    (json.dumps({"yaml": "input: [1000000, 1000000, 1000000]\nlayers:\n  - {type: ReLU}"}).encode(), 422, "elements"),
    (json.dumps({"yaml": "input: [-1, 3]\nlayers:\n  - {type: ReLU}"}).encode(), 422, "-1 is out of range: it must be at least 0"),
    (json.dumps({"yaml": "blocks: {b: {layers: [{block: b}]}}\ninput: [1, 3]\nlayers: [{block: b}]"}).encode(), 422, "use itself"),
    (json.dumps({"spec": {"input": [1, 3], "layers": [{"type": "ReLU"}], "extra": 1}}).encode(), 422, "'extra' is not allowed"),
    (json.dumps({"spec": [1, 2]}).encode(), 422, "a spec is a mapping"),
])
def test_bad_requests_get_clear_errors_and_the_server_keeps_serving(client, body, status, words):
    r = client.post("/api/summary", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert words in r.json()["error"]["message"]
    if status == 422 and "kernel_size" in words:
        assert r.json()["error"]["path"] == ["layers", 0, "kernel_size"]  # the page marks that row
    assert client.post("/api/summary", json={"yaml": RESIDUAL}).status_code == 200  # still serving


def test_bodies_over_one_megabyte_are_refused(client):
    big = json.dumps({"yaml": "#" * 1_000_001}).encode()
    r = client.post("/api/summary", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    chunked = client.post("/api/summary", content=iter([big[:600_000], big[600_000:]]))  # no content-length: counted while read
    assert chunked.status_code == 413
    assert client.post("/api/export", content=big).status_code == 413
    assert client.post("/api/summary", json={"yaml": RESIDUAL}).status_code == 200


@pytest.mark.parametrize("path", [
    "/static/%2e%2e/app.py", "/static/%2e%2e%2fapp.py", "/static/..%2fapp.py", "/static/%2e%2e%2f%2e%2e%2fspec%2fschema.json",
    "/static/..%5capp.py", "/static/%2fetc%2fpasswd", "/static//etc/passwd", "/static/%252e%252e/app.py", "/static/../app.py",
])
def test_static_files_cannot_be_read_outside_the_app_folder(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "create_app" not in r.text and "root:" not in r.text


def test_unknown_pages_and_methods(client):
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/api/summary").status_code == 405


def test_serve_refuses_a_bad_or_taken_port_in_one_line(capsys):
    import socket

    from convlens.cli import main

    assert main(["serve", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == "convlens: --port 70000 is not a port; use 1 to 65535, e.g. --port 8765"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"convlens: cannot listen on 127.0.0.1:{port}: ") and err.strip().endswith("try another --port") and err.count("\n") == 1
