"""Test accuracy after every epoch of a variant of the default recipe, with the raw weights and EMAs of several decays.

    OMP_NUM_THREADS=1 python benchmarks/ema_curve.py --epochs 16 --ema 0.99,0.998 --tag A16     # docs/train.md's first table
    python benchmarks/ema_curve.py --sched 12 --run 5 --warmup 0.1 --translate 1 --tag t1         # a variant, its first 5 epochs
    python benchmarks/ema_curve.py --sched 12 --warmup 0.1 --translate 1 --scale 0.3333 --whiten  # the recipe since issue 20's second round

The training step is convlens.train.loop's (whole-tensor augmentation, bf16 autocast, channels-last,
fused AdamW, one-cycle, label smoothing; ``--whiten`` calls train/whiten.py as the loop does); the
one-cycle schedule is as long as ``--sched`` epochs (default ``--epochs``) and ``--run`` epochs of it
are trained, so the first epochs of a longer schedule are measured without training all of it. After
each epoch the raw weights and each EMA are evaluated on the 10,000 test images with flip TTA. Prints
one line per epoch with the training CPU and wall time, one evaluation's time, the time so far
(training plus one evaluation per epoch, from the start of the data's loading) and the load average:
the figures of docs/train.md's per-epoch tables come from it. The defaults are the recipe before issue 20's second round.
"""
import sys, time, json, os, argparse
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
import torch, torch.nn.functional as F
from convlens import data as datasets
from convlens.train.model import build
from convlens.train.augment import augment_epoch, channel_stats
from convlens.train.evaluate import Input, evaluate, prepare, autocast
from convlens.train.whiten import whiten_first_conv
from convlens.train.ema import EMA
from convlens.train.loop import epoch_generator
p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=16, help="default for --sched and --run")
p.add_argument("--sched", type=int, default=None, help="epochs the one-cycle schedule spans (default --epochs)")
p.add_argument("--run", type=int, default=None, help="epochs to train (default --sched)")
p.add_argument("--batch", type=int, default=256)
p.add_argument("--lr", type=float, default=4e-3); p.add_argument("--wd", type=float, default=5e-2)
p.add_argument("--widths", default='{"stem": 16, "block1": 32, "block2": 64, "block3": 128}')
p.add_argument("--scale", type=float, default=1 / 9, help="FastNet's fixed logit factor")
p.add_argument("--ema", default="0.99,0.995,0.998"); p.add_argument("--ls", type=float, default=0.1)
p.add_argument("--warmup", type=float, default=0.25, help="one-cycle's pct_start"); p.add_argument("--tag", default="x")
p.add_argument("--translate", type=int, default=2); p.add_argument("--whiten", action="store_true")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
sched_epochs = a.sched or a.epochs
run_epochs = a.run or sched_epochs
t00 = time.perf_counter(); c00 = time.process_time()
ds = datasets.load("fashion-mnist")
mean, std = channel_stats(ds.train_images); inp = Input(1, (28, 28), mean, std); mean_t, std_t = inp.tensors("cpu")
torch.manual_seed(a.seed)
net = build("fastnet", json.dumps({"widths": json.loads(a.widths), "scale": a.scale}), channels=1, num_classes=10)
if a.whiten:
    whiten_first_conv(net, ds.train_images, mean_t, std_t)
net = net.to(memory_format=torch.channels_last)
opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=a.wd, fused=True)
n = 60000; steps = n // a.batch + (1 if n % a.batch > 1 else 0)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=sched_epochs * steps, pct_start=a.warmup)
decays = [float(d) for d in a.ema.split(",") if d]
emas = [EMA(net, d) for d in decays]  # the loop's average: decay warm-up min(d, (1 + t)/(10 + t))
so_far = time.perf_counter() - t00
for epoch in range(run_epochs):
    t0, c0 = time.perf_counter(), time.process_time()
    g = epoch_generator(a.seed, epoch)
    imgs = augment_epoch(ds.train_images, g, do_flip=True, pixels=a.translate, do_erase=False)
    order = torch.randperm(n, generator=g)
    net.train()
    for i in range(0, n, a.batch):
        idx = order[i:i + a.batch]
        if idx.numel() < 2: continue
        x = prepare(imgs[idx], mean_t, std_t, device="cpu", channels_last=True)
        with autocast(torch.device("cpu"), True):
            out = net(x)
        loss = F.cross_entropy(out.float(), ds.train_labels[idx], label_smoothing=a.ls)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step()
        for e in emas:
            e.update()
    tc = time.process_time() - c0; tw = time.perf_counter() - t0
    accs = []
    for m in [net, *(e.model for e in emas)]:
        t1 = time.perf_counter()
        ev = evaluate(m, ds.test_images, ds.test_labels, inp, num_classes=10, device="cpu", flip_tta=True, bf16=True, channels_last=True)
        te = time.perf_counter() - t1
        accs.append(100 * ev.accuracy)
    so_far += tw + te
    print(f"{a.tag} epoch {epoch+1}/{sched_epochs} raw {accs[0]:.2f} ema " + " ".join(f"{d}:{x:.2f}" for d, x in zip(decays, accs[1:]))
          + f"  train cpu {tc:.1f}s wall {tw:.1f}s eval {te:.1f}s  so far {so_far:.0f}s  total wall {time.perf_counter()-t00:.0f}s"
          + f" cpu {time.process_time()-c00:.0f}s load {open('/proc/loadavg').read().split()[0]}", flush=True)
