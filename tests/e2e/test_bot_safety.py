"""Manners and safety of the real Byline bot: no pings, cooldown, errors, secrets, warm-up, reconnects.

Every session also passes ``assert_manners`` (conftest.py): each interaction answered within 3 s,
and allowed_mentions ``parse: []`` on every message the bot sent.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.logs import REDACTED, RedactingFormatter
from bot.replies import within_deadline
from index import QuestionError

from .conftest import REPO, bot_requests_with_messages
from .double import DefaultWorld, DiscordDouble, MessageRecord
from .support import POLAND, answered_after

pytestmark = pytest.mark.asyncio

NASTY = (
    f"@everyone @here <@{DefaultWorld.admin_id}> **{POLAND}** ||spoiler|| [link](https://evil.example) `x`"
)


def add_slow_command(bot: Any) -> None:
    """/slow (test only): answered later than it is deferred, then refused with our own error."""

    async def slow_then_refused() -> None:
        await asyncio.sleep(0.05)
        raise QuestionError("That question cannot be answered (test).")

    @bot.tree.command(name="slow", description="Slow, then refused (test only)")
    async def slow(interaction: discord.Interaction) -> None:
        await within_deadline(interaction, slow_then_refused(), defer_after=0.01)


async def test_echoing_everyone_and_mentions_pings_nobody_and_breaks_no_markup(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        slash = await discord_double.slash_command("ask", {"question": NASTY}, user=world.member_id)
        by_slash = await discord_double.wait_for_response(slash)
        await discord_double.user_message(NASTY, user=world.member_id, dm=True)
        by_dm = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
        await discord_double.user_message(
            f"<@{world.bot_id}> {NASTY}", user=world.member_id, channel_id=world.text_channel_id
        )
        by_mention = await discord_double.wait_for_message(world.text_channel_id)

    for reply in (by_slash, by_dm, by_mention):
        assert reply.mentions == [] and not reply.mention_everyone
        title = reply.embeds[0]["title"]
        assert "@\u200beveryone @\u200bhere" in title
        assert str(world.admin_id) not in title  # a mention is not a word of the question: left out
        assert "\\*\\*what is Poland's spending?\\*\\*" in title
        assert (
            "\\|\\|spoiler\\|\\|" in title
            and "\\[link](https://evil.example)" in title
            and "\\`x\\`" in title
        )
    requests = bot_requests_with_messages(discord_double)
    assert requests  # and every one of them said parse: [] (assert_manners)


async def test_every_kind_of_message_the_bot_sends_is_checked_for_pings(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    """assert_manners checks allowed_mentions on what bot_requests_with_messages finds: that must
    be every way the bot sends or changes a message, edits and follow-ups included."""

    async with start_byline(prepare=add_slow_command):
        help_ = await discord_double.slash_command("help")
        await discord_double.wait_for_response(help_)  # a response
        answer = await discord_double.wait_for_response(
            await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        )
        more = answer.components[0]["components"][0]["custom_id"]
        page = await discord_double.wait_for_response(  # a private page: a response of its own
            await discord_double.button_click(more, answer, user=world.member_id)
        )
        on = page.components[0]["components"][1]["custom_id"]  # Previous, More results
        await discord_double.wait_for_ack(  # an update of the message
            await discord_double.button_click(on, page, user=world.member_id)
        )
        slow = await discord_double.slash_command("slow", user=world.member_id)
        await discord_double.wait_until(lambda: slow.followup_ids or None)  # a follow-up
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)  # a channel message
        await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
    async with start_byline(defer_after=0):
        deferred = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        await discord_double.wait_for_response(deferred)  # an edit of the deferred response

    checked = {
        (r.method, r.route, (r.json.get("type") if "/callback" in r.path else None))
        for r in bot_requests_with_messages(discord_double)
    }
    assert checked >= {
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", 4),
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", 7),
        ("POST", "/webhooks/{webhook_id}/{webhook_token}", None),
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", None),
        ("POST", "/channels/{channel_id}/messages", None),
    }


async def test_one_cooldown_for_slash_dm_and_mention_that_other_users_do_not_feel(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    dm = discord_double.dm_channel_id(world.member_id)
    async with start_byline(question_rate=(2, 60.0)):
        first = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        assert (await discord_double.wait_for_response(first)).embeds
        assert await discord_double.wait_for_message(world.text_channel_id)  # that answer, in #general
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        assert (await discord_double.wait_for_message(dm)).embeds

        # Third question, by mention: the same bucket is empty.
        await discord_double.user_message(
            f"<@{world.bot_id}> {POLAND}", user=world.member_id, channel_id=world.text_channel_id
        )
        slow_down = await discord_double.wait_for_message(world.text_channel_id)
        assert re.fullmatch(
            r"You're asking faster than I can keep up\. Try again in \d+ s\.", slow_down.content
        )
        # A flood of messages gets that answer once, not once per message.
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        # A slash command must be answered: privately.
        again = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        refused = await discord_double.wait_for_response(again)
        assert refused.ephemeral and refused.content.startswith("You're asking faster")

        other = await discord_double.slash_command("ask", {"question": POLAND}, user=world.admin_id)
        assert (await discord_double.wait_for_response(other)).embeds  # other users are not slowed
        # Paging an answer already given is not a new question.
        page = await discord_double.button_click(
            first_reply_button(discord_double, first.original_message_id),
            first.original_message_id,
            user=world.member_id,
        )
        await discord_double.wait_for_ack(page)
        await answered_after(discord_double, world, dm=True)  # by then the DM above was decided
    assert len(discord_double.channel_messages(dm)) == 1


def first_reply_button(double: DiscordDouble, message_id: int | None) -> str:
    assert message_id is not None
    return double.messages[message_id].components[0]["components"][0]["custom_id"]


SLOW_DOWN = re.compile(r"You're asking faster than I can keep up\. Try again in \d+ s\.")


async def test_a_flood_from_one_user_by_every_way_at_once_gets_four_answers_and_one_notice(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    """30 questions at once, alternating /ask, DM and mention, under the real limit (4 per 20 s)."""
    dm = discord_double.dm_channel_id(world.member_id)
    general = world.text_channel_id
    async with start_byline(question_rate=None):
        flood = []
        for _ in range(10):  # nothing awaited between them but their delivery to the bot
            flood.append(
                await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
            )
            await discord_double.user_message(POLAND, user=world.member_id, dm=True)
            await discord_double.user_message(
                f"<@{world.bot_id}> {POLAND}", user=world.member_id, channel_id=general
            )
        other = await discord_double.slash_command("ask", {"question": POLAND}, user=world.admin_id)
        assert (await discord_double.wait_for_response(other)).embeds  # another user, during the flood
        slash = [await discord_double.wait_for_response(inter) for inter in flood]

        def to_the_flood() -> list[MessageRecord]:
            """The bot's replies to the member's DMs and mentions."""
            sent = discord_double.channel_messages(dm) + discord_double.channel_messages(general)
            return [m for m in sent if m.via == "channel" and asked_by(m) == world.member_id]

        def asked_by(reply: MessageRecord) -> int | None:
            question = discord_double.messages.get(int((reply.message_reference or {}).get("message_id", 0)))
            return question.author.id if question else None

        answers = sum(1 for m in slash if m.embeds)
        await discord_double.wait_until(
            lambda: answers + sum(1 for m in to_the_flood() if m.embeds) == 4 or None, what="four answers"
        )
        await answered_after(discord_double, world)  # by then every message of the flood was decided
        replies = to_the_flood()
    notices = [m for m in replies if not m.embeds]
    refused = [m for m in slash if not m.embeds]
    assert answers + sum(1 for m in replies if m.embeds) == 4  # the limit, whichever way they came
    assert len(notices) == 1 and SLOW_DOWN.fullmatch(notices[0].content)  # one, not one per message
    assert len(refused) == 10 - answers  # each refused /ask is told, privately (Discord needs an answer)
    assert all(m.ephemeral and SLOW_DOWN.fullmatch(m.content) for m in refused)


async def test_an_unexpected_error_is_logged_with_an_id_the_user_is_shown(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def add_broken_command(bot: Any) -> None:
        @bot.tree.command(name="broken", description="Fails (test only)")
        async def broken(interaction: discord.Interaction) -> None:
            raise RuntimeError("disk on fire")

    with caplog.at_level(logging.INFO, logger="byline"):
        async with start_byline(prepare=add_broken_command):
            inter = await discord_double.slash_command("broken", user=world.member_id)
            reply = await discord_double.wait_for_response(inter)

    assert reply.ephemeral
    match = re.fullmatch(
        r"Something went wrong on my side \(error `([0-9a-f]{8})`\)\. "
        r"It has been logged; please try again later\.",
        reply.content,
    )
    assert match, reply.content
    [record] = [r for r in caplog.records if r.name == "byline.errors" and r.levelno == logging.ERROR]
    assert match[1] in record.getMessage() and "broken" in record.getMessage()
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
    assert "disk on fire" not in reply.content


async def test_an_error_after_a_public_deferral_is_told_privately(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline(prepare=add_slow_command):
        inter = await discord_double.slash_command("slow", user=world.member_id)
        await discord_double.wait_until(lambda: inter.followup_ids or None, what="the follow-up")
    assert inter.callback_type == 5  # deferred: a public "thinking…" message
    thinking = discord_double.messages[inter.original_message_id]  # type: ignore[index]
    assert thinking.deleted and not thinking.ephemeral
    [followup] = [discord_double.messages[i] for i in inter.followup_ids]
    assert followup.ephemeral and followup.content == "That question cannot be answered (test)."
    shown = [m for m in discord_double.channel_messages(world.text_channel_id) if not m.deleted]
    assert shown == [followup]  # nobody else sees the error


async def test_an_error_after_a_private_deferral_replaces_the_thinking_message(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    shutil.rmtree(byline_seeds)
    async with start_byline():
        inter = await discord_double.slash_command("reindex", user=world.admin_id)
        reply = await discord_double.wait_for_response(inter)
    assert inter.callback_type == 5 and reply.ephemeral and inter.followup_ids == []
    assert reply.content.startswith(f"The seeds folder {byline_seeds} does not exist")


async def test_no_token_in_logs_even_at_debug_nor_in_replies(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter(secrets=[discord_double.token]))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        async with start_byline():
            inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
            await discord_double.wait_for_response(inter)
            await discord_double.user_message(POLAND, user=world.member_id, dm=True)
            await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)

    logged = out.getvalue()
    assert "INTERACTION_CREATE" in logged and f"/interactions/{inter.id}/{REDACTED}/callback" in logged
    assert discord_double.token not in logged
    for interaction in discord_double.interactions.values():
        assert interaction.token not in logged
    sent = repr([(m.content, m.embeds, m.components) for m in discord_double.messages.values()])
    assert discord_double.token not in sent


async def test_questions_during_the_first_build_are_told_to_wait_and_reindex_is_busy(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    page = REPO / "seeds" / "000_b51a04dbdb0fcd70.txt"
    for n in range(60):  # enough articles that the first build outlasts connecting to Discord
        shutil.copy(page, byline_seeds / f"copy{n:02}.txt")
    async with start_byline(indexed=False) as bot:
        assert bot.warming_up
        ask = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        waiting = await discord_double.wait_for_response(ask)
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        dm_waiting = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
        reindex = await discord_double.slash_command("reindex", user=world.admin_id)
        busy = await discord_double.wait_for_response(reindex)
        assert bot.warming_up, "the first build finished too soon for this test to mean anything"

        await bot.wait_until_indexed()
        answered = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        answer = await discord_double.wait_for_response(answered)

    warming = "I'm warming up: the articles are still being indexed. Try again in a moment."
    assert waiting.ephemeral and waiting.content == warming
    assert dm_waiting.content == warming
    assert busy.ephemeral and busy.content == "A re-index is already running; try again when it has finished."
    assert re.match(r"\*\*.+\*\*\n— ", answer.embeds[0]["description"])  # the answer line, cited


async def test_after_a_dropped_gateway_connection_the_bot_resumes_and_still_answers(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.drop_gateway()
        missed = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        await discord_double.wait_until_resumed()
        assert (await discord_double.wait_for_response(missed)).embeds[0]["title"] == f"“{POLAND}”"

        fresh = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        assert (await discord_double.wait_for_response(fresh)).embeds
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        assert (await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))).embeds
    assert discord_double.gateway.identify_count == 1 and discord_double.gateway.resume_count == 1
