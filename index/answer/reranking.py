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
  (the rarest thing asked about that it does not mention);
- ``feedback``: pseudo-relevance feedback, the share it holds of the terms (beyond the question's)
  that at least two of BM25's first five candidates share: what the question's topic is about;
- ``meaning``: how close in meaning its words come to the question's (index/answer/meaning.py): a
  paraphrase shares few words but near ones;
- ``cosine``: the cosine of the passage's vector to the question's in the semantic layer
  (index/semantic/; 0.0 without one). Weight 0.0 until the weights are fitted again with it.

A passage's place is a linear score of these; the verdict is a logistic model of the first
passage's features and the gap to the second (index/answer/ranker.py). Both sets of weights were
fitted by eval/train.py on the tune sets only (eval/README.md), in index/answer/weights.py.
The score a hit shows stays its exact BM25Okapi score.
"""

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

import numpy as np

from index.answer.answer_types import AnswerType, asked_for
from index.answer.meaning import question_meaning, word_vectors
from index.text.analysis import Analyzer, Query, fold, rough_sentences
from index.text.marking import surface_words

FEATURES = (
    "bm25", "coverage", "sentence", "title", "answer_type", "names", "first", "article", "words", "missing",
    "feedback", "meaning", "cosine",
)  # fmt: skip
VERDICT_FEATURES = (*FEATURES, "gap", "unseen", "closest", "line", "lacks_kind")

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
FEEDBACK_FROM = 5
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True, slots=True)
class Passage:
    """What re-ordering reads of a candidate's text."""

    sentences: list[tuple[str, frozenset[str]]]  # each sentence with its terms
    rows: np.ndarray  # its words' rows in the word vectors


class PassageCache:
    """What re-ordering read of the passages it saw (questions share their candidates). One per
    library, bounded; word by word, analysis is the analyser's own cache."""

    LIMIT = 20_000

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._read: dict[str, Passage] = {}
        self.kinds = {
            "number": frozenset(analyzer.terms("million billion thousand hundred dozen")),
            "date": frozenset(analyzer.terms(" ".join(_DATE_WORDS))),
        }

    def passage(self, text: str) -> Passage:
        """A passage's sentences with their terms, and its words' vector rows."""
        found = self._read.get(text)
        if found is None:
            if len(self._read) >= self.LIMIT:
                self._read.clear()
            word_terms = self.analyzer.word_terms
            sentences = [
                (s, frozenset(t for word in surface_words(s) for t in word_terms(word)))
                for s in rough_sentences(text)
            ]
            found = self._read[text] = Passage(sentences, word_vectors().rows(text))
        return found


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored passage as re-ordering sees it."""

    score: float
    text: str
    title: str
    named: bool  # its article mentions every name in the question
    article: str = ""
    cosine: float = 0.0  # to the question, in the semantic layer (index/semantic/)


def answer_kind(question: str) -> str | None:
    folded = fold(question)
    if _NUMBER_QUESTION.search(folded):
        return "number"
    if _DATE_QUESTION.search(folded):
        return "date"
    return None


def _has_kind(
    sentence: str, terms: frozenset[str], kind: str | None, kinds: dict[str, frozenset[str]]
) -> float:
    """Whether a sentence (and its terms) holds the kind of thing the question asks for."""
    if kind == "number":
        return float(bool(_DIGIT.search(sentence)) or bool(terms & kinds["number"]))
    if kind == "date":
        return float(bool(_YEAR.search(sentence)) or bool(terms & kinds["date"]))
    return 0.0


class Describer:
    """The features of one question's candidates."""

    def __init__(
        self,
        analyzer: Analyzer,
        query: Query,
        weights: dict[str, float],
        question: str,
        cache: PassageCache | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.cache = cache or PassageCache(analyzer)
        self.slots: list[tuple[frozenset[str], float]] = []  # (terms that match, weight) per term
        for term in dict.fromkeys(query.terms):
            if term in query.expansions:
                continue
            matched = frozenset({term} | set(query.alternatives.get(term, ())))
            self.slots.append((matched, weights[term]))
        self.total = sum(w for _, w in self.slots) or 1.0
        self.count = len(self.slots) or 1
        self.kind = answer_kind(question)
        self.asked = AnswerType(
            asked_for(question),
            analyzer,
            frozenset(t for matched, _ in self.slots for t in matched),
        )
        self.meaning = question_meaning(question, weights, self.term_of)
        self.kinds = self.cache.kinds

    def term_of(self, word: str) -> str | None:
        """The term of one word, None for a stop word."""
        terms = self.analyzer.word_terms(word)
        return terms[0] if terms else None

    def passage(self, text: str) -> Passage:
        return self.cache.passage(text)

    def holds_answer(self, sentence: str) -> float:
        """Whether a sentence holds what the question asks for (index/answer/answer_types.py)."""
        return float(self.asked.held_by(sentence))

    def share(self, terms: Set[str]) -> float:
        return sum(w for matched, w in self.slots if matched & terms) / self.total

    def missing(self, terms: Set[str]) -> float:
        return max((w for matched, w in self.slots if not matched & terms), default=0.0) / self.total

    def counted(self, terms: Set[str]) -> float:
        return sum(1 for matched, _ in self.slots if matched & terms) / self.count

    def describe(self, candidates: Sequence[Candidate]) -> list[list[float]]:
        top = max((c.score for c in candidates), default=1.0) or 1.0
        rows = []
        by_article: dict[str, set[str]] = {}
        passages: list[set[str]] = []
        words: list[np.ndarray] = []
        for i, c in enumerate(candidates):
            best, best_sentence = -1.0, c.text
            best_terms: frozenset[str] = frozenset()
            passage: set[str] = set()
            read = self.passage(c.text)
            for sentence, sentence_terms in read.sentences:
                passage |= sentence_terms
                share = self.share(sentence_terms)
                if share > best:
                    best, best_sentence, best_terms = share, sentence, sentence_terms
            title: frozenset[str] = self.passage(c.title).sentences[0][1] if c.title else frozenset()
            by_article.setdefault(c.article, set()).update(passage | title)
            passages.append(passage)
            words.append(read.rows)
            rows.append(
                [
                    c.score / top,
                    self.share(passage),
                    best,
                    self.share(title),
                    _has_kind(best_sentence, best_terms, self.kind, self.kinds),
                    float(c.named),
                    float(i == 0),
                    0.0,
                    self.counted(best_terms),
                    self.missing(passage),
                ]
            )
        for row, c in zip(rows, candidates, strict=True):
            row[7] = self.share(by_article[c.article])
        # Pseudo-relevance feedback: the terms most of BM25's first five share, beyond the question's.
        asked = {t for matched, _ in self.slots for t in matched}
        counts: dict[str, int] = {}
        for terms in passages[:FEEDBACK_FROM]:
            for t in terms - asked:
                counts[t] = counts.get(t, 0) + 1
        feedback = {t for t, n in counts.items() if n >= 2}
        closeness = self.meaning.closeness(words)
        for row, terms, close, c in zip(rows, passages, closeness, candidates, strict=True):
            row += [len(terms & feedback) / len(feedback) if feedback else 0.0, close, c.cosine]
        return rows


def verdict_features(rows: Sequence[Sequence[float]], ranked: Sequence[int], unseen: float) -> list[float]:
    """What the verdict looks at: the first passage's features, how far ahead of the next it is,
    the share of the question's weight no passage holds, and the closest any candidate comes in
    meaning (when none comes close, the articles may not speak of it at all)."""
    first = rows[ranked[0]]
    second = rows[ranked[1]][0] if len(ranked) > 1 else 0.0
    cosine = FEATURES.index("cosine")
    return [*first, first[0] - second, unseen, max(row[cosine] for row in rows)]
