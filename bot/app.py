"""The Discord bot's lifecycle: a ``commands.AutoShardedBot`` that starts, stays connected and
stops cleanly. What it is made of (options, command tree, cogs, services) is bot/wiring.py;
``byline run`` as a process (signals, waiting for Discord) is bot/run.py.

Start-up (``setup_hook``, before the gateway connects): load the cogs as extensions, open the
services (bot/wiring.py), and, in the process that writes the index, sync the slash commands
(bot/sync.py).

Stopping (``close``: SIGTERM or SIGINT under ``byline run``, or ``docker stop``, ``systemctl
stop``): new questions are told the bot is restarting, the questions in flight get up to
``DRAIN_SECONDS`` to be answered, then the gateway is closed with code 1000, the services closed,
and the status file marked stopped. While it runs, the bot keeps a status file up to date for
``byline status`` (bot/status.py) and, as the settings ask, re-indexes by itself (bot/upkeep.py).

Sharding (``BYLINE_SHARD_COUNT``, ``BYLINE_SHARD_IDS``): processes that split the shards share
one data directory; the one holding shard 0 writes the index (see bot/wiring.py). /reindex, /add
and /remove work in any of them: SQLite's write lock lets one re-index run at a time.
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

from index import Feedback, Library

from .cooldown import QuestionCooldown
from .errors import Refusal, WarmingUp
from .metrics import note_how_asked
from .paging import QuestionCache
from .protocols import BylineBot
from .replies import DEFER_AFTER
from .settings import Settings
from .startup import discord_errors, require_token
from .sync import CommandSync, state_file
from .wiring import Services, bot_options, load_extensions

log = logging.getLogger("byline.bot")

DRAIN_SECONDS = 5.0  # how long a stop waits for the questions in flight (systemd's TimeoutStopSec is 30)
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
        super().__init__(**{**bot_options(settings), **options})
        self.settings = settings
        self.sync_only = sync_only
        self.defer_after = defer_after
        self.cooldown = QuestionCooldown(*(question_rate or ()))
        self.questions = QuestionCache()
        self.services = Services(settings, self._state)
        self.command_sync = CommandSync(self.tree, state_file(settings.database), settings.guild_id)
        self.synced: list[app_commands.AppCommand] | None = None
        self.stopping = False
        self.connected = False  # to the gateway, with a session (READY or RESUMED seen)
        self._answering: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self._shutdown: asyncio.Future[None] | None = None
        self._gateway_reader: asyncio.Task[Any] | None = None  # the task running ``start``

    @property
    def library(self) -> Library | None:
        return self.services.library

    @property
    def feedback(self) -> Feedback | None:
        return self.services.feedback

    async def setup_hook(self) -> None:
        await load_extensions(self)
        if self.sync_only:
            self.synced = await self.command_sync.sync(force=True)
            return
        await self.services.open()
        await self._warn_if_public()
        if not self.settings.writes_index:
            return
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
        if self.services.metrics is not None:
            self.services.metrics.gateway(self.connected and not self.stopping, latency)
        return {
            "connected": self.connected and not self.stopping,
            "latency_ms": round(latency, 1) if latency is not None else None,
            "guilds": len(self.guilds),
            "stopping": self.stopping,
        }

    def _connection_changed(self, connected: bool) -> None:
        self.connected = connected
        if self.services.status_keeper is not None:
            self.services.status_keeper.update()

    @property
    def warming_up(self) -> bool:
        """True while the first build of the index runs."""
        return self.services.warming_up

    async def wait_until_indexed(self) -> None:
        """Until the first build (if one was needed) has finished."""
        if self.services.warmup is not None:
            await asyncio.shield(self.services.warmup)

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

    def check_question(self, user: discord.abc.Snowflake) -> None:
        """Before answering anyone: the index must be ready, and the user within the cooldown."""
        self.ensure_ready()
        self.cooldown.check(user)

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: questions in messages are the Ask cog's listener's business."""

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
        await self.services.stop_writing()
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
        await self.services.close()


def _is_a_byline_bot(bot: Byline) -> BylineBot:
    """Never called: mypy checks here that ``Byline`` is the bot the cogs expect."""
    return bot


async def sync_commands(settings: Settings, **options: Any) -> list[app_commands.AppCommand]:
    """``byline sync``: log in over HTTP only (no gateway), sync the commands, and return them."""
    token = require_token(settings)
    async with discord_errors(), Byline(settings, sync_only=True, **options) as bot:
        await bot.login(token)
        return bot.synced or []
