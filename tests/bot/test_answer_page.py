"""bot.answer_page: how a question travels in the custom_id of the buttons under an answer."""

import re

import discord
import pytest

from bot.answer_page import CLOSEST, CUSTOM_ID_MAX, MORE, PassagesButton, ResultsPage, recalled
from bot.errors import QuestionExpired
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
    assert recalled(cache, button.question) == question
    with pytest.raises(QuestionExpired):  # after a restart: "ask it again"
        recalled(QuestionCache(), button.question)


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


def test_the_passages_button_carries_its_page_and_question() -> None:
    cache = QuestionCache()
    short = PassagesButton.build(cache, 3, 0, "who leads NATO?", turn=CLOSEST)
    assert short.custom_id == "byline:full:3:0:=who leads NATO?"
    assert short.item.label == "Show closest passages"
    long = PassagesButton.build(cache, 10, 4, "why " * 40, turn=CLOSEST)
    assert len(long.custom_id) <= CUSTOM_ID_MAX and recalled(cache, long.question) == "why " * 40
