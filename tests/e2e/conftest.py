"""Fixtures for end-to-end tests against the loopback Discord double.

Uses pytest_asyncio.fixture explicitly so it works in both asyncio "strict" and "auto" mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import Byline
from bot.settings import Settings

from .double import FAST_CLIENT_OPTIONS, WORLD, DefaultWorld, DiscordDouble, RecordedRequest, running_client

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


# ---- the real Byline bot against the double ---------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
GENEROUS_RATE = (1000, 60.0)  # tests other than the cooldown's must not feel it


@pytest.fixture
def byline_seeds(tmp_path: Path) -> Path:
    """A temporary copy of the project's seeds folder."""
    folder = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", folder)
    return folder


@pytest.fixture
def byline_settings(
    tmp_path: Path, byline_seeds: Path, discord_double: DiscordDouble, world: DefaultWorld
) -> Settings:
    """Settings for a bot on a fresh database and the seeds copy; Alice, a server administrator,
    is also a listed operator (only the owner and listed operators may re-index by default)."""
    return Settings(
        _env_file=None,
        BYLINE_DISCORD_TOKEN=discord_double.token,
        database=tmp_path / "byline.db",
        seeds_dir=byline_seeds,
        admin_ids=frozenset({world.admin_id}),
        guild_id=None,
        log_level="INFO",
    )


@pytest.fixture
def start_byline(discord_double: DiscordDouble, byline_settings: Settings) -> Callable[..., Any]:
    """``async with start_byline(**options) as bot``: the real Byline bot, connected and indexed.

    Options go to ``Byline`` (settings=..., question_rate=..., defer_after=...); ``indexed=False``
    returns as soon as the bot is ready, without waiting for the first build of the index.
    """

    @contextlib.asynccontextmanager
    async def start(
        *,
        settings: Settings | None = None,
        double: DiscordDouble | None = None,
        indexed: bool = True,
        prepare: Callable[[Byline], None] | None = None,
        **options: Any,
    ) -> AsyncIterator[Byline]:
        double = double or discord_double
        options = {**FAST_CLIENT_OPTIONS, "question_rate": GENEROUS_RATE, **options}
        bot = Byline(settings or byline_settings, **options)
        if prepare is not None:
            prepare(bot)
        async with running_client(double, bot):
            if indexed:
                await asyncio.wait_for(bot.wait_until_indexed(), 20)
            yield bot
        assert_manners(double)

    return start


def assert_manners(double: DiscordDouble) -> None:
    """What must hold after any session: every interaction answered in time, nobody ever pinged."""
    for inter in double.interactions.values():
        assert inter.acknowledged and inter.time_to_first_response < 3, f"interaction {inter.id} unanswered"
        assert not inter.rejected, f"interaction {inter.id}: Discord refused {inter.rejected}"
    for request in bot_requests_with_messages(double):
        body = request.json.get("data") if "/callback" in request.path else request.json
        assert body.get("allowed_mentions", {}).get("parse") == [], (
            f"{request.method} {request.path} may ping"
        )
        assert not body.get("allowed_mentions", {}).get("users")
        assert not body.get("allowed_mentions", {}).get("roles")
        assert not body.get("allowed_mentions", {}).get("replied_user")
    for message in double.messages.values():
        if message.author.id == double.bot.id:
            assert message.mentions == [] and not message.mention_everyone


def bot_requests_with_messages(double: DiscordDouble) -> list[RecordedRequest]:
    """Every request by which the bot created or changed a message (content, embeds or components)."""
    found = []
    for request in double.requests:
        body = request.json
        if request.method not in ("POST", "PATCH") or not isinstance(body, dict):
            continue
        data = body.get("data") if "/callback" in request.path else body
        if isinstance(data, dict) and any(k in data for k in ("content", "embeds", "components")):
            found.append(request)
    return found
