"""An exponential moving average (EMA) of the weights, evaluated and saved instead of the raw ones.

With a high learning rate the weights jitter from step to step; their running average sits nearer
the middle of the valley and tests about as well as the weights reached after the learning rate has
decayed, epochs earlier (airbench, Polyak averaging). It makes the accuracy curve of a one-cycle run
rise sooner, which is what the time to 93 % and 94 % of ``convlens train`` measures.

The average covers the parameters and BatchNorm's running statistics (the floating buffers); the
integer buffers are copied. The decay warms up as ``min(decay, (1 + t) / (10 + t))`` after ``t``
updates, so the first epochs do not keep the random initialisation.
"""

from __future__ import annotations

import copy

import torch
import torch.nn as nn


class EMA:
    def __init__(self, net: nn.Module, decay: float):
        self.decay = decay
        self.model = copy.deepcopy(net).requires_grad_(False)
        self.steps = 0
        pairs = list(zip(_tensors(self.model), _tensors(net)))
        self._avg = [(a, b) for a, b in pairs if a.is_floating_point()]
        self._copy = [(a, b) for a, b in pairs if not a.is_floating_point()]

    @torch.no_grad()
    def update(self) -> None:
        self.steps += 1
        d = min(self.decay, (1 + self.steps) / (10 + self.steps))
        torch._foreach_lerp_([a for a, _ in self._avg], [b for _, b in self._avg], 1 - d)
        for a, b in self._copy:
            a.copy_(b)

    def state_dict(self) -> dict:
        return {"model": self.model.state_dict(), "steps": self.steps}

    def load_state_dict(self, model_state: dict, steps: int) -> None:
        self.model.load_state_dict(model_state)
        self.steps = int(steps)


def _tensors(net: nn.Module) -> list[torch.Tensor]:
    return [*net.parameters(), *net.buffers()]
