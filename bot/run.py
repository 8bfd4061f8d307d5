"""``byline run`` as a process: the paths it uses said at start, SIGTERM and SIGINT handled on
the running loop (what systemd, ``docker stop`` and Ctrl-C send), and the bot stopped cleanly
however it ends (see ``Byline.close``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from .app import Byline, discord_errors, require_token
from .settings import Settings, dotenv_path

log = logging.getLogger("byline.run")


def log_paths(settings: Settings) -> None:
    """Say at start which files this bot uses, as absolute paths."""
    env = dotenv_path().absolute()
    log.info("data directory %s", settings.data_dir)
    log.info("settings file %s (%s)", env, "read" if env.is_file() else "absent; environment only")
    log.info("database %s", settings.database)
    log.info("seeds %s", settings.seeds_dir)


async def run_bot(settings: Settings, **options: Any) -> None:
    """``byline run``: start the bot and keep it running (reconnecting as needed) until it is
    closed or the process gets SIGTERM or SIGINT, which stop it cleanly (see ``Byline.close``)."""
    token = require_token(settings)
    log_paths(settings)
    loop = asyncio.get_running_loop()
    async with discord_errors(), Byline(settings, **options) as bot:
        stops: set[asyncio.Task[None]] = set()

        def on_signal(number: int) -> None:
            if bot.stopping:
                log.info("%s: already stopping", signal.Signals(number).name)
                return
            log.info("%s: stopping after the questions in flight", signal.Signals(number).name)
            stops.add(asyncio.create_task(bot.close()))

        handled = []
        unsupported = (NotImplementedError, RuntimeError)  # on Windows, or off the main thread
        for number in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(*unsupported):
                loop.add_signal_handler(number, on_signal, number)
                handled.append(number)
        gateway = asyncio.create_task(bot.start(token), name="byline-gateway")
        try:
            await gateway
        except asyncio.CancelledError:
            if not bot.stopping or not gateway.cancelled():
                raise
        finally:
            for number in handled:
                loop.remove_signal_handler(number)
            # ``start`` returns once the gateway is closed, before the library is: finish the stop
            # here (``async with`` would not wait for it, as discord.py counts the bot closed).
            await bot.close()
