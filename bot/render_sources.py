"""What Byline answers from, and how to ask it, as Discord embeds: the pages of /sources, its
title search, and /help (bot/render.py holds the limits and the escaping)."""

from __future__ import annotations

from collections.abc import Sequence

from index import SourceSummary

from .render import (
    ANSWER_COLOUR,
    DESCRIPTION_MAX,
    ELLIPSIS,
    EMPTY_COLOUR,
    attribution_line,
    count,
    fitted,
    linked,
    outlet,
    when,
)
from .settings import MAX_RESULTS

SOURCES_PER_PAGE = 10


def source_line(number: int, summary: SourceSummary, room: int) -> str:
    """``**3.** *Title* — Outlet · published · 12 passages`` in at most ``room`` characters.

    No file name: /sources is public, and which files the server keeps is the operator's business
    (the private /reindex report names them).
    """
    article = summary.article

    def line(title_room: int, url: str | None) -> str:
        parts = [outlet(article, title_room * 2 // 5), when(article, title_room // 5)]
        parts.append(count(summary.passages, "passage"))
        title = linked(fitted(article.title, title_room) or ELLIPSIS, url)
        return f"**{number}.** *{title}* — " + " · ".join(p for p in parts if p)

    return attribution_line(line, article.url, room)


def sources_matching(summaries: Sequence[SourceSummary], title: str, limit: int = SOURCES_PER_PAGE) -> dict:
    """/sources with a title filter: the first ``limit`` matches (``summaries`` may hold one more,
    to tell that there are others)."""
    if not summaries:
        return {
            "title": "No article matches",
            "description": f"No indexed article has “{fitted(title, 200)}” in its title. Run `/sources` "
            "without a title to see them all.",
            "color": EMPTY_COLOUR,
        }
    room = (DESCRIPTION_MAX - 2 * limit) // limit
    lines = [source_line(n, summary, room) for n, summary in enumerate(summaries[:limit], 1)]
    embed = {
        "title": f"“{fitted(title, 200)}” in the titles",
        "description": "\n".join(lines),
        "color": ANSWER_COLOUR,
    }
    if len(summaries) > limit:
        embed["footer"] = {"text": f"The first {limit} matches; type more of the title to narrow it."}
    return embed


def sources_page_count(articles: int, per_page: int = SOURCES_PER_PAGE) -> int:
    """How many pages /sources has for ``articles`` articles (one, saying so, when there are none)."""
    return max(1, -(-articles // per_page))


def sources_page(
    summaries: Sequence[SourceSummary], page: int, total: int, per_page: int = SOURCES_PER_PAGE
) -> dict:
    """Page ``page`` (from 0) of the ``total`` indexed articles: ``summaries`` are that page's."""
    if not total:
        return {
            "title": "No articles are indexed yet",
            "description": (
                "Put article files (.txt or .md) in the seeds folder, then Byline's operator "
                "can run `/reindex`."
            ),
            "color": EMPTY_COLOUR,
        }
    pages = sources_page_count(total, per_page)
    first = page * per_page
    room = (DESCRIPTION_MAX - 2 * per_page) // per_page
    lines = [source_line(first + i + 1, summary, room) for i, summary in enumerate(summaries[:per_page])]
    return {
        "title": f"Indexed articles ({total:,})",
        # Empty only when a re-index removed articles between counting them and reading the page.
        "description": "\n".join(lines) or "The articles have changed since; run /sources again.",
        "color": ANSWER_COLOUR,
        "footer": {"text": f"Page {page + 1:,} of {pages:,} · {count(total, 'article')}"},
    }


def help_embed(top_k: int, *, keeping: bool = False) -> dict:
    """What Byline does and how to ask it, and what it keeps of the questions."""
    kept = (
        "The text of questions is kept, with a salted hash of who asked (never your Discord id), "
        "so the administrators can see what the articles could not answer."
        if keeping
        else "The text of questions is not kept."
    )
    return {
        "title": "Byline answers questions from news articles",
        "description": (
            "Ask a question and I reply with the passages of the articles that answer it, each with "
            "its byline: the outlet, the article's title, when it was published and the paragraph it "
            "comes from. The words of your question are underlined; the sentence that answers best "
            "is in bold.\n\n"
            "**How to ask**\n"
            f"• `/ask question:` what is Poland's defence spending? — add `results:` (1-{MAX_RESULTS}, "
            f"default {top_k}) for more or fewer passages; **More results** pages on.\n"
            "• Send me a direct message: any message is a question.\n"
            "• Mention me in a channel: `@Byline who leads NATO?`\n\n"
            "**Other commands**\n"
            "• `/sources` — the articles I answer from; `title:` finds one by its title.\n"
            "• `/reindex`, `/add`, `/remove`, `/stats` — re-read the articles folder, add or remove "
            "an article, see what was asked and how it was answered (Byline's operators: its owner and "
            "those listed in BYLINE_ADMIN_IDS).\n\n"
            "**Feedback**\n"
            "Press 👍 or 👎 under an answer to say whether it helped: votes are kept, with a salted "
            f"hash of who voted (never your Discord id). {kept}\n\n"
            "I only answer from the articles: when none of them answers, I say so."
        ),
        "color": ANSWER_COLOUR,
    }
