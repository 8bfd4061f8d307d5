"""Answering interactions within Discord's 3 seconds, and replies that never ping.

Discord drops an interaction that gets no first response within 3 s ("Unknown interaction"). We
do not always defer: an answer usually takes milliseconds, and an immediate reply is one request
instead of two, shows no "Byline is thinking…" flicker, and keeps the choice of a private
(ephemeral) reply for errors found while answering. Instead ``within_deadline`` starts the work and,
if it is not done after ``DEFER_AFTER`` seconds (1.5 s: well inside the deadline even with a slow
network between us and Discord), defers; ``deliver`` then edits the deferred response. Work that
always takes long (re-indexing) defers straight away.

A command's deferral decides who sees its answer: Discord has no deferral that leaves the choice
open. ``defer`` records which one was made, so that an error found afterwards can still be told
privately (bot/errors.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import discord

T = TypeVar("T")

NO_PINGS = discord.AllowedMentions.none()
DEFER_AFTER = 1.5
_PRIVATE_DEFERRAL = "byline:deferred-privately"


@dataclass
class Reply:
    """What to send: an embed (as a dict, see render.py) and the buttons under it, if any."""

    embed: dict
    view: discord.ui.View | None = None

    @property
    def discord_embed(self) -> discord.Embed:
        return discord.Embed.from_dict(self.embed)


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Defer: "thinking…" for a command (private if ``ephemeral``), a silent update for a button."""
    thinking = interaction.type is discord.InteractionType.application_command
    await interaction.response.defer(thinking=thinking, ephemeral=ephemeral)
    interaction.extras[_PRIVATE_DEFERRAL] = ephemeral


def deferred_privately(interaction: discord.Interaction) -> bool:
    """True if ``defer`` made this interaction's "thinking…" message private."""
    return bool(interaction.extras.get(_PRIVATE_DEFERRAL))


async def within_deadline(
    interaction: discord.Interaction, work: Awaitable[T], *, defer_after: float = DEFER_AFTER
) -> T:
    """The result of ``work``; the interaction is deferred if the work outlasts ``defer_after``.

    A command is deferred as "thinking…" (the answer then replaces it); a button press as a
    deferred update (the answer then replaces the message the button is on).
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=defer_after)
        if not done and not interaction.response.is_done():
            await defer(interaction)
        return await task
    finally:
        if not task.done():
            task.cancel()


async def deliver(interaction: discord.Interaction, reply: Reply, *, ephemeral: bool = False) -> None:
    """Send ``reply`` as the interaction's response, whether or not it was deferred.

    For a button press the reply replaces the message the button is on; for a command it is a
    new message.
    """
    if interaction.response.is_done():
        await interaction.edit_original_response(
            embed=reply.discord_embed, view=reply.view, allowed_mentions=NO_PINGS
        )
    elif interaction.type is discord.InteractionType.component:
        await interaction.response.edit_message(
            embed=reply.discord_embed, view=reply.view, allowed_mentions=NO_PINGS
        )
    else:
        await interaction.response.send_message(
            embed=reply.discord_embed,
            view=reply.view or discord.utils.MISSING,
            ephemeral=ephemeral,
            allowed_mentions=NO_PINGS,
        )
