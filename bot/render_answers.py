"""An answer as a Discord embed: attributed passages, the question's words underlined and the best
sentence in bold, within Discord's limits (bot/render.py holds the limits and the escaping)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from index import Hit

from .render import (
    ANSWER_COLOUR,
    DESCRIPTION_MAX,
    ELLIPSIS,
    EMPTY_COLOUR,
    attribution_line,
    discord_len,
    escape,
    fitted,
    flatten,
    linked,
    outlet,
    question_title,
    shrink_to_fit,
    when,
)

MIN_PASSAGE = 80  # below this a passage says too little to be worth showing
MIN_BLOCK = 350  # room a hit gets at least, while there is room left
UNSURE_MAX = 3  # passages a not-confident answer shows
UNSURE_LINE = "Nothing in the articles answers this directly; the closest passages:"


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


def attribution(hit: Hit, room: int) -> str:
    """``**1. Outlet** · *Title* · published · paragraph N`` in at most ``room`` characters.

    The outlet is the article's, or "Unknown outlet" when the source does not name one: Byline
    never guesses an outlet. The title links to the article when it has an address.
    """
    article = hit.article

    def line(title_room: int, url: str | None) -> str:
        parts = [f"**{hit.rank}. {outlet(article, title_room * 2 // 5)}**"]
        title = fitted(article.title, title_room)
        if title:
            parts.append(f"*{linked(title, url)}*")
        published = when(article, title_room * 4 // 15)
        if published:
            parts.append(published)
        parts.append(f"paragraph {hit.paragraph}")
        return " · ".join(parts)

    return attribution_line(line, article.url, room)


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
