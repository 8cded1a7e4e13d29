"""The data package's one error type: a user's dataset that cannot be read, named with the fix."""

from __future__ import annotations

from ..errors import UserError


class DataError(UserError):
    """A dataset file that is missing, malformed or fails its checksum; the message names the file
    and what would work (a path, ``apt-get install ...``, ``convlens data get ...``)."""
