"""The Discord bot: a ``commands.Bot`` whose cogs answer from the same ``Library`` as the CLI.

Start-up (``setup_hook``, before the gateway connects): add the cogs and the page buttons of
/ask and /sources, open the library, and sync the slash commands (bot/sync.py).
Opening is fast; if the database was never indexed, the first build runs in a background task so
the bot can connect meanwhile, and questions asked before it finishes are told "warming up".

Stopping (``close``: SIGTERM or SIGINT under ``byline run``, or ``docker stop``, ``systemctl
stop``): new questions are told the bot is restarting, the questions in flight get up to
``DRAIN_SECONDS`` to be answered, then the gateway is closed with code 1000, the library closed,
and the status file marked stopped. While it runs, the bot keeps a status file up to date for
``byline status`` (bot/status.py) and, as the settings ask, re-indexes by itself (bot/upkeep.py).

Sharding (``BYLINE_SHARD_COUNT``, ``BYLINE_SHARD_IDS``): the bot is an ``AutoShardedBot``, which
runs every shard in one process unless told which to run. Processes that split the shards share
one data directory, and one of them writes the index: the one holding shard 0 builds it first,
re-indexes by itself (watch, schedule) and syncs the commands; the others wait for its first
build ("warming up"), answer from what it commits, and keep a status file of their own.
/reindex, /add and /remove work in any of them: SQLite's write lock lets one re-index run at a time.

No privileged intents: guilds (for permissions), guild messages (only mentions of the bot carry
their text without the message-content intent, and mentions are all we read) and direct messages
(which always carry their text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import weakref
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from index import BylineError, Feedback, Library

from .answer_page import PassagesButton, ResultsPage
from .channels import posting_in
from .cogs.admin import Admin
from .cogs.ask import Ask
from .cogs.help import Help
from .cogs.manage import Manage
from .cogs.sources import Sources, SourcesPage
from .cooldown import QuestionCooldown
from .errors import NotAllowed, Refusal, WarmingUp, report_error
from .metrics import MeasuredLibrary, Metrics, note_how_asked
from .paging import QuestionCache
from .replies import DEFER_AFTER, NO_PINGS
from .settings import Settings
from .startup import discord_errors, require_token
from .status import StatusKeeper, status_file
from .sync import CommandSync, state_file
from .upkeep import Upkeep
from .votes import ReasonButton, VoteButton

log = logging.getLogger("byline.bot")

INDEX_POLL_SECONDS = 1.0  # how often a process not writing the index looks for its first build
DRAIN_SECONDS = 5.0  # how long a stop waits for the questions in flight (systemd's TimeoutStopSec is 30)
ELSEWHERE = "I only answer in my home server and in direct messages."
PUBLIC_WARNING = (
    "this application is public (Developer Portal > your application > Bot > Public Bot): anyone "
    "with its invite link can add it to their server, where its members ask questions that are "
    "answered on this host from these articles. Turn Public Bot off unless you mean to share it "
    "(BYLINE_GUILD_ID also keeps it to one server)."
)


class ShuttingDown(Refusal):
    """The bot is stopping; questions that arrive now are not started."""

    def __init__(self) -> None:
        super().__init__("I'm restarting; ask again in a minute.")


def intents() -> discord.Intents:
    """What the bot subscribes to: nothing privileged."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


class BylineTree(app_commands.CommandTree):
    """The command tree, whose errors all go to the one handler."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """With BYLINE_GUILD_ID set, commands work in that server and in DMs only."""
        bot: Byline = interaction.client  # type: ignore[assignment]  # this tree is Byline's only
        if not bot.serves(interaction.guild_id):
            log.info(
                "refused a command in guild %s: BYLINE_GUILD_ID is %s",
                interaction.guild_id,
                bot.settings.guild_id,
            )
            raise NotAllowed(ELSEWHERE)
        return True


class Byline(commands.AutoShardedBot):
    """The bot. ``settings`` come from the environment or .env (bot/settings.py).

    ``sync_only``: log in, sync the commands and do nothing else (``byline sync``).
    ``question_rate``: questions allowed per user per window, shared by /ask, DMs and mentions.
    ``defer_after``: see bot/replies.py; tests shorten it.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sync_only: bool = False,
        question_rate: tuple[int, float] | None = None,
        defer_after: float = DEFER_AFTER,
        **options: Any,
    ) -> None:
        shard_ids = list(settings.shard_ids) if settings.shard_ids is not None else None
        super().__init__(
            command_prefix=commands.when_mentioned,  # required by commands.Bot; there are no text commands
            help_command=None,
            intents=intents(),
            allowed_mentions=NO_PINGS,
            tree_cls=BylineTree,
            allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
            allowed_installs=app_commands.AppInstallationType(guild=True),
            shard_count=settings.shard_count,
            shard_ids=shard_ids,  # type: ignore[arg-type]  # None: every shard (discord.py's default)
            **options,
        )
        self.settings = settings
        self.sync_only = sync_only
        self.defer_after = defer_after
        self.cooldown = QuestionCooldown(*(question_rate or ()))
        self.questions = QuestionCache()
        self.library: Library | None = None
        self.feedback: Feedback | None = None
        self.warmup: asyncio.Task[None] | None = None
        self.command_sync = CommandSync(self.tree, state_file(settings.database), settings.guild_id)
        self.writes_index = settings.writes_index  # see the module's docstring: one writer per index
        self.synced: list[app_commands.AppCommand] | None = None
        self.stopping = False
        self.connected = False  # to the gateway, with a session (READY or RESUMED seen)
        self.upkeep: Upkeep | None = None
        self.status_keeper: StatusKeeper | None = None
        self.metrics = Metrics() if settings.metrics_port else None
        self._answering: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self._shutdown: asyncio.Future[None] | None = None
        self._gateway_reader: asyncio.Task[Any] | None = None  # the task running ``start``
        self._notices: set[asyncio.Task[None]] = set()

    async def setup_hook(self) -> None:
        for cog in (Ask(self), Sources(self), Admin(self), Manage(self), Help(self)):
            await self.add_cog(cog)
        self.add_dynamic_items(ResultsPage, PassagesButton, SourcesPage, VoteButton, ReasonButton)
        if self.sync_only:
            self.synced = await self.command_sync.sync(force=True)
            return
        settings = self.settings
        library = await MeasuredLibrary.open(
            database=settings.database, seeds_dir=settings.seeds_dir, semantic=settings.semantic
        )
        assert isinstance(library, MeasuredLibrary)
        self.library, library.metrics = library, self.metrics
        if self.metrics is not None and self.settings.metrics_port:
            self.metrics.serve(self.settings.metrics_port, self.settings.metrics_host)
        self.feedback = await Feedback.open(self.settings.database)
        if not await self.library.is_indexed():
            first = self._build_index() if self.writes_index else self._await_index()
            self.warmup = asyncio.create_task(first, name="byline-first-index")
        status = status_file(self.settings.database, self.settings.shard_ids)
        self.status_keeper = StatusKeeper(status, self._state)
        self.status_keeper.start()
        if not self.writes_index:
            log.info("shards %s: the process holding shard 0 writes the index", self.settings.shard_ids)
            await self._warn_if_public()
            return
        self.upkeep = Upkeep(
            self.library,
            self.settings.seeds_dir,
            watch=self.settings.watch,
            every=self.settings.reindex_every,
        )
        self.upkeep.start()
        await self._warn_if_public()
        try:
            self.synced = await self.command_sync.sync()
        except discord.HTTPException:
            log.exception("could not sync the slash commands; Discord keeps the ones it has")

    async def _warn_if_public(self) -> None:
        try:
            info = await self.application_info()
        except discord.HTTPException as error:
            log.warning("could not read the application's settings: %s", error)
            return
        if info.bot_public:
            log.warning(PUBLIC_WARNING)

    def _state(self) -> dict[str, Any]:
        """What the status file says about the bot (bot/status.py)."""
        latency = self.latency * 1000 if math.isfinite(self.latency) else None
        if self.metrics is not None:
            self.metrics.gateway(self.connected and not self.stopping, latency)
        return {
            "connected": self.connected and not self.stopping,
            "latency_ms": round(latency, 1) if latency is not None else None,
            "guilds": len(self.guilds),
            "stopping": self.stopping,
        }

    def _connection_changed(self, connected: bool) -> None:
        self.connected = connected
        if self.status_keeper is not None:
            self.status_keeper.update()

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

    @property
    def warming_up(self) -> bool:
        """True while the first build of the index runs."""
        return self.warmup is not None and not self.warmup.done()

    async def wait_until_indexed(self) -> None:
        """Until the first build (if one was needed) has finished."""
        if self.warmup is not None:
            await asyncio.shield(self.warmup)

    def ensure_ready(self) -> Library:
        """Before any question: raise ``ShuttingDown`` once the bot is stopping and ``WarmingUp``
        while the index is being built for the first time. Otherwise return the library; the
        calling task (the one discord.py runs the command, button or message in) counts as in
        flight until it ends, and a stop waits for it."""
        if self.stopping:
            raise ShuttingDown()
        if self.library is None or self.warming_up:
            raise WarmingUp()
        task = asyncio.current_task()
        if task is not None:
            self._answering.add(task)
        note_how_asked()
        return self.library

    def opened_library(self) -> Library:
        """The library, once ``setup_hook`` has opened it (it may still be building its first
        index); ``WarmingUp`` before that, and ``ShuttingDown`` once a stop has closed it."""
        if self.library is None:
            raise ShuttingDown() if self.stopping else WarmingUp()
        return self.library

    def serves(self, guild_id: int | None) -> bool:
        """True in DMs, and in every guild unless BYLINE_GUILD_ID names another."""
        return guild_id is None or self.settings.guild_id in (None, guild_id)

    def check_question(self, user: discord.abc.Snowflake) -> None:
        """Before answering anyone: the index must be ready, and the user within the cooldown."""
        self.ensure_ready()
        self.cooldown.check(user)

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: questions in messages are the Ask cog's listener's business."""

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Messages from a server other than BYLINE_GUILD_ID reach no listener; a question
        there (a mention of the bot) is told so, once an hour per person."""
        if event_name == "message" and args and not self.serves(getattr(args[0].guild, "id", None)):
            message: discord.Message = args[0]
            if self.user is not None and not message.author.bot and self.user in message.mentions:
                task = asyncio.create_task(self._elsewhere(message))
                self._notices.add(task)
                task.add_done_callback(self._notices.discard)
            return
        super().dispatch(event_name, *args, **kwargs)

    async def _elsewhere(self, message: discord.Message) -> None:
        assert message.guild is not None
        log.info("asked in guild %s; BYLINE_GUILD_ID is %s", message.guild.id, self.settings.guild_id)
        where = posting_in(message)
        if not where.send or not self.cooldown.first_notice(message.author, "elsewhere", 3600):
            return
        try:
            await message.channel.send(
                ELSEWHERE,
                reference=message if where.reply else None,  # type: ignore[arg-type]  # None: no reply
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as error:
            log.info("could not say so in channel %s: %s", message.channel.id, error)

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("ready as %s (id %s) in %d guilds", self.user, self.user.id, len(self.guilds))
        self._connection_changed(True)

    async def on_connect(self) -> None:
        """A gateway session began (READY): interactions flow from here, before ``on_ready``."""
        self._connection_changed(True)

    async def on_resumed(self) -> None:
        self._connection_changed(True)

    async def on_disconnect(self) -> None:
        self._connection_changed(False)

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        self._gateway_reader = asyncio.current_task()
        await super().start(token, reconnect=reconnect)

    async def close(self) -> None:
        """Stop as the module's docstring says; any number of callers wait for the one stop."""
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._shut_down())
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        self.stopping = True
        in_flight = {task for task in self._answering if not task.done()}
        if in_flight:
            log.info("stopping: waiting for %d questions in flight", len(in_flight))
            _, late = await asyncio.wait(in_flight, timeout=DRAIN_SECONDS)
            if late:
                log.warning("stopping: %d questions not answered within %g s", len(late), DRAIN_SECONDS)
        if self.upkeep is not None:
            await self.upkeep.stop()
        if self.warmup is not None and not self.warmup.done():
            self.warmup.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.warmup
        # Closing the websocket while discord.py reads from it makes its reader close it first,
        # with 4000 (Discord keeps the session, and the bot shown online, until it times out;
        # discord.py#6134): stop the reader, then close with 1000.
        reader = self._gateway_reader
        if reader is not None and reader is not asyncio.current_task() and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        await super().close()
        self.connected = False
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


async def sync_commands(settings: Settings, **options: Any) -> list[app_commands.AppCommand]:
    """``byline sync``: log in over HTTP only (no gateway), sync the commands, and return them."""
    token = require_token(settings)
    async with discord_errors(), Byline(settings, sync_only=True, **options) as bot:
        await bot.login(token)
        return bot.synced or []
