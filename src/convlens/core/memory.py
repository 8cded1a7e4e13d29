"""Training memory of one step, estimated from a network's figures (no framework needed).

For one optimizer step with Adam in float32 (``dtype_bytes`` = 4)::

    parameters   = 4 · all parameters (trainable and not: Keras's BatchNormalization statistics too)
    gradients    = 4 · trainable parameters
    optimizer    = 4 · 2 · trainable parameters   (Adam's first and second moments)
    inputs       = 4 · input elements
    activations  = 4 · Σ output elements of every layer call   (what a backward pass may keep)

The activation term is an *estimate*: it assumes every layer keeps its output for the backward
pass. Frameworks keep less where an op can be recomputed or works in place (ReLU after a conv) and
more where an op saves its input too; workspace and allocator fragmentation are not included.
PyTorch models get the measured figure instead (``frontends.torch``, tensors autograd saved).
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVATIONS_ESTIMATE = "activations estimated as the sum of every layer's output (batch as given, None = 1), 4 bytes each"


@dataclass(frozen=True, slots=True)
class TrainingMemory:
    """Bytes of one training step, by kind."""

    parameters: int
    gradients: int
    optimizer: int
    activations: int
    inputs: int

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer + self.activations + self.inputs


def training_memory(*, params: int, trainable: int, activation_elements: int, input_elements: int,
                    dtype_bytes: int = 4, optimizer_states: int = 2) -> TrainingMemory:
    """Training memory of one step (see the module docstring for each term).

    The tutorial's Keras CNN (264,562 parameters, 264,262 trainable) on one 28×28×1 image, its
    layers' outputs summing to 168,449 elements:

    >>> m = training_memory(params=264_562, trainable=264_262, activation_elements=168_449, input_elements=784)
    >>> m.parameters, m.gradients, m.optimizer, m.activations, m.inputs, m.total
    (1058248, 1057048, 2114096, 673796, 3136, 4906324)
    """
    return TrainingMemory(
        parameters=dtype_bytes * params,
        gradients=dtype_bytes * trainable,
        optimizer=dtype_bytes * optimizer_states * trainable,
        activations=dtype_bytes * activation_elements,
        inputs=dtype_bytes * input_elements,
    )


__all__ = ["ACTIVATIONS_ESTIMATE", "TrainingMemory", "training_memory"]
