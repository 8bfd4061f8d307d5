"""Running it for real, in process against the double: the status file, the public-bot warning,
BYLINE_GUILD_ID keeping the bot to its home server, re-indexing when the seeds folder changes,
and the Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.gate import ELSEWHERE
from bot.status import read_status, status_file

from .double import ChannelSpec, DefaultWorld, DiscordDouble, GuildSpec, MemberSpec
from .double.world import FAST_CLIENT_OPTIONS
from .support import POLAND, answered_after

pytestmark = pytest.mark.asyncio

OTHER_GUILD = 200_000_000_000_000_002
OTHER_CHANNEL = 400_000_000_000_000_201


async def test_the_status_file_says_connected_while_running_and_stopped_after(
    start_byline: Any, byline_settings: Any
) -> None:
    path = status_file(byline_settings.database)
    async with start_byline():
        running = read_status(path)
        assert running.running and running.connected, running.detail
    stopped = read_status(path)
    assert not stopped.running and stopped.detail.startswith("not running (stopped at")


async def test_a_dropped_gateway_shows_in_the_status_file(
    discord_double: DiscordDouble, start_byline: Any, byline_settings: Any
) -> None:
    path = status_file(byline_settings.database)
    async with start_byline() as bot:
        bot.before_identify_hook = _at_once  # type: ignore[method-assign]
        await discord_double.gateway.drop(code=4000)
        await discord_double.wait_until(lambda: not read_status(path).connected, 10, "disconnected")
        assert read_status(path).running
        await discord_double.wait_until(lambda: read_status(path).connected, 30, "connected again")


async def _at_once(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before every IDENTIFY but the first; Discord does not require it here."""


async def test_a_public_application_is_warned_about_at_start(
    start_byline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="byline.bot"):
        async with start_byline():
            pass
    warnings = [r.getMessage() for r in caplog.records if "this application is public" in r.getMessage()]
    assert len(warnings) == 1 and "Turn Public Bot off" in warnings[0]


def two_guilds(world: DefaultWorld) -> DiscordDouble:
    """The default world, and a second server with the member in it."""
    other = GuildSpec(
        id=OTHER_GUILD,
        name="Somewhere Else",
        owner_id=world.member_id,
        channels=[ChannelSpec(OTHER_CHANNEL, "lobby", position=0)],
        members=[MemberSpec(world.member_id)],
    )
    return DiscordDouble(
        bot_user_id=world.bot_id,
        application_id=world.application_id,
        users=world.users(),
        guilds=[world.guild(), other],
    )


async def test_with_a_guild_id_the_bot_answers_in_that_server_and_in_dms_only(
    world: DefaultWorld, start_byline: Any, byline_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    double = two_guilds(world)
    settings = byline_settings.model_copy(
        update={"guild_id": world.guild_id, "discord_token": SecretStr(double.token)}
    )
    async with double:
        with caplog.at_level(logging.INFO, logger="byline.bot"):
            async with start_byline(settings=settings, double=double, **FAST_CLIENT_OPTIONS):
                for _ in range(2):  # told once, not at every question
                    await double.user_message(
                        f"<@{world.bot_id}> {POLAND}", user=world.member_id, channel_id=OTHER_CHANNEL
                    )
                await answered_after(double, world)  # at home: answered
                await answered_after(double, world, dm=True)  # in a DM: answered
                told = await double.wait_for_message(OTHER_CHANNEL)
                await asyncio.sleep(0)
        assert double.channel_messages(OTHER_CHANNEL) == [told]
        assert told.content == ELSEWHERE and told.embeds == []
        logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("asked in guild")]
        assert logged == [f"asked in guild {OTHER_GUILD}; BYLINE_GUILD_ID is {world.guild_id}"] * 2


async def test_with_a_guild_id_a_slash_command_elsewhere_is_refused_by_the_tree_check(
    world: DefaultWorld, start_byline: Any, byline_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Global commands left from before BYLINE_GUILD_ID was set can still be run elsewhere: the
    command tree's check refuses them."""
    double = two_guilds(world)
    settings = byline_settings.model_copy(
        update={"guild_id": world.guild_id, "discord_token": SecretStr(double.token)}
    )
    async with double:
        with caplog.at_level(logging.INFO, logger="byline.bot"):
            async with start_byline(settings=settings, double=double, **FAST_CLIENT_OPTIONS) as bot:
                await bot.tree.sync()  # global commands, as a bot synced before BYLINE_GUILD_ID was set
                away = await double.slash_command(
                    "ask", {"question": POLAND}, user=world.member_id, guild_id=OTHER_GUILD,
                    channel_id=OTHER_CHANNEL,
                )  # fmt: skip
                refused = await double.wait_for_response(away)
                home = await double.slash_command("ask", {"question": POLAND}, user=world.member_id)
                answered = await double.wait_for_response(home)
    assert refused.ephemeral and refused.content == ELSEWHERE and refused.embeds == []
    assert answered.embeds and not answered.content
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused a command")]
    assert logged == [f"refused a command in guild {OTHER_GUILD}: BYLINE_GUILD_ID is {world.guild_id}"]


async def test_with_byline_watch_a_new_article_is_answered_without_a_reindex_command(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Any
) -> None:
    settings = byline_settings.model_copy(update={"watch": True})
    question = "which lighthouse did volunteers repaint at Gullhaven?"
    async with start_byline(settings=settings) as bot:
        assert bot.services.upkeep is not None
        await asyncio.wait_for(bot.services.upkeep.watching.wait(), 30)
        (settings.seeds_dir / "lighthouse.md").write_text(
            "---\ntitle: Volunteers restore Victorian lighthouse\noutlet: Coastal Post\n---\n\n"
            "Volunteers have repainted the Victorian lighthouse at Gullhaven after a decade of neglect.\n",
            encoding="utf-8",
        )

        async def indexed() -> bool:
            answer = await bot.library.ask(question)  # type: ignore[union-attr]
            return bool(answer.hits) and answer.hits[0].article.source == "lighthouse.md"

        for _ in range(600):  # at most 30 s: the watcher waits for 2 s of quiet, then re-indexes
            if await indexed():
                break
            await asyncio.sleep(0.05)
        inter = await discord_double.slash_command("ask", {"question": question}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)
    assert "Gullhaven" in reply.embeds[0]["description"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The metrics served on ``port``, as {(sample name, labels): value}."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_questions_by_how_they_were_asked_and_reindexes_by_trigger(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Any
) -> None:
    port = free_port()
    settings = byline_settings.model_copy(update={"metrics_port": port})
    async with start_byline(settings=settings) as bot:
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        await discord_double.wait_for_response(inter)
        await answered_after(discord_double, world, dm=True)
        nothing = await discord_double.slash_command(
            "ask", {"question": "zebra quokka"}, user=world.member_id
        )
        await discord_double.wait_for_response(nothing)
        reindex = await discord_double.slash_command("reindex", user=world.admin_id)
        await discord_double.wait_for_response(reindex)
        bot.services.status_keeper.update()  # type: ignore[union-attr]  # as every 15 s: the gateway gauges
        seen = await scrape(port)
    assert seen[("byline_questions_total", (("confident", "true"), ("via", "slash")))] == 1
    assert seen[("byline_questions_total", (("confident", "false"), ("via", "slash")))] == 1
    assert seen[("byline_questions_total", (("confident", "true"), ("via", "message")))] == 1
    assert seen[("byline_answer_seconds_count", (("via", "slash"),))] == 2
    assert seen[("byline_reindexes_total", (("outcome", "ok"), ("trigger", "first")))] == 1
    assert seen[("byline_reindexes_total", (("outcome", "ok"), ("trigger", "command")))] == 1
    assert seen[("byline_gateway_connected", ())] == 1
    with pytest.raises(aiohttp.ClientConnectionError):  # stopped with the bot
        await scrape(port)
