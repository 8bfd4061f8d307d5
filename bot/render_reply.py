"""An answer as a member reads it at a glance: the answer line first, then a few short passages
grouped by article, quiet when Byline is not sure (bot/render.py holds the limits and escaping).

What is shown comes from the answer's own fields (``kind``, ``confident``, ``confidence``,
``answer``, ``Hit.sentence``); nothing here judges a passage. Three kinds of reply:

- confident: the answer line in bold with its citation (the passage it comes from), then the
  other passages, each trimmed to the sentence that answers with at most one sentence either
  side, passages of one article under one attribution line;
- not sure: one plain line ("Not sure these answer it:") and at most three such passages;
- nothing relevant (no hits, or a confidence under ``NOTHING_BELOW``): one line; the closest
  passages are a button away, sent privately to whoever asks for them.

Attribution is bounded (outlet, title, link), so however long an article's URL, title or outlet,
the passages keep their room.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from index import Answer, Article, Hit

from .render import (
    ANSWER_COLOUR,
    DESCRIPTION_MAX,
    ELLIPSIS,
    EMPTY_COLOUR,
    discord_len,
    fitted,
    flatten,
    linked,
    question_title,
    shorten,
    shrink_to_fit,
    when,
)
from .render_answers import marked

UNSURE_MAX = 3  # passages a not-confident answer shows
NOTHING_BELOW = 0.25  # below this confidence the passages are only a button away
UNSURE_LINE = "Not sure these answer it:"
NOTHING_LINE = "I found nothing in the articles that answers this."
OUTLET_ROOM = 40
TITLE_ROOM = 90
LINK_MAX = 200  # a longer address is not put in the text (the "Read on" button still opens it)
BUTTON_URL_MAX = 512  # Discord's limit on a link button's address
PASSAGE_ROOM = 230  # a trimmed passage, at most
ANSWER_ROOM = 280

# A sentence ends with . ! ? or … (perhaps closed by a quote or bracket) before spaces and a
# capital, a digit or an opening quote. Display only: it decides how much of a passage to show
# around the sentence the engine chose, never which sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def site_name(url: str | None) -> str | None:
    """The site an address belongs to, as people name it: "bbc.co.uk" for https://www.bbc.co.uk/x."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def source_name(article: Article) -> str | None:
    """Who published the article: its outlet, else its site's name, else None (never a guess)."""
    return article.outlet or site_name(article.url)


def read_label(article: Article) -> str | None:
    """A link button's label ("Read on Daily Mirror"), or None for an article without a usable URL."""
    if not article.url or len(article.url) > BUTTON_URL_MAX:
        return None
    name = source_name(article) or "the site"
    return shorten(f"Read on {' '.join(name.split())}", 80)


def sentence_bounds(text: str) -> list[int]:
    """Where the sentences of ``text`` start (0 first)."""
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text))]


def around(text: str, sentence: tuple[int, int] | None) -> list[tuple[int, int]]:
    """Spans of ``text`` worth showing, the fullest first: the sentence that answers with one
    sentence either side, with the next only, with the previous only, alone. Without a sentence:
    the first two sentences, then the first."""
    starts = sentence_bounds(text)
    ends = [*starts[1:], len(text)]
    last_index = len(ends) - 1
    if sentence is None or not 0 <= sentence[0] < sentence[1] <= len(text):
        return [(0, ends[min(1, last_index)]), (0, ends[0])]
    first = max(i for i, s in enumerate(starts) if s <= sentence[0])
    last = max(i for i, s in enumerate(starts) if s < sentence[1])
    before, after = starts[max(first - 1, 0)], ends[min(last + 1, last_index)]
    own = (starts[first], ends[last])
    return [(before, after), (own[0], after), (before, own[1]), own]


def short_passage(hit: Hit, room: int = PASSAGE_ROOM) -> str:
    """The hit's passage trimmed around the answering sentence, marked up, in at most ``room``
    characters as Discord counts them (escapes included); "…" where it was cut."""
    text = flatten(hit.text)
    sentence = hit.sentence if hit.sentence and 0 <= hit.sentence[0] < hit.sentence[1] <= len(text) else None
    return (
        shrink_to_fit(lambda raw: _trimmed_passage(hit, text, sentence, raw), room, room, least=1) or ELLIPSIS
    )


def _trimmed_passage(hit: Hit, text: str, sentence: tuple[int, int] | None, room: int) -> str:
    """``short_passage`` with ``room`` counted in the passage's own characters: the fullest span
    of ``around`` that fits, else the sentence cut on a word."""
    spans = around(text, sentence)
    start, end = next(((a, b) for a, b in spans if b - a <= room), spans[-1])
    if end - start > room:
        cut = text.rfind(" ", start, start + room)
        end = cut if cut > start else start + room
    while end > start and text[end - 1] == " ":
        end -= 1
    while start < end and text[start] == " ":
        start += 1
    body = marked(text, start, end, hit.highlights)  # no bold: the answer line above is the answer
    if start > 0:
        body = f"{ELLIPSIS} {body}"
    if end < len(text.rstrip()):
        body += f" {ELLIPSIS}" if end and text[end - 1] in ".!?…'\"”’" else ELLIPSIS
    return body


def attribution(article: Article) -> str:
    """``**Outlet** · *Title* · date`` for a group of passages, bounded whatever the article holds:
    the outlet in OUTLET_ROOM, the title in TITLE_ROOM, linked only when the address is short."""
    parts = []
    name = source_name(article)
    if name:
        parts.append(f"**{fitted(name, OUTLET_ROOM)}**")
    url = article.url if article.url and len(article.url) <= LINK_MAX else None
    parts.append(f"*{linked(fitted(article.title, TITLE_ROOM) or ELLIPSIS, url)}*")
    published = when(article, 40)
    if published:
        parts.append(published)
    return " · ".join(parts)


def citation(hit: Hit, *, short: bool = False) -> str:
    """Where the answer line comes from: "— **Daily Mirror** · *Title* · date · paragraph 11", or
    ``short`` ("— **Daily Mirror** · paragraph 11") when the article's own line follows below."""
    if short:
        name = source_name(hit.article)
        who = f"**{fitted(name, OUTLET_ROOM)}**" if name else f"*{fitted(hit.article.title, TITLE_ROOM)}*"
        return f"— {who} · paragraph {hit.paragraph}"
    return f"— {attribution(hit.article)} · paragraph {hit.paragraph}"


@dataclass(frozen=True)
class Group:
    """Passages of one article, in the order they were ranked."""

    article: Article
    hits: list[Hit]


def grouped(hits: Sequence[Hit]) -> list[Group]:
    """Hits grouped by article, articles in the order of their best hit."""
    groups: dict[str, Group] = {}
    for hit in hits:
        groups.setdefault(hit.article.id, Group(hit.article, [])).hits.append(hit)
    return list(groups.values())


def passages_text(
    hits: Sequence[Hit],
    room: int,
    passage_room: int = PASSAGE_ROOM,
    *,
    whole: bool = False,
    skip: Hit | None = None,
) -> str:
    """The hits grouped by article, each group under its attribution line, each passage a quote
    opened by its paragraph number, within ``room`` characters (what does not fit is left out).
    ``whole``: each passage whole when it fits in ``passage_room``, else trimmed like the others.
    ``skip``: a hit that keeps its article's place in the order but is not shown (the answer line's)."""
    blocks: list[str] = []
    used = 0
    for group in grouped(hits):
        lines = [attribution(group.article)]
        lines += [
            f"> ¶ {hit.paragraph} · {_passage(hit, passage_room, whole)}"
            for hit in group.hits
            if hit is not skip
        ]
        if len(lines) == 1:
            continue
        while len(lines) > 2 and discord_len("\n".join(lines)) + used + 2 > room:
            lines.pop()
        block = "\n".join(lines)
        if discord_len(block) + used + 2 > room:
            break
        blocks.append(block)
        used += discord_len(block) + 2
    return "\n\n".join(blocks)


def _passage(hit: Hit, room: int, whole: bool) -> str:
    if whole:
        text = flatten(hit.text)  # positions as in Hit.highlights
        body = marked(text, 0, len(text), hit.highlights)
        if discord_len(body) <= room:
            return body
    return short_passage(hit, room)


def is_nothing(answer: Answer) -> bool:
    """Nothing worth showing in the channel: no hits, or a confidence too low to mean anything."""
    return not answer.hits or (not answer.confident and answer.confidence < NOTHING_BELOW)


def cited(answer: Answer, shown: Sequence[Hit]) -> Hit | None:
    """The hit the answer line comes from, when that hit is among ``shown``."""
    if answer.answer is None or not 1 <= answer.answer.hit <= len(answer.hits):
        return None
    hit = answer.hits[answer.answer.hit - 1]
    return hit if hit in shown else None


def answer_line(answer: Answer, shown: Sequence[Hit]) -> str | None:
    """The answer line in bold, and its citation beneath, or None when there is none to show."""
    hit = cited(answer, shown)
    if hit is None or answer.answer is None:
        return None
    text = fitted(answer.answer.text, ANSWER_ROOM, line_start=True)
    same_article = any(other is not hit and other.article.id == hit.article.id for other in shown)
    return f"**{text}**\n{citation(hit, short=same_article)}"


def reply_embed(answer: Answer, shown: Sequence[Hit], *, page: int = 0) -> dict:
    """One page of an answer (``shown`` are its hits): see the module's docstring for its kinds.

    The answer line opens only the first page of a confident answer, with the attribution of the
    passage it comes from; that passage is not shown again (it is a click away, whole, with the
    others), and its article's other passages come first. Later pages are passages.
    """
    if is_nothing(answer) or not shown:
        return nothing_embed(answer.question)
    confident = answer.confident
    head = answer_line(answer, shown) if confident and page == 0 else None
    skip = cited(answer, shown) if head is not None else None
    if not confident:
        shown = shown[:UNSURE_MAX]
        head = UNSURE_LINE
    room = DESCRIPTION_MAX - (discord_len(head) + 2 if head else 0)
    body = passages_text(shown, room, skip=skip)
    description = f"{head}\n\n{body}" if head and body else (head or body)
    return {
        "title": question_title(answer.question),
        "description": description,
        "color": ANSWER_COLOUR if confident else EMPTY_COLOUR,
    }


def nothing_embed(question: str, *, in_dm: bool = False) -> dict:
    """Nothing relevant: one line and where to look, no passages (they are a button away, if there
    are any). Names only what works where the member is: in a DM, the word to send."""
    sources = (
        "send `sources` to see which articles I hold"
        if in_dm
        else "see which articles I hold with `/sources`"
    )
    return {
        "title": question_title(question),
        "description": f"{NOTHING_LINE}\nTry other words, or {sources}.",
        "color": EMPTY_COLOUR,
    }


def no_more_embed(question: str, *, in_dm: bool = False) -> dict:
    """A later page asked for after the answer shrank (the articles changed in between)."""
    again = "send it again" if in_dm else "ask it again with `/ask`"
    return {
        "title": question_title(question),
        "description": f"There are no further passages for this question now; {again}.",
        "color": EMPTY_COLOUR,
    }


def whole_passages_embed(answer: Answer, shown: Sequence[Hit]) -> dict:
    """The whole passages of an answer, grouped by article, for whoever asked to see them (each
    shortened around its answering sentence only if they would not all fit)."""
    attributions = len(grouped(shown)) * (OUTLET_ROOM + TITLE_ROOM + 70)  # at most, with the date
    share = (DESCRIPTION_MAX - attributions) // max(len(shown), 1) - 12  # 12: "> ¶ 10 · " and breaks
    return {
        "title": question_title(answer.question),
        "description": passages_text(shown, DESCRIPTION_MAX, passage_room=max(share, 80), whole=True)
        or NOTHING_LINE,
        "color": ANSWER_COLOUR if answer.confident else EMPTY_COLOUR,
    }
