"""Questions by direct message and by mention, answered by the real Byline bot through discord.py."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .double import DefaultWorld, DiscordDouble
from .double.models import P_SEND_MESSAGES_IN_THREADS
from .support import POLAND, answered_after, buttons, paragraphs

pytestmark = pytest.mark.asyncio


def mention(world: DefaultWorld, text: str = POLAND) -> str:
    return f"<@{world.bot_id}> {text}"


def refusals(double: DiscordDouble) -> list[str]:
    """Every request Discord refused (4xx/5xx), as "METHOD path status"."""
    return [f"{r.method} {r.path} {r.status}" for r in double.requests if r.status >= 400]


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
        # Discord echoes the bot's own reply back as a DM event: it must not be taken for a question.
        again = await discord_double.user_message("who leads NATO?", user=world.member_id, dm=True)
        second = await discord_double.wait_for_message(dm)

    assert reply.embeds == by_command.embeds
    assert reply.message_reference is not None and int(reply.message_reference["message_id"]) == asked.id
    assert list(buttons(reply)) == ["More results", "Whole passages"]
    assert int(second.message_reference["message_id"]) == again.id  # type: ignore[index]
    assert [m.id for m in discord_double.channel_messages(dm)] == [by_command.id, reply.id, second.id]
    assert discord_double.requests_to("POST", "/channels/{id}/typing")


async def test_more_results_works_under_a_dm_answer(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        reply = await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))
        first = paragraphs(reply.embeds[0])
        click = await discord_double.button_click(buttons(reply)["More results"], reply, user=world.member_id)
        await discord_double.wait_for_ack(click)
    assert click.callback_type == 7  # in a DM nobody else reads: the page turns in place
    assert paragraphs(reply.embeds[0]) and not set(paragraphs(reply.embeds[0])) & set(first)
    assert list(buttons(reply)) == ["Previous", "More results", "Whole passages"]


async def test_a_mention_in_a_channel_is_a_question_answered_as_a_reply(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        asked = await discord_double.user_message(
            mention(world), user=world.member_id, channel_id=world.text_channel_id
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
        answer = await answered_after(discord_double, world)
    assert discord_double.channel_messages(world.text_channel_id) == [answer]


async def test_other_bots_are_ignored(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(
            mention(world), user=world.other_bot_id, channel_id=world.text_channel_id
        )
        answer = await answered_after(discord_double, world)
    assert discord_double.channel_messages(world.text_channel_id) == [answer]


@pytest.mark.parametrize(
    "where",
    ["readonly_channel_id", "closed_thread_id"],
    ids=["channel-without-send-messages", "thread-without-send-messages-in-threads"],
)
async def test_a_mention_where_the_bot_may_not_post_gets_no_reply_and_no_error(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, where: str
) -> None:
    """In the thread the parent channel lets the bot send messages, which says nothing of threads."""
    channel_id = getattr(world, where)
    async with start_byline():
        await discord_double.user_message(mention(world), user=world.member_id, channel_id=channel_id)
        await answered_after(discord_double, world)
    assert discord_double.channel_messages(channel_id) == []
    assert refusals(discord_double) == []


async def test_a_bare_mention_gets_a_hint_on_how_to_ask(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await discord_double.user_message(
            f"<@{world.bot_id}>", user=world.member_id, channel_id=world.text_channel_id
        )
        reply = await discord_double.wait_for_message(world.text_channel_id)
    assert reply.content.startswith("Ask a question, for example")


# ---- threads and channel permissions ------------------------------------------------------------


async def test_a_mention_in_a_thread_is_answered_in_the_thread(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        asked = await discord_double.user_message(
            mention(world), user=world.member_id, channel_id=world.thread_id
        )
        reply = await discord_double.wait_for_message(world.thread_id)
    assert int(reply.message_reference["message_id"]) == asked.id  # type: ignore[index]
    assert reply.embeds[0]["title"] == f"“{POLAND}”"


async def test_a_thread_whose_parent_is_not_cached_is_answered_all_the_same(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        assert bot.get_channel(world.orphan_thread_id).parent is None
        asked = await discord_double.user_message(
            mention(world), user=world.member_id, channel_id=world.orphan_thread_id
        )
        reply = await discord_double.wait_for_message(world.orphan_thread_id)
    assert int(reply.message_reference["message_id"]) == asked.id  # type: ignore[index]
    assert reply.embeds


async def test_where_discord_refuses_in_such_a_thread_it_is_logged_and_nothing_else_is_sent(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    for role in discord_double.guilds[world.guild_id].roles:  # no one may post in threads
        role.permissions &= ~P_SEND_MESSAGES_IN_THREADS

    def told_in_the_log() -> bool:
        return any("may not answer in channel" in r.getMessage() for r in caplog.records)

    with caplog.at_level(logging.INFO, logger="byline"):
        async with start_byline():
            await discord_double.user_message(
                mention(world), user=world.member_id, channel_id=world.orphan_thread_id
            )
            await discord_double.wait_until(told_in_the_log, what="the refusal in the log")
    assert discord_double.channel_messages(world.orphan_thread_id) == []
    assert refusals(discord_double) == [f"POST /channels/{world.orphan_thread_id}/messages 403"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_without_read_message_history_the_answer_is_a_plain_message(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    """Discord refuses a reply without Read Message History; the answer still lands."""
    async with start_byline():
        await discord_double.user_message(
            mention(world), user=world.member_id, channel_id=world.no_history_channel_id
        )
        answer = await discord_double.wait_for_message(world.no_history_channel_id)
    assert answer.message_reference is None and answer.embeds[0]["title"] == f"“{POLAND}”"
    assert refusals(discord_double) == []


async def test_without_embed_links_the_asker_is_told_once_and_keeps_their_questions(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline(question_rate=(1, 60.0)):
        for _ in range(3):
            await discord_double.user_message(
                mention(world), user=world.member_id, channel_id=world.no_embeds_channel_id
            )
        notice = await discord_double.wait_for_message(world.no_embeds_channel_id)
        # The refused mentions did not use up the one question the member may ask.
        asked = await discord_double.user_message(
            mention(world), user=world.member_id, channel_id=world.text_channel_id
        )
        answer = await discord_double.wait_for_message(world.text_channel_id)
    assert notice.content == "I need the Embed Links permission in this channel to show answers."
    assert discord_double.channel_messages(world.no_embeds_channel_id) == [notice]  # once, not thrice
    assert int(answer.message_reference["message_id"]) == asked.id and answer.embeds  # type: ignore[index]
