"""The one error of the spec format: a file that cannot be read as a network, and where."""

from __future__ import annotations

from ..errors import UserError


class SpecError(UserError):
    """A spec that cannot be read or built: ``net.yaml:12:7: layer 3 'fc1' (Linear): reason``.

    ``line`` and ``column`` are 1-based; ``layer`` names the layer (index, name, type) when the
    mistake is in one; ``reason`` is the message without the location.
    """

    def __init__(self, reason: str, *, filename: str = "<spec>", line: int | None = None, column: int | None = None, layer: str | None = None, index: int | None = None, path: tuple = ()):
        self.reason = reason
        self.filename = filename
        self.line = line
        self.column = column
        self.layer = layer
        self.index = index  # the layer's position in the expanded network, when known
        self.path = tuple(path)  # where in the document: ("layers", 3, "kernel_size")
        where = filename if line is None else f"{filename}:{line}:{column}"
        super().__init__(f"{where}: {layer}: {reason}" if layer else f"{where}: {reason}")

    def to_dict(self) -> dict:
        return {"file": self.filename, "line": self.line, "column": self.column, "layer": self.layer, "index": self.index, "path": list(self.path), "reason": self.reason, "message": str(self)}


class SpecLimitError(SpecError):
    """A spec that is readable but past one of the format's limits (size, aliases, nesting, digits, layers)."""
