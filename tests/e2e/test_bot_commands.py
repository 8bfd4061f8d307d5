"""/sources, /help, /reindex and command sync, with the real Byline bot against the double."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.app import sync_commands
from bot.sync import state_file
from index import BylineError

from .double import DefaultWorld, DiscordDouble
from .support import POLAND, buttons, write_filler_articles

pytestmark = pytest.mark.asyncio

ALL_COMMANDS = ["ask", "sources", "reindex", "add", "remove", "stats", "help"]

SEED_TITLES = [
    "US sets up ‘war-fighting HQ' in Japan for possible China conflict",
    "Japanese rover smashes into moon in fresh disaster for embattled space company",
    "NATO allies agree huge spending boost as US demands they are 'ready' for Russia",
    "Americans are wearing biggest smiles in NATO defence spending battle",
]


def write_articles(folder: Path, count: int) -> None:
    for n in range(count):
        (folder / f"extra{n:02}.md").write_text(
            f"---\ntitle: Extra article {n}\noutlet: Extra News\npublished: 2025-06-{n + 1:02}\n---\n\n"
            f"Paragraph about topic number {n}.\n",
            encoding="utf-8",
        )


# ---- /sources -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dm", [False, True], ids=["guild", "dm"])
async def test_sources_lists_the_indexed_articles(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, dm: bool
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("sources", user=world.member_id, dm=dm)
        reply = await discord_double.wait_for_response(inter)
    [embed] = reply.embeds
    assert embed["title"] == "Indexed articles (4)"
    lines = embed["description"].split("\n")
    assert [re.match(r"\*\*\d+\.\*\* \*(.+?)\* — ", line)[1] for line in lines] == SEED_TITLES
    assert lines[0].startswith("**1.** *US sets up") and "Unknown outlet" not in lines[0]
    assert re.search(r"— Daily Mirror · about <t:\d+:R> · 23 passages$", lines[1])
    assert ".txt" not in embed["description"]  # public: no file names of the server
    assert reply.components == []  # one page: no buttons


async def test_sources_pages_with_buttons_only_the_invoker_may_press(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    write_articles(byline_seeds, 12)  # 16 articles: two pages of 10
    async with start_byline():
        inter = await discord_double.slash_command("sources", user=world.member_id)
        message = await discord_double.wait_for_response(inter)
        assert message.embeds[0]["footer"]["text"] == "Page 1 of 2 · 16 articles"
        assert list(buttons(message)) == ["Next"]

        stranger = await discord_double.button_click(buttons(message)["Next"], message, user=world.admin_id)
        notice = await discord_double.wait_for_response(stranger)
        assert notice.ephemeral and "Only the person who ran /sources" in notice.content
        assert message.embeds[0]["footer"]["text"].startswith("Page 1 of 2")

        turn = await discord_double.button_click(buttons(message)["Next"], message, user=world.member_id)
        await discord_double.wait_for_ack(turn)
        assert turn.callback_type == 7  # the list itself turns the page
        assert message.embeds[0]["footer"]["text"] == "Page 2 of 2 · 16 articles"
        assert message.embeds[0]["description"].startswith("**11.** ")
        assert list(buttons(message)) == ["Previous"]

        back = await discord_double.button_click(buttons(message)["Previous"], message, user=world.member_id)
        await discord_double.wait_for_ack(back)
        assert message.embeds[0]["footer"]["text"] == "Page 1 of 2 · 16 articles"


async def test_sources_buttons_still_work_after_a_restart(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    write_articles(byline_seeds, 12)
    async with start_byline():
        inter = await discord_double.slash_command("sources", user=world.member_id)
        message = await discord_double.wait_for_response(inter)

    async with start_byline():  # a new process: nothing of the first one is left in memory
        turn = await discord_double.button_click(buttons(message)["Next"], message, user=world.member_id)
        await discord_double.wait_for_ack(turn)
        assert message.embeds[0]["footer"]["text"] == "Page 2 of 2 · 16 articles"
        assert message.embeds[0]["description"].startswith("**11.** ")


async def test_a_page_gone_since_shows_the_last_one(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    write_articles(byline_seeds, 12)
    async with start_byline():
        inter = await discord_double.slash_command("sources", user=world.member_id)
        message = await discord_double.wait_for_response(inter)
        for n in range(12):
            (byline_seeds / f"extra{n:02}.md").unlink()
        await discord_double.wait_for_response(
            await discord_double.slash_command("reindex", user=world.admin_id)
        )

        turn = await discord_double.button_click(buttons(message)["Next"], message, user=world.member_id)
        await discord_double.wait_for_ack(turn)
    assert message.embeds[0]["footer"]["text"] == "Page 1 of 1 · 4 articles"
    assert message.components == []


# ---- /help ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dm", [False, True], ids=["guild", "dm"])
async def test_help_explains_privately_how_to_ask(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, dm: bool
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("help", user=world.member_id, dm=dm)
        reply = await discord_double.wait_for_response(inter)
    assert reply.ephemeral
    text = reply.embeds[0]["description"]
    for shown in ("/ask", "direct message", "Mention me", "/sources", "private: True"):
        assert shown in text
    assert re.match(r"I hold 4 articles; the newest is from about <t:\d+:D>\.", text)
    assert "BYLINE_" not in text


# ---- /reindex -------------------------------------------------------------------------------------


async def test_reindex_by_a_guild_admin_reports_what_changed(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    async with start_byline():
        (byline_seeds / "new.md").write_text("---\ntitle: New\n---\n\nA new article.\n", encoding="utf-8")
        (byline_seeds / "broken.txt").write_bytes(b"\x00\x01\x02 binary")
        inter = await discord_double.slash_command("reindex", user=world.admin_id)
        reply = await discord_double.wait_for_response(inter)
        assert inter.callback_type == 5 and inter.time_to_first_response < 3

        assert reply.ephemeral
        [embed] = reply.embeds
        assert embed["title"].startswith("Re-indexed in ")
        assert embed["description"].startswith(
            "**1** added · **0** updated · **0** removed · **1** unchanged"
        )
        assert "5 articles" in embed["description"]
        [skipped] = embed["fields"]
        assert skipped["name"] == "Skipped (1)" and skipped["value"].startswith("broken.txt: ")

        ask = await discord_double.slash_command("sources", user=world.member_id)
        assert (await discord_double.wait_for_response(ask)).embeds[0]["title"] == "Indexed articles (5)"


async def test_a_second_reindex_while_one_runs_is_told_busy(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    async with start_byline() as bot:
        write_filler_articles(byline_seeds, 1000)
        first = await discord_double.slash_command("reindex", user=world.admin_id)
        second = await discord_double.slash_command("reindex", user=world.owner_id, dm=True)
        busy = await discord_double.wait_for_response(second)
        assert bot.library.reindexing, "the first re-index finished too soon for this test to mean anything"
        report = await discord_double.wait_for_response(first, timeout=30)
    assert busy.ephemeral and busy.content == "A re-index is already running; try again when it has finished."
    assert report.ephemeral and report.embeds[0]["description"].startswith("**1,000** added")


async def test_questions_during_a_reindex_are_answered_from_the_previous_index(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    async with start_byline() as bot:
        before = await discord_double.wait_for_response(
            await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        )
        write_filler_articles(byline_seeds, 1000)
        (byline_seeds / "budget.md").write_text(
            "---\ntitle: Poland's spending record\noutlet: Budget Daily\n---\n\n"
            "Poland's spending on defence is the highest in NATO, Poland's spending figures show.\n",
            encoding="utf-8",
        )
        reindex = await discord_double.slash_command("reindex", user=world.admin_id)
        await discord_double.wait_until(lambda: bot.library.reindexing, what="the re-index to start")
        during = await discord_double.wait_for_response(
            await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        )
        assert bot.library.reindexing, "the re-index finished too soon for this test to mean anything"
        await discord_double.wait_for_response(reindex, timeout=30)
        after = await discord_double.wait_for_response(
            await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        )
    assert during.embeds == before.embeds
    assert after.embeds != before.embeds
    # The new article is among the answer's passages (its place is the re-ordering's to decide).
    assert "**Budget Daily** · *Poland's spending record*" in after.embeds[0]["description"]
    assert "Budget Daily" not in during.embeds[0]["description"]


OPERATORS_ONLY = "Only this bot's operators can re-index; ask one of them."
WITH_GUILD_ADMINS = "Only server administrators and Byline's operators can re-index."


@pytest.mark.parametrize(
    ("who", "dm", "listed", "guild_admins", "refusal"),
    [
        ("owner_id", False, False, False, None),  # the application's owner (Bot.is_owner), unlisted
        ("owner_id", True, False, False, None),  # ... in a DM too
        ("admin_id", False, False, False, OPERATORS_ONLY),  # a server's administrator: not by default
        ("admin_id", False, False, True, None),  # ... unless BYLINE_GUILD_ADMINS_MAY_REINDEX
        ("member_id", False, False, True, WITH_GUILD_ADMINS),  # a member the server let see /reindex
        ("member_id", False, True, False, None),  # the same member, listed in BYLINE_ADMIN_IDS
        ("member_id", True, True, False, None),  # a listed operator, in a DM
        ("member_id", True, False, False, OPERATORS_ONLY),  # a stranger, in a DM
        ("admin_id", True, False, True, OPERATORS_ONLY),  # a server's administrator is nobody in a DM
    ],
    ids=[
        "owner",
        "owner-in-dm",
        "guild-admin-by-default",
        "guild-admin-when-allowed",
        "member-granted-by-the-server",
        "member-granted-and-listed",
        "listed-in-dm",
        "stranger-in-dm",
        "guild-admin-in-dm",
    ],
)
async def test_who_may_reindex(
    discord_double: DiscordDouble,
    world: DefaultWorld,
    start_byline: Any,
    byline_settings: Any,
    who: str,
    dm: bool,
    listed: bool,
    guild_admins: bool,
    refusal: str | None,
) -> None:
    """Discord shows /reindex to administrators only, but a server may grant it to anyone (its
    integration settings; the double's ``force=True``): the bot decides again. By default only the
    application's owner (the double's application belongs to Olga) and BYLINE_ADMIN_IDS may; with
    BYLINE_GUILD_ADMINS_MAY_REINDEX, each server's administrators too, in their server."""
    user = getattr(world, who)
    settings = byline_settings.model_copy(
        update={"admin_ids": frozenset({user} if listed else set()), "guild_admins_may_reindex": guild_admins}
    )
    async with start_byline(settings=settings):
        if who == "member_id" and not dm:
            with pytest.raises(ValueError, match="default_member_permissions"):
                await discord_double.slash_command("reindex", user=user)  # Discord hides it from them
        inter = await discord_double.slash_command("reindex", user=user, dm=dm, force=True)
        reply = await discord_double.wait_for_response(inter)
    assert reply.ephemeral
    if refusal is None:
        assert inter.callback_type == 5 and reply.embeds[0]["title"].startswith("Re-indexed in ")
    else:
        assert inter.callback_type == 4 and reply.content == refusal and reply.embeds == []


# ---- command sync ---------------------------------------------------------------------------------


async def test_commands_are_synced_globally_once_and_again_only_when_they_change(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Any
) -> None:
    async with start_byline():
        pass
    [put] = discord_double.requests_to("PUT", "/applications/{id}/commands")
    commands = {c["name"]: c for c in put.json}
    assert list(commands) == ["ask", "sources", "reindex", "add", "remove", "stats", "help"]
    for admin_only in ("reindex", "add", "remove", "stats"):
        assert str(commands[admin_only]["default_member_permissions"]) == "8"  # Administrator
    assert all(c["contexts"] == [0, 1] and c["integration_types"] == [0] for c in put.json)
    ask = {o["name"]: o for o in commands["ask"]["options"]}
    assert ask["question"]["required"] and ask["question"]["max_length"] == 1000
    assert (ask["results"]["min_value"], ask["results"]["max_value"]) == (1, 10)
    state = json.loads(state_file(byline_settings.database).read_text())
    assert set(state) == {"global"}

    async with start_byline():  # same definitions: no second PUT
        pass
    assert len(discord_double.requests_to("PUT", "/applications/{id}/commands")) == 1

    state_file(byline_settings.database).write_text(json.dumps({"global": "an older definition"}))
    async with start_byline():
        pass
    assert len(discord_double.requests_to("PUT", "/applications/{id}/commands")) == 2


async def test_with_a_guild_id_commands_are_synced_to_that_guild_at_every_start(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Any
) -> None:
    settings = byline_settings.model_copy(update={"guild_id": world.guild_id})
    for _ in range(2):
        async with start_byline(settings=settings):
            inter = await discord_double.slash_command("help", user=world.member_id)
            await discord_double.wait_for_response(inter)
    assert discord_double.requests_to("PUT", "/applications/{id}/commands") == []
    puts = discord_double.requests_to("PUT", "/applications/{id}/guilds/{guild}/commands")
    assert len(puts) == 2  # cheap and instant: no fingerprint in development
    assert [c["name"] for c in puts[-1].json] == [
        "ask",
        "sources",
        "reindex",
        "add",
        "remove",
        "stats",
        "help",
    ]
    assert [c["name"] for c in discord_double.commands_for(world.guild_id)] == [
        "ask",
        "sources",
        "reindex",
        "add",
        "remove",
        "stats",
        "help",
    ]


async def test_switching_from_global_to_a_guild_removes_the_global_copies(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Any
) -> None:
    async with start_byline():
        pass
    assert len(discord_double.commands_for()) == 7
    async with start_byline(settings=byline_settings.model_copy(update={"guild_id": world.guild_id})):
        inter = await discord_double.slash_command("ask", {"question": "who leads NATO?"})
        assert (await discord_double.wait_for_response(inter)).embeds  # the guild copy answers
    assert discord_double.commands_for() == []  # nothing shows twice in the guild
    assert len(discord_double.commands_for(world.guild_id)) == 7
    assert set(json.loads(state_file(byline_settings.database).read_text())) == {f"guild:{world.guild_id}"}


async def test_going_global_removes_the_copies_left_in_the_development_guild(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Any
) -> None:
    async with start_byline(settings=byline_settings.model_copy(update={"guild_id": world.guild_id})):
        pass
    assert len(discord_double.commands_for(world.guild_id)) == 7
    async with start_byline():
        pass
    assert discord_double.commands_for(world.guild_id) == []
    assert [c["name"] for c in discord_double.commands_for()] == ALL_COMMANDS
    assert set(json.loads(state_file(byline_settings.database).read_text())) == {"global"}


async def test_byline_sync_logs_in_over_http_only_and_always_syncs(
    discord_double: DiscordDouble, byline_settings: Any
) -> None:
    first = await sync_commands(byline_settings)
    second = await sync_commands(byline_settings)
    assert [c.name for c in first] == ALL_COMMANDS == [c.name for c in second]
    assert len(discord_double.requests_to("PUT", "/applications/{id}/commands")) == 2
    assert discord_double.gateway.connections == []  # no gateway
    assert not byline_settings.database.exists()  # nor any library


async def test_byline_sync_refused_by_discord_is_one_error_not_a_traceback(
    discord_double: DiscordDouble, byline_settings: Any
) -> None:
    discord_double.inject_fault("PUT", "/applications/{id}/commands", status=403)
    with pytest.raises(BylineError, match="Discord refused the request: 403"):
        await sync_commands(byline_settings)
    assert not state_file(byline_settings.database).exists()  # nothing recorded: the next start retries
