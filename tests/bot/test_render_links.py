"""bot.render: titles that link to their article, and dates as Discord timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import render, render_answers, render_sources
from index import Article, Hit, SourceSummary

KNOWN = Article(
    "a1", "Budget day", "Courier", "2025-06-24", "doc.md",
    url="https://news.example/budget", published_at="2025-06-24",
)  # fmt: skip
ESTIMATED = Article(
    "a2", "Tram fares rise", "Post", "12 hours ago", "page.txt",
    published_at="2026-03-10T06:00:00+00:00", published_estimated=True,
)  # fmt: skip
NOON = int(datetime(2025, 6, 24, 12, tzinfo=UTC).timestamp())
ESTIMATE = int(datetime(2026, 3, 10, 6, tzinfo=UTC).timestamp())


def hit(article: Article) -> Hit:
    return Hit(1, 1.0, "The budget grew by a third over the year, the council said on Monday.", 2, article)


def test_the_title_links_to_the_article_and_a_known_date_is_a_timestamp() -> None:
    line = render_answers.attribution(hit(KNOWN), 300)
    assert (
        line == f"**1. Courier** · *[Budget day](https://news.example/budget)* · <t:{NOON}:D> · paragraph 2"
    )


def test_an_estimated_date_says_about_and_counts_from_now() -> None:
    line = render_answers.attribution(hit(ESTIMATED), 300)
    assert line == f"**1. Post** · *Tram fares rise* · about <t:{ESTIMATE}:R> · paragraph 2"


def test_a_date_that_could_not_be_read_is_shown_as_written() -> None:
    article = Article("a3", "Old news", "Post", "Tuesday", "x.txt")
    assert render_answers.attribution(hit(article), 300) == "**1. Post** · *Old news* · Tuesday · paragraph 2"


def test_brackets_in_the_title_or_the_address_cannot_end_the_link_early() -> None:
    article = Article("a4", "A [bracketed] title", None, None, "x.md", url="https://x.example/a_(b)")
    line = render_answers.attribution(hit(article), 300)
    assert "*[A \\[bracketed\\] title](https://x.example/a_%28b%29)*" in line


def test_sources_lines_link_and_date_too() -> None:
    line = render_sources.source_line(1, SourceSummary(KNOWN, 4), 400)
    assert line == f"**1.** *[Budget day](https://news.example/budget)* — Courier · <t:{NOON}:D> · 4 passages"
    line = render_sources.source_line(2, SourceSummary(ESTIMATED, 1), 400)
    assert line == f"**2.** *Tram fares rise* — Post · about <t:{ESTIMATE}:R> · 1 passage"


def test_an_answer_with_links_stays_within_discords_limits() -> None:
    long = Article("a5", "T" * 300, "O" * 200, "x", "f.md", url="https://x.example/" + "p" * 1500)
    embed = render_answers.answer_embed("q", [Hit(n, 1.0, "word " * 400, 1, long) for n in range(1, 11)])
    assert render.discord_len(embed["description"]) <= render.DESCRIPTION_MAX
    assert render.embed_size(embed) <= render.EMBED_MAX


def test_the_question_is_read_back_from_the_answers_title_for_the_vote() -> None:
    question = "is *this* [the] `answer` for @everyone > 1. <@1>?"
    assert render.unescape_title(render.question_title(question)) == question
