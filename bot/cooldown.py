"""One per-user cooldown for every way of asking: /ask, direct messages and mentions.

A single ``commands.CooldownMapping`` keyed by user id, so that switching from /ask to DMs to
mentions does not reset anyone's allowance, while other users are not affected at all. The "more
results" button is not counted: it pages through an answer already given.
"""

from __future__ import annotations

import time

import discord
from discord import app_commands
from discord.ext import commands

QUESTIONS_PER_WINDOW = 4
WINDOW_SECONDS = 20.0


class QuestionCooldown:
    """A token bucket per user: ``rate`` questions per ``per`` seconds."""

    def __init__(self, rate: int = QUESTIONS_PER_WINDOW, per: float = WINDOW_SECONDS) -> None:
        self._mapping: commands.CooldownMapping[int] = commands.CooldownMapping.from_cooldown(
            rate, per, lambda user_id: user_id
        )
        self.per = per
        self._told: dict[tuple[int, str], float] = {}  # (user id, notice) -> until when it is not repeated

    def check(self, user: discord.abc.Snowflake) -> None:
        """Count one question; raise ``app_commands.CommandOnCooldown`` if the user must wait."""
        bucket = self._mapping.get_bucket(user.id)
        retry_after = bucket.update_rate_limit() if bucket is not None else None
        if retry_after:
            assert bucket is not None
            raise app_commands.CommandOnCooldown(bucket, retry_after)

    def first_notice(self, user: discord.abc.Snowflake, about: str, seconds: float) -> bool:
        """True the first time within ``seconds`` that ``user`` is to be told ``about`` something.

        Slash commands must always be answered; messages need not be, and answering every one of
        a flood ("slow down", "I need Embed Links here") would be a flood of our own: each notice
        is sent once, then not again until its time is up.
        """
        now = time.monotonic()
        if len(self._told) > 1024:
            self._told = {key: until for key, until in self._told.items() if until > now}
        key = (user.id, about)
        first = self._told.get(key, 0.0) <= now
        if first:
            self._told[key] = now + seconds
        return first
