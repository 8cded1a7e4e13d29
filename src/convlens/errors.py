"""The one base class of users' mistakes.

Every error that means "the user asked for something that cannot be done, and here is what would
work" derives from ``UserError``: a layer configuration (``core.LayerError``), a spec file
(``design.SpecError``), a target or request (``targets.TargetError``, ``targets.RequestError``), a
model the front ends refuse (``SummaryError``, ``KerasModelError``), a dataset, a checkpoint, a
zoo name, a command-line argument. The command line catches it once (``cli/__init__.py``) and
prints its message as one line with exit status 2; anything else that escapes is a bug.

It is a ``ValueError``, so code that caught ``ValueError`` before keeps working. This module
imports nothing, so every package, the core included, may derive from it.
"""


class UserError(ValueError):
    """A user's mistake; the message names what is wrong, every value received, and what would work."""


def first_line(exc: BaseException) -> str:
    r"""The first line of an exception's message, or its type's name when it has none: how a foreign
    error (a factory's, torch's, Keras's) is quoted inside convlens's one-line messages.

    >>> first_line(ValueError("scale must be positive\nmore")), first_line(KeyError())
    ('scale must be positive', 'KeyError')
    """
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["UserError", "first_line"]
