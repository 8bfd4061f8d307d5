"""Answers, re-index reports and article lists as Discord embeds: pure functions, no I/O.

Everything here returns plain dicts in Discord's embed format, so the layout and the limits are
tested without Discord; the cogs wrap them with ``discord.Embed.from_dict``.

Guarantees, whatever the articles or the question contain:

- Discord's limits hold: 256 characters for a title, 4096 for a description, 2048 for a footer,
  6000 for an embed. Lengths are counted in UTF-16 code units, which is never less than Discord's
  count, so emoji and other astral characters cannot push a reply over.
- Text from articles and questions is escaped before our own markup is added: it cannot make
  anything bold, open a code block or a spoiler, turn into a masked link, a mention, a custom emoji
  or a timestamp, start a heading, a list or a quote, or reverse the line with bidi controls.
- Long text is shortened on a word boundary and marked with an ellipsis ("…"); a "word" longer
  than the room for it is the only thing ever cut in the middle.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence

from index import Article, Hit, ReindexReport, SourceSummary
from index.dates import timestamp

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_MAX = 6000
CONTENT_MAX = 2000

ANSWER_COLOUR = 0x3B6FD8
EMPTY_COLOUR = 0x8A8F98
REPORT_COLOUR = 0x2E9D5B

ELLIPSIS = "…"
UNKNOWN_OUTLET = "Unknown outlet"
MIN_PASSAGE = 80  # below this a passage says too little to be worth showing
MIN_BLOCK = 350  # room a hit gets at least, while there is room left
SOURCES_PER_PAGE = 10
UNSURE_MAX = 3  # passages a not-confident answer shows
UNSURE_LINE = "Nothing in the articles answers this directly; the closest passages:"

# Characters that start inline markup anywhere in a line: bold/italic, underline, strike, spoiler,
# code, masked links ("[text](url)"), and "<...>" mentions, emoji, timestamps and command links.
_INLINE = re.compile(r"([\\*_~|`\[<])")
_MASS_MENTION = re.compile(r"@(everyone|here)")
# Markup that only counts at the start of a line: quote, heading, subtext, list items.
_LINE_START = re.compile(r"^(\s*)(?:([>#+-])|(\d+)\.)")
# Line breaks would let article text start lines of its own; bidi controls and other invisible
# format characters could reorder or hide what follows. Each becomes one space, so that character
# positions (Hit.highlights, Hit.sentence) still point at the same text.
_FLATTEN = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def discord_len(text: str) -> int:
    """Length as Discord may count it (UTF-16 code units): never less than ``len``."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def flatten(text: str) -> str:
    """One line: every line break, tab and invisible format character becomes a space."""
    return _FLATTEN.sub(" ", text)


def escape(text: str, *, line_start: bool = False) -> str:
    """Text shown as it is written: Discord markup in it is neutralised.

    ``discord.utils.escape_markdown`` is close but not enough here: it escapes a masked link only
    when the whole link is in one string (we escape a passage piece by piece, between
    highlights), and it leaves mentions, emoji and timestamps alone. A backslash before any ASCII
    punctuation shows that character literally in Discord, so escaping is always safe.
    ``line_start``: the text begins a line, so quote, heading and list markers are escaped too.
    """
    text = _INLINE.sub(r"\\\1", flatten(text))
    text = _MASS_MENTION.sub("@\u200b\\1", text)
    if line_start:
        text = _LINE_START.sub(_escape_line_start, text, count=1)
    return text


def _escape_line_start(match: re.Match[str]) -> str:
    """``> quote`` -> ``\\> quote``; ``1. item`` -> ``1\\. item`` (a backslash before a digit shows)."""
    indent, marker, number = match.groups()
    return f"{indent}\\{marker}" if marker else f"{indent}{number}\\."


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut on a word boundary and ending with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > 0:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def shrink_to_fit(build: Callable[[int], str], room: int, limit: int, *, least: int = 0) -> str | None:
    """``build(room)``, or ``build`` of a smaller room, whichever first fits in ``limit``.

    Room shrinks in proportion to how far the last try was over (at least by one), so a handful
    of tries find it however long the text; ``None`` if even ``build(least)`` does not fit.
    """
    while True:
        out = build(room)
        size = discord_len(out)
        if size <= limit:
            return out
        if room <= least:
            return None
        room = max(least, min(room - 1, room * limit // size))


def fitted(text: str, limit: int, *, line_start: bool = False) -> str:
    """``text`` escaped, and shortened first as much as needed for the escaped form to fit."""
    escaped = shrink_to_fit(
        lambda room: escape(shorten(text, room), line_start=line_start), limit, limit, least=1
    )
    return escaped or ""


def embed_size(embed: dict) -> int:
    """Characters Discord counts toward an embed's 6000: title, description, fields, footer, author."""
    total = discord_len(embed.get("title") or "") + discord_len(embed.get("description") or "")
    for item in embed.get("fields") or []:
        total += discord_len(item.get("name") or "") + discord_len(item.get("value") or "")
    total += discord_len((embed.get("footer") or {}).get("text") or "")
    total += discord_len((embed.get("author") or {}).get("name") or "")
    return total


# ---- answers ------------------------------------------------------------------------------------


def question_title(question: str) -> str:
    """The question in quotes, as the embed's title."""
    return f"“{fitted(question, TITLE_MAX - 2)}”"


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape_title(title: str) -> str:
    """The question back from ``question_title`` (shortened, if it was): quotes and escapes removed."""
    if title.startswith("“") and title.endswith("”"):
        title = title[1:-1]
    return _ESCAPED.sub(r"\1", title.replace("@\u200b", "@"))


def _trimmed(span: tuple[int, int], text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """``span`` clipped to ``[lo, hi)`` and to non-space characters; None when nothing is left."""
    start, end = max(span[0], lo), min(span[1], hi)
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return (start, end) if start < end else None


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one: "__a____b__" would not render as two underlines."""
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def marked(
    text: str,
    start: int,
    end: int,
    highlights: Sequence[tuple[int, int]] = (),
    sentence: tuple[int, int] | None = None,
) -> str:
    """``text[start:end]`` escaped, its best sentence in **bold** and the question's words __underlined__.

    Markers are properly nested (an underline is closed and reopened around a bold boundary),
    never touch each other, and never have a space just inside them (a marker closes before the
    spaces that follow its text and opens after the spaces that precede it), so Discord's parser
    cannot pair them up wrongly.
    """
    text = flatten(text)
    words = _merged(s for s in (_trimmed(h, text, start, end) for h in highlights) if s)
    best = _trimmed(sentence, text, start, end) if sentence else None
    points = {start, end}
    for a, b in words:
        points.update((a, b))
    if best:
        points.update(best)
    cuts = sorted(points)
    out: list[str] = []
    bold = under = shown = False
    spaces = ""  # spaces not written yet: they go outside any marker that closes next
    word = 0
    for a, b in itertools.pairwise(cuts):
        while word < len(words) and words[word][1] <= a:
            word += 1
        want_under = word < len(words) and words[word][0] <= a
        want_bold = best is not None and best[0] <= a and b <= best[1]
        if under and (not want_under or want_bold != bold):
            out.append("__")
            under = False
        if bold and not want_bold:
            out.append("**")
            bold = False
        piece = text[a:b]
        core = piece.strip(" ")
        if not core:
            spaces += piece
            continue
        out.append(spaces + piece[: len(piece) - len(piece.lstrip(" "))])
        if want_bold and not bold:
            out.append("**")
            bold = True
        if want_under and not under:
            out.append("__")
            under = True
        out.append(escape(core, line_start=not shown))
        shown = True
        spaces = piece[len(piece.rstrip(" ")) :]
    if under:
        out.append("__")
    if bold:
        out.append("**")
    out.append(spaces)
    return "".join(out)


def _window(text: str, sentence: tuple[int, int] | None, room: int) -> tuple[int, int]:
    """The part of a passage to show in about ``room`` characters.

    From the start of the passage if its best sentence ends within the room, else from the start
    of the best sentence (the sentence that answers matters more than what leads up to it); cut at
    the last space that fits.
    """
    if len(text) <= room:
        return 0, len(text)
    start = sentence[0] if sentence and sentence[1] > room else 0
    limit = start + max(room, 0)
    if limit >= len(text):
        return start, len(text)
    space = text.rfind(" ", start, limit + 1)
    end = space if space > start else limit
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def passage(hit: Hit, room: int) -> str | None:
    """The hit's passage marked up in at most ``room`` characters (None if it cannot fit at all)."""
    text = flatten(hit.text)
    sentence = hit.sentence if hit.sentence and 0 <= hit.sentence[0] < hit.sentence[1] else None

    def window(raw: int) -> str:
        start, end = _window(text, sentence, raw)
        body = marked(text, start, end, hit.highlights, sentence)
        if start > 0:
            body = f"{ELLIPSIS} {body}"
        return body + ELLIPSIS if end < len(text) else body

    return shrink_to_fit(window, room, room)


def _outlet(article: Article, room: int) -> str:
    """The article's outlet in ``room``; "Unknown outlet" only when the source names none."""
    if not article.outlet:
        return UNKNOWN_OUTLET
    return fitted(article.outlet, room) or ELLIPSIS


def when(article: Article, room: int) -> str | None:
    """When the article was published: a Discord timestamp (``<t:…:D>``, shown in the reader's
    own time zone and language) when the date is known, "about <t:…:R>" ("about 3 days ago",
    which stays true as time passes) when it was estimated from a relative date, else the text as
    the article gives it."""
    stamp = timestamp(article.published_at) if article.published_at else None
    if stamp is not None:
        return f"about <t:{stamp}:R>" if article.published_estimated else f"<t:{stamp}:D>"
    if article.published:
        return fitted(article.published, room) or None
    return None


def linked(text: str, url: str | None) -> str:
    """``text`` (already escaped) as a masked link to ``url``; links in an embed show no preview.

    ``url`` is an http(s) address without spaces or angle brackets (``index.models.web_url``);
    brackets that would end the link early are escaped or percent-encoded.
    """
    if not url:
        return text
    target = url.replace("(", "%28").replace(")", "%29")
    return f"[{text.replace(']', chr(92) + ']')}]({target})"


def attribution(hit: Hit, room: int) -> str:
    """``**1. Outlet** · *Title* · published · paragraph N`` in at most ``room`` characters.

    The outlet is the article's, or "Unknown outlet" when the source does not name one: Byline
    never guesses an outlet. The title links to the article when it has an address.
    """
    article = hit.article

    def line(title_room: int) -> str:
        parts = [f"**{hit.rank}. {_outlet(article, title_room * 2 // 5)}**"]
        title = fitted(article.title, title_room)
        if title:
            parts.append(f"*{linked(title, article.url)}*")
        published = when(article, title_room * 4 // 15)
        if published:
            parts.append(published)
        parts.append(f"paragraph {hit.paragraph}")
        return " · ".join(parts)

    return shrink_to_fit(line, 150, room, least=1) or line(1)


def hit_block(hit: Hit, room: int) -> str | None:
    """Attribution line, then the passage as a quote; None if it cannot fit in ``room``."""
    header = attribution(hit, max(room // 2, 40))
    left = room - discord_len(header) - len("\n> ")
    if left < MIN_PASSAGE:
        return None
    body = passage(hit, left)
    return None if body is None else f"{header}\n> {body}"


def answer_embed(question: str, hits: Sequence[Hit], *, more: bool = False, confident: bool = True) -> dict:
    """One page of an answer: attributed, highlighted passages, best first. A not-confident
    answer says so in its first line and shows at most UNSURE_MAX passages, with no more pages.

    Every hit gets an equal share of what is left of the description (but at least MIN_BLOCK
    characters), so short passages leave room for long ones; hits that cannot fit (only with
    absurd inputs: the bot shows at most 10 a page) are counted in a closing line instead of being
    cut mid-markup.
    """
    if not hits:
        return nothing_found_embed(question)
    if not confident:
        hits, more = hits[:UNSURE_MAX], False
    note_room = 80
    left = DESCRIPTION_MAX - note_room - (0 if confident else len(UNSURE_LINE) + 2)
    blocks: list[str] = [] if confident else [f"*{UNSURE_LINE}*"]
    for index, hit in enumerate(hits):
        remaining = len(hits) - index
        share = max((left - 2 * (remaining - 1)) // remaining, min(MIN_BLOCK, left))
        block = hit_block(hit, share)
        if block is None:
            break
        blocks.append(block)
        left -= discord_len(block) + 2
    missing = len(hits) - len(blocks) + (0 if confident else 1)
    if missing:
        blocks.append(f"*{missing} more {'passage' if missing == 1 else 'passages'} did not fit here.*")
    description = "\n\n".join(blocks)
    first = hits[0].rank
    last = hits[max(len(hits) - missing - 1, 0)].rank
    footer = f"Passages {first}–{last}" if last > first else f"Passage {first}"
    if more:
        footer += " · more with the button below"
    return {
        "title": question_title(question),
        "description": description,
        "color": ANSWER_COLOUR if confident else EMPTY_COLOUR,
        "footer": {"text": footer},
    }


def nothing_found_embed(question: str) -> dict:
    """No passage answers the question: say so, and where to look instead."""
    return {
        "title": question_title(question),
        "description": (
            "Nothing in the articles answers that.\n"
            "Try other words, or run `/sources` to see which articles I can answer from."
        ),
        "color": EMPTY_COLOUR,
    }


def no_more_embed(question: str) -> dict:
    """A later page asked for after the answer shrank (the articles changed in between)."""
    return {
        "title": question_title(question),
        "description": "There are no further passages for this question now. Ask it again with `/ask`.",
        "color": EMPTY_COLOUR,
    }


# ---- re-index reports ---------------------------------------------------------------------------


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def reindex_embed(report: ReindexReport) -> dict:
    """What a re-index changed: files added, updated, removed, unchanged, and each skipped file's reason."""
    lines = [
        f"**{report.added:,}** added · **{report.updated:,}** updated · **{report.removed:,}** removed · "
        f"**{report.unchanged:,}** unchanged",
        f"The index now holds {_count(report.articles, 'article')} in {_count(report.passages, 'passage')}.",
    ]
    if not report.changed:
        lines.append("Nothing changed in the articles folder.")
    embed: dict = {
        "title": f"Re-indexed in {report.seconds:.2f} s",
        "description": "\n".join(lines),
        "color": REPORT_COLOUR,
    }
    if report.skipped:
        shown: list[str] = []
        used = 0
        for index, skipped in enumerate(report.skipped):
            rest = len(report.skipped) - index - 1
            line = f"{fitted(skipped.source, 120, line_start=True)}: {fitted(skipped.reason, 300)}"
            tail = len(f"\n…and {rest:,} more") if rest else 0
            if used + discord_len(line) + 1 + tail > FIELD_VALUE_MAX:
                shown.append(f"…and {len(report.skipped) - index:,} more")
                break
            shown.append(line)
            used += discord_len(line) + 1
        embed["fields"] = [{"name": f"Skipped ({len(report.skipped):,})", "value": "\n".join(shown)}]
    return embed


# ---- the articles -------------------------------------------------------------------------------


def source_line(number: int, summary: SourceSummary, room: int) -> str:
    """``**3.** *Title* — Outlet · published · 12 passages`` in at most ``room`` characters.

    No file name: /sources is public, and which files the server keeps is the operator's business
    (the private /reindex report names them).
    """
    article = summary.article

    def line(title_room: int) -> str:
        parts = [_outlet(article, title_room * 2 // 5), when(article, title_room // 5)]
        parts.append(_count(summary.passages, "passage"))
        title = linked(fitted(article.title, title_room) or ELLIPSIS, article.url)
        return f"**{number}.** *{title}* — " + " · ".join(p for p in parts if p)

    return shrink_to_fit(line, 150, room, least=1) or line(1)


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
        "footer": {"text": f"Page {page + 1:,} of {pages:,} · {_count(total, 'article')}"},
    }


# ---- help ---------------------------------------------------------------------------------------


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
            f"• `/ask question:` what is Poland's defence spending? — add `results:` (1-10, "
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
