"""Questions by direct message and by mention, answered by the real Byline bot through discord.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .double import DefaultWorld, DiscordDouble

pytestmark = pytest.mark.asyncio

POLAND = "what is Poland's spending?"


async def settle(double: DiscordDouble, seconds: float = 0.3) -> None:
    """Give the bot time to (wrongly) react before asserting that it did not."""
    await asyncio.sleep(seconds)


async def test_a_direct_message_is_a_question_answered_with_the_same_embed(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        slash = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id, dm=True)
        by_command = await discord_double.wait_for_response(slash)
        dm = discord_double.dm_channel_id(world.member_id)
        await discord_double.wait_for_message(dm)  # the /ask reply, in the same DM channel

        asked = await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(dm)
        await settle(discord_double)

    assert reply.embeds == by_command.embeds
    assert reply.message_reference is not None and int(reply.message_reference["message_id"]) == asked.id
    assert reply.components and reply.components[0]["components"][0]["label"] == "More results"
    # Discord echoes the bot's own reply back as a DM event: it must not be taken for a question.
    assert [m.id for m in discord_double.channel_messages(dm)] == [by_command.id, reply.id]
    assert discord_double.requests_to("POST", "/channels/{id}/typing")


async def test_more_results_works_under_a_dm_answer(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
        custom_id = reply.components[0]["components"][0]["custom_id"]
        click = await discord_double.button_click(custom_id, reply, user=world.member_id)
        await discord_double.wait_for_ack(click)
    assert reply.embeds[0]["footer"]["text"].startswith("Passages 6–10")


async def test_a_mention_in_a_channel_is_a_question_answered_as_a_reply(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        asked = await discord_double.user_message(
            f"<@{world.bot_id}> {POLAND}", user=world.member_id, channel_id=world.text_channel_id
        )
        reply = await discord_double.wait_for_message(world.text_channel_id)

    assert reply.message_reference is not None and int(reply.message_reference["message_id"]) == asked.id
    assert reply.embeds[0]["title"] == f"“{POLAND}”"  # the mention is not part of the question
    assert reply.mentions == []  # a reply, but the asker is not pinged


async def test_messages_that_do_not_mention_the_bot_are_left_alone(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(POLAND, user=world.member_id, channel_id=world.text_channel_id)
        await discord_double.user_message(
            f"<@{world.admin_id}> {POLAND}", user=world.member_id, channel_id=world.text_channel_id
        )
        await settle(discord_double)
    assert discord_double.channel_messages(world.text_channel_id) == []


async def test_other_bots_are_ignored(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(
            f"<@{world.bot_id}> {POLAND}", user=world.other_bot_id, channel_id=world.text_channel_id
        )
        await settle(discord_double)
    assert discord_double.channel_messages(world.text_channel_id) == []


async def test_a_mention_where_the_bot_may_not_speak_gets_no_reply_and_no_error(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(
            f"<@{world.bot_id}> {POLAND}", user=world.member_id, channel_id=world.readonly_channel_id
        )
        await settle(discord_double)
    assert discord_double.channel_messages(world.readonly_channel_id) == []
    assert not [r for r in discord_double.requests if r.status >= 400]


async def test_a_bare_mention_gets_a_hint_on_how_to_ask(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(
            f"<@{world.bot_id}>", user=world.member_id, channel_id=world.text_channel_id
        )
        reply = await discord_double.wait_for_message(world.text_channel_id)
    assert reply.content.startswith("Ask a question, for example")
