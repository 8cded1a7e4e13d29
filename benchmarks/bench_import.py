"""Cold `import convlens`: fresh processes, alternating with a bare interpreter, median of N each.

    python benchmarks/bench_import.py [N]

Prints the median wall time of `python -c "import convlens"`, of `python -c "pass"`, and their
difference (what importing convlens costs), plus `python -X importtime`'s own figure for the
package. Target (issue 8): under 60 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _once(code: str) -> float:
    env = dict(os.environ, PYTHONPATH=SRC)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - start


def _importtime() -> int:
    env = dict(os.environ, PYTHONPATH=SRC)
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import convlens"], env=env, capture_output=True, text=True).stderr
    line = next(l for l in err.splitlines() if l.rstrip().endswith("| convlens"))
    return int(line.split("|")[1])


def main(n: int = 9) -> None:
    bare, package, first_call = [], [], []
    for _ in range(n):  # alternate so machine load hits both alike
        bare.append(_once("pass"))
        package.append(_once("import convlens"))
        first_call.append(_once("import convlens; convlens.calc('Conv2d', (1, 3, 8, 8), out_channels=4, kernel_size=3)"))
    b, p, c = (statistics.median(x) for x in (bare, package, first_call))
    print(f"python -c pass:                    {b * 1000:7.1f} ms (median of {n})")
    print(f"python -c 'import convlens':       {p * 1000:7.1f} ms  -> import convlens costs {1000 * (p - b):.1f} ms")
    print(f"  ... and a first convlens.calc(): {c * 1000:7.1f} ms  -> the core's first use costs {1000 * (c - p):.1f} ms")
    print(f"python -X importtime, convlens:    {_importtime() / 1000:7.1f} ms (cumulative)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
