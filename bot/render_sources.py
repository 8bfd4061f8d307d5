"""What Byline answers from, and how to ask it, as Discord embeds: the pages of /sources, its
title search, and /help (bot/render.py holds the limits and the escaping)."""

from __future__ import annotations

from collections.abc import Sequence

from index import Holdings, SourceSummary, published_timestamp

from .render import (
    ANSWER_COLOUR,
    DESCRIPTION_MAX,
    ELLIPSIS,
    EMPTY_COLOUR,
    attribution_line,
    count,
    fitted,
    linked,
    when,
)
from .render_reply import source_name
from .settings import MAX_RESULTS

SOURCES_PER_PAGE = 10


def source_line(number: int, summary: SourceSummary, room: int) -> str:
    """``**3.** *Title* — Outlet · published · 12 passages`` in at most ``room`` characters.

    No file name: /sources is public, and which files the server keeps is the operator's business
    (the private /reindex report names them).
    """
    article = summary.article

    def line(title_room: int, url: str | None) -> str:
        name = source_name(article)  # the outlet, else the site's name, else nobody: never a guess
        parts = [fitted(name, title_room * 2 // 5) if name else None, when(article, title_room // 5)]
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


def holding_line(holdings: Holdings) -> str:
    """ "I hold 84 articles; the newest is from <date>." (a Discord timestamp, in the reader's own
    time zone; "about" when the date was worked out from "2 days ago")."""
    if not holdings.articles:
        return "I hold no articles yet."
    line = f"I hold {count(holdings.articles, 'article')}"
    stamp = published_timestamp(holdings.newest) if holdings.newest else None
    if stamp is not None:
        line += f"; the newest is from {'about ' if holdings.estimated else ''}<t:{stamp}:D>"
    return line + "."


def hint(*, in_dm: bool) -> str:
    """One line on how to ask, naming only what works where the member is."""
    if in_dm:
        return "Ask me a question about the news, e.g. who leads NATO? Send `help` for more."
    return (
        "Ask me a question about the news with `/ask`, or mention me with your question. `/help` tells more."
    )


def help_embed(holdings: Holdings, *, in_dm: bool = False, top_k: int = 3, keeping: bool = False) -> dict:
    """What Byline holds, how to ask it (the commands, or in a DM the words to send), and what it
    keeps. No setting names: members read this."""
    kept = (
        "The text of questions is kept, with a salted hash of who asked (never your Discord id), "
        "so the people who look after me can see what the articles could not answer."
        if keeping
        else "The text of questions is not kept."
    )
    if in_dm:
        how = (
            "**How to ask**\n"
            "• Send me your question here, e.g. what is Poland's defence spending?\n"
            "• Send `sources` to see the articles I answer from, `help` for this.\n"
            "• In a server, mention me with your question."
        )
    else:
        how = (
            "**How to ask**\n"
            f"• `/ask question:` what is Poland's defence spending? — `results:` (1-{MAX_RESULTS}, "
            f"default {top_k}) for more or fewer passages; `private: True` to see the answer alone.\n"
            "• Mention me in a channel: `@Byline who leads NATO?` — or send me a direct message.\n"
            "• `/sources` — the articles I answer from; `title:` finds one by its title."
        )
    return {
        "title": "Byline answers questions from news articles",
        "description": (
            f"{holding_line(holdings)}\n\n"
            "I reply with the sentence that answers first, then the passages it comes from, each with "
            "its outlet, title, date and paragraph. When I am not sure, I say so.\n\n"
            f"{how}\n\n"
            "**Feedback**\n"
            "Press **Helpful** or **Not helpful** under an answer: votes are kept with a salted hash of "
            f"who voted (never your Discord id). {kept}"
        ),
        "color": ANSWER_COLOUR,
    }
