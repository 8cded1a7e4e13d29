"""A live server on a free loopback port (uvicorn in a thread), shared by the browser and raw-HTTP tests;
the project's Chromium, launched once per module for the browser tests; and the runs the Inside
view's tests look into."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def serve(app):
    """``app`` on a free loopback port, uvicorn in a thread; yields the base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # generous: a loaded machine starts it slowly
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server():
    pytest.importorskip("uvicorn")
    from convlens.web import create_app

    with serve(create_app()) as url:
        yield url


# ---- the Inside view: real runs of `convlens train` on a subset of Fashion-MNIST --------------------

FASHION = Path("/usr/share/datasets/fashion-mnist")
TINY_FASTNET = json.dumps({"widths": {"stem": 4, "block1": 8, "block2": 8, "block3": 16}})
QUICK = ["--epochs", "1", "--train-subset", "256", "--test-subset", "64", "--batch-size", "64", "--precision", "fp32", "--progress", "off"]


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory) -> Path:
    """Two runs trained by the command: a tiny FastNet (zoo) and an unusual model from a file."""
    from convlens.cli import main

    if not FASHION.is_dir():
        pytest.skip(f"the Inside view's tests train on Fashion-MNIST in {FASHION} (Debian: the package in .ci/system-packages)")
    root = tmp_path_factory.mktemp("runs")
    target = f"{Path(__file__).with_name('inside_models.py')}:Odd"
    assert main(["train", "fastnet", "--model-args", TINY_FASTNET, *QUICK, "--out", str(root / "tiny")]) == 0
    assert main(["train", target, *QUICK, "--no-tta", "--out", str(root / "odd")]) == 0
    return root


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium package (.ci/system-packages); no browser download


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright; the test is skipped where either is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright for Python: pip install playwright (no browser download)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                              "--disable-component-update", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def runs_client(runs_dir):
    """A test client of the app whose Inside view looks into ``runs_dir`` (two quick trained runs)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        from convlens.web import create_app

        with TestClient(create_app(runs=runs_dir), raise_server_exceptions=False) as c:
            yield c
