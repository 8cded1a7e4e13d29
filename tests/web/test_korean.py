"""The page and its API in Korean (issue 19): ``lang`` on every request (``?lang=`` or the body's
``"lang"``) picks the language of the API's messages, ``/api/messages`` gives the page its own
catalog (``page.po``), an unknown language is a clear 400, and in a real Chromium ``/?lang=ko`` shows
the page's own text in Korean, the language switch goes there and back, and English stays as it was."""

from __future__ import annotations

import json
import os
import re
import warnings

import pytest

from i18n.english import english

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # starlette's note about httpx versions
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from convlens import design  # noqa: E402
from convlens.web import create_app  # noqa: E402

RESIDUAL = (design.SCHEMA_PATH.with_name("examples") / "residual-cnn.yaml").read_text(encoding="utf-8")
HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(runs=tmp_path_factory.mktemp("no-runs")), raise_server_exceptions=False) as c:
            yield c


def _message(response) -> str:
    return response.json()["error"]["message"]


# method, path, body (raw bytes, or an object sent as JSON): requests the API refuses before any analysis
MALFORMED = [
    ("POST", "/api/summary", b"{not json"),
    ("POST", "/api/summary", b"[1, 2]"),
    ("POST", "/api/summary", {"yml": "x"}),
    ("POST", "/api/summary", {"yaml": 5}),
    ("POST", "/api/export", {"yaml": RESIDUAL, "to": "onnx"}),
    ("POST", "/api/diagram", {"yaml": RESIDUAL, "format": "gif"}),
    ("GET", "/api/layers?framework=jax", None),
    ("GET", "/api/examples/no-such-example", None),
    ("GET", "/api/no-such-endpoint", None),
    ("POST", "/api/inside", {"run": 5}),
    ("GET", "/api/runs/nope/tests", None),
    ("POST", "/api/train", {"model": "fastnet", "epochs": 0}),
    ("POST", "/api/train/cancel", {}),
]


def _send(client, method, path, body, lang):
    url = path + ("&" if "?" in path else "?") + f"lang={lang}"
    if body is None:
        return client.request(method, url)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.request(method, url, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize(("method", "path", "body"), MALFORMED, ids=[f"{m} {p} {i}" for i, (m, p, _) in enumerate(MALFORMED)])
def test_a_refused_request_is_answered_in_korean_with_the_same_status(client, method, path, body):
    en = _send(client, method, path, body, "en")
    ko = _send(client, method, path, body, "ko")
    assert 400 <= en.status_code < 500 and ko.status_code == en.status_code, (en.text, ko.text)
    assert _message(ko) != _message(en) and HANGUL.search(_message(ko)), _message(ko)
    assert not english(_message(ko)), f"English left in {_message(ko)!r}"
    assert not HANGUL.search(_message(en)), _message(en)  # English unchanged


def test_english_is_the_default_and_what_lang_en_gives(client):
    plain = client.post("/api/summary", content=b"{not json", headers={"content-type": "application/json"})
    assert _message(plain) == _message(_send(client, "POST", "/api/summary", b"{not json", "en"))
    assert _message(plain).startswith("the request body is not JSON: ")


def test_the_body_can_carry_the_language(client):
    r = client.post("/api/summary", json={"lang": "ko", "yml": "x"})
    assert r.status_code == 400 and HANGUL.search(_message(r)) and not english(_message(r))
    r = client.post("/api/train", json={"lang": "ko", "model": 5})
    assert r.status_code == 400 and HANGUL.search(_message(r))


def test_a_correct_request_in_korean_answers_as_in_english(client):
    en = client.post("/api/summary?lang=en", json={"yaml": RESIDUAL})
    ko = client.post("/api/summary?lang=ko", json={"yaml": RESIDUAL})
    assert en.status_code == ko.status_code == 200
    assert ko.json()["summary"]["output_shapes"] == en.json()["summary"]["output_shapes"]
    assert ko.json()["cells"]["totals"] == en.json()["cells"]["totals"]  # numbers, spelt the same in both
    assert client.post("/api/summary", json={"yaml": RESIDUAL, "lang": "ko"}).status_code == 200


@pytest.mark.parametrize("lang", ["fr", "xx-YY", ""])
def test_an_unknown_language_is_a_clear_400(client, lang):
    for r in (client.get(f"/api/examples?lang={lang}"), client.get(f"/api/messages?lang={lang}"),
              client.post(f"/api/summary?lang={lang}", json={"yaml": RESIDUAL})):
        assert r.status_code == 400, r.text
        message = _message(r)
        assert repr(lang) in message and "en, ko" in message, message


def test_a_language_that_is_not_text_is_a_clear_400(client):
    r = client.post("/api/summary", json={"yaml": RESIDUAL, "lang": 3})
    assert r.status_code == 400 and '"lang"' in _message(r) and "en, ko" in _message(r)


def test_the_page_reads_every_message_of_its_catalog_in_korean(client):
    import convlens.i18n.catalog as catalog

    found = catalog.extracted()["page"]
    assert len(found) > 100  # the HTML's data-tr text and the JS's tr() calls
    data = client.get("/api/messages?lang=ko").json()
    assert data["lang"] == "ko"
    for key in found:
        if len(key) == 1:
            assert HANGUL.search(data["messages"].get(key[0], "")) or key[0] == data["messages"].get(key[0]), key
        else:
            assert data["plurals"].get(key[0]), key
    texts = "\n".join(re.sub(r"\{\w+\}", "#", v) for v in data["messages"].values())  # placeholders are not words
    assert not english(texts), "an English sentence in page.po's translations"
    assert client.get("/api/messages?lang=en").json() == {"lang": "en", "messages": {}, "plurals": {}}


def test_every_static_file_marks_its_text_through_the_catalog():
    """No tr() call in the page's JS with a template literal or a variable: Babel reads only plain strings."""
    from convlens.web.app import STATIC

    for path in sorted(set(STATIC.glob("*.js")) - {STATIC / "i18n.js"}):  # i18n.js defines them
        for m in re.finditer(r"\btrn?\(\s*([^\s)])", path.read_text(encoding="utf-8")):
            assert m.group(1) == '"', f"{path.name}: tr( with {m.group(1)!r}: the msgid must be a string literal"


# ---- the page in a real Chromium ---------------------------------------------------------------

from .conftest import CHROMIUM  # noqa: E402
TINY = """name: tiny
framework: pytorch
input: [1, 1, 28, 28]
layers:
  - {type: Conv2d, name: conv1, in_channels: 1, out_channels: 8, kernel_size: 3, padding: 1}
  - {type: ReLU, name: relu1}
  - {type: MaxPool2d, name: pool1, kernel_size: 2}
  - {type: Flatten, name: flat}
  - {type: Linear, name: fc, in_features: 1568, out_features: 10}
"""
# what the page itself writes (the rest, table cells and calculations, is other packages' text)
PAGE_OWN = ["header", ".meta", "#left h2", "#right h2", "#table thead", "#totals", "#status", "#add-row"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith((live_server, "data:", "blob:")) else route.abort())
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _ready(pg):
    pg.wait_for_selector('body[data-ready="1"]', timeout=30_000)


def _drawn(pg, rows=5):
    """The table of ``rows`` rows and its diagram (those rows and the input) on the page."""
    pg.wait_for_function("(n) => document.querySelectorAll('#table tbody tr').length === n && document.querySelectorAll('#diagram g.node').length === n + 1",
                         arg=rows, timeout=20_000)


def _own_text(pg) -> str:
    return pg.evaluate("(sels) => sels.flatMap((s) => [...document.querySelectorAll(s)].map((e) => e.innerText)).join('\\n')", PAGE_OWN)


def test_the_page_in_korean_and_back_to_english(page, live_server):
    page.goto(live_server + "/?lang=ko")
    _ready(page)
    assert page.evaluate("document.documentElement.lang") == "ko"
    page.fill("#yaml", TINY)  # typed: the rows, the table and the diagram follow
    _drawn(page)
    own = _own_text(page)
    assert HANGUL.search(own) and not english(own), english(own)
    assert "5개 층의 형태가 모두 맞습니다" in page.inner_text("#status")
    assert page.locator("#table thead th").all_inner_texts()[1:3] == ["층", "입력 → 출력"]
    assert page.title() == "convlens — 네트워크 설계"
    assert page.get_attribute("#add-row", "data-tr") is not None and page.inner_text("#add-row") == "층 추가"
    assert page.get_attribute('[data-key="0:type"]', "aria-label") == "0번 층 type"
    page.wait_for_function("document.querySelector('#share-url').value.includes('#z')")
    assert "lang=ko" in page.input_value("#share-url")  # the share link keeps the language
    page.click("#inside-link")
    page.wait_for_url(re.compile(r"/inside\?lang=ko#"))
    _ready(page)
    assert page.evaluate("document.documentElement.lang") == "ko" and page.inner_text("#design-link") == "설계 페이지"
    page.go_back()
    _ready(page)

    with page.expect_navigation():
        page.select_option("#lang", "en")  # the switch: the page again in English, the design kept in the URL
    _ready(page)
    assert "lang=" not in page.url and page.evaluate("document.documentElement.lang") == "en"
    _drawn(page)
    switched = page.inner_text("body")
    assert not HANGUL.search(_own_text(page).replace("한국어", ""))

    fresh = page.context.new_page()
    fresh.goto(page.url)  # the same design, opened in English from the start
    _ready(fresh)
    _drawn(fresh)
    assert switched == fresh.inner_text("body")
    assert "5 layers fit: output" in switched and "Worked calculation" in switched and "Download PyTorch" in switched

    with page.expect_navigation():
        page.select_option("#lang", "ko")
    _ready(page)
    assert "lang=ko" in page.url and page.inner_text("#add-row") == "층 추가"


def test_a_broken_network_in_korean(page, live_server):
    page.goto(live_server + "/?lang=ko")
    _ready(page)
    page.fill("#yaml", TINY.replace("in_features: 1568", "in_features: 100"))  # the Linear reads 1,568 features, not 100
    page.wait_for_selector("#totals .partial", timeout=20_000)
    assert page.inner_text("#totals .partial") == "오류 전까지 4개 층의 합계:"
    assert page.inner_text("#status .fix").startswith("제안하는 수정: ") and page.inner_text("#apply-fix") == "수정 적용"
    page.click("#apply-fix")
    page.wait_for_function("document.querySelector('#status').innerText.startsWith('5개 층의 형태가 모두 맞습니다')", timeout=20_000)


@pytest.fixture(scope="module")
def no_runs_server(tmp_path_factory):
    from convlens.web import create_app

    from .conftest import serve

    with serve(create_app(runs=tmp_path_factory.mktemp("runs"))) as url:
        yield url


def test_the_inside_page_in_korean(page, no_runs_server):
    page.route("**/*", lambda route: route.continue_())
    page.goto(no_runs_server + "/inside?lang=ko")
    _ready(page)
    assert page.evaluate("document.documentElement.lang") == "ko"
    assert "아직 실행이 없습니다" in page.inner_text("#status")
    own = page.evaluate("['header h1', '#left', '#status'].map((s) => document.querySelector(s).innerText).join('\\n')")
    assert HANGUL.search(own) and not english(own), english(own)
    assert "이미지 파일을 여기에 끌어다 놓으세요" in page.inner_text("#drop") and page.locator("#drop #file").count() == 1
    assert page.get_attribute("#design-link", "href") == "/?lang=ko"


def test_an_unknown_language_in_the_url_leaves_the_page_in_english_and_says_why(page, live_server):
    page.goto(live_server + "/?lang=fr")
    _ready(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "unknown language 'fr'" in page.inner_text("#status") and page.inner_text("#add-row") == "Add layer"


# ---- the Inside view's API on real runs (conftest's runs_dir: two quick `convlens train` runs) -------

def test_the_inside_api_in_korean(runs_client):
    pytest.importorskip("torch")
    c = runs_client
    en = c.post("/api/inside?lang=en", json={"run": "tiny", "test_index": 0})
    ko = c.post("/api/inside", json={"run": "tiny", "test_index": 0, "lang": "ko"})
    assert en.status_code == ko.status_code == 200
    assert en.json()["input_text"].startswith("input 1×28×28, normalised: ")
    assert ko.json()["input_text"].startswith("입력 1×28×28, 정규화됨: ") and ko.json()["layers"] == en.json()["layers"]
    tests = c.get("/api/runs/tiny/tests?lang=ko&limit=2")
    assert tests.status_code == 200 and "이미지 64개" in tests.json()["text"] and not english(tests.json()["text"])
    for body, status in [({"run": "tiny", "test_index": 10_000}, 422), ({"run": "tiny", "test_index": "0"}, 400),
                         ({"run": "nope", "test_index": 0}, 404)]:
        en, ko = c.post("/api/inside?lang=en", json=body), c.post("/api/inside?lang=ko", json=body)
        runs = {"odd", "tiny"}  # the runs' names, listed in the message
        assert en.status_code == ko.status_code == status and HANGUL.search(_message(ko)) and not english(_message(ko), allow=runs), _message(ko)
    # a layer the model lacks is a 404 in both languages (told apart from a unit out of range by the lookup, not by the message's words)
    unit = {"run": "tiny", "test_index": 0, "layer": "no_such_layer", "channel": 0}
    assert c.post("/api/inside/unit?lang=en", json=unit).status_code == c.post("/api/inside/unit?lang=ko", json=unit).status_code == 404
    name = c.post("/api/inside", json={"run": "tiny", "test_index": 0}).json()["layers"][0]["name"]
    far = {"run": "tiny", "test_index": 0, "layer": name, "channel": 999, "y": 0, "x": 0}
    assert c.post("/api/inside/unit?lang=en", json=far).status_code == c.post("/api/inside/unit?lang=ko", json=far).status_code == 422
