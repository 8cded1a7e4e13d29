"""Find English sentences left in text that should be Korean (the golden Korean outputs' check).

A sentence here is a run of at least two English words, two of them all lower-case, outside code:
layer and argument names (``Conv2d``, ``kernel_size``), options (``--input``), quoted values
(``'same'``), units and numbers are not sentences. ``english(text)`` returns what it found.
"""

from __future__ import annotations

import re

# words that are code or names wherever they appear in convlens's output, not English prose
CODE_WORDS = {
    "same", "valid", "causal", "full", "zeros", "reflect", "replicate", "circular", "none", "true", "false",
    "relu", "sigmoid", "tanh", "softmax", "linear", "gelu", "silu", "swish", "elu", "selu",
    "channels_last", "channels_first", "floor", "ceil", "convlens", "torch", "keras", "cpu", "meta", "cuda",
    "nn", "layers", "x", "k", "s", "p", "d", "n", "b", "h", "w", "c", "in", "out", "max", "min", "avg",
    "weight", "bias",  # a layer's parameter tensors, by their attribute names
}
_SOURCE = re.compile(r"^\s*\d+ \| ")  # a line of the user's source, echoed by a diagnosis (their comments are theirs)
_CODE = re.compile(r"`[^`\n]*`|'[^'\n]*'|\"[^\"\n]*\"|--?[a-z][\w-]*|\S*[_./=:\\(\\)\[\]<>#@0-9-]\S*|https?://\S+")
_WORD = re.compile(r"[A-Za-z]{2,}")


def english(text: str, *, allow: set[str] = frozenset()) -> list[str]:
    """Every run of two or more English prose words in ``text``, a line's worth of context each.

    >>> english("Conv2d: 출력 크기 = (28 + 2×2 − 5) / 1 + 1 = 28, kernel_size=5")
    []
    >>> english("레이어 fc1: expects 1,152 features but receives 6,272")
    ['expects 1,152 features but receives 6,272']
    """
    found = []
    for line in text.splitlines():
        if _SOURCE.match(line):
            continue
        cleaned = _CODE.sub(lambda m: " " * len(m.group(0)) if not re.fullmatch(r"[\d.,]+", m.group(0)) else m.group(0), line)
        tokens = list(re.finditer(r"\S+", cleaned))
        run: list[str] = []
        lower = 0

        def close():
            if len(run) >= 2 and lower >= 2:
                found.append(" ".join(run))

        for tok in tokens:
            word = tok.group(0).strip(",;:!?()[]{}")
            if _WORD.fullmatch(word) and word.lower() not in CODE_WORDS and word not in allow:
                run.append(word)
                lower += word.islower()
            elif run and re.fullmatch(r"[\d,.]+", word) and len(run) >= 1:
                run.append(word)  # a number inside a sentence keeps the sentence going
            else:
                close()
                run, lower = [], 0
        close()
    return found
