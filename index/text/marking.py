"""Where a question's terms stand in a passage, as written: the words, phrases and amounts a
front end highlights. Analysed word by word with the analyser, so a highlight is exactly what
the terms matched."""

import re
from collections.abc import Iterator
from itertools import chain

from index.text.analysis import (
    _CURRENCY_WORDS,
    _MAGNITUDE_WORDS,
    _MAGNITUDES,
    _NUMBER_WORDS,
    _PHRASE,
    Analyzer,
)
from index.text.vocabulary import ABBREVIATIONS

# A word as written, with a currency sign before it or a per cent sign after ("£5bn", "5%").
_SURFACE_WORD = re.compile(r"[£€$]?(?:[^\W_][\w'’.,%-]*[^\W_]|[^\W_])%?")
_SURFACE_PHRASE = re.compile(_PHRASE.pattern, re.IGNORECASE)  # "United States": one term
_CURRENCY_CODES = "|".join(
    code for code, word in ABBREVIATIONS.items() if word in _CURRENCY_WORDS and len(code) == 3
)
# An amount over more than one word ("£4.2 billion", "USD 5m", "five million"): found from its
# digits or its magnitude, which regular expressions find fast, then widened over what precedes.
# Both enter a run of digits (or of spaces) only at its start and take it whole (possessive): a
# passage of 3,000 digits or spaces took seconds to mark when every position of the run was tried.
# The amount is group 1: the run's first digit on.
_AMOUNT = re.compile(
    rf"(?<![\d.,])[.,]*+(\d[\d.,]*+\s*+(?:{'|'.join(_MAGNITUDE_WORDS)})\b)", re.IGNORECASE
)
_MONEY_BEFORE = re.compile(rf"(?:[£€$]\s*|\b(?:{_CURRENCY_CODES})\s+)$", re.IGNORECASE)
_SPACED_MAGNITUDE = re.compile(rf"(?<!\s)\s++(?:{'|'.join(_MAGNITUDES)})\b", re.IGNORECASE)
_LETTERS_BEFORE = re.compile(r"[^\W\d_]+$")
_LONGEST_NUMBER_WORD = max(map(len, _NUMBER_WORDS))


def _amounts(text: str) -> Iterator[tuple[int, int]]:
    """The spans of amounts written over more than one word: "£4.2 billion", "$ 5m", "five million"."""
    for amount in _AMOUNT.finditer(text):
        start, end = amount.span(1)
        money = _MONEY_BEFORE.search(text, max(0, start - 5), start)
        yield (money.start() if money else start), end
    for magnitude in _SPACED_MAGNITUDE.finditer(text):
        # A window one longer than any number word: a longer word before it is no number word.
        window = max(0, magnitude.start() - _LONGEST_NUMBER_WORD - 1)
        number = _LETTERS_BEFORE.search(text, window, magnitude.start())
        if number and number.group(0).casefold() in _NUMBER_WORDS:
            yield number.start(), magnitude.end()


def matching_words(analyzer: Analyzer, text: str, terms: set[str]) -> list[tuple[int, int, set[str]]]:
    """The words and phrases in ``text`` whose terms are in ``terms``: (start, end, the terms
    they match), by start; together they give the terms that analysing the whole text gives."""
    found = []
    for start, end in chain(
        (word.span() for word in _SURFACE_WORD.finditer(text)),
        (phrase.span() for phrase in _SURFACE_PHRASE.finditer(text)),
        _amounts(text),
    ):
        if matched := terms.intersection(analyzer.terms(text[start:end])):
            found.append((start, end, matched))
    return sorted(found, key=lambda word: word[:2])




def surface_words(text: str) -> list[str]:
    """The words of ``text`` as written, with a currency sign before or a per cent sign after
    ("£5bn", "5%"), for analysing word by word."""
    return _SURFACE_WORD.findall(text)
