"""`byline run` while Discord cannot be reached: it waits and tries again (5 s, doubling, at most
5 min; shortened here), logs each wait, and exits only for a bad token or a signal."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from .double import WORLD, DefaultWorld, DiscordDouble
from .test_bot_run import Run, ask_until_answered

pytestmark = pytest.mark.asyncio

# As test_bot_run.RUN, with the waits between tries shortened (0.2 s doubling to 0.8 s).
RUN = """
import sys, yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
import bot.run
bot.run.RETRY_FIRST, bot.run.RETRY_MAX = 0.2, 0.8
Route.BASE = sys.argv[1]
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
from bot.cli import main
sys.exit(main(["run"]))
"""


def free_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_run(port: int, token: str, seeds: Path, tmp_path: Path) -> Run:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    env = {
        **base,
        "BYLINE_DISCORD_TOKEN": token,
        "BYLINE_DATABASE": str(tmp_path / "outage.db"),
        "BYLINE_SEEDS_DIR": str(seeds),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RUN, f"http://127.0.0.1:{port}/api/v10", f"ws://127.0.0.1:{port}/gateway",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return Run(process)


async def retries_logged(run: Run, double: DiscordDouble, count: int) -> None:
    await double.wait_until(lambda: run.stderr.count("cannot reach Discord") >= count, 60, "retries")


async def test_run_waits_for_discord_with_backoff_then_answers(
    discord_double: DiscordDouble, world: DefaultWorld, byline_seeds: Path, tmp_path: Path
) -> None:
    port = free_port()
    later = WORLD.build()  # the Discord that comes back (its own token)
    run = await start_run(port, later.token, byline_seeds, tmp_path)
    try:
        await retries_logged(run, discord_double, 4)
        assert run.process.returncode is None  # still waiting, not exited
        await later.start(port=port)  # Discord is back
        await later.wait_until_identified(timeout=60)
        await ask_until_answered(later, world)
    finally:
        if run.process.returncode is None:
            run.process.send_signal(signal.SIGTERM)
        code = await run.finish()
        await later.stop()
    assert code == 0
    waits = [line.split("trying again in ")[1].split()[0] for line in run.lines if "trying again" in line]
    assert waits[:4] == ["0.2", "0.4", "0.8", "0.8"]  # doubling, capped
    assert "Connect call failed" in run.stderr or "Cannot connect" in run.stderr  # the reason, said
    assert "Traceback" not in run.stderr


async def test_a_signal_while_waiting_for_discord_stops_it_at_once_with_exit_0(
    discord_double: DiscordDouble, byline_seeds: Path, tmp_path: Path
) -> None:
    run = await start_run(free_port(), discord_double.token, byline_seeds, tmp_path)
    try:
        await retries_logged(run, discord_double, 1)
        run.process.send_signal(signal.SIGTERM)
    finally:
        code = await run.finish()
    assert code == 0 and "SIGTERM: stopping" in run.stderr and "Traceback" not in run.stderr


async def test_a_bad_token_is_not_retried_and_exits_2(
    discord_double: DiscordDouble, byline_seeds: Path, tmp_path: Path
) -> None:
    run = await start_run(discord_double.port, "not-the-token", byline_seeds, tmp_path)
    code = await run.finish()
    assert code == 2
    assert "BYLINE_DISCORD_TOKEN: Discord refused this token" in run.stderr
    assert "cannot reach Discord" not in run.stderr

