"""The design page in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Builds the tutorial's residual CNN (reference 000, zoo:residual-cnn) row by row, checks the shapes
the page shows, introduces the tutorial's ``Linear(128*7*7, 512)``, sees the error at that row,
applies the suggested fix, reopens the share link, downloads the PyTorch code and runs it.
Screenshots go to ``test-artifacts/`` (git-ignored). Skipped, with the reason, only where
Chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import CHROMIUM  # noqa: E402
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright for Python: pip install playwright (no browser download)")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    outside, errors = [], []

    def offline(route):  # every request must go to the convlens server itself
        if urlparse(route.request.url).netloc == urlparse(live_server).netloc or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    pg.route("**/*", offline)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not outside, f"the page asked for something outside convlens: {outside}"
    assert not errors, f"JavaScript errors: {errors}"


def shot(pg, name):
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_page(pg, url):
    pg.goto(url)
    pg.wait_for_selector('body[data-ready="1"]', timeout=30_000)


def table_row(pg, i):
    return pg.locator(f'#table tbody tr[data-index="{i}"]')


def wait_row(pg, i, text):
    pg.wait_for_function("([i, t]) => { const r = document.querySelector(`#table tbody tr[data-index='${i}']`); return r && r.innerText.includes(t); }",
                         arg=[i, text], timeout=10_000)


# name, type, arguments (keyword -> text typed), the shape the page must then show for this row
RESIDUAL_CNN = [
    ("conv1", "Conv2d", {"in_channels": "1", "out_channels": "32", "kernel_size": "3", "padding": "1"}, "[1, 32, 28, 28]"),
    ("relu", "ReLU", {}, "[1, 32, 28, 28]"),
    ("pool1", "MaxPool2d", {"kernel_size": "2", "stride": "2"}, "[1, 32, 14, 14]"),
    ("res1_shortcut", "Conv2d", {"in_channels": "32", "out_channels": "64", "kernel_size": "1"}, "[1, 64, 14, 14]"),
    ("res1_conv1", "Conv2d", {"inputs": "pool1", "in_channels": "32", "out_channels": "64", "kernel_size": "3", "padding": "1"}, "[1, 64, 14, 14]"),
    ("res1_relu", "ReLU", {}, "[1, 64, 14, 14]"),
    ("res1_conv2", "Conv2d", {"in_channels": "64", "out_channels": "64", "kernel_size": "3", "padding": "1"}, "[1, 64, 14, 14]"),
    ("res1_add", "add", {"inputs": "res1_conv2, res1_shortcut"}, "[1, 64, 14, 14]"),
    ("res1_out", "ReLU", {}, "[1, 64, 14, 14]"),
    ("pool2", "MaxPool2d", {"kernel_size": "2", "stride": "2"}, "[1, 64, 7, 7]"),
    ("res2_shortcut", "Conv2d", {"in_channels": "64", "out_channels": "128", "kernel_size": "1"}, "[1, 128, 7, 7]"),
    ("res2_conv1", "Conv2d", {"inputs": "pool2", "in_channels": "64", "out_channels": "128", "kernel_size": "3", "padding": "1"}, "[1, 128, 7, 7]"),
    ("res2_relu", "ReLU", {}, "[1, 128, 7, 7]"),
    ("res2_conv2", "Conv2d", {"in_channels": "128", "out_channels": "128", "kernel_size": "3", "padding": "1"}, "[1, 128, 7, 7]"),
    ("res2_add", "add", {"inputs": "res2_conv2, res2_shortcut"}, "[1, 128, 7, 7]"),
    ("res2_out", "ReLU", {}, "[1, 128, 7, 7]"),
    ("pool3", "MaxPool2d", {"kernel_size": "2", "stride": "2"}, "[1, 128, 3, 3]"),
    ("flatten", "Flatten", {}, "[1, 1152]"),
    ("fc1", "Linear", {"in_features": "1152", "out_features": "512"}, "[1, 512]"),
    ("fc_relu", "ReLU", {}, "[1, 512]"),
    ("fc2", "Linear", {"in_features": "512", "out_features": "10"}, "[1, 10]"),
]


def test_build_the_residual_cnn_break_it_fix_it_share_and_export(page, live_server, tmp_path):
    open_page(page, live_server + "/")
    page.select_option("#start", "new")
    page.wait_for_function("document.querySelector('#yaml').value === ''")
    page.fill("#input-shape", "1, 1, 28, 28")
    for i, (name, kind, args, shape) in enumerate(RESIDUAL_CNN):
        page.click("#add-row")
        page.select_option(f'[aria-label="layer {i} type"]', kind)
        page.fill(f'[aria-label="layer {i} name"]', name)
        for key, value in args.items():
            page.fill(f'[aria-label="layer {i} {key}"]', value)  # inputs are labelled by the keyword names
        wait_row(page, i, f"{name} ({kind})")
        wait_row(page, i, f"→ {shape}")
        if i == 8:
            shot(page, "01-first-residual-block")
    assert page.inner_text("#total-params") == "883,082"  # zoo:residual-cnn
    assert page.inner_text("#output-shape") == "[1, 10]"
    shot(page, "02-residual-cnn-built")

    # the tutorial's mistake: fc1 = nn.Linear(128*7*7, 512)
    page.fill('[aria-label="layer 18 in_features"]', "128*7*7")
    page.wait_for_selector("#status.bad")
    status = page.inner_text("#status")
    assert "in_features=6272" in status and "1152" in status
    assert "broken" in table_row(page, 18).get_attribute("class")
    assert "fc1 (Linear)" in table_row(page, 18).inner_text()
    assert "in_features=6272" in page.inner_text('.row[data-index="18"] .rowerr')
    assert "set in_features: 1152" in page.inner_text("#status .fix")
    shot(page, "03-linear-128x7x7-error")

    page.focus("#apply-fix")  # the keyboard alone: focus the button, press Enter
    page.keyboard.press("Enter")
    page.wait_for_selector("#status.ok")
    assert page.input_value('[aria-label="layer 18 in_features"]') == "1152"
    assert page.inner_text("#total-params") == "883,082"
    assert "in_features: 1152" in page.input_value("#yaml")
    shot(page, "04-fix-applied")

    # the worked calculation of a row, with the keyboard
    table_row(page, 0).focus()
    page.keyboard.press("Enter")
    assert "H_out = ⌊(28 + 2·1 − 1·(3−1) − 1) / 1⌋ + 1 = 28" in page.inner_text("#calculation-text")

    # share: the URL reproduces the design
    page.wait_for_function("document.querySelector('#share-url').value.includes('#z')")
    url = page.input_value("#share-url")
    yaml_text = page.input_value("#yaml")
    other = page.context.new_page()
    open_page(other, url)
    other.wait_for_selector("#status.ok")
    assert other.input_value("#yaml") == yaml_text
    assert other.inner_text("#total-params") == "883,082"
    assert other.locator("#table tbody tr").count() == len(RESIDUAL_CNN)
    shot(other, "05-share-link-reopened")

    # export the PyTorch code and run it
    with other.expect_download() as info:
        other.click("#download-pytorch")
    code = tmp_path / info.value.suggested_filename
    info.value.save_as(code)
    result = subprocess.run([sys.executable, str(code)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "883,082 parameters; output (1, 10)"
    other.close()


def test_yaml_edits_update_the_rows_and_rows_update_the_yaml(page, live_server):
    open_page(page, live_server + "/")
    page.select_option("#start", "resnet18")
    page.wait_for_function("document.querySelector('#total-params') && document.querySelector('#total-params').innerText === '11,689,512'")
    text = page.input_value("#yaml").replace("out_features: 1000", "out_features: 10")
    page.fill("#yaml", text)
    page.wait_for_function("document.querySelector('#total-params').innerText === '11,181,642'")
    last = page.locator("#rows .row").count() - 1
    assert page.input_value(f'[aria-label="layer {last} out_features"]') == "10"
    page.fill(f'[aria-label="layer {last} out_features"]', "100")
    page.wait_for_function("document.querySelector('#yaml').value.includes('out_features: 100}')")
    page.fill("#yaml", text.replace("layers:\n  - {type: Conv2d", "layers:\n  - {type: Conv2d,"))
    page.wait_for_function("document.querySelector('#yaml-error').innerText.includes('not valid YAML')")
    shot(page, "06-yaml-error")


def test_start_from_a_zoo_model_reorder_and_remove(page, live_server):
    open_page(page, live_server + "/")
    page.select_option("#start", "zoo:vgg-first-blocks")
    page.wait_for_function("document.querySelector('#total-params').innerText === '260,160'")
    page.focus('[aria-label="move layer 1 down"]')  # the second conv (64 -> 64) moves below the first pool, by keyboard
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#table tbody tr[data-index=\"1\"]').innerText.includes('(MaxPool2d)')")
    assert page.inner_text("#total-params") == "260,160"  # the same layers in another order
    page.click('[aria-label="remove layer 0"]')  # now the pool reads the 3-channel image and the conv expects 64
    page.wait_for_selector("#status.bad")
    assert "layer 1 '1' (Conv2d): in_channels=64 but the input (1, 3, 112, 112) has 3 channels" in page.inner_text("#status")
    assert "set in_channels: 3" in page.inner_text("#status .fix")
    page.fill('[aria-label="layer 0 kernel_size"]', "0")  # a layer that cannot be built: 422, marked at its row
    page.wait_for_function("document.querySelector('.row[data-index=\"0\"]').classList.contains('broken')")
    assert "kernel_size" in page.inner_text('.row[data-index="0"] .rowerr') and "spec.yaml:5:" in page.inner_text("#status")
    shot(page, "07-zoo-reordered")


def test_keystroke_latency_on_a_100_layer_network_is_measured(page, live_server):
    """The page records the time from each edit to the updated table; the figure is reported by
    benchmarks/bench_page.py, here only that it is recorded and the table follows the keystroke."""
    layers = "\n".join("  - {type: Conv2d, in_channels: 8, out_channels: 8, kernel_size: 3, padding: 1}" if k % 2 == 0 else "  - {type: ReLU}" for k in range(100))
    open_page(page, live_server + "/")
    page.fill("#yaml", f"name: deep\ninput: [1, 8, 32, 32]\nlayers:\n{layers}\n")
    page.wait_for_function("document.querySelectorAll('#table tbody tr').length === 100")
    field = page.locator('[aria-label="layer 98 out_channels"]')
    field.click()
    page.keyboard.press("End")
    page.keyboard.type("0")  # 8 -> 80
    page.wait_for_function("document.querySelector('#table tbody tr[data-index=\"98\"]').innerText.includes('[1, 80, 32, 32]')")
    assert float(page.evaluate("document.body.dataset.latency")) > 0


def test_a_blocks_parameters_are_edited_in_its_row(page, live_server):
    open_page(page, live_server + "/")
    page.select_option("#start", "resnet18")
    page.wait_for_function("document.querySelector('#total-params').innerText === '11,689,512'")
    row = page.locator('.row:has([aria-label="layer 5 block"])')
    assert page.input_value('[aria-label="layer 5 block"]') == "basic_down" and page.input_value('[aria-label="layer 5 planes"]') == "128"
    page.fill('[aria-label="layer 5 planes"]', "96")  # layer2.0 now outputs 96 channels; layer2.1 still expects 128
    page.wait_for_selector("#status.bad")
    assert "layer2.1" in page.inner_text("#status") and "96" in page.inner_text("#status")
    assert "change the block 'basic'" in page.inner_text("#status .fix") and page.locator("#apply-fix").count() == 0
    assert row.count() == 1
    shot(page, "08-block-parameter")


def node(pg, row):
    return pg.locator(f'#diagram g.node[data-row="{row}"]')


def test_the_diagram_follows_the_rows_shows_a_nodes_calculation_marks_the_bug_and_downloads(page, live_server, tmp_path):
    """Issue 17 on the page: the diagram is drawn from the server's SVG after the table, updates when a
    row is edited, a click (or Enter) on a node shows that row's calculation, the seed's
    ``Linear(128*7*7, 512)`` marks its node, and the diagram downloads as SVG and PNG."""
    open_page(page, live_server + "/")  # starts with the tutorial's residual CNN
    page.wait_for_selector('#diagram g.node[data-row="0"]')
    table = {page.locator("#table tbody tr").nth(k).inner_text().split("\t")[1]: k for k in range(page.locator("#table tbody tr").count())}
    conv1, fc1, fc2 = table["conv1 (Conv2d)"], table["fc1 (Linear)"], table["fc2 (Linear)"]
    assert "[1, 512]" in node(page, fc1).text_content() and "[1, 10]" in node(page, fc2).text_content()
    shot(page, "09-diagram")

    # edit a row: the diagram follows
    item = page.evaluate("window.convlens.doc.layers.findIndex((l) => l.name === 'fc2')")
    fc1_item = page.evaluate("window.convlens.doc.layers.findIndex((l) => l.name === 'fc1')")
    page.fill(f'[aria-label="layer {item} out_features"]', "100")
    page.wait_for_function(f"""document.querySelector('#diagram g.node[data-row="{fc2}"]').textContent.includes('[1, 100]')""")
    assert "[1, 10]" not in node(page, fc2).text_content() and not page.locator("#diagram g.node.broken").count()
    assert page.evaluate("window.convlens.diagramLatencies.length") >= 2

    # a click on a node: its row's worked calculation; Enter on a focused node: the same
    node(page, conv1).click()
    assert "H_out = ⌊(28 + 2·1 − 1·(3−1) − 1) / 1⌋ + 1 = 28" in page.inner_text("#calculation-text")
    assert "selected" in table_row(page, conv1).get_attribute("class") and "selected" in node(page, conv1).get_attribute("class")
    node(page, fc2).focus()
    page.keyboard.press("Enter")
    assert page.inner_text("#calculation h3").startswith("fc2 (Linear)") and "100" in page.inner_text("#calculation-text")

    # the seed's bug: the breaking node is marked, with the message on the picture
    page.fill(f'[aria-label="layer {fc1_item} in_features"]', "128*7*7")
    page.wait_for_selector("#diagram g.node.broken")
    broken = page.locator("#diagram g.node.broken")
    assert broken.count() == 1 and broken.get_attribute("data-row") == str(fc1)
    assert "6272" in broken.text_content()
    shot(page, "10-diagram-broken-node")

    # download the diagram as SVG (the one shown) and as PNG
    with page.expect_download() as info:
        page.click("#download-diagram-svg")
    svg = tmp_path / info.value.suggested_filename
    info.value.save_as(svg)
    assert svg.suffix == ".svg"
    shown = set(page.evaluate("[...document.querySelectorAll('#diagram g.node')].map((g) => g.id)"))
    assert set(re.findall(r'<g id="([^"]+)" class="node"', svg.read_text(encoding="utf-8"))) == shown
    with page.expect_download() as info:
        page.click("#download-diagram-png")
    png = tmp_path / info.value.suggested_filename
    info.value.save_as(png)
    assert png.suffix == ".png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
