"""BYLINE_KEEP_QUESTIONS: off by default, on with 1, a malformed value named."""

import pytest

from bot.settings import SettingsError, load_settings


def test_questions_are_not_kept_by_default() -> None:
    assert load_settings().keep_questions is False


@pytest.mark.parametrize(("value", "kept"), [("1", True), ("true", True), ("0", False), ("false", False)])
def test_keep_questions_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, kept: bool
) -> None:
    monkeypatch.setenv("BYLINE_KEEP_QUESTIONS", value)
    assert load_settings().keep_questions is kept


def test_a_malformed_keep_questions_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_KEEP_QUESTIONS", "perhaps")
    with pytest.raises(SettingsError, match="BYLINE_KEEP_QUESTIONS"):
        load_settings()
