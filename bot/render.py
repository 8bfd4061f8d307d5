"""What every Discord embed of Byline is made of: Discord's limits, escaping, shortening and the
pieces shared by answers and lists (a question as a title, an outlet, a date, a link).

The embeds themselves are built in bot/render_reply.py (answers; bot/render_answers.py marks up
a passage), bot/render_sources.py (/sources and /help) and bot/render_admin.py (the operators'
commands). All are pure functions that return plain dicts in Discord's embed format, so the
layout and the limits are tested without Discord; the cogs wrap them with
``discord.Embed.from_dict``.

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

import re
from collections.abc import Callable

from index import Article, published_timestamp

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_MAX = 6000
CONTENT_MAX = 2000
CHOICES_MAX = 25  # autocomplete choices Discord shows

ANSWER_COLOUR = 0x3B6FD8
EMPTY_COLOUR = 0x8A8F98
REPORT_COLOUR = 0x2E9D5B

ELLIPSIS = "…"
UNKNOWN_OUTLET = "Unknown outlet"

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


LINKED_TITLE_MIN = 20  # a title shortened below this loses its link instead


def attribution_line(line: Callable[[int, str | None], str], url: str | None, room: int) -> str:
    """``line(title_room, url)`` in at most ``room`` characters (for ``room`` of 40 or more).

    An address is not shortened (a cut one leads nowhere), so a long one (300-700 characters
    are common in tracking links) is dropped, not the passage it would push out: the title keeps
    its link only while the title itself can keep LINKED_TITLE_MIN characters."""
    if url:
        with_link = shrink_to_fit(lambda r: line(r, url), 150, room, least=LINKED_TITLE_MIN)
        if with_link is not None:
            return with_link
    return shrink_to_fit(lambda r: line(r, None), 150, room, least=1) or line(1, None)


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


# ---- pieces every embed is made of ---------------------------------------------------------------


def question_title(question: str) -> str:
    """The question in quotes, as the embed's title."""
    return f"“{fitted(question, TITLE_MAX - 2)}”"


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape_title(title: str) -> str:
    """The question back from ``question_title`` (shortened, if it was): quotes and escapes removed."""
    if title.startswith("“") and title.endswith("”"):
        title = title[1:-1]
    return _ESCAPED.sub(r"\1", title.replace("@\u200b", "@"))


def outlet(article: Article, room: int) -> str:
    """The article's outlet in ``room``; "Unknown outlet" only when the source names none."""
    if not article.outlet:
        return UNKNOWN_OUTLET
    return fitted(article.outlet, room) or ELLIPSIS


def when(article: Article, room: int) -> str | None:
    """When the article was published: a Discord timestamp (``<t:…:D>``, shown in the reader's
    own time zone and language) when the date is known, "about <t:…:R>" ("about 3 days ago",
    which stays true as time passes) when it was estimated from a relative date, else the text as
    the article gives it."""
    stamp = published_timestamp(article.published_at) if article.published_at else None
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


def count(n: int, one: str, many: str | None = None) -> str:
    """``n`` with its noun: "1 article", "1,204 passages"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
