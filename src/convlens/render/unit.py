"""One unit's arithmetic written out with the numbers substituted, the way ``convlens calc`` writes
its formulas (``H_out = ⌊(28 + 2·1 − 1·(3−1) − 1) / 1⌋ + 1 = 28``): the Inside view's text.

Takes plain numbers (what ``train.inside.unit`` computed) and returns lines; nothing is computed
here except the partial sums the lines show.
"""

from __future__ import annotations


def number(v: float | None) -> str:
    """4 significant digits, a true minus sign: ``number(-0.012345)`` → ``'−0.01235'``; a product
    of a padding zero and a negative weight is −0.0 in floating point, and is written ``'0'``.

    >>> number(-0.012345), number(-0.0), number(None)
    ('−0.01235', '0', 'padding')
    """
    if v is None:
        return "padding"
    text = f"{v + 0.0:.4g}"  # + 0.0 turns −0.0 into 0.0 and leaves every other value as it is
    return text.replace("-", "−")


def _factor(v: float) -> str:
    return f"({number(v)})" if v < 0 else number(v)


def conv_lines(window: list, kernel: list, bias: float | None, value: float, *, first_channel: int = 0) -> list[str]:
    """window and kernel C×kh×kw: one line per input channel (its products and their sum), then the total.

    >>> conv_lines([[[1.0, 2.0]]], [[[0.5, -1.0]]], 0.25, -1.25)
    ['channel 0: 1·0.5 + 2·(−1) = −1.5', 'value = Σ window × kernel + bias = (−1.5) + 0.25 = −1.25']
    """
    lines, sums = [], []
    for c, (wplane, kplane) in enumerate(zip(window, kernel)):
        terms = [f"{_factor(a)}·{_factor(b)}" for wrow, krow in zip(wplane, kplane) for a, b in zip(wrow, krow)]
        s = sum(a * b for wrow, krow in zip(wplane, kplane) for a, b in zip(wrow, krow))
        sums.append(s)
        lines.append(f"channel {first_channel + c}: {' + '.join(terms)} = {number(s)}")
    parts = " + ".join(_factor(s) for s in sums) if len(sums) <= 16 else f"({len(sums)} channel sums) {number(sum(sums))}"
    tail = f" + {_factor(bias)}" if bias is not None else ""
    head = "Σ window × kernel + bias" if bias is not None else "Σ window × kernel (no bias)"
    lines.append(f"value = {head} = {parts}{tail} = {number(value)}")
    return lines


def pool_lines(window: list, value: float, *, kind: str) -> list[str]:
    """max: the window's values and the largest; avg: their sum over the count.

    >>> pool_lines([[1.0, 3.0], [None, 2.0]], 3.0, kind="maxpool")
    ['value = max(1, 3, padding, 2) = 3']
    """
    flat = [v for row in window for v in row]
    if kind == "maxpool":
        return [f"value = max({', '.join(number(v) for v in flat)}) = {number(value)}"]
    return [f"value = ({' + '.join(_factor(v) for v in flat)}) / {len(flat)} = {number(value)}  (the divisor follows count_include_pad)"]


def linear_lines(contributions: list, bias: float | None, value: float, *, shown: int = 8) -> list[str]:
    """contributions: (i, input, weight, product), largest first; the rest summed into one term.

    >>> linear_lines([(2, 2.0, 0.5, 1.0), (0, 1.0, -0.25, -0.25)], None, 0.75)
    ['value = Σ input[i] × weight[i] = x[2]·w[2] 2·0.5 + x[0]·w[0] 1·(−0.25) = 0.75']
    """
    top = contributions[:shown]
    terms = [f"x[{i}]·w[{i}] {_factor(x)}·{_factor(w)}" for i, x, w, _ in top]
    rest = contributions[shown:]
    if rest:
        terms.append(f"{len(rest)} more {_factor(sum(p for *_, p in rest))}")
    tail = f" + bias {_factor(bias)}" if bias is not None else ""
    return [f"value = Σ input[i] × weight[i]{' + bias' if bias is not None else ''} = {' + '.join(terms)}{tail} = {number(value)}"]


def cells(grid) -> list:
    """Every number of a nested list as :func:`number` writes it, the nesting kept (the page's table cells).

    >>> cells([[[1.0, None], [-0.5, 2.25]]])
    [[['1', 'padding'], ['−0.5', '2.25']]]
    """
    if isinstance(grid, (list, tuple)):
        return [cells(v) for v in grid]
    return number(grid)


def percent(p: float | None) -> str:
    """``percent(0.9123)`` → ``'91.2 %'``; None → ``'?'``."""
    return "?" if p is None else f"{100 * p:.1f} %"


def count(n: int) -> str:
    """``count(10000)`` → ``'10,000'``."""
    return f"{n:,}"


def run_line(run: dict) -> str:
    """One run of ``GET /api/runs`` as the page's header line."""
    return (f"{run['model']} on {run['data']} · {run['epochs_done']}/{run['epochs']} epochs · "
            f"test accuracy {percent(run['accuracy'])} · {run['started'] or ''}")


def training_line(t: dict) -> str:
    """The page's line for a training job (``GET /api/train``): where it stands inside the epoch (its
    ``progress``), then the last finished epoch's test accuracy, the time left and the run."""
    p = t.get("progress")
    live = t["state"] == "running" and p is not None
    epoch = f"epoch {p['epoch']}/{t['epochs']}" if live else f"epoch {t['epochs_done']}/{t['epochs']}"
    parts = [f"{t['state']}: {t['model']}, {epoch}"]
    if live and p["phase"] == "testing":
        parts.append("testing")
    elif live:
        parts.append(f"batch {count(p['batch'])}/{count(p['batches'])}")
        if p["train_loss"] is not None:
            parts.append(f"loss {p['train_loss']:.4f}, accuracy {percent(p['train_accuracy'])}, "
                         f"{count(round(p['images_per_s'] or 0))} images/s")
    if t["test_accuracy"] is not None:
        if live:
            parts.append(f"epoch {t['epochs_done']} test accuracy {percent(t['test_accuracy'])}")
        else:
            parts.append(f"loss {t['train_loss']:.4f}, test accuracy {percent(t['test_accuracy'])}, {count(round(t['images_per_s']))} images/s")
    if t["time_left_s"] is not None:
        parts.append(f"about {t['time_left_s']:.0f} s left")
    parts.append(f"run {t['run']}")
    return " · ".join(parts)
