"""bot.sync: the fingerprint that decides whether the slash commands need syncing."""

from pathlib import Path

from bot.sync import fingerprint, scope_key, state_file

ASK = {"name": "ask", "description": "Answer a question", "type": 1, "options": []}


def test_the_state_file_is_named_after_the_database() -> None:
    assert state_file(Path("data/byline.db")) == Path("data/byline.db.commands.json")


def test_same_definitions_same_fingerprint_whatever_the_key_order() -> None:
    reordered = dict(reversed(list(ASK.items())))
    assert fingerprint([ASK], 1) == fingerprint([reordered], 1)


def test_a_changed_description_or_application_changes_the_fingerprint() -> None:
    changed = {**ASK, "description": "Answer a question from the articles"}
    assert fingerprint([ASK], 1) != fingerprint([changed], 1)
    assert fingerprint([ASK], 1) != fingerprint([ASK], 2)
    assert fingerprint([ASK], 1) != fingerprint([ASK, {**ASK, "name": "help"}], 1)


def test_scopes_are_kept_apart() -> None:
    assert scope_key(None) == "global" and scope_key(5) == "guild:5"
