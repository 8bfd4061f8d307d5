"""Fixtures for end-to-end tests against the loopback Discord double.

Uses pytest_asyncio.fixture explicitly so it works in both asyncio "strict" and "auto" mode.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

from .double import WORLD, DefaultWorld, DiscordDouble

log = logging.getLogger("byline.discord_double")


def _check_after(double: DiscordDouble) -> None:
    """Unknown routes are logged (the bot may probe); internal errors of the double fail the test."""
    for req in double.unknown_requests:
        log.warning("discord double saw an unknown route during the test: %s %s", req.method, req.path)
    assert not double.internal_errors, f"the Discord double itself failed: {double.internal_errors}"


@pytest_asyncio.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    """A started double for the default world (see double/world.py), with discord.py patched."""
    double = WORLD.build()
    async with double:
        yield double
    _check_after(double)


@pytest.fixture
def world() -> DefaultWorld:
    """Ids of the default world (guild, channels, admin and member users, bot)."""
    return WORLD


@pytest_asyncio.fixture
async def discord_double_factory() -> AsyncIterator[Callable[..., Awaitable[DiscordDouble]]]:
    """Build a started, patched double with custom options: `await factory(interaction_deadline=...)`."""
    started: list[DiscordDouble] = []

    async def make(**options: Any) -> DiscordDouble:
        double = WORLD.build(**options)
        await double.__aenter__()
        started.append(double)
        return double

    yield make
    for double in reversed(started):
        await double.__aexit__(None, None, None)
        _check_after(double)
