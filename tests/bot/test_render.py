"""bot.render: answers, reports and article lists as embed dicts, within Discord's limits, markup-safe."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render, render_admin, render_answers, render_sources
from index import Article, Hit, ReindexReport, SkippedFile, SourceSummary
from index.store.catalog import Holdings

SPECIALS = set("\\*_~|`[<")
ARTICLE = Article("a1", "NATO allies agree huge spending boost", "Daily Mirror", "a day ago", "page.txt")
NASTY = (
    "**bold** __under__ *it* ~~strike~~ ||spoiler|| `code` ```block``` [link](https://evil.example) "
    "<@123> <@&456> <#789> <:emoji:1> <t:1700000000:R> </ask:1> @everyone @here \\ back\\slash "
    "# not a heading > not a quote -# not subtext 1. not a list \u202eevil\u202c\nnew line"
)


def hit(text: str, rank: int = 1, article: Article = ARTICLE, **marks: object) -> Hit:
    return Hit(rank, 1.0, text, 3, article, **marks)  # type: ignore[arg-type]


def within_limits(embed: dict) -> bool:
    return (
        render.discord_len(embed.get("title") or "") <= render.TITLE_MAX
        and render.discord_len(embed.get("description") or "") <= render.DESCRIPTION_MAX
        and render.discord_len((embed.get("footer") or {}).get("text") or "") <= render.FOOTER_MAX
        and all(
            render.discord_len(f["name"]) <= render.FIELD_NAME_MAX
            and render.discord_len(f["value"]) <= render.FIELD_VALUE_MAX
            for f in embed.get("fields") or []
        )
        and render.embed_size(embed) <= render.EMBED_MAX
    )


def unrender(markup: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Read our markup back: (the text a reader sees, [(marker, start, end)]).

    Fails if a markup character is unescaped other than as one of our markers, or if the markers
    are not properly nested pairs.
    """
    text: list[str] = []
    spans: list[tuple[str, int, int]] = []
    stack: list[tuple[str, int]] = []
    i = 0
    while i < len(markup):
        ch = markup[i]
        if ch == "\\":
            assert i + 1 < len(markup), "dangling backslash"
            text.append(markup[i + 1])
            i += 2
        elif markup.startswith("**", i) or markup.startswith("__", i) or ch == "*":
            marker = markup[i : i + 2] if markup.startswith(("**", "__"), i) else "*"
            if stack and stack[-1][0] == marker:
                _, start = stack.pop()
                assert start < len(text), f"empty {marker} span"
                spans.append((marker, start, len(text)))
                assert not text[start].isspace() and not text[-1].isspace(), "space inside a marker"
            else:
                assert marker not in (m for m, _ in stack), f"{marker} opened twice"
                stack.append((marker, len(text)))
            i += len(marker)
        else:
            assert ch not in SPECIALS, f"unescaped {ch!r} at {i} in {markup!r}"
            text.append(ch)
            i += 1
    assert not stack, f"unclosed {stack}"
    return "".join(text).replace("@\u200b", "@"), spans


# ---- escaping ---------------------------------------------------------------------------------


def test_escaped_text_reads_back_as_written_on_one_line() -> None:
    escaped = render.escape(NASTY, line_start=True)
    shown, spans = unrender(escaped)
    assert spans == []
    assert shown == render.flatten(NASTY)
    assert "\n" not in escaped and "\u202e" not in escaped


def test_mentions_and_mass_mentions_are_shown_as_text() -> None:
    escaped = render.escape("<@123> <#5> @everyone @here")
    assert escaped == "\\<@123> \\<#5> @\u200beveryone @\u200bhere"


def test_line_start_markup_is_escaped_only_where_a_line_starts() -> None:
    assert render.escape("> quote", line_start=True) == "\\> quote"
    assert render.escape("# heading", line_start=True) == "\\# heading"
    assert render.escape("-# subtext", line_start=True) == "\\-# subtext"
    assert render.escape("12. item", line_start=True) == "12\\. item"
    assert render.escape("12. item") == "12. item"


def test_lengths_count_astral_characters_twice() -> None:
    assert render.discord_len("🙂a") == 3


# ---- shortening -------------------------------------------------------------------------------


def test_shorten_cuts_on_a_word_boundary_with_an_ellipsis() -> None:
    assert render.shorten("the quick brown fox", 12) == "the quick…"
    assert render.shorten("the quick brown fox", 19) == "the quick brown fox"
    assert render.shorten("x" * 50, 10) == "x" * 9 + "…"  # one word longer than the room


# ---- passages ---------------------------------------------------------------------------------


def test_question_words_are_underlined_and_the_best_sentence_bold() -> None:
    text = "Intro here. Poland spends most. Outro."
    shown = render_answers.marked(text, 0, len(text), highlights=((12, 18), (19, 25)), sentence=(12, 31))
    assert shown == "Intro here. **__Poland__ __spends__ most.** Outro."


def test_a_highlight_across_the_sentence_boundary_stays_nested() -> None:
    text = "alpha beta gamma"
    shown = render_answers.marked(text, 0, len(text), highlights=((0, 10),), sentence=(6, 16))
    assert shown == "__alpha__ **__beta__ gamma**"  # no space just inside a marker
    assert unrender(shown)[0] == text


def test_markup_in_a_passage_cannot_break_the_highlighting() -> None:
    text = NASTY
    start = text.index("[link]")
    shown = render_answers.marked(text, 0, len(text), highlights=((start + 1, start + 5),), sentence=(0, 40))
    reader, spans = unrender(shown)
    assert reader == render.flatten(text)
    assert ("__", start + 1, start + 5) in spans


def test_a_long_passage_keeps_its_best_sentence_and_is_cut_between_words() -> None:
    lead = "Lead words. " * 100
    best = "Poland spends the most of all NATO members."
    text = lead + best + " Tail words." * 100
    start = len(lead)
    shown = render_answers.passage(
        hit(text, highlights=((start, start + 6),), sentence=(start, start + len(best))), 300
    )
    assert shown is not None and render.discord_len(shown) <= 300
    assert shown.startswith("… **__Poland__ spends the most of all NATO members.**")
    assert shown.endswith("words.…") or shown.endswith("Tail…")


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab *_~|`[<>#-1.\\@\n🙂 ")), min_size=1, max_size=200),
    data=st.data(),
    room=st.integers(min_value=0, max_value=400),
)
def test_any_passage_fits_and_reads_back_as_a_piece_of_the_text(
    text: str, data: st.DataObject, room: int
) -> None:
    n = len(text)
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted).map(tuple), max_size=6)
    )
    sentence = data.draw(st.none() | st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted).map(tuple))
    shown = render_answers.passage(hit(text, highlights=tuple(spans), sentence=sentence), room)
    if shown is None:
        return
    assert render.discord_len(shown) <= room
    reader, marks = unrender(shown)
    body = reader.removeprefix("… ").removesuffix("…")
    assert body in render.flatten(text)
    assert all(m == "__" or m == "**" for m, _, _ in marks)


# ---- answers ----------------------------------------------------------------------------------


def test_answer_embed_attributes_every_passage() -> None:
    hits = [
        hit("Poland spends the most.", 1, sentence=(0, 23)),
        hit("No outlet here.", 2, Article("a2", "Untitled page", None, None, "x.txt")),
    ]
    embed = render_answers.answer_embed("what is Poland's spending?", hits, more=True)
    assert embed["title"] == "“what is Poland's spending?”"
    first, second = embed["description"].split("\n\n")
    assert first == (
        "**1. Daily Mirror** · *NATO allies agree huge spending boost* · a day ago · paragraph 3\n"
        "> **Poland spends the most.**"
    )
    assert second.startswith("**2. Unknown outlet** · *Untitled page* · paragraph 3\n> ")
    assert embed["footer"]["text"] == "Passages 1–2 · more with the button below"


def test_a_not_confident_answer_says_so_first_and_shows_three_passages_at_most() -> None:
    hits = [hit(f"Passage number {n} about something else.", n) for n in range(1, 6)]
    embed = render_answers.answer_embed("what is Poland's spending?", hits, more=True, confident=False)
    first, *blocks = embed["description"].split("\n\n")
    assert first == f"*{render_answers.UNSURE_LINE}*"
    assert [b.split(".", 1)[0] for b in blocks] == ["**1", "**2", "**3"]
    assert embed["footer"]["text"] == "Passages 1–3"  # no more pages


def test_no_hits_is_the_nothing_found_embed() -> None:
    embed = render_answers.answer_embed("who won the cup?", [])
    assert embed["description"].startswith("Nothing in the articles answers that.")
    assert "`/sources`" in embed["description"]


def test_a_thousand_huge_adversarial_hits_stay_within_every_limit() -> None:
    text = (NASTY + " ") * 25  # about 5000 characters of markup and mentions
    text = text[:5000]
    article = Article("z", "**T**itle " * 100, "<@1> @everyone " * 20, "||soon||" * 20, "f.txt")
    hits = [
        hit(text, rank, article, highlights=tuple((i, i + 5) for i in range(0, 5000, 9)), sentence=(10, 4000))
        for rank in range(1, 1001)
    ]
    embed = render_answers.answer_embed(NASTY * 5, hits, more=True)
    assert within_limits(embed)
    blocks = embed["description"].split("\n\n")
    assert blocks[-1].endswith("more passages did not fit here.*")
    assert len(blocks) >= 4  # the first few still show
    for block in blocks[:-1]:
        header, body = block.split("\n> ", 1)
        assert "Unknown outlet" not in header
        unrender(header)
        unrender(body)


@pytest.mark.parametrize("url_chars", [300, 500, 700])
@pytest.mark.parametrize("top_k", [1, 5, 10])
def test_a_long_address_never_pushes_passages_out_of_an_answer(url_chars: int, top_k: int) -> None:
    """A 300-700 character address (tracking links) emptied the answer: the attribution was never
    shortened, so no passage fit beside it. Now the link goes and every passage shows."""
    url = "https://news.example/story?" + "utm_source=x&" * (url_chars // 13)
    long_title = "Harbour pilots walk out over rosters " * 20
    outlets = [("Port Gazette", "Short title"), ("The " + "Very " * 150 + "Long Outlet", long_title)]
    for outlet_name, title in outlets:
        article = Article("a1", title, outlet_name, "2025-06-24", "f.md", url, "2025-06-24")
        text = "Passage {}: the pilots walked out over rosters."
        hits = [hit(text.format(n), n, article) for n in range(1, top_k + 1)]
        embed = render_answers.answer_embed("why did the pilots walk out?", hits)
        assert within_limits(embed)
        blocks = embed["description"].split("\n\n")
        assert len(blocks) == top_k and "did not fit" not in embed["description"]
        for n, block in enumerate(blocks, 1):
            header, body = block.split("\n> ", 1)
            assert text.format(n) in body
            assert header.startswith(f"**{n}. ") and "paragraph 3" in header


def test_a_short_address_still_links_the_title() -> None:
    article = Article("a1", "Pilots walk out", "Port Gazette", None, "f.md", "https://news.example/p")
    embed = render_answers.answer_embed("pilots?", [hit("The pilots walked out.", 1, article)])
    assert "*[Pilots walk out](https://news.example/p)*" in embed["description"]


def test_a_sources_page_of_long_addresses_stays_within_limits() -> None:
    url = "https://news.example/story?" + "utm_source=x&" * 50
    articles = [Article(str(n), f"Title {n}", "Gazette", None, "f.md", url) for n in range(10)]
    page = render_sources.sources_page([SourceSummary(a, 5) for a in articles], 0, 10)
    assert within_limits(page)
    lines = page["description"].split("\n")
    assert all(line.startswith(f"**{n + 1}.** *Title {n}* — Gazette") for n, line in enumerate(lines))
    assert len(lines) == 10


def test_a_huge_question_title_is_shortened() -> None:
    embed = render_answers.answer_embed("why " * 1000 + "*" * 500, [hit("text")])
    assert render.discord_len(embed["title"]) <= render.TITLE_MAX and embed["title"].endswith("…”")


# ---- reports and lists ------------------------------------------------------------------------


def test_reindex_embed_says_what_changed_and_why_files_were_skipped() -> None:
    report = ReindexReport(
        added=2,
        updated=1,
        removed=0,
        unchanged=3,
        articles=7,
        passages=90,
        seconds=0.25,
        skipped=[SkippedFile("image.txt", "not UTF-8 text")],
    )
    embed = render_admin.reindex_embed(report)
    assert embed["title"] == "Re-indexed in 0.25 s"
    assert embed["description"] == (
        "**2** added · **1** updated · **0** removed · **3** unchanged\n"
        "The index now holds 7 articles in 90 passages."
    )
    assert embed["fields"] == [{"name": "Skipped (1)", "value": "image.txt: not UTF-8 text"}]


def test_reindex_embed_says_how_many_passages_were_embedded_and_how_many_wait() -> None:
    report = ReindexReport(
        articles=7, passages=3200, embedded=1200, embedding_seconds=10.04, embedding_left=2000
    )
    assert render_admin.reindex_embed(report)["description"].endswith(
        "Found by meaning too: 1,200 passages embedded in 10.0 s; 2,000 more in the background."
    )
    assert "meaning" not in render_admin.reindex_embed(ReindexReport(articles=7, passages=90))["description"]


def test_thousands_of_skipped_files_fit_in_one_field() -> None:
    skipped = [SkippedFile(f"*dir*/file_{n}.txt" * 5, "reason " * 80) for n in range(5000)]
    embed = render_admin.reindex_embed(ReindexReport(skipped=skipped))
    assert within_limits(embed)
    assert embed["fields"][0]["name"] == "Skipped (5,000)"
    assert re.search(r"…and [\d,]+ more$", embed["fields"][0]["value"])


def test_a_sources_page_holds_ten_articles_within_limits() -> None:
    summaries = [
        SourceSummary(Article(str(n), f"**Title {n}** " * 400, "<@1>" * 100, "x" * 300, "f_" * 200), 5)
        for n in range(25)
    ]
    assert render_sources.sources_page_count(len(summaries)) == 3
    pages = [
        render_sources.sources_page(summaries[page * 10 : page * 10 + 10], page, 25) for page in range(3)
    ]
    assert [p["footer"]["text"] for p in pages] == [f"Page {n} of 3 · 25 articles" for n in (1, 2, 3)]
    assert all(within_limits(page) for page in pages)
    assert pages[2]["description"].startswith("**21.** ")
    assert pages[2]["description"].count("\n") == 4  # articles 21 to 25
    for line in pages[0]["description"].split("\n"):
        unrender(line)
        assert "Unknown outlet" not in line  # squeezed, the outlet is still the article's own


def test_a_sources_line_names_outlet_title_date_and_passages_but_no_file() -> None:
    article = Article("a1", "NATO allies agree", "Daily Mirror", "a day ago", "private/dir/page_1.txt")
    line = render_sources.source_line(3, SourceSummary(article, 12), 400)
    assert line == "**3.** *NATO allies agree* — Daily Mirror · a day ago · 12 passages"
    no_outlet = Article("a2", "Untitled", None, None, "x.txt")
    assert render_sources.source_line(4, SourceSummary(no_outlet, 1), 400) == "**4.** *Untitled* — 1 passage"
    site = Article("a3", "Linked", None, None, "y.md", url="https://www.port.example/a")
    assert render_sources.source_line(5, SourceSummary(site, 2), 400) == (
        "**5.** *[Linked](https://www.port.example/a)* — port.example · 2 passages"
    )


def test_the_last_page_of_a_huge_archive_is_numbered_from_the_whole() -> None:
    summaries = [SourceSummary(Article(str(n), f"T{n}", "O", None, "f"), 1) for n in range(99_990, 100_000)]
    page = render_sources.sources_page(summaries, 9_999, 100_000)
    assert page["footer"]["text"] == "Page 10,000 of 10,000 · 100,000 articles"
    assert page["title"] == "Indexed articles (100,000)"
    assert page["description"].startswith("**99991.** *T99990*")
    assert page["description"].count("\n") == 9


def test_a_page_emptied_since_it_was_counted_says_so() -> None:
    page = render_sources.sources_page([], 3, 25)
    assert "run /sources again" in page["description"]


def test_no_articles_is_said_plainly() -> None:
    assert render_sources.sources_page_count(0) == 1
    assert render_sources.sources_page([], 0, 0)["title"] == "No articles are indexed yet"


def test_help_says_what_the_bot_holds_and_every_way_to_ask_with_no_setting_names() -> None:
    holdings = Holdings(84, "2026-12-07T00:21:55+00:00", estimated=True)
    embed = render_sources.help_embed(holdings, top_k=3)
    text = embed["description"]
    assert text.startswith("I hold 84 articles; the newest is from about <t:1796602915:D>.")
    assert "default 3" in text and "/sources" in text and "private: True" in text
    assert "BYLINE_" not in text and within_limits(embed)
    dm = render_sources.help_embed(holdings, in_dm=True)["description"]
    assert "`sources`" in dm and "/sources" not in dm and "/ask" not in dm
    assert render_sources.help_embed(Holdings(0))["description"].startswith("I hold no articles yet.")
