"""One list of frameworks: ``convlens.core.Framework``, the record's field, every core layer's
convention, the zoo's, a spec's and ``export``'s; users' spellings read by one function."""

from __future__ import annotations

import pytest

from convlens import zoo
from convlens.core import LAYERS, Framework
from convlens.errors import UserError
from convlens.record import Framework as RecordFramework


@pytest.mark.parametrize("text, expected", [
    ("pytorch", Framework.TORCH), ("torch", Framework.TORCH), ("PyTorch", Framework.TORCH),
    ("keras", Framework.KERAS), ("Keras", Framework.KERAS), (Framework.KERAS, Framework.KERAS),
])
def test_parse_reads_every_spelling_users_write(text, expected):
    assert Framework.parse(text) is expected


@pytest.mark.parametrize("text", ["jax", "", "core", None, 3, "tensorflow"])
def test_parse_refuses_the_rest_naming_what_works(text):
    with pytest.raises(UserError, match=r"export to .* is not a framework convlens reads; write 'pytorch' or 'keras'"):
        Framework.parse(text, what="export to")


def test_the_word_users_write():
    assert [f.word for f in Framework] == ["pytorch", "keras", "core"]
    assert all(Framework.parse(f.word) is f for f in (Framework.TORCH, Framework.KERAS))


def test_the_record_and_the_core_share_one_enum():
    assert RecordFramework is Framework


def test_every_core_layer_and_zoo_entry_names_its_framework_by_the_enum():
    assert {type(cls.framework) for cls in LAYERS.values()} == {Framework}
    assert {type(e.framework) for e in zoo.entries()} == {Framework}
    assert {e.framework for e in zoo.entries()} == {Framework.TORCH, Framework.KERAS}
