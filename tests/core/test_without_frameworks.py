"""The core and its commands work with neither PyTorch nor Keras importable."""

from __future__ import annotations

import subprocess
import sys

BLOCK = "import sys; sys.modules['torch'] = None; sys.modules['keras'] = None; sys.modules['numpy'] = None; "


def _run(code: str):
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, timeout=120)


def test_core_calc_without_torch_or_keras():
    p = _run("import convlens; r = convlens.calc('Conv2d', (16, 1, 28, 28), out_channels=20, kernel_size=5, padding=2); print(r.params, r.output_shape)")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "520 (16, 20, 28, 28)"


def test_demo_and_chain_commands_without_torch():
    p = _run("from convlens.cli import main; raise SystemExit(main(['demo']))")
    assert p.returncode == 0, p.stderr
    assert "1152" in p.stdout.replace(",", "")
    p = _run("from convlens.cli import main; raise SystemExit(main(['calc', '--input', '1x28x28', 'Conv2d(1, 32, 3, padding=1)', 'MaxPool2d(2)']))")
    assert p.returncode == 0, p.stderr


def test_summary_without_torch_says_how_to_install_it():
    p = _run("from convlens.cli import main; raise SystemExit(main(['summary', 'zoo:resnet18']))")
    assert p.returncode == 2
    assert "pip install torch==2.13.0" in p.stderr and "Traceback" not in p.stderr
