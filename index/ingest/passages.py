"""Cutting articles into passages: the unit that is scored, shown and attributed.

A passage is a paragraph, or a few sentences of a long one. Bodies that arrive as one long line
(aggregator pages lose their paragraph breaks) are cut into paragraphs of a few sentences, and
those are numbered as paragraphs, so a reader can find the place in the article.
"""

import re
from dataclasses import dataclass

TARGET_WORDS = 55  # a passage grows sentence by sentence until it has this many words
MAX_WORDS = 110  # ... and is never cut to more than this unless one sentence is longer
# The hard limit, whatever the text: a "sentence" longer than this (a page that lost its capitals
# or its full stops, a line of 5 MB) is cut at its sentence ends, else between words, else inside a
# word. A window never holds more than HARD_CHARS, so a passage (a bridge joins two halves) never
# more than twice that.
HARD_WORDS = 2 * MAX_WORDS
HARD_CHARS = 2000
_LOOSE_END = re.compile(r"(?<=[.!?…])\s+")  # a sentence end, whatever comes after it

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen st sen rep gov prof sgt col lt capt cmdr adm maj jr sr rev hon vs etc inc
    ltd co corp no nos fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft approx est dept
    univ u.s u.k e.g i.e a.m p.m al op vol pp ed cf""".split()
)
# A sentence end: entered only at the start of a run of stops (the look-behind), and possessive
# (nothing it took could help what follows), so it is linear in the text: "....." (a line of
# 20,000 full stops) was quadratic, seconds of held processor for one file.
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++['\"’”)\]]*+\s++(?=['\"‘“(\[]?[A-Z0-9])")
# A sentence that leans on the one before it ("It's forecast to spend ...") stays with it.
_LEANS_BACK = re.compile(
    r"^['\"‘“]?(?:it|it's|it’s|its|he|she|they|this|that|these|those|but|and|so|also|however|"
    r"which|still|yet|then|there|of that|of those|such|his|her|their)\b",
    re.IGNORECASE,
)
# Words that open a sentence; seen right after a short capitalised phrase with no punctuation,
# they mark a sub-heading the page glued to the text ("Poland gears up Mr Hegseth came ...").
_OPENERS = frozenset(
    """According Mr Mrs Ms Dr The It He She They We But In This There When While After Speaking
    Asked Last Earlier Meanwhile However His Her Their Its""".split()
)
_GLUE_BLOCKERS = frozenset(
    "and or of the to by with for from as than that said says told in on at a an nor who which".split()
)
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr"})


@dataclass(frozen=True, slots=True)
class PassageText:
    """A passage, its paragraph, and the span of the article's sentences it holds (inclusive)."""

    paragraph: int
    text: str
    first: int
    last: int


def _sentences_and_headings(text: str) -> list[tuple[str, bool]]:
    """Sentences of ``text`` in order, each flagged True when it is a glued sub-heading."""
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        head = text[max(start, match.start() - 40) : match.start() + 1]  # the last word is enough
        last_word = re.split(r"[\s(\[\"'‘“]", head.rstrip(".!?…"))[-1]
        if text[match.start()] == "." and (
            last_word.casefold().rstrip(".") in _ABBREVIATIONS
            or (len(last_word) == 1 and last_word.isupper())
        ):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    out = []
    for sentence in sentences:
        heading, rest = split_glued_heading(sentence)
        if heading:
            out.append((heading, True))
        out.extend((piece, False) for piece in cut_long(rest))
    return out


def cut_long(sentence: str) -> list[str]:
    """``sentence`` as it is, or cut into pieces of at most MAX_WORDS words and HARD_CHARS
    characters when it is longer than HARD_WORDS or HARD_CHARS: at sentence ends that the
    boundary rule passed over (lower-case starts), else between words."""
    if len(sentence) <= HARD_CHARS and len(sentence.split()) <= HARD_WORDS:
        return [sentence]
    pieces: list[str] = []
    current: list[str] = []
    words = chars = 0
    for fragment in _LOOSE_END.split(sentence):
        fits = len(fragment) <= HARD_CHARS and len(fragment.split()) <= MAX_WORDS
        for part in [fragment] if fits else _at_words(fragment):
            n = len(part.split())
            if current and (words + n > MAX_WORDS or chars + len(part) + 1 > HARD_CHARS):
                pieces.append(" ".join(current))
                current, words, chars = [], 0, 0
            current.append(part)
            words += n
            chars += len(part) + 1
    if current:
        pieces.append(" ".join(current))
    return pieces


def _at_words(text: str) -> list[str]:
    """``text`` in pieces of at most MAX_WORDS words and HARD_CHARS characters, cut between words
    (inside a word only when one word is longer than that)."""
    pieces: list[str] = []
    current: list[str] = []
    chars = 0
    for word in text.split():
        for part in (word[i : i + HARD_CHARS] for i in range(0, len(word), HARD_CHARS)):
            if current and (len(current) >= MAX_WORDS or chars + len(part) + 1 > HARD_CHARS):
                pieces.append(" ".join(current))
                current, chars = [], 0
            current.append(part)
            chars += len(part) + 1
    if current:
        pieces.append(" ".join(current))
    return pieces


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a passage's text."""
    spans, at = [], 0
    for sentence in split_sentences(text):
        start = text.find(sentence, at)
        if start < 0:
            continue
        spans.append((start, start + len(sentence)))
        at = start + len(sentence)
    return spans


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; abbreviations, initials and decimals do not end a sentence.

    Sub-headings that the page glued to a sentence are left out: they are not article text.
    """
    return [piece for piece, heading in _sentences_and_headings(text) if not heading]


_PUNCTUATION = frozenset(",.;:!?'\"‘’“”()-–—")


def split_glued_heading(sentence: str) -> tuple[str | None, str]:
    """(sub-heading, sentence) when a short heading is glued to its front, else (None, sentence)."""
    words = sentence.split()
    for i in range(2, min(9, len(words) - 3)):
        word, before = words[i], words[i - 1]
        if not _PUNCTUATION.isdisjoint(before):
            break
        if word.rstrip("'’s") in _OPENERS and before.casefold() not in _GLUE_BLOCKERS:
            if words[0][:1].isupper() and words[0] not in _OPENERS and _starts_a_clause(words, i):
                return " ".join(words[:i]), " ".join(words[i:])
            break
    return None, sentence


def _starts_a_clause(words: list[str], i: int) -> bool:
    """Whether a title at ``words[i]`` ("Mr Hegseth came ...") opens a clause of its own rather
    than being the object of the verb before it ("Voters backed Mr Smith in ...")."""
    if words[i] not in _TITLES:
        return True
    if words[i - 1].casefold().endswith("ed"):
        return False
    j = i + 1
    while j < len(words) and words[j][:1].isupper():
        j += 1  # the name after the title
    return j < len(words) and words[j][:1].islower() and words[j].casefold() not in _GLUE_BLOCKERS


def windows(pieces: list[tuple[str, bool]]) -> list[list[int]]:
    """Pack sentences into passages of about TARGET_WORDS; a sub-heading starts a new one.

    Returns each passage as the indexes of its sentences in ``pieces`` (headings left out).
    """
    passages: list[list[int]] = []
    current: list[int] = []
    size = chars = 0
    for i, (sentence, heading) in enumerate(pieces):
        n = len(sentence.split())
        full = size >= TARGET_WORDS and not _LEANS_BACK.match(sentence)
        if current and (heading or full or size + n > MAX_WORDS or chars + len(sentence) > HARD_CHARS):
            passages.append(current)
            current, size, chars = [], 0, 0
        if heading:
            continue
        current.append(i)
        size += n
        chars += len(sentence) + 1
    if current:
        passages.append(current)
    return passages


def _bridge(left: list[int], right: list[int], pieces: list[tuple[str, bool]]) -> list[int]:
    """The second half of one window and the first half of the next: a passage for an answer
    that the cut between them would split. Starts on a sentence that does not lean back."""
    start = len(left) // 2
    while start > 0 and _LEANS_BACK.match(pieces[left[start]][0]):
        start -= 1
    end = (len(right) + 1) // 2
    while end < len(right) and _LEANS_BACK.match(pieces[right[end]][0]):
        end += 1
    return left[start:] + right[:end]


class _Segmenter:
    """Numbers sentences across one article and turns windows of them into passages."""

    def __init__(self) -> None:
        self.passages: list[PassageText] = []
        self.offset = 0  # ordinal of the next sentence in the article

    def add(self, paragraph: int, text: str, numbered: bool) -> int:
        """Cut ``text`` into windows (numbered from ``paragraph`` when ``numbered``), with
        bridges between neighbouring windows; returns the next paragraph number."""
        pieces = _sentences_and_headings(text)
        groups = windows(pieces)
        for n, group in enumerate(groups):
            number = paragraph + n if numbered else paragraph
            self._emit(number, group, pieces)
            if n + 1 < len(groups):
                bridge = _bridge(group, groups[n + 1], pieces)
                if len(bridge) > 1 and bridge not in (group, groups[n + 1]):
                    self._emit(number, bridge, pieces)
        self.offset += len(pieces)
        return paragraph + (len(groups) if numbered else 1)

    def _emit(self, paragraph: int, group: list[int], pieces: list[tuple[str, bool]]) -> None:
        text = " ".join(pieces[i][0] for i in group)
        self.passages.append(PassageText(paragraph, text, self.offset + group[0], self.offset + group[-1]))


def segment(paragraphs: list[str]) -> list[PassageText]:
    """The passages of one article's paragraphs, each with its 1-based paragraph number.

    Neighbouring windows of one long paragraph overlap through a "bridge" passage; the search
    keeps only the best of overlapping passages, so one answer never fills several places.
    """
    segmenter = _Segmenter()
    if len(paragraphs) == 1:
        segmenter.add(1, paragraphs[0], numbered=True)
    else:
        for n, paragraph in enumerate(paragraphs, 1):
            segmenter.add(n, paragraph, numbered=False)
    return segmenter.passages
