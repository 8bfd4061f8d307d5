"""Re-ordering the best BM25 candidates, and the verdict on the first, from features any article has.

BM25 finds the candidates (a few dozen passages: nothing here grows with the corpus); each is then
described by features that do not depend on what the articles are about:

- ``bm25``: its BM25 score over the best candidate's;
- ``coverage``: the share of the question's weight (smoothed idf; a term no passage holds weighs
  more) whose terms, or their alternatives, the passage holds;
- ``sentence``: the same share in its best sentence (the question's words close together);
- ``title``: the same share in its article's title (a field for re-ordering, never stored with
  the passage's terms);
- ``answer_type``: whether the best sentence holds what the question asks for: a number for
  "how many", "how much", a date for "when";
- ``names``: whether the article mentions every name in the question;
- ``first``: whether BM25 put it first;
- ``article``: the share of the question's weight its article's candidates and title hold together
  (a passage saying "he" in an article about the question's subject);
- ``words``: the share of the question's terms (unweighted) in its best sentence;
- ``missing``: the largest share of the question's weight one term holds that the passage lacks
  (the rarest thing asked about that it does not mention).

A passage's place is a linear score of these (RANK_WEIGHTS); the verdict is a logistic model of
the first passage's features and the gap to the second (VERDICT_WEIGHTS). Both sets of weights
were fitted by eval/train.py on the tune sets only (eval/README.md) and are plain numbers here.
The score a hit shows stays its exact BM25Okapi score.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis import Analyzer, Query, fold
from .passages import split_sentences

FEATURES = (
    "bm25", "coverage", "sentence", "title", "answer_type", "names", "first", "article", "words", "missing"
)  # fmt: skip
# Fitted by eval/train.py on the tune sets only (pairwise logistic regression for the order).
RANK_WEIGHTS = (2.922, 0.563, -1.707, 1.864, 1.782, 3.837, 0.546, 4.754, 3.989, -0.593)
VERDICT_FEATURES = (*FEATURES, "gap", "unseen")
VERDICT_WEIGHTS = (0.487, 1.616, 0.393, 1.113, -0.177, 2.083, 0.695, 0.792, 1.297, -1.282, 1.244, 0.23)
VERDICT_BIAS = -5.802
VERDICT_THRESHOLD = 0.464

_NUMBER_QUESTION = re.compile(
    r"\b(?:how (?:many|much|long|far|old|big|large|tall|high|fast|heavy|deep|often)|what (?:percentage|"
    r"proportion|share|number|amount|price|cost|age)|what per ?cent)\b"
)
_DATE_QUESTION = re.compile(r"\b(?:when|what (?:year|date|day|month|time))\b")
_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december monday"
    " tuesday wednesday thursday friday saturday sunday yesterday today tomorrow week month year"
    " spring summer autumn winter".split()
)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored passage as re-ordering sees it."""

    score: float
    text: str
    title: str
    named: bool  # its article mentions every name in the question
    article: str = ""


def answer_kind(question: str) -> str | None:
    folded = fold(question)
    if _NUMBER_QUESTION.search(folded):
        return "number"
    if _DATE_QUESTION.search(folded):
        return "date"
    return None


def _has_kind(sentence: str, kind: str | None) -> float:
    if kind == "number":
        return float(
            bool(_DIGIT.search(sentence)) or any(w in fold(sentence) for w in (" million", " billion"))
        )
    if kind == "date":
        words = set(re.findall(r"[a-z]+", fold(sentence)))
        return float(bool(words & _DATE_WORDS) or bool(_YEAR.search(sentence)))
    return 0.0


class Describer:
    """The features of one question's candidates."""

    def __init__(self, analyzer: Analyzer, query: Query, weights: dict[str, float], question: str) -> None:
        self.analyzer = analyzer
        self.slots: list[tuple[frozenset[str], float]] = []  # (terms that match, weight) per term
        for term in dict.fromkeys(query.terms):
            if term in query.expansions:
                continue
            matched = frozenset({term} | set(query.alternatives.get(term, ())))
            self.slots.append((matched, weights[term]))
        self.total = sum(w for _, w in self.slots) or 1.0
        self.count = len(self.slots) or 1
        self.kind = answer_kind(question)

    def share(self, terms: set[str]) -> float:
        return sum(w for matched, w in self.slots if matched & terms) / self.total

    def missing(self, terms: set[str]) -> float:
        return max((w for matched, w in self.slots if not matched & terms), default=0.0) / self.total

    def counted(self, terms: set[str]) -> float:
        return sum(1 for matched, _ in self.slots if matched & terms) / self.count

    def describe(self, candidates: Sequence[Candidate]) -> list[list[float]]:
        top = max((c.score for c in candidates), default=1.0) or 1.0
        rows = []
        by_article: dict[str, set[str]] = {}
        for i, c in enumerate(candidates):
            sentences = split_sentences(c.text) or [c.text]
            best, best_sentence, best_terms = -1.0, c.text, set()
            for sentence in sentences:
                terms = set(self.analyzer.terms(sentence))
                share = self.share(terms)
                if share > best:
                    best, best_sentence, best_terms = share, sentence, terms
            passage = set(self.analyzer.terms(c.text))
            title = set(self.analyzer.terms(c.title))
            by_article.setdefault(c.article, set()).update(passage | title)
            rows.append(
                [
                    c.score / top,
                    self.share(passage),
                    best,
                    self.share(title),
                    _has_kind(best_sentence, self.kind),
                    float(c.named),
                    float(i == 0),
                    0.0,
                    self.counted(best_terms),
                    self.missing(passage),
                ]
            )
        for row, c in zip(rows, candidates, strict=True):
            row[7] = self.share(by_article[c.article])
        return rows


def order(rows: Sequence[Sequence[float]]) -> list[int]:
    """Candidates by their re-ordering score, best first (ties keep BM25's order)."""
    scores = [sum(w * f for w, f in zip(RANK_WEIGHTS, row, strict=True)) for row in rows]
    return sorted(range(len(rows)), key=lambda i: (-scores[i], i))


def verdict_features(rows: Sequence[Sequence[float]], ranked: Sequence[int], unseen: float) -> list[float]:
    """What the verdict looks at: the first passage's features, and how far ahead of the next it is."""
    first = rows[ranked[0]]
    second = rows[ranked[1]][0] if len(ranked) > 1 else 0.0
    return [*first, first[0] - second, unseen]


def confident(features: Sequence[float]) -> bool:
    z = VERDICT_BIAS + sum(w * f for w, f in zip(VERDICT_WEIGHTS, features, strict=True))
    return 1 / (1 + math.exp(-z)) >= VERDICT_THRESHOLD
