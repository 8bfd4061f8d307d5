""" "Helpful?" 👍 and 👎 under an answer with passages, and after a 👎 a one-click reason: all
``DynamicItem`` buttons, so they work after a restart.

A vote button's custom_id is ``byline:vote:<answer id>:<up|down>``: the answer id (12 characters)
names the record index/feedback/votes.py kept of the answer (when, where, the passage it cited),
and the vote is stored against the answer, one per person (a second press replaces the first).
After a 👎 the voter is asked, privately, what was wrong (``byline:why:<answer id>:<reason>``);
the reason is stored with their vote. Nobody else sees who voted.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from index import REASONS, Answer, Hit, VoteResult

from . import render
from .errors import report_error
from .protocols import BylineBot, bot_of
from .replies import NO_PINGS

log = logging.getLogger("byline.votes")

VOTE_PREFIX = "byline:vote"
REASON_PREFIX = "byline:why"
UP, DOWN = "👍", "👎"
HELPFUL, NOT_HELPFUL = "Helpful", "Not helpful"
_THANKS = {
    VoteResult.NEW: "Thanks for the {emoji}: it helps whoever looks after these articles.",
    VoteResult.CHANGED: "Changed to {emoji}. Thanks!",
    VoteResult.SAME: "Your {emoji} was already counted. Thanks!",
}
WHAT_WAS_WRONG = "Thanks for the 👎. What was wrong with it? (one click, optional)"
REASON_LABELS = {
    "wrong-passage": "Wrong passage",
    "no-answer": "Does not answer",
    "out-of-date": "Out of date",
    "other": "Other",
}
assert set(REASON_LABELS) == set(REASONS)


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
                label=HELPFUL if up else NOT_HELPFUL,
                style=discord.ButtonStyle.secondary,
                custom_id=f"{VOTE_PREFIX}:{answer_id}:{'up' if up else 'down'}",
                row=1,
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
            if self.up:
                await interaction.response.send_message(
                    _THANKS[result].format(emoji=UP), ephemeral=True, allowed_mentions=NO_PINGS
                )
            else:
                await interaction.response.send_message(
                    WHAT_WAS_WRONG,
                    view=reason_view(self.answer_id),
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
        except Exception as error:
            await report_error(interaction, error)


class ReasonButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"{REASON_PREFIX}:(?P<answer>[A-Za-z0-9_-]{{1,40}}):(?P<reason>[a-z-]{{1,20}})",
):
    """What was wrong with an answer the voter gave 👎 (sent to the voter only)."""

    def __init__(self, answer_id: str, reason: str) -> None:
        self.answer_id = answer_id
        self.reason = reason
        super().__init__(
            discord.ui.Button(
                label=REASON_LABELS.get(reason, reason),
                style=discord.ButtonStyle.secondary,
                custom_id=f"{REASON_PREFIX}:{answer_id}:{reason}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReasonButton:
        return cls(match["answer"], match["reason"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        try:
            bot.ensure_ready()
            assert bot.feedback is not None
            await bot.feedback.reason(self.answer_id, interaction.user.id, self.reason)
            label = REASON_LABELS.get(self.reason, self.reason)
            await interaction.response.edit_message(
                content=f"Noted: “{label}”. Thanks!", view=None, allowed_mentions=NO_PINGS
            )
        except Exception as error:
            await report_error(interaction, error)


def reason_view(answer_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for reason in REASONS:
        view.add_item(ReasonButton(answer_id, reason))
    return view


def shown_question(message: discord.Message | None) -> str | None:
    """The question as the answer shows it (its embed's title), for the vote's record."""
    if message is None or not message.embeds or not message.embeds[0].title:
        return None
    return render.unescape_title(message.embeds[0].title)


def record(
    bot: BylineBot, answer: Answer, cited: Hit | None, *, guild_id: int | None, asker_id: int
) -> str | None:
    """Record the answer about to be shown, with the passage it cites (queued: never waits for the
    database); its id, for the vote buttons."""
    if bot.feedback is None:
        return None
    return bot.feedback.record_answer(
        answer,
        [cited] if cited else [],
        guild_id=guild_id,
        user_id=asker_id,
        keep_question=bot.settings.keep_questions,
    )


def vote_buttons(answer_id: str | None) -> list[VoteButton]:
    """The two labelled vote buttons of a recorded answer (none when it was not recorded)."""
    if answer_id is None:
        return []
    return [VoteButton(answer_id, True), VoteButton(answer_id, False)]
