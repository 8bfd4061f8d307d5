"""bot.cogs.ask: how a question travels in a "more results" button's custom_id."""

import re

import discord

from bot.cogs.ask import CUSTOM_ID_MAX, MORE, ResultsPage
from bot.paging import BACK, QuestionCache

ASKER = 100_000_000_000_000_002


def test_a_short_question_rides_in_the_custom_id() -> None:
    button = ResultsPage.build(QuestionCache(), ASKER, 5, 1, "what is Poland's spending?", turn=MORE)
    assert button.custom_id == f"byline:page:{ASKER}:5:1:=what is Poland's spending?"
    match = ResultsPage.__discord_ui_compiled_template__.fullmatch(button.custom_id)
    assert match and match["question"] == "=what is Poland's spending?"


def test_a_long_question_waits_in_the_cache_under_a_short_key() -> None:
    cache = QuestionCache()
    question = "why " * 40
    button = ResultsPage.build(cache, ASKER, 10, 49, question, turn=MORE)
    assert len(button.custom_id) <= CUSTOM_ID_MAX
    assert re.fullmatch(rf"byline:page:{ASKER}:10:49:#[A-Za-z0-9_-]{{12}}", button.custom_id)
    assert button.recall(cache) == question
    assert button.recall(QuestionCache()) is None  # after a restart: "ask it again"


def test_astral_characters_count_double_towards_the_limit() -> None:
    question = "🙂" * 35  # 35 characters, 70 UTF-16 code units
    button = ResultsPage.build(QuestionCache(), ASKER, 5, 1, question, turn=MORE)
    assert "#" in button.custom_id


def test_the_cache_keeps_only_the_newest() -> None:
    cache = QuestionCache(size=2)
    first = cache.remember("one")
    cache.remember("two")
    cache.remember("three")
    assert cache.recall(first) is None and cache.recall(cache.key("three")) == "three"


def test_the_direction_gives_the_label_and_the_look() -> None:
    more = ResultsPage.build(QuestionCache(), ASKER, 5, 1, "why?", turn=MORE)
    back = ResultsPage.build(QuestionCache(), ASKER, 5, 0, "why?", turn=BACK)
    assert (more.item.label, more.item.style) == ("More results", discord.ButtonStyle.primary)
    assert (back.item.label, back.item.style) == ("Previous", discord.ButtonStyle.secondary)
