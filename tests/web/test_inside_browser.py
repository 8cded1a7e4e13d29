"""The Inside view in a real headless Chromium (Debian's, driven by Playwright, as test_browser.py does):
open a run, pick a test image, click a convolution unit, and read on the page the numbers the API
gives for that unit; jump to the misclassified images; click a pooling unit. The screenshot goes to
test-artifacts/inside.png (docs/img/inside.png is of a default-recipe run: see docs/inside.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import serve
from .test_browser import ARTIFACTS



@pytest.fixture(scope="module")
def server(runs_dir):
    from convlens.web import create_app

    with serve(create_app(runs=runs_dir)) as url:
        yield url


@pytest.fixture
def page(browser, server):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith((server, "data:", "blob:")) else route.abort())
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def api(pg, path, body):
    return pg.evaluate("async ([p, b]) => (await fetch(p, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(b)})).json()",
                       [path, body])


def click_unit(pg, layer, channel, y, x, size):
    """Click the centre of map pixel (y, x) of one channel, whatever the map's drawn scale."""
    canvas = pg.locator(f'canvas[data-layer="{layer}"][data-channel="{channel}"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    h, w = size
    pg.mouse.click(box["x"] + (x + 0.5) * box["width"] / w, box["y"] + (y + 0.5) * box["height"] / h)


def test_open_a_run_pick_an_image_click_a_unit(page, server, request):
    page.goto(server + "/inside")
    page.wait_for_selector('body[data-ready="1"]', timeout=60_000)
    page.select_option("#run", "tiny")
    page.wait_for_selector('#thumbs canvas[data-index="5"]', timeout=60_000)
    page.click('#thumbs canvas[data-index="5"]')
    page.wait_for_selector('body[data-shown="tiny/5"][data-inside="1"]', timeout=60_000)
    inside = api(page, "/api/inside", {"run": "tiny", "test_index": 5})
    assert page.inner_text("#prediction h2") == f"Prediction: {inside['prediction']['label']}"
    assert page.locator(".layer").count() == len(inside["layers"])

    # a unit on the bottom edge of group1.conv1's maps: its window reaches into the padding
    click_unit(page, "group1.conv1", 3, 26, 13, (27, 27))
    page.wait_for_selector("#unit:not([hidden])")
    unit = api(page, "/api/inside/unit", {"run": "tiny", "test_index": 5, "layer": "group1.conv1", "channel": 3, "y": 26, "x": 13})
    assert page.inner_text("#unit-title") == "group1.conv1 (Conv): channel 3, y 26, x 13"
    assert float(page.get_attribute("#unit-value", "data-value")) == unit["value"]
    assert page.inner_text("#unit-formula") == "\n".join(unit["formula"])
    first_window = page.locator("#unit-tables table").first
    assert first_window.locator("td.pad").count() == 3  # the window's bottom row lies in the padding
    assert page.locator(".map .box").count() == len(unit["window"])  # marked on every input channel it reads
    assert page.locator("#input-fig .rf").count() == 1
    page.screenshot(path=str(ARTIFACTS / "inside.png"))

    page.click("#animate")
    page.wait_for_function("document.querySelectorAll('.map .box').length > 0")

    # a max-pooling unit: the winner is marked
    click_unit(page, "group1.pool", 0, 6, 6, (13, 13))
    page.wait_for_function("document.querySelector('#unit-title').textContent.startsWith('group1.pool')")
    pool = api(page, "/api/inside/unit", {"run": "tiny", "test_index": 5, "layer": "group1.pool", "channel": 0, "y": 6, "x": 6})
    assert page.locator("#unit-tables td.won").count() == 1
    assert float(page.get_attribute("#unit-value", "data-value")) == pool["value"]


def test_misclassified_images_only(page, server):
    page.goto(server + "/inside")
    page.wait_for_selector('body[data-ready="1"]', timeout=60_000)
    page.select_option("#run", "tiny")
    page.wait_for_selector("#thumbs canvas", timeout=60_000)
    wrong = page.evaluate("async () => (await (await fetch('/api/runs/tiny/tests?misclassified=1')).json()).count")
    page.check("#wrong")
    page.wait_for_function("n => document.querySelector('#count').textContent.startsWith(`${n} images`)", arg=wrong)
    thumbs = page.locator("#thumbs canvas")
    assert thumbs.count() == min(wrong, 48)
    assert all("wrong" in (thumbs.nth(i).get_attribute("class") or "") for i in range(thumbs.count()))


def design_link_hash(yaml_text: str) -> str:
    """The design page's link hash: 'z' + base64url of the deflate-raw compressed spec."""
    import base64
    import zlib

    c = zlib.compressobj(wbits=-15)
    return "z" + base64.urlsafe_b64encode(c.compress(yaml_text.encode()) + c.flush()).decode().rstrip("=")


def test_train_the_designed_network_from_the_page_follow_it_live_and_cancel(page, server):
    from .test_inside_training import SPEC

    page.goto(server + "/inside#" + design_link_hash(SPEC))
    page.wait_for_selector('body[data-ready="1"]', timeout=60_000)
    assert page.input_value("#train-model") == "designed"  # the network the design page links with
    page.click("#train-panel summary")
    page.click("#train-start")
    page.wait_for_selector('#train-status[data-state="running"]', timeout=30_000)
    assert "the designed network (tiny-designed)" in page.inner_text("#train-status")
    assert page.is_enabled("#train-cancel") and not page.is_enabled("#train-start")
    # progress inside the first epoch: the batch shown changes before any epoch has ended
    live = "() => /^1:[1-9]/.test(document.querySelector('#train-status').dataset.batch || '')"
    page.wait_for_function(live, timeout=120_000)
    first = page.get_attribute("#train-status", "data-batch")
    text = page.inner_text("#train-status")
    assert "epoch 1/" in text and "images/s" in text and "s left" in text, text
    page.wait_for_function("b => { const now = document.querySelector('#train-status').dataset.batch; return now !== b && /^1:/.test(now); }",
                           arg=first, timeout=60_000)
    later = page.get_attribute("#train-status", "data-batch")
    assert int(later.split(":")[1]) > int(first.split(":")[1]) and page.inner_text("#train-status") != text
    page.click("#train-cancel")
    page.wait_for_selector('#train-status[data-state="cancelled"]', timeout=30_000)
    assert page.is_enabled("#train-start")
