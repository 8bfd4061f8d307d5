"""Turning text into index terms: the same code for passages and for questions.

Both sides must agree exactly, or a question can never match the passage that answers it;
that is why there is one ``Analyzer`` and nothing else tokenises.
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer

# Letters that Unicode does not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
        "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "ð": "d",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)  # fmt: skip

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
_THOUSANDS = re.compile(r",(?=\d{3}(?:\D|$))")

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don down
    during each few for from further had hadn has hasn have haven having he her here hers herself
    him himself his how i if in into is isn it its itself just let me more most mustn my myself no
    nor not now of off on once only or other ought our ours ourselves out over own same shan she
    should shouldn so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was wasn we were weren what when where which
    while who whom why will with won would wouldn you your yours yourself yourselves
    s t d ll m re ve y o
    tell know say said says also please anything something thing things much many get got does
    """.split()
)


def fold(text: str) -> str:
    """Normalise Unicode and fold case and accents, so "Šakalienė" and "sakaliene" are one word."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """Folded words and numbers, possessives removed ("Poland's" → "poland"), before stop words."""
    out = []
    for token in _TOKEN.findall(fold(text)):
        if token[0].isdigit():
            out.append(_THOUSANDS.sub("", token))
            continue
        if token.endswith("'s"):
            token = token[:-2]
        out.append(token.replace("'", ""))
    return out


class Analyzer:
    """Folds, tokenises, drops stop words and stems (Snowball English, via PyStemmer)."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text``, in order, repeats kept (BM25 counts them)."""
        return [self._stem(w) for w in words(text) if w not in STOP_WORDS]

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Analyzer lives as long as the process
    def _stem(self, word: str) -> str:
        if word[0].isdigit():
            return word
        return self._stemmer.stemWord(word)
