"""BYLINE_SEMANTIC: on by default; 0 turns the semantic layer off, from the settings to the index."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

from .conftest import Run


def test_the_semantic_layer_is_on_by_default() -> None:
    assert load_settings().semantic is True


def test_a_malformed_semantic_setting_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYLINE_SEMANTIC", "sometimes")
    with pytest.raises(SettingsError, match="BYLINE_SEMANTIC"):
        load_settings()


@pytest.mark.parametrize("value", ["0", "1"])
def test_semantic_decides_whether_a_reindex_makes_vectors(
    byline: Callable[..., Run], collection_seeds: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BYLINE_SEMANTIC", value)
    report = json.loads(byline("reindex", "--json", "--seeds-dir", str(collection_seeds)).out)
    status = json.loads(byline("status", "--json").out)
    expected = report["passages"] if value == "1" else 0
    assert report["embedded"] == status["embedded"] == expected and report["passages"] > 0
