"""What the cogs and the buttons use of the bot, as a type: ``BylineBot``.

bot/app.py loads the cogs as extensions; the cogs, the page buttons and the vote buttons need
only this type, not that module, so imports go one way (app -> cogs -> protocols) and a cog can
be read, and type-checked, without the bot's start-up and shutdown. Each cog's ``setup`` checks
the bot it is given with ``byline_of``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import discord

from index import Feedback, Library

from .cooldown import QuestionCooldown
from .paging import QuestionCache
from .settings import Settings


@runtime_checkable
class BylineBot(Protocol):
    """The bot as the cogs see it."""

    settings: Settings
    defer_after: float  # see bot/replies.py
    cooldown: QuestionCooldown  # shared by /ask, DMs and mentions
    questions: QuestionCache  # long questions of the "More results" buttons

    @property
    def feedback(self) -> Feedback | None:
        """None until the bot has opened the database."""
        ...

    @property
    def user(self) -> discord.ClientUser | None: ...

    async def is_owner(self, user: discord.abc.User, /) -> bool: ...

    def ensure_ready(self) -> Library:
        """Before any question: the library, or ``WarmingUp`` / ``ShuttingDown``; the calling task
        is then in flight, and a stop waits for it."""
        ...

    def opened_library(self) -> Library:
        """The library once opened (its first index may still be building)."""
        ...

    def check_question(self, user: discord.abc.Snowflake) -> None:
        """``ensure_ready``, and the user within the question cooldown."""
        ...


def byline_of(client: object) -> BylineBot:
    """``client`` as the cogs see it: discord.py types the bot an extension's ``setup`` gets, and
    ``interaction.client``, as any ``Bot`` or ``Client``."""
    if not isinstance(client, BylineBot):
        raise TypeError(f"{type(client).__name__} is not a Byline bot")
    return client


def bot_of(interaction: discord.Interaction) -> BylineBot:
    """The bot an interaction came to."""
    return byline_of(interaction.client)
