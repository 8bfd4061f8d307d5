"""/ask and its "more results" button, driven through the real discord.py against the double.

Every test runs the real Byline bot on a real Library (a copy of seeds/ and a fresh database).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot import render, render_answers
from bot.settings import Settings

from .double import MESSAGE_FLAG_EPHEMERAL, DefaultWorld, DiscordDouble
from .support import POLAND, buttons, votes

pytestmark = pytest.mark.asyncio


def ranks(embed: dict[str, Any]) -> list[int]:
    return [int(n) for n in re.findall(r"^\*\*(\d+)\. ", embed["description"], flags=re.MULTILINE)]


async def test_ask_in_a_guild_answers_with_attributed_highlighted_passages(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)

    assert inter.callback_type == 4 and inter.time_to_first_response < 3
    assert not reply.ephemeral and reply.content == ""
    [embed] = reply.embeds
    assert embed["title"] == "“what is Poland's spending?”"
    assert ranks(embed) == [1, 2, 3, 4, 5]
    first = embed["description"].split("\n\n")[0]
    assert re.match(
        r"\*\*1\. Daily Mirror\*\* · \*NATO allies agree huge spending boost as US demands they are "
        r"'ready' for Russia\* · about <t:\d+:R> · paragraph 11\n> ",
        first,
    )  # "a day ago" on the page: estimated from the file's time, counted from now
    assert "__Poland__" in first  # the question's words
    assert (
        "**According to 2024 figures, __Poland__ was the top military __spender__" in first
    )  # best sentence
    assert embed["footer"]["text"] == "Passages 1–5 · more with the button below"
    assert list(buttons(reply)) == ["More results"]


async def test_ask_in_a_dm_answers_the_same_way(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        guild = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        in_guild = await discord_double.wait_for_response(guild)
        dm = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id, dm=True)
        in_dm = await discord_double.wait_for_response(dm)

    assert in_dm.channel_id == discord_double.dm_channel_id(world.member_id)
    assert in_dm.embeds == in_guild.embeds


async def test_results_option_sets_how_many_passages(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND, "results": 2})
        reply = await discord_double.wait_for_response(inter)
    assert ranks(reply.embeds[0]) == [1, 2]


async def test_more_results_pages_on_and_back(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        message = await discord_double.wait_for_response(inter)
        first_page = message.embeds

        click = await discord_double.button_click(
            buttons(message)["More results"], message, user=world.member_id
        )
        await discord_double.wait_for_ack(click)
        assert click.callback_type == 7  # the answer message itself turns the page
        assert ranks(message.embeds[0]) == [6, 7, 8, 9, 10]
        assert message.embeds[0]["footer"]["text"].startswith("Passages 6–10")
        assert set(buttons(message)) == {"Previous", "More results"}

        back = await discord_double.button_click(buttons(message)["Previous"], message, user=world.member_id)
        await discord_double.wait_for_ack(back)
        assert message.embeds == first_page
        assert list(buttons(message)) == ["More results"]


async def test_paging_ends_with_the_last_passage_that_answers(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Settings
) -> None:
    """13 passages of the seeds share a term with POLAND: pages 1-10, then 11-13, and no further.
    (BM25 alone: the semantic layer adds passages near in meaning that share none.)"""
    async with start_byline(settings=byline_settings.model_copy(update={"semantic": False})):
        inter = await discord_double.slash_command("ask", {"question": POLAND, "results": 10})
        message = await discord_double.wait_for_response(inter)
        assert ranks(message.embeds[0]) == list(range(1, 11))
        click = await discord_double.button_click(buttons(message)["More results"], message)
        await discord_double.wait_for_ack(click)
    assert ranks(message.embeds[0]) == [11, 12, 13]
    assert message.embeds[0]["footer"]["text"] == "Passages 11–13"
    assert list(buttons(message)) == ["Previous"]


async def test_paging_stops_at_the_fiftieth_passage(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    """The library answers at most 50 passages: the fifth page of ten is the last."""
    paragraphs = "\n\n".join(f"Paragraph {n} says the zeppelin museum opens." for n in range(60))
    (byline_seeds / "museum.md").write_text(f"---\ntitle: Museum\n---\n\n{paragraphs}\n", encoding="utf-8")
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": "zeppelin museum", "results": 10})
        message = await discord_double.wait_for_response(inter)
        for _ in range(4):
            click = await discord_double.button_click(buttons(message)["More results"], message)
            await discord_double.wait_for_ack(click)
    assert ranks(message.embeds[0]) == list(range(41, 51))
    assert list(buttons(message)) == ["Previous"]


async def test_a_stranger_pressing_more_results_is_told_privately(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        message = await discord_double.wait_for_response(inter)
        before = message.embeds

        click = await discord_double.button_click(
            buttons(message)["More results"], message, user=world.admin_id
        )
        notice = await discord_double.wait_for_response(click)

    assert notice.ephemeral and notice.flags & MESSAGE_FLAG_EPHEMERAL
    assert notice.content == (
        "Only the person who asked can page through these results. Ask your own question with /ask."
    )
    assert message.embeds == before and not message.history  # the answer did not move


async def test_more_results_still_works_after_a_restart(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        message = await discord_double.wait_for_response(inter)
    custom_id = buttons(message)["More results"]
    assert len(custom_id) <= 100 and POLAND in custom_id  # the question rides in the custom_id

    async with start_byline():  # a new process would parse the button back the same way
        click = await discord_double.button_click(custom_id, message, user=world.member_id)
        await discord_double.wait_for_ack(click)
        assert ranks(message.embeds[0]) == [6, 7, 8, 9, 10]


async def test_a_long_question_pages_while_remembered_and_says_ask_again_after_a_restart(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    question = (
        "how much are the NATO allies spending on defence, and how much does each of them spend "
        "on its military?"
    )
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": question}, user=world.member_id)
        message = await discord_double.wait_for_response(inter)
        custom_id = buttons(message)["More results"]
        assert len(custom_id) <= 100 and question not in custom_id
        click = await discord_double.button_click(custom_id, message, user=world.member_id)
        await discord_double.wait_for_ack(click)
        assert ranks(message.embeds[0])[0] == 6

    async with start_byline():
        stale = await discord_double.button_click(buttons(message)["Previous"], message, user=world.member_id)
        notice = await discord_double.wait_for_response(stale)
    assert notice.ephemeral
    assert "Ask it again with /ask" in notice.content


async def test_nothing_found_is_a_short_reply_pointing_to_sources(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": "What is the weather in Paris?"})
        reply = await discord_double.wait_for_response(inter)
    [embed] = reply.embeds
    assert embed["description"].startswith("Nothing in the articles answers that.")
    assert "`/sources`" in embed["description"]
    assert buttons(reply) == {} and list(votes(reply)) == ["👍", "👎"]  # no pages; votes all the same


async def test_a_not_confident_answer_says_so_and_shows_three_passages_at_most(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command(
            "ask", {"question": "What is the weather forecast for Paris?", "results": 10}
        )
        reply = await discord_double.wait_for_response(inter)
    [embed] = reply.embeds
    assert embed["description"].startswith(f"*{render_answers.UNSURE_LINE}*\n\n**1. ")
    assert 1 <= len(ranks(embed)) <= render_answers.UNSURE_MAX
    # no further pages of passages that do not answer; the votes stay
    assert buttons(reply) == {} and list(votes(reply)) == ["👍", "👎"]


async def test_an_overlong_sentence_is_shown_cut_on_a_word_boundary(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    words = [f"zeppelin{i % 10}" if i % 7 else "airship" for i in range(500)]
    sentence = "The harbour museum keeps an " + " ".join(words) + " collection."
    assert len(sentence) > render.DESCRIPTION_MAX and "." not in sentence[:-1]  # one sentence
    # Longer than a passage may be: the index cuts it between words, and the reply shortens what
    # is still too long for Discord, between words too.
    (byline_seeds / "airships.md").write_text(
        f"---\ntitle: Airships return\noutlet: Sky Gazette\n---\n\n{sentence}\n", encoding="utf-8"
    )
    async with start_byline():
        inter = await discord_double.slash_command(
            "ask", {"question": "which museum keeps an airship collection?"}
        )
        reply = await discord_double.wait_for_response(inter)

    [embed] = reply.embeds
    block = embed["description"].split("\n\n")[0]
    assert block.startswith("**1. Sky Gazette** · *Airships return*")
    shown = re.sub(r"[*_]", "", block.split("\n> ", 1)[1]).rstrip("…")
    assert sentence.startswith(shown) and sentence[len(shown)] == " "  # cut between two words
    assert (
        len(embed["description"]) <= render.DESCRIPTION_MAX and render.embed_size(embed) <= render.EMBED_MAX
    )


async def test_a_slow_answer_is_deferred_then_filled(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline(defer_after=0):  # as if the library took longer than the defer threshold
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)
        assert inter.callback_type == 5 and inter.time_to_first_response < 3
        assert ranks(reply.embeds[0]) == [1, 2, 3, 4, 5] and list(buttons(reply)) == ["More results"]

        click = await discord_double.button_click(buttons(reply)["More results"], reply, user=world.member_id)
        await discord_double.wait_until(lambda: ranks(reply.embeds[0])[0] == 6 or None)
        assert click.callback_type == 6  # a deferred update, then the message was edited
