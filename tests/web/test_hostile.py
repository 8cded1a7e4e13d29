"""No request can stall the page: hostile specs get 422 with a position at once, analyses run off the
event loop, at most ``workers`` at once (503 beyond), each answered within ``budget_s`` (503 beyond)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("starlette")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from convlens import design  # noqa: E402
from convlens.web import create_app  # noqa: E402

from ..design.hostile import HOSTILE, alias_bomb  # noqa: E402
from .conftest import serve  # noqa: E402


def network(layers: int) -> str:
    """An ordinary network of ``layers`` layers: what the page sends on every keystroke."""
    rows = ["  - {type: Conv2d, in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1}"]
    rows += ["  - {type: Conv2d, in_channels: 8, out_channels: 8, kernel_size: 3, padding: 1}" if k % 2 else "  - {type: ReLU}" for k in range(layers - 1)]
    return "input: [1, 3, 16, 16]\nlayers:\n" + "\n".join(rows) + "\n"


def serving(**options):
    """The app on a free loopback port (uvicorn in a thread), as `convlens serve` runs it."""
    return serve(create_app(**options))


def _timed(call) -> float:
    start = time.perf_counter()
    assert call().status_code == 200
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def url():
    """`convlens serve` in its own process, as users run it: the test's client does not share its interpreter."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "convlens", "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    u = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "convlens serve did not start"
            try:
                if httpx.get(f"{u}/api/schema", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield u
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_spec_gets_422_with_its_position(url, name):
    text, line, column, words = HOSTILE[name]
    start = time.perf_counter()
    r = httpx.post(f"{url}/api/summary", json={"yaml": text}, timeout=60)
    elapsed = time.perf_counter() - start
    assert r.status_code == 422, r.text[:300]
    error = r.json()["error"]
    assert (error["line"], error["column"]) == (line, column) and words in error["message"]
    assert elapsed < 5, f"{name}: {elapsed:.1f} s"  # generous for a loaded machine: they took minutes, or forever


def test_an_integer_of_5000_digits_in_the_json_body_is_422_not_500(url):
    body = '{"spec": {"input": [1, 3, 8, 8], "layers": [{"type": "Flatten"}, {"type": "Linear", "in_features": ' + "9" * 5000 + ', "out_features": 3}]}}'
    r = httpx.post(f"{url}/api/summary", content=body, headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 422 and "5,000 digits" in r.json()["error"]["message"]


def test_an_ordinary_edit_answers_while_the_alias_bomb_is_sent(url):
    edit = network(100)
    alone = min(_timed(lambda: httpx.post(f"{url}/api/summary", json={"yaml": edit}, timeout=60)) for _ in range(3))
    with ThreadPoolExecutor(2) as pool:
        bombs = [pool.submit(httpx.post, f"{url}/api/summary", json={"yaml": alias_bomb()}, timeout=60) for _ in range(2)]
        start = time.perf_counter()
        r = httpx.post(f"{url}/api/summary", json={"yaml": edit}, timeout=60)
        elapsed = time.perf_counter() - start
        assert r.status_code == 200 and r.json()["layers"] == 100
        assert [b.result().status_code for b in bombs] == [422, 422]
    # under a second, or on a machine so loaded that the edit alone takes a good part of one, within
    # twice its time alone plus a second: the bomb is refused in milliseconds, it never holds the server
    assert elapsed < 1.0 + 2 * alone, f"a 100-layer edit took {elapsed:.2f} s beside the alias bomb ({alone:.2f} s alone)"


def test_the_server_answers_while_a_large_network_is_analysed(url):
    alone = min(_timed(lambda: httpx.get(f"{url}/api/layers", timeout=60)) for _ in range(3))
    big = network(3_000)  # seconds of analysis on a loaded machine; on the event loop it would hold every request
    with ThreadPoolExecutor(1) as pool:
        large = pool.submit(httpx.post, f"{url}/api/summary", json={"yaml": big}, timeout=60)
        time.sleep(0.3)  # read and being analysed
        elapsed = _timed(lambda: httpx.get(f"{url}/api/layers", timeout=60))
        assert not large.done(), "answered only once the large analysis was over (or it was too quick to tell: make it larger)"
        assert large.result().status_code == 200
    assert elapsed < 1.0 + 2 * alone, f"GET /api/layers took {elapsed:.2f} s while a large network was analysed ({alone:.2f} s alone)"


@pytest.fixture
def held(monkeypatch):
    """design.analyse held until the test releases it: an analysis as slow as the test wants."""
    release, entered = threading.Event(), threading.Semaphore(0)
    real = design.analyse

    def slow(spec):
        entered.release()
        release.wait(30)
        return real(spec)

    yield release, entered, lambda: monkeypatch.setattr(design, "analyse", slow)  # called once the server has started (it analyses an example then)
    release.set()


def test_a_flood_gets_503_at_once_instead_of_queueing(held):
    release, entered, hold = held
    with serving(workers=1, budget_s=30) as u, ThreadPoolExecutor(1) as pool:
        hold()
        first = pool.submit(httpx.post, f"{u}/api/summary", json={"yaml": network(3)}, timeout=60)
        assert entered.acquire(timeout=30)  # the one worker is busy
        start = time.perf_counter()
        r = httpx.post(f"{u}/api/summary", json={"yaml": network(3)}, timeout=60)
        assert r.status_code == 503 and "busy" in r.json()["error"]["message"] and time.perf_counter() - start < 5
        assert httpx.get(f"{u}/api/layers", timeout=60).status_code == 200  # the rest of the page still answers
        release.set()
        assert first.result().status_code == 200
        assert httpx.post(f"{u}/api/summary", json={"yaml": network(3)}, timeout=60).status_code == 200  # the worker is free again


def test_an_analysis_past_the_budget_gets_503_and_its_worker_comes_back(held):
    release, entered, hold = held
    with serving(workers=1, budget_s=0.5) as u:
        hold()
        start = time.perf_counter()
        r = httpx.post(f"{u}/api/summary", json={"yaml": network(3)}, timeout=60)
        assert r.status_code == 503 and "more than 0.5 s" in r.json()["error"]["message"] and time.perf_counter() - start < 10
        assert httpx.post(f"{u}/api/summary", json={"yaml": network(3)}, timeout=60).status_code == 503  # still running: busy
        release.set()
        deadline = time.monotonic() + 30
        while (r := httpx.post(f"{u}/api/summary", json={"yaml": network(3)}, timeout=60)).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert r.status_code == 200


def test_export_runs_under_the_same_workers(url):
    text, line, column, _ = HOSTILE["alias bomb"]
    r = httpx.post(f"{url}/api/export", json={"yaml": text, "to": "pytorch"}, timeout=60)
    assert r.status_code == 422 and (r.json()["error"]["line"], r.json()["error"]["column"]) == (line, column)
    r = httpx.post(f"{url}/api/export", json={"yaml": network(3), "to": "pytorch"}, timeout=60)
    assert r.status_code == 200 and "nn.Conv2d" in r.json()["code"]
