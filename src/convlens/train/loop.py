"""The training loop: data in memory, whole-tensor augmentation, one checkpoint per epoch, exact resume.

Exactness of ``--resume``: every epoch's random draws (augmentation and batch order) come from a
generator seeded with ``(seed, epoch)``, and the global torch RNG state (dropout, ...) is saved with
each checkpoint, so a run killed at any moment and resumed from its last checkpoint redoes the
interrupted epoch with the same numbers and ends with the same metrics (on the CPU, with the same
number of threads; GPU kernels may not be deterministic).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import data as datasets
from ..errors import UserError
from ..i18n import tr, trn
from . import hardware, run_folder, tensorboard
from .progress import Progress
from . import checkpoint as ckpt
from . import model as models
from .augment import augment_epoch, channel_stats
from .ema import EMA
from .whiten import whiten_first_conv
from .config import Augment, TrainDevice, Optimizer, Precision, Schedule, TrainConfig
from .evaluate import Evaluation, Input, autocast, evaluate, prepare


class TrainError(UserError):
    """A training request that cannot run (unknown device, finished run, mismatched resume...)."""


@dataclass
class RunResult:
    folder: Path
    metrics: list[dict]
    final: Evaluation | None  # the last epoch's test evaluation (rank 0)


def select_device(device: TrainDevice) -> torch.device:
    if device is TrainDevice.AUTO:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device is TrainDevice.CUDA and not torch.cuda.is_available():
        raise TrainError(tr("{option}: PyTorch sees no CUDA device here; use --device cpu or auto", option="--device cuda"))
    if device is TrainDevice.MPS and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise TrainError(tr("{option}: PyTorch sees no Apple MPS device here; use --device cpu or auto", option="--device mps"))
    return torch.device(str(device))


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed * 1_000_003 + epoch)


def _optimizer(cfg: TrainConfig, params, device: torch.device) -> torch.optim.Optimizer:
    fused = device.type in ("cpu", "cuda")  # one kernel per step instead of ~10 per parameter tensor
    if cfg.optimizer is Optimizer.ADAMW:
        return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused)
    if cfg.optimizer is Optimizer.ADAM:
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused)
    return torch.optim.SGD(params, lr=cfg.lr, momentum=0.9, nesterov=True, weight_decay=cfg.weight_decay)


def _scheduler(cfg: TrainConfig, opt, total_steps: int):
    if cfg.schedule is Schedule.ONECYCLE:
        if total_steps < 4:
            raise TrainError(tr("{option} needs at least 4 optimizer steps; this run has {steps} (epochs × batches per epoch); "
                                "train longer, use a smaller --batch-size, or --schedule none", option="--schedule onecycle", steps=total_steps))
        # warm-up over cfg.warmup of the steps, at least 2 (OneCycleLR divides by the warm-up length)
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total_steps, pct_start=max(cfg.warmup, 2 / total_steps))
    if cfg.schedule is Schedule.COSINE:
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    return torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)  # the lr stays at cfg.lr


class _Dist:
    """This process's place in a ``torchrun`` job (rank 0 of 1 without one)."""

    def __init__(self, device: torch.device):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.active = self.world > 1
        if self.active and not torch.distributed.is_initialized():
            backend = "nccl" if device.type == "cuda" else "gloo"
            torch.distributed.init_process_group(backend)

    @property
    def main(self) -> bool:
        return self.rank == 0

    def sum(self, values: list[float]) -> list[float]:
        if not self.active:
            return values
        t = torch.tensor(values, dtype=torch.float64)
        torch.distributed.all_reduce(t)
        return t.tolist()

    def sum_tensor(self, t: torch.Tensor) -> torch.Tensor:
        if self.active:
            torch.distributed.all_reduce(t)
        return t

    def barrier(self):
        if self.active:
            torch.distributed.barrier()


def _order(n: int, cfg: TrainConfig, epoch: int, dist: _Dist, gen: torch.Generator) -> torch.Tensor:
    """This rank's sample order for the epoch: a seeded permutation, or its DistributedSampler shard."""
    if not dist.active:
        return torch.randperm(n, generator=gen)
    sampler = torch.utils.data.DistributedSampler(range(n), num_replicas=dist.world, rank=dist.rank, shuffle=True, seed=cfg.seed)
    sampler.set_epoch(epoch)
    return torch.tensor(list(sampler))


def default_out(cfg: TrainConfig, root: str | Path = "runs") -> str:
    name = cfg.model.split(":")[-1].replace("/", "_")
    return str(Path(root) / f"{name}-{cfg.data}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}")


def _format_line(row: dict, epochs: int) -> str:
    return tr("epoch {epoch}/{epochs}  train loss {train_loss} acc {train_acc}%  test loss {test_loss} acc {test_acc}%  lr {lr}  "
              "{seconds} s ({speed} img/s training)", epoch=row['epoch'], epochs=epochs, train_loss=f"{row['train_loss']:.4f}",
              train_acc=f"{100 * row['train_acc']:.2f}", test_loss=f"{row['test_loss']:.4f}", test_acc=f"{100 * row['test_acc']:.2f}",
              lr=f"{row['lr']:.2e}", seconds=f"{row['epoch_time_s']:.1f}", speed=f"{row['images_per_s']:,.0f}")


def _run_folder(folder: Path) -> Path:
    """``folder`` if a new run can be written there: refused when it is a file, lies under a file, or holds a run."""
    for path in (folder, *folder.parents):
        if path.exists() and not path.is_dir():
            if path == folder:
                raise TrainError(tr("--out {folder} is a file; give a folder for the run (a new one, or one without a checkpoint.pt)", folder=folder))
            raise TrainError(tr("--out {folder} lies under {path}, a file; give a folder for the run (a new one, or one without a checkpoint.pt)",
                                folder=folder, path=path))
    if (folder / "checkpoint.pt").exists():
        raise TrainError(tr("{folder} already holds a run; continue it with --resume {folder}, or choose another --out", folder=folder))
    return folder


def train(cfg: TrainConfig | None = None, *, resume: str | Path | None = None, progress: bool | None = None,
          log: Callable[[str], None] = print) -> RunResult:
    """Train ``cfg`` (or resume the run folder ``resume``, whose saved config is used); see the module doc."""
    origin = time.perf_counter() - hardware.process_age()  # the command's start: the clock of the thresholds reached
    state = None
    if resume is not None:
        state = ckpt.load(resume)
        cfg = TrainConfig.from_saved(state["config"])
        folder = Path(resume) if Path(resume).is_dir() else Path(resume).parent
        if state["epoch"] >= cfg.epochs:
            raise TrainError(tr("{folder}: the run already finished all {epochs} epochs; nothing to resume", folder=folder, epochs=cfg.epochs))
    assert cfg is not None, "train() needs a config or a run folder to resume"
    if cfg.tensorboard:
        tensorboard.require()  # before any folder is made
    if state is None:
        folder = _run_folder(Path(cfg.out or default_out(cfg)))  # refused before the data is read
    device = select_device(cfg.device)
    dist = _Dist(device)
    precision = hardware.resolve_precision(cfg.precision, device)
    bf16 = precision is Precision.BF16

    ds = datasets.load(cfg.data, data_dir=cfg.data_dir)
    if cfg.train_subset or cfg.test_subset:
        ds = ds.subset(train=cfg.train_subset, test=cfg.test_subset)
    k = len(ds.classes)
    n_params = models.check(cfg.model, cfg.model_args, channels=ds.channels, size=ds.image_size, num_classes=k)

    if state is None:
        cfg = replace(cfg, out=str(folder))
        if dist.main:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise TrainError(tr("--out {folder}: cannot create the run folder ({reason}); choose another --out", folder=folder, reason=exc.strerror)) from None
        mean, std = channel_stats(ds.train_images)
        inp = Input(ds.channels, ds.image_size, mean, std)
    else:
        inp = Input.from_dict(state["input"])
        if (inp.channels, inp.size) != (ds.channels, ds.image_size) or tuple(state["classes"]) != ds.classes:
            raise TrainError(tr("{folder}: the checkpoint was trained on {shape} images of {classes} classes; the data now reads {now} of {k}",
                                folder=folder, shape=f"{inp.channels}×{inp.size[0]}×{inp.size[1]}", classes=len(state["classes"]),
                                now=f"{ds.channels}×{ds.image_size[0]}×{ds.image_size[1]}", k=k))

    torch.manual_seed(cfg.seed)
    net = models.build(cfg.model, cfg.model_args, channels=ds.channels, num_classes=k, device="cpu")
    whitened = None
    if state is None and cfg.whiten:  # a resumed run loads its weights
        whitened = whiten_first_conv(net, ds.train_images, *inp.tensors("cpu"))
    net = net.to(device)
    if cfg.channels_last:
        net = net.to(memory_format=torch.channels_last)
    opt = _optimizer(cfg, net.parameters(), device)
    n_train = ds.train_images.shape[0]
    per_rank_batch = max(1, cfg.batch_size // dist.world)
    shard = -(-n_train // dist.world)
    steps_per_epoch = sum(1 for i in range(0, shard, per_rank_batch) if min(per_rank_batch, shard - i) > 1)
    sched = _scheduler(cfg, opt, cfg.epochs * steps_per_epoch)
    metrics: list[dict] = []
    start = 0
    ema = EMA(net, cfg.ema) if cfg.ema > 0 else None
    if state is not None:
        net.load_state_dict(state.get("training_model", state["model"]))  # with an EMA, "model" holds the average
        if ema is not None:
            ema.load_state_dict(state["model"], state.get("ema_steps", 0))
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"]["torch"])
        metrics = [dict(r) for r in state["metrics"]]
        start = int(state["epoch"])
        origin -= metrics[-1].get("elapsed_s", 0.0) if metrics else 0.0  # the time of the runs up to that checkpoint
    evaluated = ema.model if ema is not None else net  # what is tested, saved as "model" and reported
    model = net
    if dist.active:
        model = nn.parallel.DistributedDataParallel(net)

    board = tensorboard.writer(folder) if dist.main and cfg.tensorboard else None
    if dist.main:
        log_file = open(folder / "log.txt", "a")
        if state is None:
            run_folder.write_json(folder / "config.json", cfg.to_dict())
            run_folder.write_json(folder / "run.json", {"seed": cfg.seed, "device": str(device), "world_size": dist.world, "params": n_params,
                                                "data": {"name": ds.name, "source": ds.source, "notes": list(ds.notes), "classes": list(ds.classes),
                                                         "train_images": n_train, "test_images": int(ds.test_images.shape[0])},
                                                "input": inp.to_dict(), "started": dt.datetime.now().isoformat(timespec="seconds"),
                                                "precision": str(precision), "cpu_bf16": hardware.native_bf16(torch.device("cpu")),
                                                "whitened": whitened,
                                                **run_folder.environment()})
    else:
        log_file = None

    def emit(line: str) -> None:
        if dist.main:
            log(line)
            sys.stdout.flush()  # one line per epoch, visible as it happens even when stdout is a file
            log_file.write(line + "\n")
            log_file.flush()

    if state is None:
        emit(tr("training {model} ({params} parameters) on {data}: {train} train / {test} test images of {size}, {epochs} epochs, "
                "batch {batch}, {optimizer} lr {lr} {schedule}{ema}, {precision}, {layout}device {device}{processes}, {threads} threads; "
                "run folder {folder}", model=cfg.model, params=f"{n_params:,}", data=ds.name, train=f"{n_train:,}",
                test=f"{ds.test_images.shape[0]:,}", size=f"{ds.channels}×{ds.image_size[0]}×{ds.image_size[1]}", epochs=cfg.epochs,
                batch=cfg.batch_size, optimizer=cfg.optimizer, lr=f"{cfg.lr:g}", schedule=cfg.schedule,
                ema=f", EMA {cfg.ema:g}" if ema is not None else "", precision="bf16 autocast" if bf16 else "fp32",
                layout="channels-last, " if cfg.channels_last else "", device=device,
                processes=tr(" × {n} processes", n=dist.world) if dist.active else "", threads=torch.get_num_threads(), folder=folder))
        if whitened:
            emit(tr("{layer}: its first filters start as the whitening transform of the training images' patches", layer=whitened))
        elif cfg.whiten:
            emit(tr("no first convolution to whiten (it needs an ungrouped, undilated Conv2d with at least 2 × in_channels × kernel "
                    "height × kernel width filters): the model starts from its random initialisation"))
    else:
        emit(tr("resuming {folder} after epoch {epoch}/{epochs}", folder=folder, epoch=start, epochs=cfg.epochs))

    mean_t, std_t = inp.tensors(device)
    show = progress if progress is not None else sys.stderr.isatty()
    record = Progress(folder, epochs=cfg.epochs, batches=steps_per_epoch, epoch_times=[r["epoch_time_s"] for r in metrics]) if dist.main else None
    final: Evaluation | None = None
    for epoch in range(start, cfg.epochs):
        t0 = time.perf_counter()
        gen = epoch_generator(cfg.seed, epoch)
        images = augment_epoch(ds.train_images, gen, do_flip=Augment.FLIP in cfg.augment,
                               pixels=cfg.translate if Augment.TRANSLATE in cfg.augment else 0, do_erase=Augment.ERASE in cfg.augment)
        order = _order(n_train, cfg, epoch, dist, gen)
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        bar = _bar(show and dist.main, len(order), tr("epoch {epoch}/{epochs}", epoch=epoch + 1, epochs=cfg.epochs))
        if record is not None:
            record.start_epoch(epoch)
        t_train = time.perf_counter()
        for i in range(0, len(order), per_rank_batch):
            idx = order[i:i + per_rank_batch]
            if idx.numel() < 2:  # BatchNorm cannot train on one image
                continue
            x = prepare(images[idx], mean_t, std_t, device=device, channels_last=cfg.channels_last)
            y = ds.train_labels[idx].to(device)
            with autocast(device, bf16):
                out = model(x)
            loss = F.cross_entropy(out.float(), y, label_smoothing=cfg.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if ema is not None:
                ema.update()
            b = idx.numel()
            loss_sum += float(loss.detach()) * b
            correct += int((out.argmax(1) == y).sum())
            seen += b
            if bar is not None:
                bar.update(b)
                bar.set_postfix_str(tr("loss {loss} acc {acc}%", loss=f"{loss_sum / seen:.4f}", acc=f"{100 * correct / seen:.2f}"), refresh=False)
            if record is not None:
                record.batch(seen, loss_sum, correct)
        train_time = time.perf_counter() - t_train
        if bar is not None:
            bar.close()
        if record is not None:
            record.testing()
        loss_sum, correct, seen = dist.sum([loss_sum, correct, seen])
        final = _evaluate_sharded(evaluated, ds, inp, k, device, cfg, dist, bf16)
        row = {"epoch": epoch + 1, "train_loss": loss_sum / seen, "train_acc": correct / seen,
               "test_loss": final.loss, "test_acc": final.accuracy, "lr": sched.get_last_lr()[0],
               "epoch_time_s": time.perf_counter() - t0, "images_per_s": seen / train_time, "elapsed_s": time.perf_counter() - origin}
        metrics.append(row)
        if record is not None:
            record.end_epoch(row["epoch_time_s"])
        if dist.main:
            extra = {"training_model": net.state_dict(), "ema_steps": ema.steps} if ema is not None else {}
            ckpt.save_atomic({"format": ckpt.FORMAT, "version": ckpt.VERSION, "model": evaluated.state_dict(), "optimizer": opt.state_dict(),
                              "scheduler": sched.state_dict(), "rng": {"torch": torch.get_rng_state()}, "epoch": epoch + 1,
                              "config": cfg.to_dict(), "classes": list(ds.classes), "input": inp.to_dict(), "metrics": metrics, **extra},
                             folder / "checkpoint.pt")
            run_folder.write_metrics(folder / "metrics.csv", metrics)
            if board is not None:
                tensorboard.log_epoch(board, row)
        emit(_format_line(row, cfg.epochs))
        dist.barrier()

    if dist.main:
        ckpt.save_atomic(evaluated.state_dict(), folder / "model_state_dict.pt")
        title = tr("{model} on {data}", model=cfg.model, data=ds.name)
        run_folder.plot_curves(folder / "curves.png", metrics, title)
        if final is None:  # resumed a run whose last epoch was already done: evaluate once for the plot
            final = _evaluate_sharded(evaluated, ds, inp, k, device, cfg, dist, bf16)
        run_folder.plot_confusion(folder / "confusion.png", final.confusion, ds.classes,
                          tr("{title}: test accuracy {acc}%", title=title, acc=f"{100 * final.accuracy:.2f}"))
        if board is not None:
            tensorboard.log_final(board, cfg.epochs, folder / "confusion.png", evaluated)
            board.close()
        summary = speed_summary(metrics, resumed=state is not None)
        for line in summary_lines(summary):
            emit(line)
        run_folder.write_json(folder / "run.json", {**json.loads((folder / "run.json").read_text()), "result": summary})
        # The test above ran in the training's precision; ``convlens eval`` recomputes it in float32, which
        # can move the last digits (-0.02 to +0.06 points on six long-preset runs, docs/train.md): say which.
        note = tr(" (bf16 evaluation; convlens eval recomputes it in float32)") if bf16 else ""
        emit(trn("done: test accuracy {acc}% after {epochs} epoch{note}; wrote {folder}/ ({files})",
                 "done: test accuracy {acc}% after {epochs} epochs{note}; wrote {folder}/ ({files})", cfg.epochs,
                 acc=f"{100 * metrics[-1]['test_acc']:.2f}", epochs=cfg.epochs, note=note, folder=folder,
                 files="checkpoint.pt, model_state_dict.pt, metrics.csv, curves.png, confusion.png, log.txt"))
        record.finish()
        log_file.close()
    return RunResult(folder, metrics, final)


THRESHOLDS = (0.90, 0.92, 0.93, 0.94, 0.95)  # test accuracies whose first crossing a run reports


def speed_summary(metrics: list[dict], *, resumed: bool = False) -> dict:
    """What run.json's "result" holds: the training rate, the epoch time, and for each of
    :data:`THRESHOLDS` the first epoch whose test accuracy reached it and the seconds from the
    command's start to the end of that epoch's evaluation (None: not reached). Rows of runs older than
    the ``elapsed_s`` column are timed by summing their epoch times."""
    elapsed, t = [], 0.0
    for r in metrics:
        t = r.get("elapsed_s", t + r["epoch_time_s"])
        elapsed.append(t)
    reached = {}
    for thr in THRESHOLDS:
        hit = next(((r["epoch"], e) for r, e in zip(metrics, elapsed) if r["test_acc"] >= thr), None)
        reached[f"{100 * thr:g}"] = {"epoch": hit[0], "elapsed_s": round(hit[1], 1)} if hit else None
    n = max(len(metrics), 1)
    return {"images_per_s": sum(r["images_per_s"] for r in metrics) / n, "epoch_time_s": sum(r["epoch_time_s"] for r in metrics) / n,
            "elapsed_s": round(elapsed[-1], 1) if elapsed else 0.0, "epochs": len(metrics),
            "final_test_acc": metrics[-1]["test_acc"] if metrics else None, "resumed": resumed, "reached": reached}


def summary_lines(summary: dict) -> list[str]:
    """The lines printed at the end of a run, before "done:": the rate, then each threshold's crossing."""
    lines = [tr("speed: {rate} training images/s, {epoch_s} s per epoch with the test evaluation; {total} s from the command's start",
                rate=f"{summary['images_per_s']:,.0f}", epoch_s=f"{summary['epoch_time_s']:.1f}", total=f"{summary['elapsed_s']:.0f}")]
    for pct, hit in summary["reached"].items():
        if hit:
            lines.append(tr("reached {pct} % test accuracy first after epoch {epoch}, {seconds} s from the command's start",
                            pct=pct, epoch=hit["epoch"], seconds=f"{hit['elapsed_s']:.0f}"))
        else:
            lines.append(tr("{pct} % test accuracy not reached in {epochs} epochs", pct=pct, epochs=summary["epochs"]))
    if summary["resumed"]:
        lines.append(tr("(resumed run: the times add up the processes' times up to each checkpoint, not the pauses between them)"))
    return lines


def _evaluate_sharded(net, ds, inp, k, device, cfg, dist: _Dist, bf16: bool) -> Evaluation:
    n = ds.test_images.shape[0]
    part = slice(dist.rank * n // dist.world, (dist.rank + 1) * n // dist.world)
    ev = evaluate(net, ds.test_images[part], ds.test_labels[part], inp, num_classes=k, device=device, flip_tta=cfg.flip_tta,
                  translate=cfg.translate_tta, bf16=bf16, channels_last=cfg.channels_last)
    if not dist.active:
        return ev
    loss_sum, count = dist.sum([ev.loss_sum, ev.count])
    return Evaluation(loss_sum, int(count), dist.sum_tensor(ev.confusion))


def _bar(show: bool, total: int, desc: str):
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="img", unit_scale=False, leave=False, dynamic_ncols=True, file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]")
