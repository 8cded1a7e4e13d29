"""How the ``convlens`` program ends (``cli.finish``): with torch imported it skips the interpreter's
own shutdown (~0.5 s on the 2-core machine), but only where nothing is lost: the output is flushed,
the atexit handlers run (a model file's own included), the exit status is kept, a running thread is
waited for, and a tracer or profiler still gets to write its data."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import pytest
import torch  # noqa: F401  (the quick exit applies only where torch is imported)

from convlens import cli

MODEL = textwrap.dedent('''
    import atexit, os, threading, time
    import torch.nn as nn

    MARK = os.environ["MARK"]


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3)

        def forward(self, x):
            return self.conv(x)


    atexit.register(lambda: open(MARK + ".atexit", "w").write("ran"))
    if os.environ.get("THREAD"):  # a non-daemon thread still working when the summary is printed
        threading.Thread(target=lambda: (time.sleep(3), open(MARK + ".thread", "w").write("ran"))).start()
''')


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(MODEL)
    return path


def _convlens(model, tmp_path, *argv, env=None, prefix=()):
    run_env = {**os.environ, "MARK": str(tmp_path / "mark"), **(env or {})}
    return subprocess.run([sys.executable, *prefix, "-m", "convlens", "summary", f"{model}:Net", *argv],
                          capture_output=True, text=True, env=run_env, timeout=300)


def test_the_output_the_status_and_the_atexit_handlers_survive_the_quick_exit(model, tmp_path):
    done = _convlens(model, tmp_path, "--input", "1x1x8x8")
    assert done.returncode == 0, done.stderr
    assert "Total params:          40" in done.stdout and done.stdout.rstrip().endswith("computed")  # all of it
    assert (tmp_path / "mark.atexit").read_text() == "ran"
    wrong = _convlens(model, tmp_path, "--input", "1x2x8x8")  # a shape error: status 1, the diagnosis printed
    assert wrong.returncode == 1 and "use in_channels=2" in wrong.stdout


def test_a_running_thread_is_waited_for(model, tmp_path):
    done = _convlens(model, tmp_path, "--input", "1x1x8x8", env={"THREAD": "1"})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mark.thread").read_text() == "ran" and (tmp_path / "mark.atexit").read_text() == "ran"


def test_a_profiler_still_writes_its_data(model, tmp_path):
    profile = tmp_path / "out.prof"
    done = _convlens(model, tmp_path, "--input", "1x1x8x8", prefix=("-m", "cProfile", "-o", str(profile)))
    assert done.returncode == 0, done.stderr
    assert profile.stat().st_size > 0


class _Calls:
    def __init__(self, monkeypatch):
        self.calls = []
        monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: self.calls.append("atexit handlers"))
        monkeypatch.setattr(cli.os, "_exit", lambda code: self.calls.append(("os._exit", code)))
        monkeypatch.setattr(sys, "gettrace", lambda: None)  # as in a plain run, whatever runs this suite
        monkeypatch.setattr(sys, "getprofile", lambda: None)
        monkeypatch.setattr(cli.threading, "enumerate", lambda: [threading.main_thread()])


def test_finish_ends_quickly_only_when_nothing_needs_the_normal_shutdown(monkeypatch):
    calls = _Calls(monkeypatch)
    cli.finish(3)
    assert calls.calls == ["atexit handlers", ("os._exit", 3)]


class _Worker:
    daemon = False

    def is_alive(self):
        return True


@pytest.mark.parametrize("case", ["no torch", "a thread", "a tracer", "a profiler", "a closed pipe", "no handler runner"])
def test_finish_exits_normally_otherwise(monkeypatch, case):
    calls = _Calls(monkeypatch)
    if case == "no torch":
        monkeypatch.delitem(sys.modules, "torch")
    elif case == "a thread":
        monkeypatch.setattr(cli.threading, "enumerate", lambda: [threading.main_thread(), _Worker()])
    elif case == "a tracer":
        monkeypatch.setattr(sys, "gettrace", lambda: (lambda *a: None))
    elif case == "a profiler":
        monkeypatch.setattr(sys, "getprofile", lambda: (lambda *a: None))
    elif case == "no handler runner":  # a Python whose atexit lacks CPython's _run_exitfuncs
        monkeypatch.delattr(cli.atexit, "_run_exitfuncs")
    else:
        class Closed:
            def flush(self):
                raise BrokenPipeError(32, "Broken pipe")

        monkeypatch.setattr(sys, "stdout", Closed())
    with pytest.raises(SystemExit) as ended:
        cli.finish(3)
    assert ended.value.code == 3 and calls.calls == []
