"""Training memory of one optimisation step: the one formula, for every front end.

Convention (stated with every estimate convlens prints): weights + gradients of the trainable
weights + Adam's two moments per trainable weight + buffers + the input batch + the activations
autograd saves for backward. Excluded: the framework's workspace (cuDNN, matmul scratch), the
allocator's fragmentation, and temporaries freed during the step. Sizes are bytes, each tensor
counted at its own dtype's element size.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_

# marked for the catalog: shown translated, tr(FORMULA), where a report states the convention
FORMULA = N_("parameters + gradients (trainable) + Adam moments (2 × trainable) + buffers + input + "
             "activations autograd saves for backward (measured on this input); excludes framework workspace and fragmentation")

ADAM_STATES = 2  # exp_avg and exp_avg_sq, each the size of the trainable parameters (Kingma & Ba 2015)

# Where a front end cannot measure what autograd saves (Keras), the activations are estimated:
ACTIVATIONS_ESTIMATE = N_("activations estimated as the sum of every layer's output (batch as given, None = 1), 4 bytes each")


@dataclass(frozen=True)
class TrainingMemory:
    """Bytes of one training step, by part."""

    parameters: int
    gradients: int
    optimizer: int
    activations: int
    buffers: int
    inputs: int

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer + self.activations + self.buffers + self.inputs


def training_memory(*, parameter_bytes: int, trainable_bytes: int, buffer_bytes: int, input_bytes: int,
                    activation_bytes: int, optimizer_states: int = ADAM_STATES) -> TrainingMemory:
    """Training memory = parameters + gradients + ``optimizer_states`` × trainable + buffers + input + activations.

    ``trainable_bytes`` are the bytes of the parameters that get a gradient; ``activation_bytes``
    are what autograd saves for backward (a front end measures them on a real or meta forward).

    >>> m = training_memory(parameter_bytes=400, trainable_bytes=400, buffer_bytes=16, input_bytes=64, activation_bytes=1000)
    >>> (m.gradients, m.optimizer, m.total)
    (400, 800, 2680)
    """
    return TrainingMemory(parameters=parameter_bytes, gradients=trainable_bytes,
                          optimizer=optimizer_states * trainable_bytes, activations=activation_bytes,
                          buffers=buffer_bytes, inputs=input_bytes)
