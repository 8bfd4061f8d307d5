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
    """What to send: an embed (as a dict, see render.py) or a line of text, and the buttons under
    it, if any."""

    embed: dict | None
    view: discord.ui.View | None = None
    content: str | None = None

    @property
    def discord_embed(self) -> discord.Embed | None:
        return discord.Embed.from_dict(self.embed) if self.embed is not None else None

    def message(self) -> dict:
        """The keyword arguments of a send or an edit that shows this reply (and only it: an edit
        removes what the message showed before)."""
        return {
            "content": self.content,
            "embed": self.discord_embed,
            "view": self.view,
            "allowed_mentions": NO_PINGS,
        }


async def defer(
    interaction: discord.Interaction, *, ephemeral: bool = False, new_message: bool = False
) -> None:
    """Defer: "thinking…" for a command (private if ``ephemeral``), a silent update for a button,
    or "thinking…" for a button whose answer is a new message (``new_message``)."""
    thinking = new_message or interaction.type is discord.InteractionType.application_command
    await interaction.response.defer(thinking=thinking, ephemeral=ephemeral)
    interaction.extras[_PRIVATE_DEFERRAL] = ephemeral


def deferred_privately(interaction: discord.Interaction) -> bool:
    """True if ``defer`` made this interaction's "thinking…" message private."""
    return bool(interaction.extras.get(_PRIVATE_DEFERRAL))


async def within_deadline(
    interaction: discord.Interaction,
    work: Awaitable[T],
    *,
    defer_after: float = DEFER_AFTER,
    ephemeral: bool = False,
    new_message: bool = False,
) -> T:
    """The result of ``work``; the interaction is deferred if the work outlasts ``defer_after``.

    A command is deferred as "thinking…" (the answer then replaces it; private if ``ephemeral``);
    a button press as a deferred update (the answer then replaces the message the button is on),
    or, with ``new_message``, as "thinking…" that the answer replaces.
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=defer_after)
        if not done and not interaction.response.is_done():
            await defer(interaction, ephemeral=ephemeral, new_message=new_message)
        return await task
    finally:
        if not task.done():
            task.cancel()


async def deliver(
    interaction: discord.Interaction, reply: Reply, *, ephemeral: bool = False, new_message: bool = False
) -> None:
    """Send ``reply`` as the interaction's response, whether or not it was deferred.

    For a button press the reply replaces the message the button is on, unless ``new_message``
    (then it is a message of its own, private if ``ephemeral``); for a command it is a new message.
    """
    if interaction.response.is_done():
        await interaction.edit_original_response(**reply.message())
    elif interaction.type is discord.InteractionType.component and not new_message:
        await interaction.response.edit_message(**reply.message())
    else:
        fields = {k: v for k, v in reply.message().items() if v is not None}
        await interaction.response.send_message(**fields, ephemeral=ephemeral)
