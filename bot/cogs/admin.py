"""/reindex: re-read the articles folder (the owner and listed operators only, by default)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .. import render_admin
from ..access import may_reindex, refusal
from ..errors import NotAllowed
from ..protocols import BylineBot, bot_of, byline_of
from ..replies import Reply, defer, deliver

log = logging.getLogger("byline.admin")


def operator_only(action: str) -> Callable[[discord.Interaction], Coroutine[Any, Any, bool]]:
    """An app-command check that lets through whoever may re-index (see bot/access.py), checked
    when the command runs, whatever Discord showed the user; anyone else is told who may ``action``."""

    async def check(interaction: discord.Interaction) -> bool:
        bot = bot_of(interaction)
        in_guild = interaction.guild_id is not None
        administrator = in_guild and interaction.permissions.administrator
        guild_admins = bot.settings.guild_admins_may_reindex
        if may_reindex(
            interaction.user.id,
            owner=await bot.is_owner(interaction.user),
            in_guild=in_guild,
            administrator=administrator,
            admin_ids=bot.settings.admin_ids,
            guild_admins=guild_admins,
        ):
            return True
        raise NotAllowed(refusal(in_guild=in_guild, guild_admins=guild_admins, action=action))

    return check


class Admin(commands.Cog):
    """/reindex."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.default_permissions(administrator=True)
    @app_commands.check(operator_only("re-index"))
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Re-read the articles folder: new, changed and removed files (administrators only)."""
        # Re-indexing can take a while: defer at once, privately (the report names server files).
        await defer(interaction, ephemeral=True)
        report = await self.bot.opened_library().reindex()  # IndexBusyError if one is running already
        log.info(
            "re-index by user %s: %d added, %d updated, %d removed, %d skipped",
            interaction.user.id,
            report.added,
            report.updated,
            report.removed,
            len(report.skipped),
        )
        await deliver(interaction, Reply(render_admin.reindex_embed(report)))


async def setup(bot: commands.Bot) -> None:
    """Loaded as an extension by bot/app.py."""
    await bot.add_cog(Admin(byline_of(bot)))
