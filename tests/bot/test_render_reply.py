"""bot.render_reply: how an answer's fields become a reply a member reads at a glance."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render, render_reply
from index import Answer, AnswerLine, Article, Hit

from .test_render import NASTY, unrender, within_limits

MIRROR = Article("m", "NATO allies agree huge spending boost", "Daily Mirror", None, "page.txt")
SKY = Article(
    "s", "Americans are wearing biggest smiles", "Sky News", None, "page.txt", url="https://news.sky.com/x"
)
SENTENCES = [f"Sentence {n} tells of the harbour in {1990 + n}." for n in range(6)]
TEXT = " ".join(SENTENCES)


def span_of(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


def hit(rank: int, article: Article = MIRROR, text: str = TEXT, sentence: int = 2, paragraph: int = 0) -> Hit:
    return Hit(rank, 1.0, text, paragraph or rank, article, sentence=span_of(text, SENTENCES[sentence]))


def answer(hits: list[Hit], *, confident: bool = True, confidence: float = 0.9, cites: int = 1) -> Answer:
    line = AnswerLine(SENTENCES[2], cites) if hits else None
    return Answer("when was the harbour built?", hits, [], confident, confidence, line)


def test_a_passage_shows_its_answering_sentence_with_one_either_side() -> None:
    shown = re.sub(r"[*_\\]", "", render_reply.short_passage(hit(1)))
    assert shown == f"… {SENTENCES[1]} {SENTENCES[2]} {SENTENCES[3]} …"


def test_a_passage_at_the_start_or_end_has_no_ellipsis_on_that_side() -> None:
    first = re.sub(r"[*_\\]", "", render_reply.short_passage(hit(1, sentence=0)))
    last = re.sub(r"[*_\\]", "", render_reply.short_passage(hit(1, sentence=5)))
    assert first == f"{SENTENCES[0]} {SENTENCES[1]} …"
    assert last == f"… {SENTENCES[4]} {SENTENCES[5]}"


def test_too_little_room_for_both_neighbours_keeps_the_next_sentence_then_the_sentence_alone() -> None:
    room = len(SENTENCES[2]) + len(SENTENCES[3]) + 1
    one_side = re.sub(r"[*_\\]", "", render_reply.short_passage(hit(1), room + 4))
    assert one_side == f"… {SENTENCES[2]} {SENTENCES[3]} …"
    alone = re.sub(r"[*_\\]", "", render_reply.short_passage(hit(1), len(SENTENCES[2]) + 4))
    assert alone == f"… {SENTENCES[2]} …"


def test_an_overlong_context_falls_back_to_the_sentence_then_to_its_first_words() -> None:
    long_sentence = "The harbour " + "very " * 100 + "old."
    text = f"Before it. {long_sentence} After it."
    shown = render_reply.short_passage(
        Hit(1, 1.0, text, 1, MIRROR, sentence=span_of(text, long_sentence)), 120
    )
    plain = re.sub(r"[*_\\]", "", shown)
    assert plain.startswith("… The harbour very") and plain.endswith("…") and len(plain) <= 125
    assert long_sentence.startswith(plain[2:-1]) and long_sentence[len(plain) - 3] == " "  # cut between words


def test_passages_of_one_article_share_one_attribution_line_in_rank_order() -> None:
    hits = [hit(1), hit(2, SKY), hit(3), hit(4, SKY)]
    text = render_reply.passages_text(hits, 4000)
    assert text.count("**Daily Mirror**") == 1 and text.count("**Sky News**") == 1
    assert [int(n) for n in re.findall(r"^> ¶ (\d+) · ", text, flags=re.MULTILINE)] == [1, 3, 2, 4]


def test_a_confident_reply_opens_with_the_answer_line_and_shows_the_cited_passage_once() -> None:
    hits = [hit(1), hit(2, SKY), hit(3)]
    embed = render_reply.reply_embed(answer(hits), hits)
    lines = embed["description"].split("\n")
    assert lines[0] == f"**{SENTENCES[2]}**"
    # The cited article's line follows (its other passage comes first), so the citation is short.
    assert lines[1] == "— **Daily Mirror** · paragraph 1"
    assert lines[3] == "**Daily Mirror** · *NATO allies agree huge spending boost*"
    assert "> ¶ 1 · " not in embed["description"]  # the answer line stands for it
    assert re.findall(r"^> ¶ (\d+) · ", embed["description"], flags=re.MULTILINE) == ["3", "2"]
    assert embed["color"] == render.ANSWER_COLOUR


def test_the_citation_is_whole_when_no_other_passage_of_its_article_is_shown() -> None:
    hits = [hit(1), hit(2, SKY)]
    lines = render_reply.reply_embed(answer(hits), hits)["description"].split("\n")
    assert lines[1] == "— **Daily Mirror** · *NATO allies agree huge spending boost* · paragraph 1"
    assert lines[3].startswith(
        "**Sky News** · *[Americans are wearing biggest smiles](https://news.sky.com/x)*"
    )


def test_a_later_page_has_no_answer_line() -> None:
    hits = [hit(1), hit(2, SKY), hit(3), hit(4)]
    embed = render_reply.reply_embed(answer(hits), hits[3:], page=1)
    assert embed["description"].startswith("**Daily Mirror**") and "footer" not in embed


def test_not_confident_is_one_plain_line_and_three_passages_at_most() -> None:
    hits = [hit(n) for n in range(1, 6)]
    embed = render_reply.reply_embed(answer(hits, confident=False, confidence=0.3), hits)
    assert embed["description"].startswith("Not sure these answer it:\n\n**Daily Mirror**")
    assert len(re.findall(r"^> ¶ ", embed["description"], flags=re.MULTILINE)) == 3
    assert SENTENCES[2] not in embed["description"].split("\n")[0]  # no answer line
    assert embed["color"] == render.EMPTY_COLOUR


def test_very_low_confidence_or_no_hits_is_nothing_relevant() -> None:
    hits = [hit(1)]
    low = answer(hits, confident=False, confidence=render_reply.NOTHING_BELOW - 0.01)
    assert render_reply.is_nothing(low) and render_reply.is_nothing(Answer("q", []))
    assert not render_reply.is_nothing(answer(hits, confident=False, confidence=render_reply.NOTHING_BELOW))
    embed = render_reply.reply_embed(low, hits)
    assert embed["description"].startswith(render_reply.NOTHING_LINE) and "> " not in embed["description"]


def test_the_source_is_the_outlet_else_the_sites_name_else_nobody() -> None:
    site_only = Article("x", "T", None, None, "f.md", url="https://www.bbc.co.uk/news/1")
    nobody = Article("y", "T", None, None, "f.md")
    assert render_reply.source_name(SKY) == "Sky News"
    assert render_reply.source_name(site_only) == "bbc.co.uk"
    assert render_reply.source_name(nobody) is None
    assert render_reply.read_label(SKY) == "Read on Sky News"
    assert render_reply.read_label(site_only) == "Read on bbc.co.uk"
    assert render_reply.read_label(nobody) is None
    assert render_reply.attribution(nobody) == "*T*"


def test_attribution_is_bounded_whatever_the_article_holds() -> None:
    huge = Article(
        "h", "Title " * 200, "Outlet " * 200, "2025-06-24", "f.md", url="https://x.example/" + "a" * 700
    )
    line = render_reply.attribution(huge)
    assert len(line) <= render_reply.OUTLET_ROOM + render_reply.TITLE_ROOM + 40
    assert "x.example" not in line  # too long an address is no link in the text
    assert render_reply.read_label(huge) is None  # nor a button (over Discord's 512)
    unrender(line)


def test_hostile_articles_and_answers_stay_within_limits_and_markup_safe() -> None:
    article = Article("z", NASTY * 5, NASTY, NASTY, "f.txt", url="https://e.example/" + "(" * 100)
    text = (NASTY + ". ") * 40
    hits = [
        Hit(n, 1.0, text, n, article, highlights=((0, 30), (50, 90)), sentence=(10, 900))
        for n in range(1, 11)
    ]
    bad = Answer(NASTY * 10, hits, [], True, 0.9, AnswerLine(NASTY * 10, 1))
    for embed in (
        render_reply.reply_embed(bad, hits),
        render_reply.whole_passages_embed(bad, hits),
        render_reply.nothing_embed(NASTY * 10, in_dm=True),
    ):
        assert within_limits(embed)
        assert not re.search(r"(?<!\\)<@", embed["description"])  # every mention escaped
        assert "@everyone" not in embed["description"]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=600), st.integers(0, 599), st.integers(1, 600))
def test_any_passage_and_sentence_give_a_bounded_piece_of_the_passage(
    text: str, start: int, length: int
) -> None:
    start = min(start, len(text) - 1)
    end = min(len(text), start + length)
    shown = render_reply.short_passage(Hit(1, 1.0, text, 1, MIRROR, sentence=(start, end)))
    assert render.discord_len(shown) <= 2 * (render_reply.PASSAGE_ROOM + 10)
