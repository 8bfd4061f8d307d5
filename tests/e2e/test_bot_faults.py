"""Discord misbehaving, through the double: the real Byline bot keeps answering.

A dropped connection (RESUME) and questions during the first build ("warming up") are in
test_bot_safety.py; here: a session Discord invalidates, and rate limits and server errors on the
very requests that carry answers.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .double import DefaultWorld, DiscordDouble
from .support import POLAND

pytestmark = pytest.mark.asyncio

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
MESSAGES = "/channels/{channel_id}/messages"


async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before every IDENTIFY but the first; Discord does not require it here."""


def without_identify_wait(bot: Any) -> None:
    bot.before_identify_hook = identify_at_once


async def test_after_an_invalid_session_the_bot_identifies_afresh_and_answers(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline(prepare=without_identify_wait):
        await discord_double.invalidate_session()
        await discord_double.wait_until_identified(count=2)
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        assert (await discord_double.wait_for_response(inter)).embeds[0]["title"] == f"“{POLAND}”"
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        assert (await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))).embeds
    assert discord_double.gateway.identify_count == 2 and discord_double.gateway.resume_count == 0


@pytest.mark.parametrize("status", [429, 500])
async def test_an_answer_refused_once_still_lands_within_the_deadline(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, status: int
) -> None:
    """discord.py waits out a 429's retry-after, and waits 1 s after a 500, then sends again."""
    async with start_byline():
        fault = discord_double.inject_fault("POST", CALLBACK, status=status, retry_after=0.3)
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)
    assert fault.hits == 1
    assert [r.status for r in discord_double.requests_to("POST", CALLBACK)] == [status, 200]
    assert reply.embeds[0]["title"] == f"“{POLAND}”"
    assert inter.time_to_first_response is not None and inter.time_to_first_response < 3


@pytest.mark.parametrize("status", [429, 500])
async def test_a_reply_to_a_message_refused_once_still_lands(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, status: int
) -> None:
    dm = discord_double.dm_channel_id(world.member_id)
    async with start_byline():
        fault = discord_double.inject_fault("POST", MESSAGES, status=status, retry_after=0.3)
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(dm)
    assert fault.hits == 1 and reply.embeds[0]["title"] == f"“{POLAND}”"
    assert [r.status for r in discord_double.requests_to("POST", MESSAGES)] == [status, 200]
    assert len(discord_double.channel_messages(dm)) == 1  # once, not twice


async def test_a_reply_discord_keeps_refusing_is_logged_and_the_bot_goes_on(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal discord.py does not retry (403): logged, nothing crashes, the next question is answered."""
    dm = discord_double.dm_channel_id(world.member_id)

    def told_in_the_log() -> bool:
        return any("may not answer in channel" in r.getMessage() for r in caplog.records)

    with caplog.at_level(logging.INFO, logger="byline"):
        async with start_byline():
            discord_double.inject_fault("POST", MESSAGES, status=403)
            await discord_double.user_message(POLAND, user=world.member_id, dm=True)
            await discord_double.wait_until(told_in_the_log, what="the refusal in the log")
            await discord_double.user_message(POLAND, user=world.member_id, dm=True)
            answer = await discord_double.wait_for_message(dm)
    assert answer.embeds and discord_double.channel_messages(dm) == [answer]
    assert [r.status for r in discord_double.requests_to("POST", MESSAGES)] == [403, 200]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
