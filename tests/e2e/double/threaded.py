"""The double on an event loop of its own, in a thread.

Tests normally run the double and the bot on one event loop. A load test measures how long the
bot's loop is kept busy, and the double's own work (validating every body against the OpenAPI
spec) would count as the bot's: here the bot's loop runs the bot alone. The test drives the double
through ``call``, which runs one of the double's coroutines on the double's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from .server import DiscordDouble

T = TypeVar("T")


class DoubleThread:
    """``async with DoubleThread(double).running():`` the double served from its own thread."""

    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="discord-double", daemon=True)

    async def call(self, function: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """``await function(*args, **kwargs)`` on the double's loop (any of the double's coroutines)."""
        future = asyncio.run_coroutine_threadsafe(_awaited(function, *args, **kwargs), self.loop)
        return await asyncio.wrap_future(future)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[DiscordDouble]:
        """Start the thread and the double, point discord.py at it; stop both on the way out."""
        self._thread.start()
        try:
            await self.call(self.double.start)
            with self.double.patch_discord():
                yield self.double
        finally:
            with contextlib.suppress(Exception):
                await self.call(self.double.stop)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()


async def _awaited(function: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    return await function(*args, **kwargs)
