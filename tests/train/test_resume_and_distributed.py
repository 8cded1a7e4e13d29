"""A real training process killed with SIGKILL mid-epoch and resumed ends exactly like an uninterrupted
run; and training under torchrun with two CPU processes (gloo on 127.0.0.1) writes one run folder."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from convlens.train import checkpoint as ckpt

TIMED = {"epoch_time_s", "images_per_s"}


def _env() -> dict:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _rows(folder: Path) -> list[dict]:
    path = folder / "metrics.csv"
    return list(csv.DictReader(open(path))) if path.exists() else []


def _cmd(args: list[str], out: Path) -> list[str]:
    return [sys.executable, "-m", "convlens", "train", *args, "--epochs", "3", "--out", str(out)]


def test_sigkill_mid_epoch_then_resume_matches_an_uninterrupted_run(tmp_path, tiny_args):
    # batches of 8: 64 steps an epoch, so epoch 2 lasts long enough for the kill to land inside it on a fast machine
    args = tiny_args[:tiny_args.index("--epochs")] + ["--batch-size", "8", "--progress", "off"]  # _cmd adds --epochs 3
    full, killed = tmp_path / "full", tmp_path / "killed"
    subprocess.run(_cmd(args, full), env=_env(), check=True, capture_output=True, timeout=600)

    # kill on the progress bar's first update inside epoch 2 (images done strictly between 0 and all)
    cmd = [c if c != "off" else "on" for c in _cmd(args, killed)]  # --progress on: tqdm writes to the stderr pipe
    # tqdm reads its defaults from TQDM_* variables: redraw after every batch, however fast (not every 0.1 s)
    env = {**_env(), "TQDM_MININTERVAL": "0", "TQDM_MINITERS": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen, mid = b"", re.compile(rb"epoch 2/3:[^|]*\|[^|]*\| (\d+)/(\d+)")
    try:
        while proc.poll() is None:
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
            if any(0 < int(n) < int(total) for n, total in mid.findall(seen)):
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(_rows(killed)) == 1, "the kill must land before epoch 2 finished"
    assert ckpt.load(killed)["epoch"] == 1
    assert not (killed / "model_state_dict.pt").exists()

    # resumed as a job script does after a preemption: the same command line, plus --resume
    resumed = subprocess.run(_cmd(args, killed) + ["--resume", str(killed)], env=_env(), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming {killed} after epoch 1/3" in resumed.stdout

    a, b = _rows(full), _rows(killed)
    assert len(a) == len(b) == 3
    for ra, rb in zip(a, b):
        assert {k: v for k, v in ra.items() if k not in TIMED} == {k: v for k, v in rb.items() if k not in TIMED}
    sa, sb = ckpt.load(full), ckpt.load(killed)
    assert all(torch.equal(sa["model"][k], sb["model"][k]) for k in sa["model"])
    epochs = [line.split()[1] for line in (killed / "log.txt").read_text().splitlines() if line.startswith("epoch ")]
    assert epochs == ["1/3", "2/3", "3/3"]  # the killed epoch 2 never logged; its rerun did


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_ddp_on_cpu_with_gloo(tmp_path, tiny_args):
    out = tmp_path / "ddp"
    args = [a for a in tiny_args]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
           "--master-port", str(_free_port()), "-m", "convlens", "train", *args, "--out", str(out)]
    env = _env() | {"GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"}
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.count("done: test accuracy") == 1  # rank 0 only logs
    run = json.loads((out / "run.json").read_text())
    assert run["world_size"] == 2
    assert "× 2 processes" in (out / "log.txt").read_text()
    state = ckpt.load(out)
    assert state["epoch"] == 2 and len(state["metrics"]) == 2
    assert not any(k.startswith("module.") for k in state["model"])  # the plain model, not the DDP wrapper
    rows = _rows(out)
    assert len(rows) == 2 and all(0 <= float(r["test_acc"]) <= 1 for r in rows)
