"""``byline run`` as a process: the paths it uses said at start, SIGTERM and SIGINT handled on
the running loop (what systemd, ``docker stop`` and Ctrl-C send), Discord waited for when it cannot
be reached, and the bot stopped cleanly however it ends (see ``Byline.close``).

Discord or DNS unreachable (no network yet at boot, an outage, a 5xx or a rate limit on login) is
not a reason to exit: the process would only be restarted into the same outage, and systemd gives
up after a few quick failures. ``run_bot`` tries again after ``RETRY_FIRST`` seconds, doubling up
to ``RETRY_MAX``, and logs each wait. Only a bad token or setting ends it (exit code 2), as does a
signal (exit code 0). Once connected, discord.py reconnects by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from typing import Any

import aiohttp
import discord

from .app import Byline
from .settings import Settings, dotenv_path
from .startup import SETTING_CLOSE_CODES, discord_errors, require_token

log = logging.getLogger("byline.run")

RETRY_FIRST = 5.0  # seconds before the first new try
RETRY_MAX = 300.0  # the longest wait between tries


def log_paths(settings: Settings) -> None:
    """Say at start which files this bot uses, as absolute paths."""
    env = dotenv_path().absolute()
    log.info("data directory %s", settings.data_dir)
    log.info("settings file %s (%s)", env, "read" if env.is_file() else "absent; environment only")
    log.info("database %s", settings.database)
    log.info("seeds %s", settings.seeds_dir)


def unreachable(error: BaseException) -> bool:
    """True for what an outage looks like (DNS, refused or dropped connections, timeouts, Discord's
    5xx and rate limits); False for what another try would only repeat (a bad token, a 4xx)."""
    if isinstance(error, discord.LoginFailure | discord.PrivilegedIntentsRequired):
        return False
    if isinstance(error, discord.ConnectionClosed) and error.code in SETTING_CLOSE_CODES:
        return False
    if isinstance(error, discord.HTTPException):
        return isinstance(error, discord.DiscordServerError) or error.status == 429
    # Not every OSError: a port already in use or a full disk is no outage, and waiting would hide it.
    return isinstance(
        error,
        aiohttp.ClientConnectionError  # refused, reset, DNS (ClientConnectorDNSError), TLS
        | ConnectionError
        | socket.gaierror
        | TimeoutError
        | discord.GatewayNotFound
        | discord.ConnectionClosed,
    )


def _why(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"


class _Runner:
    """One ``byline run``: a ``Byline`` per try, a stop that reaches whichever one is running."""

    def __init__(self, settings: Settings, token: str, options: dict[str, Any]) -> None:
        self.settings = settings
        self.token = token
        self.options = options
        self.stop = asyncio.Event()
        self.bot: Byline | None = None
        self._closing: set[asyncio.Task[None]] = set()

    def on_signal(self, number: int) -> None:
        name = signal.Signals(number).name
        if self.stop.is_set():
            log.info("%s: already stopping", name)
            return
        self.stop.set()
        log.info("%s: stopping after the questions in flight", name)
        if self.bot is not None:
            task = asyncio.create_task(self.bot.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def run(self) -> None:
        delay = RETRY_FIRST
        while not self.stop.is_set():
            try:
                await self._once()
                return
            except Exception as error:
                if self.stop.is_set() or not unreachable(error):
                    raise
                log.warning("cannot reach Discord (%s); trying again in %g s", _why(error), delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            delay = min(delay * 2, RETRY_MAX)

    async def _once(self) -> None:
        async with Byline(self.settings, **self.options) as bot:
            self.bot = bot
            if self.stop.is_set():  # a signal while it was being made
                return
            gateway = asyncio.create_task(bot.start(self.token), name="byline-gateway")
            try:
                await gateway
            except asyncio.CancelledError:
                if not bot.stopping or not gateway.cancelled():
                    raise
            finally:
                self.bot = None
                # ``start`` returns once the gateway is closed, before the library is: finish the
                # stop here (``async with`` would not wait for it, as discord.py counts the bot closed).
                await bot.close()


async def run_bot(settings: Settings, **options: Any) -> None:
    """``byline run``: start the bot and keep it running (reconnecting as needed, waiting for
    Discord when it cannot be reached) until the process gets SIGTERM or SIGINT, which stop it
    cleanly (see ``Byline.close``)."""
    token = require_token(settings)
    log_paths(settings)
    loop = asyncio.get_running_loop()
    runner = _Runner(settings, token, options)
    handled = []
    unsupported = (NotImplementedError, RuntimeError)  # on Windows, or off the main thread
    for number in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(*unsupported):
            loop.add_signal_handler(number, runner.on_signal, number)
            handled.append(number)
    try:
        async with discord_errors():
            await runner.run()
    finally:
        for number in handled:
            loop.remove_signal_handler(number)
