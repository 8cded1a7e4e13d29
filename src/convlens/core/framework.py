"""The one list of frameworks whose conventions convlens follows.

``Framework`` is the record's ``Summary.framework``, a core layer's ``framework`` (whose semantics it
follows), a zoo entry's, a spec file's convention and the target of ``convlens export``. Users write
PyTorch as ``pytorch`` (spec files, ``convlens export --to``, the page's ``?framework=``) or
``torch``; ``Framework.parse`` reads every spelling, ``.word`` is the one they write.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import UserError
from ..i18n import tr


class Framework(StrEnum):
    TORCH = "torch"  # PyTorch: channels first, explicit padding
    KERAS = "keras"  # Keras 3: channels last, padding "valid"/"same"
    CORE = "core"  # layers typed as code or built from core nodes: no framework involved (a record only)

    @property
    def word(self) -> str:
        """The spelling users write: ``pytorch``, ``keras`` (``core`` for the record's own)."""
        return "pytorch" if self is Framework.TORCH else self.value

    @classmethod
    def parse(cls, text, *, what: str = "framework", allowed: tuple[Framework, ...] | None = None) -> Framework:
        """``'pytorch'``, ``'torch'``, ``'PyTorch'``, ``'keras'``… -> the enum; anything else is a
        ``UserError`` naming ``what`` and the words that work.

        >>> Framework.parse("pytorch"), Framework.parse("Keras")
        (<Framework.TORCH: 'torch'>, <Framework.KERAS: 'keras'>)
        """
        allowed = USER_FRAMEWORKS if allowed is None else allowed
        found = text if isinstance(text, Framework) else _SPELLINGS.get(text.lower()) if isinstance(text, str) else None
        if found is None or found not in allowed:
            words = [repr(f.word) for f in allowed]
            if len(words) == 2:
                raise UserError(tr("{what} {text} is not a framework convlens reads; write {first} or {second}",
                                   what=what, text=repr(text), first=words[0], second=words[1]))
            raise UserError(tr("{what} {text} is not a framework convlens reads; write {choices}",
                               what=what, text=repr(text), choices=" or ".join(words)))
        return found


USER_FRAMEWORKS = (Framework.TORCH, Framework.KERAS)  # the ones a user names (a spec, --to, ?framework=)
_SPELLINGS = {"torch": Framework.TORCH, "pytorch": Framework.TORCH, "keras": Framework.KERAS, "core": Framework.CORE}
