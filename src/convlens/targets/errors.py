"""The resolver's error: a target or request the user got wrong (exit status 2 on the CLI)."""

from __future__ import annotations

from ..errors import UserError


class TargetError(UserError):
    """A target that cannot be loaded: a missing file, a missing name, bad constructor arguments,
    a framework that is not installed. The message names it and says what would work."""
