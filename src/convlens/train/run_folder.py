"""What a run writes besides checkpoints: config, versions, the log, metrics.csv, and the plots."""

from __future__ import annotations

import csv
import json
import platform
import subprocess
import sys
from pathlib import Path

import torch

from ..i18n import tr

METRIC_COLUMNS = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "epoch_time_s", "images_per_s")


def code_version() -> dict:
    """convlens's version and, when it runs from a git checkout, the commit and whether the tree is dirty."""
    from .. import __version__

    src = Path(__file__).resolve().parents[1]
    out = {"convlens": __version__, "git_commit": None, "git_dirty": None}
    try:
        commit = subprocess.run(["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
            dirty = subprocess.run(["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, timeout=5)
            out["git_dirty"] = bool(dirty.stdout.strip()) if dirty.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def environment() -> dict:
    return {"python": platform.python_version(), "torch": torch.__version__, "platform": platform.platform(),
            "torch_threads": torch.get_num_threads(), "argv": sys.argv, **code_version()}


def write_json(path: Path, obj) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n")
    tmp.replace(path)


def write_metrics(path: Path, rows: list[dict]) -> None:
    """The whole table each time (rows restored from a checkpoint included), replaced atomically."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=METRIC_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r[k] for k in METRIC_COLUMNS})
    tmp.replace(path)


def pyplot():
    """matplotlib's pyplot, headless (Agg), with a Hangul font where one is installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Hangul (Korean labels, or a model or class name typed in Korean) is drawn with Noto Sans CJK KR
    # (fonts-noto-cjk): matplotlib falls back glyph by glyph along the families of font.family
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    hangul = [f for f in ("Noto Sans CJK KR", "Noto Sans CJK JP", "NanumGothic") if f in installed]
    plt.rcParams["font.family"] = ["DejaVu Sans", *hangul, "sans-serif"]
    return plt


def plot_curves(path: Path, rows: list[dict], title: str) -> None:
    """Loss and accuracy against epoch, train and test, side by side."""
    plt = pyplot()
    epochs = [r["epoch"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, [r["train_loss"] for r in rows], "o-", label=tr("train (with label smoothing)"))
    ax1.plot(epochs, [r["test_loss"] for r in rows], "o-", label=tr("test"))
    ax1.set(xlabel=tr("epoch"), ylabel=tr("cross-entropy loss"), title=tr("loss"))
    ax2.plot(epochs, [100 * r["train_acc"] for r in rows], "o-", label=tr("train (augmented)"))
    ax2.plot(epochs, [100 * r["test_acc"] for r in rows], "o-", label=tr("test"))
    ax2.set(xlabel=tr("epoch"), ylabel=tr("accuracy (%)"), title=tr("accuracy"))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion(path: Path, confusion: torch.Tensor, classes: tuple[str, ...], title: str) -> None:
    """Counts, rows = true class, columns = predicted class, labelled with the class names."""
    plt = pyplot()
    k = len(classes)
    size = max(5.0, 0.45 * k + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(confusion.numpy(), cmap="Blues")
    if k <= 30:
        ax.set_xticks(range(k), classes, rotation=60, ha="right")
        ax.set_yticks(range(k), classes)
        top = int(confusion.max()) or 1
        for i in range(k):
            for j in range(k):
                v = int(confusion[i, j])
                if v:
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="white" if v > top / 2 else "black")
    ax.set(xlabel=tr("predicted class"), ylabel=tr("true class"), title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


PICTURES = ("curves.png", "confusion.png")  # what a finished run draws


def find_runs(root: Path) -> dict[str, dict]:
    """The run folders directly under ``root`` (those holding a checkpoint.pt), by folder name, newest first:
    model, data, epochs done, last test accuracy, start date and which pictures exist. Unreadable
    config or metrics files leave their fields None rather than hide the run."""
    runs = []
    if not root.is_dir():
        return {}
    for folder in root.iterdir():
        if not folder.is_dir() or not (folder / "checkpoint.pt").is_file():
            continue
        info = {"name": folder.name, "model": None, "data": None, "epochs": None, "epochs_done": 0, "accuracy": None, "started": None,
                "pictures": [p for p in PICTURES if (folder / p).is_file()]}
        try:
            cfg = json.loads((folder / "config.json").read_text())
            info.update(model=cfg.get("model"), data=cfg.get("data"), epochs=cfg.get("epochs"))
            info["started"] = json.loads((folder / "run.json").read_text()).get("started")
        except (OSError, ValueError):
            pass
        try:
            with open(folder / "metrics.csv", newline="") as f:
                rows = list(csv.DictReader(f))
            if rows:
                info["epochs_done"] = int(rows[-1]["epoch"])
                info["accuracy"] = float(rows[-1]["test_acc"])
        except (OSError, ValueError, KeyError):
            pass
        info["_mtime"] = (folder / "checkpoint.pt").stat().st_mtime
        runs.append(info)
    runs.sort(key=lambda r: r.pop("_mtime"), reverse=True)
    return {r["name"]: r for r in runs}
