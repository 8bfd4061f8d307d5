"""/sources: the indexed articles, a page at a time."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from index import ARTICLE_CHOICE_MAX, article_choice_name, articles_titled

from .. import render_sources
from ..paging import BACK, OwnedPage, Turn, view_of
from ..protocols import BylineBot, bot_of, byline_of
from ..render import CHOICES_MAX
from ..replies import Reply, deliver, within_deadline

SOURCES_PREFIX = "byline:sources"
NEXT = Turn("Next", discord.ButtonStyle.primary)


class SourcesPage(
    OwnedPage,
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"{SOURCES_PREFIX}:(?P<owner>[0-9]{{1,20}}):(?P<page>[0-9]{{1,9}})",
):
    """A "Previous" or "Next" button under /sources: ``byline:sources:<owner id>:<page to show>``.

    Its state is all in its custom_id, so it keeps working after the bot restarts, and nothing is
    kept per message. Only the person who ran /sources may turn the pages; the page is rendered
    when asked for, from the articles indexed then.
    """

    notice = "Only the person who ran /sources can turn these pages; run /sources yourself."

    def __init__(self, owner_id: int, page: int, *, label: str, style: discord.ButtonStyle) -> None:
        self.owner_id = owner_id
        self.page = page
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"{SOURCES_PREFIX}:{owner_id}:{page}")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SourcesPage:
        turn = Turn.shown_by(item)
        return cls(int(match["owner"]), int(match["page"]), label=turn.label, style=turn.style)

    async def turn(self, interaction: discord.Interaction) -> None:
        await show_sources(bot_of(interaction), interaction, self.page)


async def sources_page(bot: BylineBot, owner_id: int, page: int) -> Reply:
    """Page ``page`` (from 0; the last one if the list has shrunk since) with its buttons."""
    library = bot.opened_library()
    total = await library.article_count()
    pages = render_sources.sources_page_count(total)
    page = min(page, pages - 1)
    per_page = render_sources.SOURCES_PER_PAGE
    summaries = await library.articles(page * per_page, per_page)

    def button(to: int, turn: Turn) -> SourcesPage:
        return SourcesPage(owner_id, to, label=turn.label, style=turn.style)

    view = view_of(
        button(page - 1, BACK) if page else None, button(page + 1, NEXT) if page < pages - 1 else None
    )
    return Reply(render_sources.sources_page(summaries, page, total), view)


async def show_sources(bot: BylineBot, interaction: discord.Interaction, page: int) -> None:
    """Answer ``interaction`` (the command, or a press of its buttons) with one page of articles."""
    bot.ensure_ready()
    reply = await within_deadline(
        interaction, sources_page(bot, interaction.user.id, page), defer_after=bot.defer_after
    )
    await deliver(interaction, reply)


class Sources(commands.Cog):
    """/sources."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.describe(title="Only the articles whose title contains this")
    async def sources(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, ARTICLE_CHOICE_MAX] | None = None,
    ) -> None:
        """List the articles Byline answers from."""
        if title is None:
            await show_sources(self.bot, interaction, 0)
            return
        self.bot.ensure_ready()
        matches = within_deadline(
            interaction,
            articles_titled(self.bot.settings.database, title, render_sources.SOURCES_PER_PAGE + 1),
            defer_after=self.bot.defer_after,
        )
        await deliver(interaction, Reply(render_sources.sources_matching(await matches, title)))

    @sources.autocomplete("title")
    async def _titles(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """Titles containing what has been typed so far (any case), in the order /sources lists them."""
        matches = await articles_titled(self.bot.settings.database, current, CHOICES_MAX)
        names = dict.fromkeys(article_choice_name(summary) for summary in matches)
        return [app_commands.Choice(name=name, value=name) for name in names]


async def setup(bot: commands.Bot) -> None:
    """Loaded as an extension by bot/app.py: the cog, and its page buttons (they outlive any
    message, so the bot must know them before the first press)."""
    await bot.add_cog(Sources(byline_of(bot)))
    bot.add_dynamic_items(SourcesPage)


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(SourcesPage)
