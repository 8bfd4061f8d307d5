"""Sharding against the double, which shards as Discord does (double/gateway.py): each guild's
events go to the shard ``(guild_id >> 22) % count``; /gateway/bot recommends the count.

Two processes split two shards and share one data directory; one bot alone runs every shard
Discord recommends."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.app import Byline
from bot.settings import Settings

from .double import WORLD, ChannelSpec, DiscordDouble, GuildSpec, MemberSpec, running_client
from .double.gateway import shard_of
from .double.world import FAST_CLIENT_OPTIONS
from .support import POLAND
from .test_bot_faults import identify_at_once
from .test_bot_run import RUN, Run

pytestmark = pytest.mark.asyncio

SECOND_GUILD = WORLD.guild_id + (1 << 22)  # the next guild id on the other of two shards
SECOND_CHANNEL = 400_000_000_000_000_201


def two_guild_double(shards: int) -> DiscordDouble:
    """The default world's guild (shard 0 of 2) and a second one (shard 1 of 2)."""
    assert shard_of(WORLD.guild_id, 2) == 0 and shard_of(SECOND_GUILD, 2) == 1
    second = GuildSpec(
        id=SECOND_GUILD,
        name="Second Guild",
        owner_id=WORLD.owner_id,
        channels=[ChannelSpec(SECOND_CHANNEL, "general", position=0)],
        members=[MemberSpec(WORLD.owner_id), MemberSpec(WORLD.member_id)],
    )
    double = DiscordDouble(
        bot_user_id=WORLD.bot_id,
        application_id=WORLD.application_id,
        users=WORLD.users(),
        guilds=[WORLD.guild(), second],
        shards=shards,
    )
    double.dm_channel_id(WORLD.member_id)
    return double


async def answered(double: DiscordDouble, guild_id: int, channel_id: int) -> Any:
    """Ask in a guild until the answer comes (its shard's process may still be warming up)."""
    for _ in range(200):
        inter = await double.slash_command(
            "ask", {"question": POLAND}, user=WORLD.member_id, guild_id=guild_id, channel_id=channel_id
        )
        reply = await double.wait_for_response(inter, timeout=10)
        if reply.embeds:
            return inter
        await asyncio.sleep(0.1)
    raise AssertionError(f"no answer in guild {guild_id}")


def shard_that_received(double: DiscordDouble, interaction_id: int) -> list[int]:
    """The shard ([id, count]) whose connection the interaction was dispatched on."""
    frame = next(
        f
        for f in double.gateway.frames
        if f.direction == "send" and f.t == "INTERACTION_CREATE" and int(f.d["id"]) == interaction_id
    )
    connection = double.gateway.connections[frame.connection - 1]
    assert connection.session is not None and connection.session.shard is not None
    return connection.session.shard


async def start_shard_process(double: DiscordDouble, data: Path, shard_ids: str) -> Run:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    env = {
        **base,
        "BYLINE_DISCORD_TOKEN": double.token,
        "BYLINE_DATA_DIR": str(data),
        "BYLINE_SHARD_COUNT": "2",
        "BYLINE_SHARD_IDS": shard_ids,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RUN, double.rest_base, double.gateway_url,
        cwd=data, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return Run(process)


async def test_two_processes_split_two_shards_and_share_one_index(byline_seeds: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    os.replace(byline_seeds, data / "seeds")
    double = two_guild_double(shards=2)
    await double.start()
    runs = []
    try:
        runs.append(await start_shard_process(double, data, "1"))  # first: it must wait for shard 0's build
        runs.append(await start_shard_process(double, data, "0"))
        await double.wait_until(lambda: len(double.gateway.sessions) == 2, 60, "both shards identified")
        first = await answered(double, WORLD.guild_id, WORLD.text_channel_id)
        second = await answered(double, SECOND_GUILD, SECOND_CHANNEL)
        await double.user_message(POLAND, user=WORLD.member_id, dm=True)
        dm = await double.wait_for_message(double.dm_channel_id(WORLD.member_id), timeout=30)
    finally:
        for run in runs:
            if run.process.returncode is None:
                run.process.send_signal(signal.SIGTERM)
        codes = [await run.finish() for run in runs]
        await double.stop()
    one, zero = runs
    assert codes == [0, 0], zero.stderr + one.stderr
    assert sorted(s.shard for s in double.gateway.sessions.values()) == [[0, 2], [1, 2]]
    assert shard_that_received(double, first.id) == [0, 2]
    assert shard_that_received(double, second.id) == [1, 2]  # answered by the other process
    assert dm.embeds  # direct messages come on shard 0
    # One writer: shard 0's process built the index and synced the commands; the other waited.
    assert "the index was never built: reading" in zero.stderr
    assert "the index was never built" not in one.stderr
    assert "the process holding shard 0 writes the index" in one.stderr
    assert len(double.command_syncs) == 1
    assert (data / "byline.db.status.json").is_file() and (data / "byline.db.shards-1.status.json").is_file()
    assert "Traceback" not in zero.stderr + one.stderr


async def test_one_bot_runs_every_shard_discord_recommends(
    byline_settings: Settings, byline_seeds: Path
) -> None:
    double = two_guild_double(shards=2)
    async with double:
        bot = Byline(byline_settings, **FAST_CLIENT_OPTIONS)
        bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]  # no 5 s between shards
        async with running_client(double, bot):
            await asyncio.wait_for(bot.wait_until_indexed(), 20)
            await double.wait_until(lambda: len(double.gateway.sessions) == 2, 30, "both shards")
            first = await answered(double, WORLD.guild_id, WORLD.text_channel_id)
            second = await answered(double, SECOND_GUILD, SECOND_CHANNEL)
            assert bot.shard_count == 2 and sorted(bot.shards) == [0, 1]
    assert double.requests_to("GET", "/gateway/bot")  # asked Discord how many shards
    assert shard_that_received(double, first.id) == [0, 2]
    assert shard_that_received(double, second.id) == [1, 2]
