"""`convlens summary` and `convlens check` as a user runs them: exit codes, one-line errors, formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from convlens.cli import main


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the command in this process (one subprocess test below checks the real entry point)."""
    monkeypatch.setenv("COLUMNS", "120")

    def _run(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_the_installed_command_runs_without_a_traceback():
    p = subprocess.run([sys.executable, "-m", "convlens", "check", "zoo:residual-cnn-as-written"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and "fc1 expects 6,272" in p.stdout and "Traceback" not in p.stderr


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "mynet.py"
    path.write_text(textwrap.dedent('''
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
                self.fc = nn.Linear(16 * 16 * 16, num_classes)

            def forward(self, x):
                x = self.features(x)
                x = x.flatten(1)  # (B, 16, 16, 16) -> (B, 4096)
                return self.fc(x)

        def broken():
            net = Net()
            net.fc = nn.Linear(999, 10)
            return net
    '''))
    return path


def test_summary_of_a_file_target_with_args(run, user_file):
    code, out, err = run("summary", f"{user_file}:Net", "--input", "2x3x32x32", "--args", '{"num_classes": 7}')
    assert code == 0, err
    assert "features.0" in out and "[2, 7]" in out
    assert f"{16 * 16 * 16 * 7 + 7:,}" in out


def test_summary_formats(run, user_file):
    code, out, _ = run("summary", f"{user_file}:Net", "--input", "1x3x32x32", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["total_params"] == 448 + 4096 * 10 + 10
    assert data["total_macs"] == 16 * 32 * 32 * 27 + 4096 * 10
    for fmt in ("md", "csv", "html"):
        code, out, _ = run("summary", f"{user_file}:Net", "--input", "1x3x32x32", "--format", fmt)
        assert code == 0 and out.strip()


def test_tutorial_style_of_the_seed_model(run):
    code, out, _ = run("summary", "zoo:residual-cnn", "--style", "tutorial")
    assert code == 0
    assert "28→14" in out and "1,152" in out


def test_check_exit_codes(run, user_file):
    code, out, _ = run("check", f"{user_file}:Net", "--input", "1x3x32x32")
    assert code == 0
    code, out, _ = run("check", f"{user_file}:broken", "--input", "1x3x32x32")
    assert code == 1 and "fc expects 999" in out and "nn.Linear(16*16*16, 10)" in out
    code, out, err = run("check", "zoo:residual-cnn-as-written")
    assert code == 1 and "fc1 expects 6,272 = 128×7×7 features but receives 1,152 = 128×3×3" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "args, message",
    [
        (["summary", "nofile.py:Net", "--input", "1x3x8x8"], "does not exist"),
        (["summary", "zoo:no-such-model"], "no-such-model"),
        (["summary", "{file}:Nope", "--input", "1x3x8x8"], "has no 'Nope'"),
        (["summary", "{file}:Net", "--input", "1xAx8"], "is not a shape"),
        (["summary", "{file}:Net", "--input", "1x3x8x8", "--args", "{bad json"], "not valid JSON"),
        (["summary", "{file}:Net", "--input", "1x3x8x8", "--args", '{"nope": 1}'], "unexpected keyword"),
        (["check", "{file}:Net"], "give the input shape"),
        (["summary", "os.path:sep", "--input", "1x3"], "not an nn.Module"),
        (["summary", "json:loads", "--input", "1x3"], "missing 1 required positional argument"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(run, user_file, args, message):
    args = [a.replace("{file}", str(user_file)) for a in args]
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", [e.name for e in __import__("convlens.zoo", fromlist=["entries"]).entries()])
def test_summary_works_for_every_zoo_entry_at_its_documented_input(run, name):
    code, out, err = run("summary", f"zoo:{name}", "--format", "json")
    data = json.loads(out)
    from convlens import zoo

    entry = zoo.get(name)
    assert data["total_params"] == entry.published_params
    if name == "residual-cnn-as-written":
        assert code == 1 and any(d["code"] == "linear-in-features" for d in data["diagnostics"])
    else:
        assert code == 0, err
        assert not [d for d in data["diagnostics"] if d["severity"] == "error"]
