"""/help: what Byline holds, what it does and how to ask."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from ..answer_page import help_reply
from ..protocols import BylineBot, byline_of
from ..replies import deliver, within_deadline


class Help(commands.Cog):
    """/help."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help_(self, interaction: discord.Interaction) -> None:
        """What Byline holds, what it does, and how to ask it."""
        reply = await within_deadline(
            interaction, help_reply(self.bot, in_dm=False), defer_after=self.bot.defer_after, ephemeral=True
        )
        await deliver(interaction, reply, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Loaded as an extension by bot/app.py."""
    await bot.add_cog(Help(byline_of(bot)))
