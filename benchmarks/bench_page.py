"""Keystroke-to-table and keystroke-to-diagram latency of the design page for a 100-layer network, in the browser.

    python benchmarks/bench_page.py            # needs the web extra, Playwright and /usr/bin/chromium

Starts ``convlens serve`` as its own process, as a user runs it (uvicorn, loopback, free port;
in the benchmark's own process the server would share the interpreter with Playwright's client and
its garbage), loads a 100-layer network
(50 × Conv2d 3×3 + ReLU on 1×8×32×32), then types into a row's ``out_channels`` field, one key
at a time, waiting for the table to show the new shape after each key. The page itself records,
for every edit, the time from the input event to the end of rendering the answer
(``performance.now()`` in the page: request to the JSON API, the core's evaluation, the summary
record and the report's cells, rendering the rows, table and totals), and, separately, to the
diagram shown (the second request, /api/diagram: Graphviz ``dot`` on the server, the SVG put
into the page); the table never waits for the diagram. Prints every figure, the median and the
maximum; then 20 more keystrokes typed as soon as the table follows, without waiting for the diagram
(so ``dot`` is still running on the server), keystroke to table. The issue's target is 100 ms for the table. Not a test: timings vary with machine load.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time

CHROMIUM = "/usr/bin/chromium"
KEYS = 20


def main() -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "convlens", "serve", "--port", str(port)], stderr=subprocess.DEVNULL, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while True:  # ready when it accepts a connection
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"convlens serve did not start on port {port} (exit status {server.poll()})")
            time.sleep(0.1)
    layers = "\n".join("  - {type: Conv2d, in_channels: 8, out_channels: 8, kernel_size: 3, padding: 1}" if k % 2 == 0 else "  - {type: ReLU}"
                       for k in range(100))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                                        "--disable-component-update", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector('body[data-ready="1"]')
            page.fill("#yaml", f"name: deep\ninput: [1, 8, 32, 32]\nlayers:\n{layers}\n")
            page.wait_for_function("document.querySelectorAll('#table tbody tr').length === 100")
            field = page.locator('[aria-label="layer 98 out_channels"]')
            field.click()
            figures, drawn = [], []
            for k in range(KEYS):
                value = 8 + (k % 2)  # 8 -> 9 -> 8 ...: one key each (Backspace, then a digit)
                page.keyboard.press("Backspace")
                page.wait_for_function("document.querySelector('#status').className === 'bad'")  # the empty field: out_channels missing
                before = len(page.evaluate("window.convlens.latencies"))
                page.keyboard.type(str(value))
                page.wait_for_function(f"document.querySelector('#table tbody tr[data-index=\"98\"]').innerText.includes('[1, {value}, 32, 32]')")
                page.wait_for_function(f"window.convlens.latencies.length > {before}")
                figures.append(page.evaluate("window.convlens.timings[window.convlens.timings.length - 1]"))
                page.wait_for_function(f"(document.querySelector('#diagram g.node[data-row=\"98\"]') || {{}}).textContent?.includes('[1, {value}, 32, 32]')")
                drawn.append(page.evaluate("window.convlens.diagramLatencies[window.convlens.diagramLatencies.length - 1]"))
            busy = []  # the same keystrokes, each typed as soon as the table shows the last one: dot still drawing on the server
            for k in range(KEYS):
                value = 8 + (k % 2)
                page.keyboard.press("Backspace")
                page.wait_for_function("document.querySelector('#status').className === 'bad'")
                before = len(page.evaluate("window.convlens.latencies"))
                page.keyboard.type(str(value))
                page.wait_for_function(f"document.querySelector('#table tbody tr[data-index=\"98\"]').innerText.includes('[1, {value}, 32, 32]')")
                page.wait_for_function(f"window.convlens.latencies.length > {before}")
                busy.append(page.evaluate("window.convlens.timings[window.convlens.timings.length - 1]")["total"])
            browser.close()
    finally:
        server.terminate()
        server.wait()
    total = [f["total"] for f in figures]
    print(f"keystroke -> updated table, 100-layer network, {KEYS} keystrokes (ms): " + ", ".join(f"{t:.1f}" for t in total))
    print(f"median {statistics.median(total):.1f} ms, max {max(total):.1f} ms (target: 100 ms); of which the request to the "
          f"JSON API (median) {statistics.median(f['request'] for f in figures):.1f} ms, rendering {statistics.median(f['render'] for f in figures):.1f} ms")
    print(f"keystroke -> updated diagram (ms): " + ", ".join(f"{t:.1f}" for t in drawn))
    print(f"median {statistics.median(drawn):.1f} ms, max {max(drawn):.1f} ms (drawn after the table, which does not wait for it)")
    print(f"keystroke -> updated table, typed without waiting for the diagram (dot busy on the server) (ms): " + ", ".join(f"{t:.1f}" for t in busy))
    print(f"median {statistics.median(busy):.1f} ms, max {max(busy):.1f} ms")


if __name__ == "__main__":
    main()
