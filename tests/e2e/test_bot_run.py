"""`byline run` itself, in its own process, against the double: the command line's logging path.

The process runs ``bot.cli.main(["run"])`` exactly as the console script does (settings from the
environment, ``configure_logging``, ``run_bot``); only discord.py's two URLs are pointed at the
double first, as every end-to-end test does.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from .double import DefaultWorld, DiscordDouble
from .support import POLAND

pytestmark = pytest.mark.asyncio

RUN = """
import sys, yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
Route.BASE = sys.argv[1]
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
from bot.cli import main
sys.exit(main(["run"]))
"""


async def ask_until_answered(double: DiscordDouble, world: DefaultWorld) -> None:
    """Ask until the first build of the index is done and an answer comes (warming up before)."""
    for _ in range(100):
        inter = await double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await double.wait_for_response(inter, timeout=10)
        if reply.embeds:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("byline run never answered")


async def test_byline_run_logs_at_debug_without_any_token(
    discord_double: DiscordDouble, world: DefaultWorld, byline_seeds: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    env.update(
        BYLINE_DISCORD_TOKEN=discord_double.token,
        BYLINE_DATABASE=str(tmp_path / "run.db"),
        BYLINE_SEEDS_DIR=str(byline_seeds),
        BYLINE_LOG_LEVEL="DEBUG",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN,
        discord_double.rest_base,
        discord_double.gateway_url,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    logged = asyncio.create_task(process.stderr.read())  # type: ignore[union-attr]  # never let the pipe fill
    try:
        await discord_double.wait_until_identified(timeout=60)
        await ask_until_answered(discord_double, world)
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        assert (await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))).embeds
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 30)
    stderr = (await logged).decode()

    assert code == 130  # Ctrl-C: a clean stop
    assert "DEBUG" in stderr and "INTERACTION_CREATE" in stderr  # the chattiest level, events included
    first = next(iter(discord_double.interactions.values()))
    assert f"/interactions/{first.id}/[redacted]/callback" in stderr  # logged, but not its token
    assert discord_double.token not in stderr
    for interaction in discord_double.interactions.values():
        assert interaction.token not in stderr
    assert "voice will NOT be supported" not in stderr
    assert "Traceback" not in stderr
