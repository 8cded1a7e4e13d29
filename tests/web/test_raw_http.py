"""Path traversal against the real server (uvicorn), with request lines no HTTP client would normalise."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest


def raw_get(base: str, target: str) -> tuple[int, bytes]:
    url = urlparse(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


@pytest.mark.parametrize("target", [
    "/static/../app.py", "/static/../../spec/schema.json", "/static/%2e%2e/app.py", "/static/%2e%2e%2fapp.py",
    "/static/..%2f..%2f__init__.py", "/static/%252e%252e%252fapp.py", "/static/..\\app.py", "/static/....//app.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/../../etc/passwd", "/static/%c0%ae%c0%ae/app.py",
])
def test_no_file_outside_the_static_folder(live_server, target):
    status, data = raw_get(live_server, target)
    assert status in (400, 404), (target, status)
    assert b"create_app" not in data and b"root:" not in data and b"$schema" not in data


def test_the_page_is_served(live_server):
    status, data = raw_get(live_server, "/static/main.js")
    assert status == 200 and b"convlens design page" in data


def test_convlens_serve_binds_the_loopback_address(tmp_path):
    """`convlens serve --port N` as a user runs it: the page answers on 127.0.0.1."""
    import os
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "convlens", "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, data = raw_get(f"http://127.0.0.1:{port}", "/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"convlens serve did not answer: {server.stderr.read() if server.poll() is not None else 'timeout'}")
                time.sleep(0.2)
        assert status == 200 and b"design a network" in data
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert f"http://127.0.0.1:{port}/" in server.stderr.read()
