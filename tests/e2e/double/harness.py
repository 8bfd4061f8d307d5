"""Running a real discord.py client against the double inside a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from .server import DiscordDouble


@contextlib.asynccontextmanager
async def running_client(
    double: DiscordDouble,
    client: discord.Client,
    *,
    timeout: float = 10.0,  # noqa: ASYNC109
) -> AsyncIterator[discord.Client]:
    """Start `client` (login, setup_hook, gateway) against the double; yield once it is ready.

    discord.py patches must be active (the `discord_double` fixture or `async with double`).
    Construct clients with a small `guild_ready_timeout` (e.g. 0.05): discord.py waits that
    long after the last GUILD_CREATE before on_ready (2 s by default).
    """
    task = asyncio.create_task(client.start(double.token), name="discord-client")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # re-raise the startup failure (LoginFailure, HTTPException...)
            raise RuntimeError("discord client stopped before becoming ready")
        if ready not in done:
            raise TimeoutError(f"discord client not ready after {timeout}s")
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 5)
