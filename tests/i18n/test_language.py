"""How the language is chosen: set_language, language(), the locale; and what a wrong choice says."""

from __future__ import annotations

import pytest

import convlens
from convlens.errors import UserError
from convlens.i18n import current, from_environment, language, set_language, tr

MESSAGE = "unknown language {lang!r}; choose one of: {choices}"


def test_set_language_changes_every_later_message_and_none_goes_back_to_the_locale():
    try:
        convlens.set_language("ko")
        assert current() == "ko"
        assert tr(MESSAGE, lang="x", choices="en, ko").startswith("알 수 없는 언어")
        with language("en"):  # the most specific choice wins
            assert tr(MESSAGE, lang="x", choices="en, ko").startswith("unknown language")
        assert current() == "ko"
    finally:
        set_language(None)
    assert current() == "en"  # the suite's LANGUAGE=en


def test_a_language_that_is_not_there_is_one_clear_line():
    with pytest.raises(UserError, match=r"unknown language 'fr'; choose one of: en, ko"):
        set_language("fr")
    with pytest.raises(UserError):
        with language("xx"):
            pass


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "ko_KR.UTF-8"}, "ko"), ({"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
    ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "en"), ({"LANGUAGE": "ko", "LANG": "C.UTF-8"}, "ko"),
    ({"LC_MESSAGES": "ko_KR"}, "ko"), ({"LANG": "de_DE.UTF-8"}, "en"), ({}, "en"),
])
def test_the_locale_chooses(environ, expected):
    assert from_environment(environ) == expected
