"""`byline run` itself, in its own process, against the double: logging, the data directory, stopping.

The process runs ``bot.cli.main(["run"])`` exactly as the console script does (settings from the
environment, ``configure_logging``, ``run_bot``); only discord.py's two URLs are pointed at the
double first, as every end-to-end test does.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from bot.status import read_status, status_file

from .conftest import REPO
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
MESSAGES = "/channels/{channel_id}/messages"


async def ask_until_answered(double: DiscordDouble, world: DefaultWorld) -> None:
    """Ask until the first build of the index is done and an answer comes (warming up before)."""
    for _ in range(100):
        inter = await double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await double.wait_for_response(inter, timeout=10)
        if reply.embeds:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("byline run never answered")


class Run:
    """`byline run` in a subprocess; its stderr is read as it comes (so the pipe never fills)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode())

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    async def logged(self, double: DiscordDouble, text: str) -> None:
        await double.wait_until(lambda: text in self.stderr, 30, f"{text!r} in the log")

    async def finish(self) -> int:
        """The exit code, once the process has stopped (killed if it has not within 30 s)."""
        try:
            code = await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        await self.reader
        return code


async def start_run(double: DiscordDouble, env: dict[str, str], cwd: Path) -> Run:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN,
        double.rest_base,
        double.gateway_url,
        cwd=cwd,
        env={**base, "BYLINE_DISCORD_TOKEN": double.token, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    return Run(process)


async def test_byline_run_logs_at_debug_without_any_token(
    discord_double: DiscordDouble, world: DefaultWorld, byline_seeds: Path, tmp_path: Path
) -> None:
    env = {
        "BYLINE_DATABASE": str(tmp_path / "run.db"),
        "BYLINE_SEEDS_DIR": str(byline_seeds),
        "BYLINE_LOG_LEVEL": "DEBUG",
    }
    run = await start_run(discord_double, env, tmp_path)
    try:
        await discord_double.wait_until_identified(timeout=60)
        await ask_until_answered(discord_double, world)
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        assert (await discord_double.wait_for_message(discord_double.dm_channel_id(world.member_id))).embeds
    finally:
        if run.process.returncode is None:
            run.process.send_signal(signal.SIGINT)
        code = await run.finish()
    stderr = run.stderr

    assert code == 0  # Ctrl-C: a clean stop
    assert "DEBUG" in stderr and "INTERACTION_CREATE" in stderr  # the chattiest level, events included
    first = next(iter(discord_double.interactions.values()))
    assert f"/interactions/{first.id}/[redacted]/callback" in stderr  # logged, but not its token
    assert discord_double.token not in stderr
    for interaction in discord_double.interactions.values():
        assert interaction.token not in stderr
    assert "voice will NOT be supported" not in stderr
    assert "Traceback" not in stderr


async def test_sigterm_answers_the_question_in_flight_then_closes_the_gateway_and_exits_0(
    discord_double: DiscordDouble, world: DefaultWorld, tmp_path: Path
) -> None:
    """What systemd and ``docker stop`` send. The answer to a DM is held up by a rate limit
    (Discord's 429, 2.5 s) when SIGTERM comes: it still lands, a question asked after the signal is
    told the bot is restarting, then the gateway is closed with 1000, the database closed (its
    write-ahead log checkpointed away, which SQLite does when the last connection closes) and
    the status file marked stopped. The bot runs from another directory than its data's, and logs
    JSON lines."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "seeds", data / "seeds")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = await start_run(
        discord_double, {"BYLINE_DATA_DIR": str(data), "BYLINE_LOG_FORMAT": "json"}, elsewhere
    )
    dm = discord_double.dm_channel_id(world.member_id)
    try:
        await discord_double.wait_until_identified(timeout=60)
        await ask_until_answered(discord_double, world)
        fault = discord_double.inject_fault("POST", MESSAGES, status=429, retry_after=2.5)
        await discord_double.user_message(POLAND, user=world.member_id, dm=True)
        await discord_double.wait_until(lambda: fault.hits == 1, 30, "the answer held up")
        run.process.send_signal(signal.SIGTERM)
        await run.logged(discord_double, "SIGTERM: stopping after the questions in flight")
        late = await discord_double.slash_command("ask", {"question": POLAND}, user=world.admin_id)
        refused = await discord_double.wait_for_response(late, timeout=30)
        answer = await discord_double.wait_for_message(dm, timeout=30)
    finally:
        code = await run.finish()  # killed if it does not stop by itself

    assert code == 0
    assert answer.embeds[0]["title"] == f"“{POLAND}”"
    assert [r.status for r in discord_double.requests_to("POST", MESSAGES)][-2:] == [429, 200]
    assert refused.ephemeral and refused.content == "I'm restarting; ask again in a minute."
    assert [c.client_close_code for c in discord_double.gateway.connections] == [1000]
    assert (data / "byline.db").is_file() and not (data / "byline.db-wal").exists()
    assert not (elsewhere / "byline.db").exists()
    stopped = read_status(status_file(data / "byline.db"))
    assert not stopped.running and stopped.detail.startswith("not running (stopped at")
    logged = [json.loads(line) for line in run.lines]  # BYLINE_LOG_FORMAT=json: every line
    messages = [entry["message"] for entry in logged]
    for line in (f"data directory {data}", f"database {data / 'byline.db'}", f"seeds {data / 'seeds'}"):
        assert line in messages
    assert not [entry for entry in logged if "traceback" in entry]
