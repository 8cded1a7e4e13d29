"""``LayerRow.connected_to`` of traced PyTorch models against the model's real data flow.

The truth is torch.fx's graph of the same model (an independent tracer: symbolic, node by node):
for every call of a leaf module, the nearest module calls (or the model's input) its inputs come
from, looking through functional ops; convlens's rows must give the same, looking through its
function rows. Both lists are in call order, so a module called twice is compared call by call.
"""

from __future__ import annotations

import pytest
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

import convlens


class Residual(nn.Module):
    """A shortcut with a projection, in-place ReLUs (the tensor that comes back is the one given)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.down = nn.Conv2d(8, 16, 1, stride=2)

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + self.down(x))  # the shared ReLU module, called a second time


class Inception(nn.Module):
    """Four branches read the same input; a concatenation reads all four."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(8, 4, 1)
        self.b2a, self.b2b = nn.Conv2d(8, 4, 1), nn.Conv2d(4, 6, 3, padding=1)
        self.b3a, self.b3b = nn.Conv2d(8, 2, 1), nn.Conv2d(2, 3, 5, padding=2)
        self.pool, self.b4 = nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(8, 3, 1)
        self.head = nn.Conv2d(16, 10, 1)

    def forward(self, x):
        y = torch.cat([self.b1(x), self.b2b(self.b2a(x)), self.b3b(self.b3a(x)), self.b4(self.pool(x))], dim=1)
        return self.head(F.relu(y))


class UNetSkip(nn.Module):
    """An encoder output read twice: by the next stage and, much later, by a concatenation."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(3, 8, 3, padding=1)
        self.enc2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec = nn.Conv2d(16, 4, 3, padding=1)

    def forward(self, x):
        e1 = F.relu(self.enc1(x))
        e2 = F.relu(self.enc2(e1))
        u = self.up(e2).contiguous()  # a silent op between two rows
        return self.dec(torch.cat([u, e1], dim=1))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 8)
        self.b = nn.Linear(6, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x, z):
        return self.out(self.a(x) * torch.sigmoid(self.b(z)))


class Nested(nn.Module):
    """Containers inside containers; the inner block's output feeds a sibling's first child."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.blocks = nn.Sequential(Residual(), nn.Sequential(nn.Conv2d(16, 16, 1), nn.ReLU()))
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = self.stem(x)
        x = nn.functional.pad(x, (0, 0, 0, 0, 0, 0))
        x = self.blocks(x[:, :8])
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


CASES = [
    (Residual, [(1, 8, 16, 16)]),
    (Inception, [(1, 8, 12, 12)]),
    (UNetSkip, [(1, 3, 16, 16)]),
    (TwoInputs, [(2, 4), (2, 6)]),
    (Nested, [(1, 3, 16, 16)]),
]


def _fx_truth(model: nn.Module):
    """(module path, nearest module calls or inputs read) for every leaf-module call, in order."""
    g = torch.fx.symbolic_trace(model).graph
    placeholders = [n for n in g.nodes if n.op == "placeholder"]
    name_of = {n: ("input" if len(placeholders) == 1 else f"input:{i}") for i, n in enumerate(placeholders)}

    def sources(node) -> list[str]:
        out = []
        for a in node.all_input_nodes:
            if a.op == "call_module" or a.op == "placeholder":
                out.append(a.target if a.op == "call_module" else name_of[a])
            elif a.op != "get_attr":
                out += sources(a)
        return out

    return [(n.target, sorted(set(sources(n)))) for n in g.nodes if n.op == "call_module"]


def _convlens_view(summary):
    """The same view of the record: leaf-module rows, reading through function rows."""
    rows = summary.layers
    latest: dict[str, int] = {}
    resolved: list[list[int | str]] = []  # per row: the rows (or input names) it reads
    for i, r in enumerate(rows):
        resolved.append([latest.get(name, name) for name in r.connected_to])
        latest[r.name] = i

    def sources(i) -> list[str]:
        out = []
        for j in resolved[i]:
            if isinstance(j, str):
                out.append(j)
            elif rows[j].kind == "module":
                out.append(rows[j].name)
            else:
                out += sources(j)
        return out

    return [(r.name, sorted(set(sources(i)))) for i, r in enumerate(rows) if r.kind == "module"]


@pytest.mark.parametrize("model_cls, sizes", CASES, ids=[c[0].__name__ for c in CASES])
def test_connections_follow_the_real_data_flow(model_cls, sizes):
    model = model_cls()
    s = convlens.summary(model, sizes if len(sizes) > 1 else sizes[0])
    assert not s.failed
    assert _convlens_view(s) == _fx_truth(model)


def test_inception_concat_reads_the_four_branches_in_order():
    s = convlens.summary(Inception(), (1, 8, 12, 12))
    cat = next(r for r in s.layers if r.type == "cat")
    assert cat.connected_to == ("b1", "b2b", "b3b", "b4")
    assert [r.connected_to for r in s.layers if r.name in ("b1", "b2a", "b3a", "pool")] == [("input",)] * 4


def test_in_place_relu_is_read_not_skipped():
    s = convlens.summary(Residual(), (1, 8, 16, 16))
    names = [(r.name, r.connected_to) for r in s.layers]
    assert ("conv2", ("relu",)) in names  # conv2 reads the in-place ReLU's result, not bn1
    assert names[-1] == ("relu", ("add",))  # the second call of the shared ReLU reads the sum


def test_weights_read_functionally_are_not_connections():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(4, 3, 3, 3))

        def forward(self, x):
            return F.conv2d(x, self.w, padding=1) + 1.0

    s = convlens.summary(Functional(), (1, 3, 8, 8))
    conv = next(r for r in s.layers if r.type == "conv2d")
    add = next(r for r in s.layers if r.type == "add")
    assert conv.connected_to == ("input",) and add.connected_to == (conv.name,)  # the weight and 1.0 are not rows


def test_json_carries_the_connections():
    s = convlens.summary(Residual(), (1, 8, 16, 16))
    rows = s.to_dict()["layers"]
    assert rows[0]["connected_to"] == ["input"] and rows[-1]["connected_to"] == ["add"]
