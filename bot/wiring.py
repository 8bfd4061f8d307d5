"""What the bot is made of and how the parts are connected: the discord.py options it is built
with, its command tree, its extensions (the cogs), and the services it opens at start-up (the
library, the feedback store, metrics, the status file, re-indexing by itself). bot/app.py runs
them: when they open, and in which order they close.

Opening is fast; if the database was never indexed, the first build runs in a background task so
the bot can connect meanwhile, and questions asked before it finishes are told "warming up".
With the shards split across processes one of them writes the index (``Settings.writes_index``,
the one holding shard 0): it builds it first, re-indexes by itself (watch, schedule) and syncs the
commands; the others wait for its first build and answer from what it commits.

No privileged intents: guilds (for permissions), guild messages (only mentions of the bot carry
their text without the message-content intent, and mentions are all we read) and direct messages
(which always carry their text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from index import BylineError, Feedback, Library

from .errors import report_error
from .gate import refuse_elsewhere
from .metrics import MeasuredLibrary, Metrics
from .replies import NO_PINGS
from .settings import Settings
from .status import StatusKeeper, status_file
from .upkeep import Upkeep

log = logging.getLogger("byline.bot")

EXTENSIONS = ("bot.cogs.ask", "bot.cogs.sources", "bot.cogs.admin", "bot.cogs.manage", "bot.cogs.help")
INDEX_POLL_SECONDS = 1.0  # how often a process not writing the index looks for its first build


def intents() -> discord.Intents:
    """What the bot subscribes to: nothing privileged."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


class BylineTree(app_commands.CommandTree):
    """The command tree: commands and buttons only where the bot answers (bot/gate.py), and all
    their errors to the one handler."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        refuse_elsewhere(interaction)
        return True


def bot_options(settings: Settings) -> dict[str, Any]:
    """The ``commands.AutoShardedBot`` arguments of a Byline bot."""
    return {
        "command_prefix": commands.when_mentioned,  # required by commands.Bot; there are no text commands
        "help_command": None,
        "intents": intents(),
        "allowed_mentions": NO_PINGS,
        "tree_cls": BylineTree,
        "allowed_contexts": app_commands.AppCommandContext(guild=True, dm_channel=True),
        "allowed_installs": app_commands.AppInstallationType(guild=True),
        "shard_count": settings.shard_count,
        # None: every shard (discord.py's default)
        "shard_ids": list(settings.shard_ids) if settings.shard_ids is not None else None,
    }


async def load_extensions(bot: commands.Bot | commands.AutoShardedBot) -> None:
    """Every cog, with the buttons and listeners it owns (each module's ``setup``)."""
    for name in EXTENSIONS:
        await bot.load_extension(name)


class Services:
    """The parts the bot opens at start-up and closes at the end. ``state`` says what the status
    file reports about the bot (connected, latency, guilds)."""

    def __init__(self, settings: Settings, state: Callable[[], dict[str, Any]]) -> None:
        self.settings = settings
        self.state = state
        self.library: Library | None = None
        self.feedback: Feedback | None = None
        self.metrics = Metrics() if settings.metrics_port else None
        self.warmup: asyncio.Task[None] | None = None
        self.upkeep: Upkeep | None = None
        self.status_keeper: StatusKeeper | None = None

    async def open(self) -> None:
        """The library (its first build started if needed), metrics, feedback, the status file,
        and, in the process that writes the index, the re-indexing it does by itself."""
        settings = self.settings
        library = await MeasuredLibrary.open(
            database=settings.database, seeds_dir=settings.seeds_dir, semantic=settings.semantic
        )
        assert isinstance(library, MeasuredLibrary)
        self.library, library.metrics = library, self.metrics
        if self.metrics is not None and settings.metrics_port:
            self.metrics.serve(settings.metrics_port, settings.metrics_host)
        self.feedback = await Feedback.open(settings.database)
        if not await library.is_indexed():
            first = self._build_index() if settings.writes_index else self._await_index()
            self.warmup = asyncio.create_task(first, name="byline-first-index")
        self.status_keeper = StatusKeeper(status_file(settings.database, settings.shard_ids), self.state)
        self.status_keeper.start()
        if not settings.writes_index:
            log.info("shards %s: the process holding shard 0 writes the index", settings.shard_ids)
            return
        self.upkeep = Upkeep(library, settings.seeds_dir, watch=settings.watch, every=settings.reindex_every)
        self.upkeep.start()

    @property
    def warming_up(self) -> bool:
        """True while the first build of the index runs."""
        return self.warmup is not None and not self.warmup.done()

    async def _build_index(self) -> None:
        assert self.library is not None
        log.info("the index was never built: reading %s", self.settings.seeds_dir)
        try:
            report = await self.library.ensure_indexed()
        except BylineError as error:
            log.error("could not build the index: %s", error.message)
            return
        except Exception:
            log.exception("could not build the index")
            return
        if report is not None:
            log.info(
                "index built: %d articles, %d passages in %.2f s",
                report.articles,
                report.passages,
                report.seconds,
            )
            for skipped in report.skipped:
                log.warning("skipped %s: %s", skipped.source, skipped.reason)

    async def _await_index(self) -> None:
        """Not the writer: wait until the process holding shard 0 has committed its first build."""
        assert self.library is not None
        log.info("waiting for the process holding shard 0 to build the index")
        # Another process builds it: there is no event to wait on, only the database to look at.
        while not await self.library.is_indexed():  # noqa: ASYNC110
            await asyncio.sleep(INDEX_POLL_SECONDS)
        log.info("the index is built; answering")

    async def stop_writing(self) -> None:
        """Before the gateway closes: no more re-indexing by itself, and no first build."""
        if self.upkeep is not None:
            await self.upkeep.stop()
        if self.warmup is not None and not self.warmup.done():
            self.warmup.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.warmup

    async def close(self) -> None:
        """After the gateway has closed: the databases, then the status file and metrics."""
        if self.feedback is not None:
            feedback, self.feedback = self.feedback, None
            await feedback.close()
        if self.library is not None:
            library, self.library = self.library, None
            await library.close()
        if self.status_keeper is not None:
            await self.status_keeper.stop()
        if self.metrics is not None:
            self.metrics.stop()
