"""/add, /remove, /stats and /sources' title filter, with the real Byline bot against the double."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings

from .double import DefaultWorld, DiscordDouble, Upload
from .support import POLAND, buttons, links, votes

pytestmark = pytest.mark.asyncio

HARBOUR = (
    "---\ntitle: Harbour budget doubles\noutlet: Port Gazette\npublished: 2025-06-24\n"
    "url: https://port.example/harbour\n---\n\n"
    "The harbour authority doubled its dredging budget to 40 million euros this year.\n"
)


async def run(double: DiscordDouble, name: str, options: dict | None = None, **kwargs: Any) -> Any:
    inter = await double.slash_command(name, options or {}, **kwargs)
    return inter, await double.wait_for_response(inter)


async def test_an_admin_adds_an_attached_article_and_it_is_answered_at_once(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    async with start_byline():
        upload = Upload("../My notes; rm -rf.md", HARBOUR.encode())  # the name sent is never used
        _, reply = await run(discord_double, "add", {"file": upload}, user=world.admin_id)
        assert reply.ephemeral and reply.embeds[0]["title"] == "Added 1 article"
        description = reply.embeds[0]["description"]
        assert "*Harbour budget doubles*" in description and "added/harbour-budget-doubles.md" in description
        assert "5 articles" in description
        assert (byline_seeds / "added" / "harbour-budget-doubles.md").read_text() == HARBOUR
        assert not (byline_seeds / "added" / "My_notes__rm_-rf.md").exists()

        _, answer = await run(
            discord_double, "ask", {"question": "harbour dredging budget"}, user=world.member_id
        )
        first, citation = answer.embeds[0]["description"].split("\n")[:2]
        assert first == "**The harbour authority doubled its dredging budget to 40 million euros this year.**"
        assert re.fullmatch(
            r"— \*\*Port Gazette\*\* · \*\[Harbour budget doubles\]\(https://port\.example/harbour\)\* · "
            r"<t:\d+:D> · paragraph 1",
            citation,
        )
        assert links(answer) == {"Read on Port Gazette": "https://port.example/harbour"}


async def test_a_typed_article_is_added_and_replaced_only_when_asked(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    typed = {
        "title": "Tram fares rise",
        "text": "Tram fares rise by ten percent in March.\n\nStudents pay less.",
    }
    async with start_byline():
        _, added = await run(discord_double, "add", typed, user=world.admin_id)
        assert added.embeds[0]["title"] == "Added 1 article"
        saved = byline_seeds / "added" / "tram-fares-rise.md"
        assert "title: Tram fares rise" in saved.read_text()

        again = {**typed, "text": "Tram fares fall."}
        _, refused = await run(discord_double, "add", again, user=world.admin_id)
        assert refused.ephemeral and "already saved as added/tram-fares-rise.md" in refused.content
        assert "ten percent" in saved.read_text()  # nothing lost

        _, replaced = await run(discord_double, "add", {**again, "replace": True}, user=world.admin_id)
        assert replaced.embeds[0]["title"] == "Replaced 1 article"
        assert "Tram fares fall." in saved.read_text()


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (Upload("scan.pdf", b"%PDF-1.7 binary"), "Only .md and .txt files can be added, not .pdf."),
        (Upload("blob.md", b"\x00\x01\x02 binary"), "That file would be skipped: binary file, not text."),
        (Upload("latin.txt", "caf\xe9 society".encode("latin-1")), "not UTF-8 text"),
        (Upload("empty.md", b"  \n"), "That file would be skipped: empty file."),
    ],
)
async def test_a_file_that_would_be_skipped_is_refused_with_the_reason(
    discord_double: DiscordDouble,
    world: DefaultWorld,
    start_byline: Any,
    byline_seeds: Path,
    upload: Upload,
    reason: str,
) -> None:
    async with start_byline():
        _, reply = await run(discord_double, "add", {"file": upload}, user=world.admin_id)
    assert reply.ephemeral and reason in reply.content
    assert not list((byline_seeds / "added").glob("*")) if (byline_seeds / "added").exists() else True


async def test_add_needs_a_file_or_a_title_and_text(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        _, neither = await run(discord_double, "add", {"title": "Only a title"}, user=world.admin_id)
        _, both = await run(
            discord_double,
            "add",
            {"file": Upload("a.md", HARBOUR.encode()), "title": "T", "text": "x"},
            user=world.admin_id,
        )
    assert "give both a title and text" in neither.content
    assert "not both" in both.content


@pytest.mark.parametrize("command", ["add", "remove", "stats"])
async def test_members_may_not_manage_articles(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, command: str
) -> None:
    options = {"remove": {"article": "added/x.md"}, "add": {"title": "T", "text": "x"}}.get(command, {})
    async with start_byline():
        inter = await discord_double.slash_command(command, options, user=world.member_id, force=True)
        reply = await discord_double.wait_for_response(inter)
    assert reply.ephemeral and reply.content.startswith("Only this bot's operators")


async def test_remove_offers_only_added_articles_and_removes_one(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    async with start_byline():
        await run(discord_double, "add", {"file": Upload("h.md", HARBOUR.encode())}, user=world.admin_id)
        typed = {"title": "Tram fares rise", "text": "Tram fares rise by ten percent."}
        await run(discord_double, "add", typed, user=world.admin_id)

        offered = await discord_double.autocomplete("remove", {}, "article", user=world.admin_id)
        await discord_double.wait_for_ack(offered)
        assert offered.callback_data["choices"] == [
            {"name": "Harbour budget doubles", "value": "added/harbour-budget-doubles.md"},
            {"name": "Tram fares rise", "value": "added/tram-fares-rise.md"},
        ]  # the seed articles are not offered
        typing = await discord_double.autocomplete(
            "remove", {"article": "TRAM"}, "article", user=world.admin_id
        )
        await discord_double.wait_for_ack(typing)
        assert [c["value"] for c in typing.callback_data["choices"]] == ["added/tram-fares-rise.md"]

        _, removed = await run(
            discord_double, "remove", {"article": "added/tram-fares-rise.md"}, user=world.admin_id
        )
        assert removed.ephemeral and removed.embeds[0]["title"] == "Removed an added article"
        assert "5 articles" in removed.embeds[0]["description"]
        assert not (byline_seeds / "added" / "tram-fares-rise.md").exists()

        for sneaky in ("000_b51a04dbdb0fcd70.txt", "added/../000_b51a04dbdb0fcd70.txt", "added/nope.md"):
            _, refused = await run(discord_double, "remove", {"article": sneaky}, user=world.admin_id)
            assert "not an article added with /add" in refused.content
        assert (byline_seeds / "000_b51a04dbdb0fcd70.txt").exists()


async def test_stats_shows_questions_votes_and_what_was_not_answered(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Any
) -> None:
    keeping = byline_settings.model_copy(update={"keep_questions": True})
    async with start_byline(settings=keeping):
        _, answer = await run(discord_double, "ask", {"question": POLAND}, user=world.member_id)
        down = await discord_double.button_click(votes(answer)["👎"], answer, user=world.member_id)
        asked_why = await discord_double.wait_for_response(down)
        why = await discord_double.button_click(
            buttons(asked_why)["Out of date"], asked_why, user=world.member_id
        )
        await discord_double.wait_for_ack(why)
        await run(discord_double, "ask", {"question": "What is the weather in Paris?"}, user=world.member_id)
        _, stats = await run(discord_double, "stats", {"days": 7}, user=world.admin_id)
    assert stats.ephemeral
    [embed] = stats.embeds
    assert embed["title"] == "Byline in the last 7 days"
    assert embed["description"].startswith("**2** questions · **1** answered confidently (50%)")
    assert "**0** 👍 · **1** 👎" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d: 2 asked, 1 confident", fields["Per day"])
    # One line for the answer voted down (not one a passage), its question, the reason, what it cited.
    assert fields["Answers voted 👎"] == (
        "1 👎 0 👍 · “what is Poland's spending?” · out of date ×1 · Daily Mirror · *NATO allies agree huge "
        "spending boost as US demands they are 'ready' for Russia* · paragraph 11"
    )
    assert fields["Not answered confidently"] == "**weather, paris** (1): “What is the weather in Paris?”"


async def test_sources_filters_by_title_with_autocomplete_and_ask_suggests_nothing(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        typing = await discord_double.autocomplete(
            "sources", {"title": "nato"}, "title", user=world.member_id
        )
        await discord_double.wait_for_ack(typing)
        names = [c["name"] for c in typing.callback_data["choices"]]
        assert names == [
            "NATO allies agree huge spending boost as US demands they are 'ready' for Russia",
            "Americans are wearing biggest smiles in NATO defence spending battle",
        ]
        assert all(c["value"] == c["name"] for c in typing.callback_data["choices"])

        _, listed = await run(discord_double, "sources", {"title": "nato"}, user=world.member_id)
        [embed] = listed.embeds
        assert embed["title"] == "“nato” in the titles"
        assert [
            re.match(r"\*\*\d+\.\*\* \*(.+?)\* — ", line)[1] for line in embed["description"].split("\n")
        ] == names

        _, none = await run(discord_double, "sources", {"title": "giraffes"}, user=world.member_id)
        assert none.embeds[0]["title"] == "No article matches"
    [ask] = [c for c in discord_double.commands_for() if c["name"] == "ask"]
    assert not any(option.get("autocomplete") for option in ask["options"])


async def test_members_are_answered_while_a_hostile_file_is_added(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    """`/add` of 40,000 "[" froze the bot for over a minute: another member's /ask went
    unacknowledged ("Unknown interaction"). Every interaction is answered within Discord's 3 s
    (``assert_manners``), the questions asked while the file is read included."""
    evil = Upload("evil.md", ("# Evil\n\n" + "[" * 40_000).encode())
    async with start_byline():
        adding = await discord_double.slash_command("add", {"file": evil}, user=world.admin_id)
        await discord_double.wait_for_ack(adding)
        questions = []
        for _ in range(3):
            questions.append(
                await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
            )
            await asyncio.sleep(0.2)
        for question in questions:
            answer = await discord_double.wait_for_response(question)
            assert answer.embeds and question.time_to_first_response < 3
        added = await discord_double.wait_for_response(adding, timeout=30)
    assert added.embeds[0]["title"] == "Added 1 article"
    assert (byline_seeds / "added" / "evil.md").read_bytes().startswith(b"# Evil")


def _swap(index_dir: Path, aside: Path, *, blocked: bool) -> None:
    """Put a file where the index folder is (moved ``aside``), or the folder back."""
    if blocked:
        index_dir.rename(aside)
        index_dir.write_text("not a folder")
    else:
        index_dir.unlink()
        aside.rename(index_dir)


async def test_an_article_the_index_refuses_is_not_kept(
    discord_double: DiscordDouble,
    world: DefaultWorld,
    start_byline: Any,
    byline_seeds: Path,
    byline_settings: Settings,
    tmp_path: Path,
) -> None:
    """A file the re-index failed on stayed in the folder, and every later /add and /reindex
    failed on it again. Here the index folder cannot be written (a file stands in its place):
    the new article is deleted again, and the one a replacement overwrote is put back."""
    typed = {"title": "Tram fares rise", "text": "Tram fares rise by ten percent in March."}
    index_dir = Path(f"{byline_settings.database}.index")
    async with start_byline():
        await run(discord_double, "add", typed, user=world.admin_id)
        [saved] = (byline_seeds / "added").iterdir()
        _swap(index_dir, tmp_path / "index-aside", blocked=True)
        try:
            replace = {**typed, "text": "Tram fares fall.", "replace": True}
            _, replacing = await run(discord_double, "add", replace, user=world.admin_id)
            ferry = {"title": "Ferry returns", "text": "The ferry to Ushant returns in May."}
            _, adding = await run(discord_double, "add", ferry, user=world.admin_id)
        finally:
            _swap(index_dir, tmp_path / "index-aside", blocked=False)
        _, answer = await run(discord_double, "ask", {"question": "tram fares"}, user=world.member_id)
    assert "ten percent" in answer.embeds[0]["description"]  # the index still holds the first text
    for refused in (replacing, adding):
        assert refused.ephemeral and "Cannot write" in refused.content
    assert [p.name for p in (byline_seeds / "added").iterdir()] == [saved.name]
    assert "ten percent" in saved.read_text()
