"""/help: what Byline does and how to ask."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from .. import render_sources
from ..protocols import BylineBot
from ..replies import Reply, deliver


class Help(commands.Cog):
    """/help."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help_(self, interaction: discord.Interaction) -> None:
        """What Byline does, and how to ask it."""
        await deliver(
            interaction,
            Reply(
                render_sources.help_embed(self.bot.settings.top_k, keeping=self.bot.settings.keep_questions)
            ),
            ephemeral=True,
        )
