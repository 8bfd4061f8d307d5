"""Mentions of other people, roles and channels, and custom emoji, in a question addressed to the
bot are not words of the question: the bot answers as if they were not there."""

from __future__ import annotations

from typing import Any

import pytest

from .double import DefaultWorld, DiscordDouble
from .support import POLAND

pytestmark = pytest.mark.asyncio


async def test_mentioning_the_bot_and_a_friend_gets_the_answer_to_the_question(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(
            f"<@{world.bot_id}> {POLAND}", user=world.member_id, channel_id=world.text_channel_id
        )
        plain = await discord_double.wait_for_message(world.text_channel_id)
        await discord_double.user_message(
            f"<@{world.bot_id}> <@!112233445566778899> <@&998877665544332211> {POLAND} <:flag_pl:123456789>",
            user=world.member_id,
            channel_id=world.text_channel_id,
        )
        with_friend = await discord_double.wait_for_message(world.text_channel_id)

    assert with_friend.embeds == plain.embeds
    assert with_friend.embeds[0]["title"] == f"“{POLAND}”"
    assert with_friend.mentions == []
