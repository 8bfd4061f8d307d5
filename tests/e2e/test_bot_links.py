"""Links that open: a "Read on …" button per cited article with an address, the site's name when
the outlet is unknown, attribution that no address, title or outlet can make crowd out the
passages, and /add's outlet, published and url options. The real bot against the double."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot import render

from .double import DefaultWorld, DiscordDouble, Upload
from .support import links, paragraphs

pytestmark = pytest.mark.asyncio

TRAMS = {"title": "Tram fares rise", "text": "Tram fares rise by ten percent in March.\n\nStudents pay less."}
QUESTION = "how much do tram fares rise?"


async def run(double: DiscordDouble, name: str, options: dict, **kwargs: Any) -> Any:
    inter = await double.slash_command(name, options, **kwargs)
    return await double.wait_for_response(inter)


async def test_add_takes_outlet_published_and_url_and_the_answer_links_to_it(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    details = {"outlet": "Tram Times", "published": "2025-06-24", "url": "https://trams.example/fares"}
    async with start_byline():
        added = await run(discord_double, "add", {**TRAMS, **details}, user=world.admin_id)
        answer = await run(discord_double, "ask", {"question": QUESTION}, user=world.member_id)

    assert added.embeds[0]["title"] == "Added 1 article"
    saved = (byline_seeds / "added" / "tram-fares-rise.md").read_text()
    assert saved.startswith(
        "---\ntitle: Tram fares rise\noutlet: Tram Times\npublished: 2025-06-24\n"
        "url: https://trams.example/fares\n---\n"
    )
    # The whole attribution stands under the answer line, or (when more of the article's
    # passages are shown) on the article's own line below it.
    assert re.search(
        r"\*\*Tram Times\*\* · \*\[Tram fares rise\]\(https://trams\.example/fares\)\* · <t:\d+:D>",
        answer.embeds[0]["description"],
    )
    assert links(answer) == {"Read on Tram Times": "https://trams.example/fares"}


async def test_without_an_outlet_the_sites_name_is_shown_never_unknown_outlet(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        await run(
            discord_double, "add", {**TRAMS, "url": "https://www.trams.example/fares"}, user=world.admin_id
        )
        answer = await run(discord_double, "ask", {"question": QUESTION}, user=world.member_id)
        seeds_answer = await run(
            discord_double, "ask", {"question": "why did the US set up a headquarters in Japan?"}
        )

    assert answer.embeds[0]["description"].split("\n")[1].startswith("— **trams.example** · ")
    assert links(answer) == {"Read on trams.example": "https://www.trams.example/fares"}
    # An article with neither outlet nor address (the seed page's main one) names nobody.
    description = seeds_answer.embeds[0]["description"]
    assert "Unknown outlet" not in description and "— *US sets up" in description
    assert links(seeds_answer) == {}


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"url": "javascript:alert(1)"}, "The url must be an http:// or https:// address"),
        ({"url": "https://trams.example/a b"}, "The url must be an http:// or https:// address"),
        ({"published": "the other day"}, "I cannot read that date"),
    ],
)
async def test_add_refuses_an_address_or_a_date_the_readers_would_not_take(
    discord_double: DiscordDouble,
    world: DefaultWorld,
    start_byline: Any,
    byline_seeds: Path,
    options: dict,
    reason: str,
) -> None:
    async with start_byline():
        reply = await run(discord_double, "add", {**TRAMS, **options}, user=world.admin_id)
    assert reply.ephemeral and reason in reply.content
    assert not (byline_seeds / "added").exists() or not list((byline_seeds / "added").iterdir())


async def test_add_options_are_for_typed_articles_not_files(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    upload = Upload("a.md", b"---\ntitle: T\n---\n\nText.\n")
    async with start_byline():
        reply = await run(discord_double, "add", {"file": upload, "outlet": "X"}, user=world.admin_id)
    assert reply.ephemeral and "front matter" in reply.content


async def test_an_overlong_address_title_or_outlet_leaves_the_passages_their_room(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    url = "https://news.example/" + "a" * 700
    title = "Tram " + "very " * 80 + "long title"
    outlet = "The " + "Grand " * 60 + "Gazette"
    body = "\n\n".join(f"Tram fares rise by {n} percent in district {n}, the council said." for n in range(6))
    (byline_seeds / "long.md").write_text(
        f"---\ntitle: {title}\noutlet: {outlet}\nurl: {url}\n---\n\n{body}\n", encoding="utf-8"
    )
    async with start_byline():
        answer = await run(
            discord_double, "ask", {"question": "how much do tram fares rise in the district?"}
        )

    [embed] = answer.embeds
    assert len(paragraphs(embed)) == 2  # both other passages are there
    assert url not in embed["description"]  # too long to be a link in the text
    assert links(answer) == {}  # and too long for a link button (Discord's limit is 512)
    assert render.embed_size(embed) <= 1200
