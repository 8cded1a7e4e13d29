"""The one error type for a layer configuration that the real framework would reject."""

from ..errors import UserError


class LayerError(UserError):
    """A user's layer configuration or input shape is invalid.

    The message names the layer, the argument and every value received, then says what
    would work, e.g. ``Conv2d: kernel_size (5, 5) (dilated 5×5) is larger than the padded
    input 3×3 (input 3×3 + padding 2×0); the padded input must be at least 5×5``.
    """

    def __init__(self, layer: str, argument: str, message: str):
        self.layer = layer
        self.argument = argument
        super().__init__(f"{layer}: {message}")
