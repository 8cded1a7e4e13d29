"""One unit's arithmetic written out with the numbers substituted, the way ``convlens calc`` writes
its formulas (``H_out = ⌊(28 + 2·1 − 1·(3−1) − 1) / 1⌋ + 1 = 28``): the Inside view's text.

Takes plain numbers (what ``train.inside.unit`` computed) and returns lines; nothing is computed
here except the partial sums the lines show.
"""

from __future__ import annotations

from ..i18n import N_, language, tr


def number(v: float | None) -> str:
    """4 significant digits, a true minus sign: ``number(-0.012345)`` → ``'−0.01235'``; a product
    of a padding zero and a negative weight is −0.0 in floating point, and is written ``'0'``.

    >>> number(-0.012345), number(-0.0), number(None)
    ('−0.01235', '0', 'padding')
    """
    if v is None:
        return tr("padding")
    text = f"{v + 0.0:.4g}"  # + 0.0 turns −0.0 into 0.0 and leaves every other value as it is
    return text.replace("-", "−")


def _factor(v: float) -> str:
    return f"({number(v)})" if v < 0 else number(v)


def conv_lines(window: list, kernel: list, bias: float | None, value: float, *, first_channel: int = 0, lang: str | None = None) -> list[str]:
    """window and kernel C×kh×kw: one line per input channel (its products and their sum), then the total.

    >>> conv_lines([[[1.0, 2.0]]], [[[0.5, -1.0]]], 0.25, -1.25)
    ['channel 0: 1·0.5 + 2·(−1) = −1.5', 'value = Σ window × kernel + bias = (−1.5) + 0.25 = −1.25']
    >>> conv_lines([[[1.0]]], [[[2.0]]], None, 2.0, lang="ko")
    ['채널 0: 1·2 = 2', '값 = Σ 윈도우 × 커널 (편향 없음) = 2 = 2']
    """
    with language(lang):
        lines, sums = [], []
        for c, (wplane, kplane) in enumerate(zip(window, kernel)):
            terms = [f"{_factor(a)}·{_factor(b)}" for wrow, krow in zip(wplane, kplane) for a, b in zip(wrow, krow)]
            s = sum(a * b for wrow, krow in zip(wplane, kplane) for a, b in zip(wrow, krow))
            sums.append(s)
            lines.append(tr("channel {c}: {terms} = {sum}", c=first_channel + c, terms=" + ".join(terms), sum=number(s)))
        parts = " + ".join(_factor(s) for s in sums) if len(sums) <= 16 else tr("({n} channel sums) {sum}", n=len(sums), sum=number(sum(sums)))
        tail = f" + {_factor(bias)}" if bias is not None else ""
        head = tr("Σ window × kernel + bias") if bias is not None else tr("Σ window × kernel (no bias)")
        lines.append(tr("value = {formula} = {terms} = {value}", formula=head, terms=parts + tail, value=number(value)))
        return lines


def pool_lines(window: list, value: float, *, kind: str, lang: str | None = None) -> list[str]:
    """max: the window's values and the largest; avg: their sum over the count.

    >>> pool_lines([[1.0, 3.0], [None, 2.0]], 3.0, kind="maxpool")
    ['value = max(1, 3, padding, 2) = 3']
    """
    with language(lang):
        flat = [v for row in window for v in row]
        if kind == "maxpool":
            formula = "max(" + ", ".join(number(v) for v in flat) + ")"
            return [tr("value = {formula} = {value}", formula=formula, value=number(value))]
        formula = "(" + " + ".join(_factor(v) for v in flat) + ") / " + str(len(flat))
        return [tr("value = {formula} = {value}  (the divisor follows count_include_pad)", formula=formula, value=number(value))]


def linear_lines(contributions: list, bias: float | None, value: float, *, shown: int = 8, lang: str | None = None) -> list[str]:
    """contributions: (i, input, weight, product), largest first; the rest summed into one term.

    >>> linear_lines([(2, 2.0, 0.5, 1.0), (0, 1.0, -0.25, -0.25)], None, 0.75)
    ['value = Σ input[i] × weight[i] = x[2]·w[2] 2·0.5 + x[0]·w[0] 1·(−0.25) = 0.75']
    """
    with language(lang):
        top = contributions[:shown]
        terms = [f"x[{i}]·w[{i}] {_factor(x)}·{_factor(w)}" for i, x, w, _ in top]
        rest = contributions[shown:]
        if rest:
            terms.append(tr("{n} more {sum}", n=len(rest), sum=_factor(sum(p for *_, p in rest))))
        if bias is not None:
            return [tr("value = Σ input[i] × weight[i] + bias = {terms} + bias {bias} = {value}", terms=" + ".join(terms), bias=_factor(bias),
                       value=number(value))]
        return [tr("value = Σ input[i] × weight[i] = {terms} = {value}", terms=" + ".join(terms), value=number(value))]


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


def run_line(run: dict, *, lang: str | None = None) -> str:
    """One run of ``GET /api/runs`` as the page's header line."""
    with language(lang):
        return tr("{model} on {data} · {done}/{epochs} epochs · test accuracy {accuracy} · {started}", model=run["model"], data=run["data"],
                  done=run["epochs_done"], epochs=run["epochs"], accuracy=percent(run["accuracy"]), started=run["started"] or "")


# a training job's state as the page's line says it (the API keeps the English word)
STATES = {"running": N_("running"), "done": N_("done"), "failed": N_("failed"), "cancelled": N_("cancelled")}


def training_line(t: dict, *, lang: str | None = None) -> str:
    """The page's line for a training job (``GET /api/train``): where it stands inside the epoch (its
    ``progress``), then the last finished epoch's test accuracy, the time left and the run."""
    with language(lang):
        p = t.get("progress")
        live = t["state"] == "running" and p is not None
        epoch = tr("epoch {epoch}/{epochs}", epoch=p["epoch"] if live else t["epochs_done"], epochs=t["epochs"])
        parts = [tr("{state}: {model}, {epoch}", state=tr(STATES.get(t["state"], t["state"])), model=t["model"], epoch=epoch)]
        if live and p["phase"] == "testing":
            parts.append(tr("testing"))
        elif live:
            parts.append(tr("batch {batch}/{batches}", batch=count(p["batch"]), batches=count(p["batches"])))
            if p["train_loss"] is not None:
                parts.append(tr("loss {loss}, accuracy {accuracy}, {speed} images/s", loss=format(p["train_loss"], ".4f"),
                                accuracy=percent(p["train_accuracy"]), speed=count(round(p["images_per_s"] or 0))))
        if t["test_accuracy"] is not None:
            if live:
                parts.append(tr("epoch {epoch} test accuracy {accuracy}", epoch=t["epochs_done"], accuracy=percent(t["test_accuracy"])))
            else:
                parts.append(tr("loss {loss}, test accuracy {accuracy}, {speed} images/s", loss=format(t["train_loss"], ".4f"),
                                accuracy=percent(t["test_accuracy"]), speed=count(round(t["images_per_s"]))))
        if t["time_left_s"] is not None:
            parts.append(tr("about {seconds} s left", seconds=format(t["time_left_s"], ".0f")))
        parts.append(tr("run {run}", run=t["run"]))
        return " · ".join(parts)
