"""Page buttons (the answers of /ask, the list of /sources): which way they turn, who may press them.

The buttons themselves are ``DynamicItem``s in their cogs: their state is in their custom_id, so
they keep working after a restart, and nothing is kept in memory per message.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from .replies import NO_PINGS


@dataclass(frozen=True)
class Turn:
    """Which way a page button turns: its label and how it looks."""

    label: str
    style: discord.ButtonStyle


BACK = Turn("Previous", discord.ButtonStyle.secondary)


async def only_owner(interaction: discord.Interaction, owner_id: int, notice: str) -> bool:
    """True if the person pressing is ``owner_id``; anyone else is told ``notice``, privately."""
    if interaction.user.id == owner_id:
        return True
    await interaction.response.send_message(notice, ephemeral=True, allowed_mentions=NO_PINGS)
    return False


def view_of(*buttons: discord.ui.Item | None) -> discord.ui.View | None:
    """The buttons that apply (``None`` are left out) in one view; ``None`` when none applies.

    No timeout: the buttons are dynamic items, answered by the bot whenever they are pressed.
    """
    present = [button for button in buttons if button is not None]
    if not present:
        return None
    view = discord.ui.View(timeout=None)
    for button in present:
        view.add_item(button)
    return view
