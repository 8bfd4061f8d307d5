"""/ask and its buttons, driven through the real discord.py against the double.

Every test runs the real Byline bot on a real Library (a copy of seeds/ and a fresh database); what
a reply should show is read from the library's own answer (its ``answer`` line, ``confident``,
``confidence`` and hits), so these tests say how a reply is made of an answer, not which answer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot import render, render_reply
from bot.settings import Settings
from index import Answer, Library

from .double import MESSAGE_FLAG_EPHEMERAL, DefaultWorld, DiscordDouble
from .support import POLAND, buttons, links, paragraphs, vote_labels, votes

pytestmark = pytest.mark.asyncio

UNSURE_QUESTION = "who paid for the rover"  # the seeds hold a rover, not who paid for it
NOTHING_QUESTION = "What is the weather forecast for Paris?"  # one passage shares "forecast"


def expected(hits: list[Any], skip: Any = None) -> list[tuple[str, int]]:
    """(title, paragraph) of hits, grouped by article as a reply groups them; ``skip`` (the hit the
    answer line quotes) keeps its article's place but is not shown."""
    return [
        (h.article.title, h.paragraph) for g in render_reply.grouped(hits) for h in g.hits if h is not skip
    ]


async def library_answer(bot: Any, question: str, top_k: int = 4) -> Answer:
    library: Library = bot.library
    return await library.ask(question, top_k=top_k)


async def test_a_confident_answer_opens_with_the_answer_line_then_two_short_passages(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)
        answer = await library_answer(bot, POLAND)

    assert inter.callback_type == 4 and not reply.ephemeral and reply.content == ""
    assert answer.confident and answer.answer is not None
    cited = answer.hits[answer.answer.hit - 1]
    [embed] = reply.embeds
    assert embed["title"] == "“what is Poland's spending?”"
    head, citation = embed["description"].split("\n")[:2]
    assert head == f"**{answer.answer.text}**"
    # Short: another passage of the cited article follows, under the article's own line.
    assert citation == f"— **Daily Mirror** · paragraph {cited.paragraph}"
    title = "NATO allies agree huge spending boost as US demands they are 'ready' for Russia"
    assert embed["description"].split("\n")[3].startswith(f"**Daily Mirror** · *{title}*")
    # Three passages by default: the cited one is the answer line; the other two follow, grouped.
    assert paragraphs(embed) == expected(answer.hits[:3], skip=cited)
    assert embed["description"].count("**Daily Mirror**") == 2  # the citation, and one group
    assert "__Poland__" in embed["description"]  # the question's words are underlined
    assert render.embed_size(embed) <= 1200
    assert list(buttons(reply)) == ["More results", "Whole passages"]
    assert vote_labels(reply) == ["👍 Helpful", "👎 Not helpful"]
    assert links(reply) == {}  # the seeds' articles have no address


async def test_whole_passages_go_privately_to_whoever_presses(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    sentences = [f"Sentence {n} is about {2000 + n}." for n in range(7)]
    sentences[3] = "The zeppelin museum opened its doors in the harbour in 2003."
    sentences.append("The zeppelin museum is small.")  # a second passage about the museum
    (byline_seeds / "harbour.md").write_text(
        "---\ntitle: Harbour news\noutlet: Harbour Gazette\n---\n\n" + " ".join(sentences[:7])
        + "\n\nThe museum's zeppelin hangar is small and old.\n",
        encoding="utf-8",
    )  # fmt: skip
    async with start_byline():
        question = "when did the zeppelin museum open in the harbour?"
        inter = await discord_double.slash_command("ask", {"question": question}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)
        before = reply.embeds
        whole = await discord_double.button_click(
            buttons(reply)["Whole passages"], reply, user=world.admin_id
        )
        shown = await discord_double.wait_for_response(whole)

    assert shown.ephemeral and reply.embeds == before
    description = shown.embeds[0]["description"]
    assert "> ¶ 1 · Sentence 0 is about 2000." in description and "Sentence 6 is about 2006." in description
    assert "> ¶ 2 · " in description  # every passage of the page, the cited one too


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
    async with start_byline() as bot:
        inter = await discord_double.slash_command("ask", {"question": POLAND, "results": 5})
        reply = await discord_double.wait_for_response(inter)
        answer = await library_answer(bot, POLAND, 6)
    assert answer.answer is not None
    cited = answer.hits[answer.answer.hit - 1]
    assert paragraphs(reply.embeds[0]) == expected(answer.hits[:5], skip=cited)


async def test_private_ask_answers_only_the_asker_and_pages_in_place(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        inter = await discord_double.slash_command(
            "ask", {"question": POLAND, "private": True}, user=world.member_id
        )
        reply = await discord_double.wait_for_response(inter)
        assert reply.ephemeral and reply.flags & MESSAGE_FLAG_EPHEMERAL
        click = await discord_double.button_click(buttons(reply)["More results"], reply, user=world.member_id)
        await discord_double.wait_for_ack(click)
        answer = await library_answer(bot, POLAND, 7)
    assert click.callback_type == 7  # a private message turns its own page
    assert paragraphs(reply.embeds[0]) == expected(answer.hits[3:6])
    assert answer.answer is not None  # the answer line opens page 1 only
    assert answer.answer.text not in reply.embeds[0]["description"]


async def test_more_results_under_a_shared_answer_go_privately_to_whoever_presses(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        shared = await discord_double.wait_for_response(inter)
        before = shared.embeds

        for presser in (world.admin_id, world.member_id):  # someone else, and the asker alike
            click = await discord_double.button_click(buttons(shared)["More results"], shared, user=presser)
            page_two = await discord_double.wait_for_response(click)
            assert page_two.ephemeral and page_two.id != shared.id

        answer = await library_answer(bot, POLAND, 10)
        assert paragraphs(page_two.embeds[0]) == expected(answer.hits[3:6])
        assert list(buttons(page_two)) == ["Previous", "More results", "Whole passages"]
        on = await discord_double.button_click(
            buttons(page_two)["More results"], page_two, user=world.member_id
        )
        await discord_double.wait_for_ack(on)
        assert on.callback_type == 7 and paragraphs(page_two.embeds[0]) == expected(answer.hits[6:9])
        back = await discord_double.button_click(
            buttons(page_two)["Previous"], page_two, user=world.member_id
        )
        await discord_double.wait_for_ack(back)
        assert paragraphs(page_two.embeds[0]) == expected(answer.hits[3:6])

    assert shared.embeds == before and not shared.history  # the channel's message never moved


async def test_paging_ends_with_the_last_passage_that_answers(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_settings: Settings
) -> None:
    """13 passages of the seeds share a term with POLAND: pages 1-10, then 11-13, and no further.
    (BM25 alone: the semantic layer adds passages near in meaning that share none.)"""
    async with start_byline(settings=byline_settings.model_copy(update={"semantic": False})) as bot:
        inter = await discord_double.slash_command("ask", {"question": POLAND, "results": 10})
        message = await discord_double.wait_for_response(inter)
        click = await discord_double.button_click(buttons(message)["More results"], message)
        last = await discord_double.wait_for_response(click)
        answer = await library_answer(bot, POLAND, 50)
    assert len(answer.hits) == 13
    assert paragraphs(last.embeds[0]) == expected(answer.hits[10:13])
    assert list(buttons(last)) == ["Previous", "Whole passages"]


async def test_paging_stops_at_the_fiftieth_passage(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    """The library answers at most 50 passages: the fifth page of ten is the last."""
    paragraphs_text = "\n\n".join(f"Paragraph {n} says the zeppelin museum opens." for n in range(60))
    (byline_seeds / "museum.md").write_text(
        f"---\ntitle: Museum\n---\n\n{paragraphs_text}\n", encoding="utf-8"
    )
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": "zeppelin museum", "results": 10})
        message = await discord_double.wait_for_response(inter)
        click = await discord_double.button_click(buttons(message)["More results"], message)
        page = await discord_double.wait_for_response(click)
        for _ in range(3):
            click = await discord_double.button_click(buttons(page)["More results"], page)
            await discord_double.wait_for_ack(click)
    assert len(paragraphs(page.embeds[0])) == 10
    assert list(buttons(page)) == ["Previous", "Whole passages"]


async def test_more_results_still_works_after_a_restart(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        message = await discord_double.wait_for_response(inter)
    custom_id = buttons(message)["More results"]
    assert len(custom_id) <= 100 and POLAND in custom_id  # the question rides in the custom_id

    async with start_byline() as bot:  # a new process would parse the button back the same way
        click = await discord_double.button_click(custom_id, message, user=world.member_id)
        page = await discord_double.wait_for_response(click)
        answer = await library_answer(bot, POLAND, 7)
    assert paragraphs(page.embeds[0]) == expected(answer.hits[3:6])


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
        page = await discord_double.wait_for_response(click)
        assert paragraphs(page.embeds[0])

    async with start_byline():
        stale = await discord_double.button_click(
            buttons(message)["More results"], message, user=world.member_id
        )
        notice = await discord_double.wait_for_response(stale)
    assert notice.ephemeral
    assert notice.content.endswith("Please ask it again.") and "/ask" not in notice.content


async def test_nothing_relevant_is_one_line_and_the_closest_passages_go_privately_on_request(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        answer = await library_answer(bot, NOTHING_QUESTION, 3)
        assert answer.hits and answer.confidence < render_reply.NOTHING_BELOW, "the premise changed"
        inter = await discord_double.slash_command(
            "ask", {"question": NOTHING_QUESTION}, user=world.member_id
        )
        reply = await discord_double.wait_for_response(inter)
        click = await discord_double.button_click(
            buttons(reply)["Show closest passages"], reply, user=world.admin_id
        )
        closest = await discord_double.wait_for_response(click)

    [embed] = reply.embeds
    assert embed["description"] == (
        "I found nothing in the articles that answers this.\n"
        "Try other words, or see which articles I hold with `/sources`."
    )
    assert list(buttons(reply)) == ["Show closest passages"] and votes(reply) == {}  # nothing to vote on
    assert closest.ephemeral and paragraphs(closest.embeds[0]) == expected(answer.hits[:3])
    assert not reply.history  # the channel's message stays one line


async def test_no_shared_word_is_one_line_without_buttons(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline():
        inter = await discord_double.slash_command("ask", {"question": "What is the weather in Paris?"})
        reply = await discord_double.wait_for_response(inter)
    assert reply.embeds[0]["description"].startswith("I found nothing in the articles that answers this.")
    assert reply.components == []


async def test_a_not_confident_answer_says_so_plainly_and_shows_three_passages_at_most(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        answer = await library_answer(bot, UNSURE_QUESTION, 11)
        assert not answer.confident and answer.confidence >= render_reply.NOTHING_BELOW, "the premise changed"
        inter = await discord_double.slash_command("ask", {"question": UNSURE_QUESTION, "results": 10})
        reply = await discord_double.wait_for_response(inter)
    [embed] = reply.embeds
    assert embed["description"].startswith("Not sure these answer it:\n\n")
    assert "nothing" not in embed["description"].casefold()  # it does not claim that nothing answers
    assert paragraphs(embed) == expected(answer.hits[:3])
    assert embed["color"] == render.EMPTY_COLOUR
    assert list(buttons(reply)) == ["Whole passages"] and list(votes(reply)) == ["👍", "👎"]


async def test_an_overlong_sentence_is_shown_cut_on_a_word_boundary(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    words = [f"zeppelin{i % 10}" if i % 7 else "airship" for i in range(500)]
    sentence = "The harbour museum keeps an " + " ".join(words) + " collection."
    assert len(sentence) > render.DESCRIPTION_MAX and "." not in sentence[:-1]  # one sentence
    (byline_seeds / "airships.md").write_text(
        f"---\ntitle: Airships return\noutlet: Sky Gazette\n---\n\n{sentence}\n", encoding="utf-8"
    )
    async with start_byline():
        inter = await discord_double.slash_command(
            "ask", {"question": "which museum keeps an airship collection?"}
        )
        reply = await discord_double.wait_for_response(inter)

    [embed] = reply.embeds
    pieces = [line for line in embed["description"].split("\n") if "harbour" in line]
    assert pieces
    for piece in pieces:
        shown = re.sub(r"^> ¶ \d+ · |[*_\\]", "", piece).removesuffix("…").strip()
        assert sentence.startswith(shown) and sentence[len(shown)] == " "  # cut between two words
    assert render.embed_size(embed) <= 1500


async def test_a_slow_answer_is_deferred_then_filled(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline(defer_after=0):  # as if the library took longer than the defer threshold
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)
        assert inter.callback_type == 5 and inter.time_to_first_response < 3
        assert list(buttons(reply)) == ["More results", "Whole passages"]

        click = await discord_double.button_click(buttons(reply)["More results"], reply, user=world.admin_id)
        page = await discord_double.wait_for_response(click)
        assert click.callback_type == 5 and page.ephemeral  # "thinking…" privately, then the page
        assert paragraphs(page.embeds[0])
