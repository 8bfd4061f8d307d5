"""Where the bot answers: with BYLINE_GUILD_ID set, in that server and in direct messages only.

Two checks, one per way a question comes in, instead of an override of ``Bot.dispatch``: slash
commands pass the command tree's ``interaction_check`` (``BylineTree`` in bot/wiring.py calls
``refuse_elsewhere``); messages pass ``home_guild_only`` on the listener that reads them. A
question asked elsewhere (a mention of the bot) is told so, once an hour per person. There are
no text commands (``Byline.on_message`` runs none), so a ``commands.Bot.check`` would never run.
Buttons are not gated (they never were): they sit under answers the bot gave where it answers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

import discord

from .channels import posting_in
from .errors import NotAllowed
from .protocols import BylineBot, bot_of
from .replies import NO_PINGS

log = logging.getLogger("byline.bot")

ELSEWHERE = "I only answer in my home server and in direct messages."
NOTICE_SECONDS = 3600  # how long before a person asking elsewhere is told again


class HasBot(Protocol):
    """A cog: it knows the bot it belongs to."""

    bot: BylineBot


_Cog = TypeVar("_Cog", bound=HasBot)
MessageListener = Callable[[_Cog, discord.Message], Coroutine[Any, Any, None]]


def serves(bot: BylineBot, guild_id: int | None) -> bool:
    """True in DMs, and in every guild unless BYLINE_GUILD_ID names another."""
    return guild_id is None or bot.settings.guild_id in (None, guild_id)


def refuse_elsewhere(interaction: discord.Interaction) -> None:
    """Raise ``NotAllowed`` for a command or button used in a server the bot does not serve."""
    bot = bot_of(interaction)
    if not serves(bot, interaction.guild_id):
        log.info(
            "refused a command in guild %s: BYLINE_GUILD_ID is %s",
            interaction.guild_id,
            bot.settings.guild_id,
        )
        raise NotAllowed(ELSEWHERE)


def home_guild_only(listener: MessageListener[_Cog]) -> MessageListener[_Cog]:
    """An ``on_message`` listener that sees only the messages of the servers the bot serves;
    a mention of the bot elsewhere is answered with ``ELSEWHERE`` instead."""

    @functools.wraps(listener)
    async def checked(cog: _Cog, message: discord.Message) -> None:
        if serves(cog.bot, message.guild.id if message.guild else None):
            await listener(cog, message)
            return
        me = cog.bot.user
        if me is not None and not message.author.bot and me in message.mentions:
            await tell_elsewhere(cog.bot, message)

    return checked


async def tell_elsewhere(bot: BylineBot, message: discord.Message) -> None:
    """Say where the bot answers, in the channel of ``message`` (once an hour per person)."""
    assert message.guild is not None
    log.info("asked in guild %s; BYLINE_GUILD_ID is %s", message.guild.id, bot.settings.guild_id)
    where = posting_in(message)
    if not where.send or not bot.cooldown.first_notice(message.author, "elsewhere", NOTICE_SECONDS):
        return
    try:
        await message.channel.send(
            ELSEWHERE,
            reference=message if where.reply else None,  # type: ignore[arg-type]  # None: no reply
            allowed_mentions=NO_PINGS,
        )
    except discord.HTTPException as error:
        log.info("could not say so in channel %s: %s", message.channel.id, error)
