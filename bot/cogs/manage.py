"""/add, /remove and /stats: looking after the articles from Discord (administrators only).

The same rule as /reindex (bot/access.py): Discord shows these commands to administrators only,
and the bot checks again when they run. Replies are private: they name files on the server.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from index import (
    ARTICLE_CHOICE_MAX,
    MAX_FILE_BYTES,
    OUTLET_MAX,
    AdditionError,
    IndexBusyError,
    ReindexReport,
    article_choice_name,
    article_details,
    article_text,
    articles_titled,
    build_feedback_report,
    check_article_apart,
    check_article_suffix,
    remove_added_article,
    roll_back_article,
    save_article,
)

from .. import render_admin
from ..protocols import BylineBot, byline_of
from ..render import CHOICES_MAX
from ..replies import Reply, defer, deliver
from ..settings import REPORT_DAYS
from .admin import operator_only

log = logging.getLogger("byline.manage")
_T = TypeVar("_T")

TITLE_MAX = 200
TEXT_MAX = 6000  # Discord's limit for a string option
# A seeds folder Byline may read but not change: mounted read-only (the container's default),
# owned by another user, or immutable.
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


async def _in_seeds_folder(seeds_dir: Path, change: Callable[[], _T]) -> _T:
    """Run ``change`` (a write to the seeds folder) in a thread; a folder Byline may not write to
    is said in one line, as a refusal, not a bug."""
    try:
        return await asyncio.to_thread(change)
    except OSError as error:
        if error.errno not in _READ_ONLY:
            raise
        why = "read-only" if error.errno == errno.EROFS else "not writable by Byline"
        raise AdditionError(
            f"The seeds folder {seeds_dir} is {why}, so articles cannot be added or removed from "
            "Discord: make it writable for Byline (docs/deploy.md), or change the files on the host."
        ) from None


class Manage(commands.Cog):
    """/add, /remove, /stats."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def seeds_dir(self) -> Path:
        return Path(self.bot.settings.seeds_dir)

    async def _reindex(self, source: str, done: str) -> ReindexReport:
        """Re-index after adding or removing ``source``. Library has no re-index of one file: the
        whole folder is compared (by size and time) and only changed files are read."""
        library = self.bot.ensure_ready()
        try:
            return await library.reindex()
        except IndexBusyError:
            raise IndexBusyError(
                f"{done} {source}, but a re-index is running; run /reindex when it has finished."
            ) from None

    @app_commands.command()
    @app_commands.default_permissions(administrator=True)
    @app_commands.check(operator_only("add articles"))
    @app_commands.describe(
        file="An article file: .md or .txt, at most 20 MB",
        title="The title of an article you type (with text)",
        text="The text of an article you type (with title); blank lines separate paragraphs",
        replace="Replace an article added before under the same title",
        outlet="Who published the article you type, e.g. BBC News",
        published="When it was published, e.g. 2025-06-24 or 2 days ago",
        url="Where to read it: an http:// or https:// address",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        title: app_commands.Range[str, 1, TITLE_MAX] | None = None,
        text: app_commands.Range[str, 1, TEXT_MAX] | None = None,
        replace: bool = False,
        outlet: app_commands.Range[str, 1, OUTLET_MAX] | None = None,
        published: app_commands.Range[str, 1, 100] | None = None,
        url: app_commands.Range[str, 1, 512] | None = None,
    ) -> None:
        """Add an article from a file or typed text, and index it at once (administrators only)."""
        await defer(interaction, ephemeral=True)
        if file is not None and (title or text):
            raise AdditionError("Attach a file, or give a title and text: not both.")
        if file is not None and (outlet or published or url):
            raise AdditionError(
                "A file gives its outlet, date and address in its front matter; "
                "outlet, published and url are for an article you type."
            )
        if file is not None:
            if file.size > MAX_FILE_BYTES:
                raise AdditionError(f"That file is too large: the limit is {MAX_FILE_BYTES // 1_048_576} MB.")
            check_article_suffix(file.filename)  # refused before downloading anything
            filename, data = file.filename, await file.read()
        elif title and text:
            details = article_details(outlet, published, url)
            filename, data = "typed.md", article_text(title, text, details)
        else:
            raise AdditionError("Attach a file (.md or .txt), or give both a title and text.")
        # Read in a process of its own: a hostile file never stalls the answers to everyone else.
        articles = await asyncio.to_thread(check_article_apart, filename, data)
        saved = await _in_seeds_folder(
            self.seeds_dir,
            lambda: save_article(self.seeds_dir, filename, data, replace=replace, articles=articles),
        )
        try:
            report = await self._reindex(saved.source, "Saved")
        except IndexBusyError:
            raise  # saved: its message asks for a /reindex once the running one has finished
        except Exception:
            # The index refused it: the folder is left as it was, or every later /add and
            # /reindex would meet the same file.
            await asyncio.to_thread(roll_back_article, self.seeds_dir, saved)
            raise
        skipped = next((s for s in report.skipped if s.source == saved.source), None)
        if skipped is not None:  # the readers accepted it a moment ago; the file changed since?
            await asyncio.to_thread(roll_back_article, self.seeds_dir, saved)
            raise AdditionError(f"That file was skipped: {skipped.reason}.")
        log.info("user %s added %s", interaction.user.id, saved.source)
        await deliver(interaction, Reply(render_admin.added_embed(saved, report)))

    @app_commands.command()
    @app_commands.default_permissions(administrator=True)
    @app_commands.check(operator_only("remove articles"))
    @app_commands.describe(article="An article added with /add")
    async def remove(self, interaction: discord.Interaction, article: str) -> None:
        """Remove an article added with /add, and drop it from the index (administrators only)."""
        await defer(interaction, ephemeral=True)
        await _in_seeds_folder(self.seeds_dir, lambda: remove_added_article(self.seeds_dir, article))
        report = await self._reindex(article, "Removed")
        log.info("user %s removed %s", interaction.user.id, article)
        await deliver(interaction, Reply(render_admin.removed_embed(article, report)))

    @remove.autocomplete("article")
    async def _added_articles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        matches = await articles_titled(self.bot.settings.database, current, CHOICES_MAX, added_only=True)
        choices: dict[str, app_commands.Choice[str]] = {}
        for summary in matches:
            source = summary.article.source
            if source not in choices and len(source) <= ARTICLE_CHOICE_MAX:
                choices[source] = app_commands.Choice(name=article_choice_name(summary), value=source)
        return list(choices.values())

    @app_commands.command()
    @app_commands.default_permissions(administrator=True)
    @app_commands.check(operator_only("see the statistics"))
    @app_commands.describe(days=f"How many days back (default {REPORT_DAYS})")
    async def stats(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = REPORT_DAYS
    ) -> None:
        """Questions asked, answered confidently, votes, and what the articles could not answer."""
        await defer(interaction, ephemeral=True)
        self.bot.ensure_ready()
        assert self.bot.feedback is not None
        report = await build_feedback_report(self.bot.feedback, days)
        await deliver(
            interaction, Reply(render_admin.stats_embed(report, keeping=self.bot.settings.keep_questions))
        )


async def setup(bot: commands.Bot) -> None:
    """Loaded as an extension by bot/app.py."""
    await bot.add_cog(Manage(byline_of(bot)))
