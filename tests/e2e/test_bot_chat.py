"""Messages that are not questions, and DMs that stand on their own: small talk gets a short reply
or a hint (never passages, never votes); "help" and "sources" typed in a DM do what the commands
do; nothing suggests a command that is not there. The real bot against the double."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .double import DefaultWorld, DiscordDouble

pytestmark = pytest.mark.asyncio

async def test_thanks_gets_a_short_reply_without_passages_or_votes(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        asked = await discord_double.user_message(
            f"thanks <@{world.bot_id}>!", user=world.member_id, channel_id=world.text_channel_id
        )
        reply = await discord_double.wait_for_message(world.text_channel_id)
    assert reply.content == "You're welcome!" and reply.embeds == [] and reply.components == []
    assert int(reply.message_reference["message_id"]) == asked.id  # type: ignore[index]


async def test_hi_in_a_dm_gets_the_help_text_for_dms(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message("hi", user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
    [embed] = reply.embeds
    assert embed["description"].startswith("I hold 4 articles")
    assert "`sources`" in embed["description"] and "/ask" not in embed["description"]
    assert reply.components == []


async def test_small_talk_by_command_or_mention_gets_a_one_line_hint(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": "hi"}, user=world.member_id)
        by_command = await discord_double.wait_for_response(inter)
        await discord_double.user_message(
            f"<@{world.bot_id}> help", user=world.member_id, channel_id=world.text_channel_id
        )
        by_mention = await discord_double.wait_for_message(world.text_channel_id)
    assert by_command.ephemeral and by_command.embeds == [] and by_command.components == []
    assert by_command.content == by_mention.content
    assert "/ask" in by_mention.content and "/help" in by_mention.content and by_mention.components == []


@pytest.mark.parametrize("typed", ["help", "Help!", "/help"])
async def test_help_typed_in_a_dm_is_the_help_command(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, typed: str
) -> None:
    async with start_byline():
        await discord_double.user_message(typed, user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
    [embed] = reply.embeds
    assert embed["title"] == "Byline answers questions from news articles"
    assert re.match(r"I hold 4 articles; the newest is from about <t:\d+:D>\.", embed["description"])
    assert "/sources" not in embed["description"]  # slash commands may not exist in DMs


async def test_sources_typed_in_a_dm_lists_the_articles(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message("sources", user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
    [embed] = reply.embeds
    assert embed["title"] == "Indexed articles (4)"
    assert "Japanese rover smashes into moon" in embed["description"]


async def test_nothing_found_in_a_dm_suggests_what_works_there(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message("What is the weather in Paris?", user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
    description = reply.embeds[0]["description"]
    assert "send `sources`" in description and "/sources" not in description
    assert reply.components == []


async def test_small_talk_is_not_counted_as_a_question(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        inter = await discord_double.slash_command("ask", {"question": "thanks"}, user=world.member_id)
        await discord_double.wait_for_response(inter)
        rows = await bot.feedback.rows("SELECT count(*) FROM feedback_answers")
    assert rows[0][0] == 0
