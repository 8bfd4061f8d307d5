"""/sources: the indexed articles, a page at a time."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from .. import render
from ..errors import report_error
from ..replies import NO_PINGS, Reply, deliver, within_deadline

if TYPE_CHECKING:
    from ..app import Byline


class PageTurner(discord.ui.View):
    """Previous/Next buttons over pre-rendered embeds.

    Only the person who ran the command may turn the pages (others are told so, privately). After
    ``timeout`` seconds without a press the buttons are removed from the message, so nobody is
    left with buttons that no longer answer.
    """

    def __init__(self, owner_id: int, pages: list[dict], *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.pages = pages
        self.index = 0
        self.interaction: discord.Interaction | None = None  # the command's, to edit on timeout
        self._refresh()

    def _refresh(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran /sources can turn these pages; run /sources yourself.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )
        return False

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._refresh()
        await interaction.response.edit_message(
            embed=discord.Embed.from_dict(self.pages[self.index]), view=self, allowed_mentions=NO_PINGS
        )

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        if self.interaction is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.interaction.edit_original_response(view=None)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)


class Sources(commands.Cog):
    """/sources."""

    def __init__(self, bot: Byline) -> None:
        self.bot = bot

    @app_commands.command()
    async def sources(self, interaction: discord.Interaction) -> None:
        """List the articles Byline answers from."""
        self.bot.ensure_ready()
        summaries = await within_deadline(
            interaction, self.bot.library.articles(), defer_after=self.bot.defer_after
        )
        pages = render.sources_pages(summaries)
        if len(pages) == 1:
            await deliver(interaction, Reply(pages[0]))
            return
        view = PageTurner(interaction.user.id, pages, timeout=self.bot.page_timeout)
        await deliver(interaction, Reply(pages[0], view))
        view.interaction = interaction
