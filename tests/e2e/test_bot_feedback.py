"""👍/👎 under answers, and the feedback round trip: a vote in Discord, then `byline report` shows it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.settings import Settings

from .double import DefaultWorld, DiscordDouble
from .support import POLAND, answered_after, buttons, vote_labels, votes

pytestmark = pytest.mark.asyncio

UNANSWERED = "What is the weather forecast for Paris?"


async def byline_report(capsys: pytest.CaptureFixture[str], database: Path, *args: str) -> dict:
    """`byline report --json` on the bot's database, as an operator runs it beside the bot."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["report", "--json", "--database", str(database), *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


async def test_a_vote_is_thanked_privately_and_byline_report_shows_it(
    discord_double: DiscordDouble,
    world: DefaultWorld,
    start_byline: Any,
    byline_settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        answer = await discord_double.wait_for_response(inter)
        assert vote_labels(answer) == ["👍 Helpful", "👎 Not helpful"]
        assert list(buttons(answer)) == ["More results", "Whole passages"]
        assert all(len(custom_id) <= 100 for custom_id in votes(answer).values())

        down = await discord_double.button_click(votes(answer)["👎"], answer, user=world.member_id)
        asked_why = await discord_double.wait_for_response(down)
        assert asked_why.ephemeral and asked_why.content.startswith("Thanks for the 👎. What was wrong")
        assert list(buttons(asked_why)) == ["Wrong passage", "Does not answer", "Out of date", "Other"]
        assert answer.embeds[0]["title"] == "“what is Poland's spending?”"  # the answer is left alone
        why = await discord_double.button_click(
            buttons(asked_why)["Does not answer"], asked_why, user=world.member_id
        )
        await discord_double.wait_for_ack(why)
        assert asked_why.content == "Noted: “Does not answer”. Thanks!" and not asked_why.components

    report = await byline_report(capsys, byline_settings.database)
    assert report["votes"] == {"up": 0, "down": 1}
    assert report["questions"] == 1 and report["days"][0]["questions"] == 1
    [shown] = report["down_voted"]  # one row for the answer, not one for each passage it showed
    assert (shown["down"], shown["up"], shown["reasons"]) == (1, 0, {"no-answer": 1})
    assert (shown["outlet"], shown["paragraph"]) == ("Daily Mirror", 11)  # the passage it cited

    async with start_byline():  # after a restart the buttons still count, one vote per person
        again = await discord_double.button_click(votes(answer)["👍"], answer, user=world.member_id)
        changed = await discord_double.wait_for_response(again)
        assert changed.ephemeral and changed.content == "Changed to 👍. Thanks!"
        same = await discord_double.button_click(votes(answer)["👍"], answer, user=world.member_id)
        assert (
            await discord_double.wait_for_response(same)
        ).content == "Your 👍 was already counted. Thanks!"
        other = await discord_double.button_click(votes(answer)["👎"], answer, user=world.admin_id)
        assert (await discord_double.wait_for_response(other)).content.startswith("Thanks for the 👎")

    report = await byline_report(capsys, byline_settings.database)
    assert report["votes"] == {"up": 1, "down": 1}
    dump = "\n".join(sqlite3.connect(byline_settings.database).iterdump())
    assert str(world.member_id) not in dump and str(world.admin_id) not in dump  # salted hashes only
    assert str(world.guild_id) in dump


async def test_every_page_and_every_way_of_asking_has_its_own_votes(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        message = await discord_double.wait_for_response(inter)
        first = votes(message)["👍"]
        turn = await discord_double.button_click(
            buttons(message)["More results"], message, user=world.member_id
        )
        page_two = await discord_double.wait_for_response(turn)
        assert votes(page_two)["👍"] != first  # page 2 shows other passages: another answer to vote on
        by_mention = await answered_after(discord_double, world)
        by_dm = await answered_after(discord_double, world, dm=True)
        assert list(votes(by_mention)) == list(votes(by_dm)) == ["👍", "👎"]


async def test_questions_are_kept_only_when_the_operator_says_so(
    discord_double: DiscordDouble,
    world: DefaultWorld,
    start_byline: Any,
    byline_settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": UNANSWERED}, user=world.member_id)
        await discord_double.wait_for_response(inter)
    report = await byline_report(capsys, byline_settings.database)
    assert (report["questions"], report["confident"], report["not_confident_unkept"]) == (1, 0, 1)
    assert report["not_confident"] == []
    assert "weather" not in "\n".join(sqlite3.connect(byline_settings.database).iterdump())

    keeping = byline_settings.model_copy(update={"keep_questions": True})
    async with start_byline(settings=keeping):
        inter = await discord_double.slash_command("ask", {"question": UNANSWERED}, user=world.member_id)
        await discord_double.wait_for_response(inter)
    report = await byline_report(capsys, byline_settings.database)
    assert report["not_confident"] == [
        {"words": ["weather", "forecast", "paris"], "count": 1, "questions": [UNANSWERED]}
    ]

    capsys.readouterr()
    code = await asyncio.to_thread(
        main, ["forget", str(world.member_id), "--json", "--database", str(byline_settings.database)]
    )
    assert code == 0 and json.loads(capsys.readouterr().out) == {"votes": 0, "questions": 1}
    assert (await byline_report(capsys, byline_settings.database))["not_confident"] == []


async def test_answers_and_votes_do_not_wait_for_a_reindex_that_holds_the_database(
    discord_double: DiscordDouble,
    world: DefaultWorld,
    start_byline: Any,
    byline_settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with start_byline():
        held = sqlite3.connect(byline_settings.database, isolation_level=None)
        held.execute("BEGIN IMMEDIATE")  # `byline reindex` of a large archive, from its start to its end
        try:
            inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
            answer = await discord_double.wait_for_response(inter)
            assert inter.callback_type == 4  # answered at once, not deferred
            down = await discord_double.button_click(votes(answer)["👎"], answer, user=world.member_id)
            thanks = await discord_double.wait_for_response(down)
            assert thanks.content.startswith("Thanks for the 👎")
        finally:
            held.execute("COMMIT")
            held.close()
    report = await byline_report(capsys, byline_settings.database)
    assert report["questions"] == 1 and report["votes"] == {"up": 0, "down": 1}


async def test_help_says_whether_questions_are_kept(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Settings
) -> None:
    for keeping, said in (
        (False, "The text of questions is not kept."),
        (True, "The text of questions is kept"),
    ):
        settings = byline_settings.model_copy(update={"keep_questions": keeping})
        async with start_byline(settings=settings):
            inter = await discord_double.slash_command("help", user=world.member_id)
            reply = await discord_double.wait_for_response(inter)
        description = reply.embeds[0]["description"]
        assert said in description and "**Helpful** or **Not helpful**" in description
