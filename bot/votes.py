"""👍 and 👎 under every answer: ``DynamicItem`` buttons, so they work after a restart.

A button's custom_id is ``byline:vote:<answer id>:<up|down>``: the answer id (12 characters)
names the record index/feedback/votes.py kept of the answer (when, where, which passages), and the
vote is stored against it, one per person (a second press replaces the first). The person is
thanked privately; nobody else sees who voted.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from index import Answer, Hit
from index.feedback.votes import VoteResult

from . import render
from .errors import report_error
from .protocols import BylineBot, bot_of
from .replies import NO_PINGS

log = logging.getLogger("byline.votes")

VOTE_PREFIX = "byline:vote"
UP, DOWN = "👍", "👎"
_THANKS = {
    VoteResult.NEW: "Thanks for the {emoji}: it helps whoever looks after these articles.",
    VoteResult.CHANGED: "Changed to {emoji}. Thanks!",
    VoteResult.SAME: "Your {emoji} was already counted. Thanks!",
}


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"{VOTE_PREFIX}:(?P<answer>[A-Za-z0-9_-]{{1,40}}):(?P<way>up|down)",
):
    """One of the two vote buttons under an answer (anyone who sees the answer may vote)."""

    def __init__(self, answer_id: str, up: bool) -> None:
        self.answer_id = answer_id
        self.up = up
        super().__init__(
            discord.ui.Button(
                emoji=UP if up else DOWN,
                style=discord.ButtonStyle.secondary,
                custom_id=f"{VOTE_PREFIX}:{answer_id}:{'up' if up else 'down'}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["answer"], match["way"] == "up")

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        try:
            bot.ensure_ready()
            assert bot.feedback is not None
            result = await bot.feedback.vote(
                self.answer_id,
                interaction.user.id,
                self.up,
                guild_id=interaction.guild_id,
                # The asker's words, on someone else's vote: kept only when questions are kept.
                question=shown_question(interaction.message) if bot.settings.keep_questions else None,
            )
            emoji = UP if self.up else DOWN
            await interaction.response.send_message(
                _THANKS[result].format(emoji=emoji), ephemeral=True, allowed_mentions=NO_PINGS
            )
        except Exception as error:
            await report_error(interaction, error)


def shown_question(message: discord.Message | None) -> str | None:
    """The question as the answer shows it (its embed's title), for the vote's record."""
    if message is None or not message.embeds or not message.embeds[0].title:
        return None
    return render.unescape_title(message.embeds[0].title)


def vote_buttons(
    bot: BylineBot, answer: Answer, shown: list[Hit], *, guild_id: int | None, asker_id: int
) -> list[VoteButton]:
    """Record the answer about to be shown (queued: never waits for the database) and return its
    two buttons."""
    if bot.feedback is None:
        return []
    answer_id = bot.feedback.record_answer(
        answer, shown, guild_id=guild_id, user_id=asker_id, keep_question=bot.settings.keep_questions
    )
    return [VoteButton(answer_id, True), VoteButton(answer_id, False)]
