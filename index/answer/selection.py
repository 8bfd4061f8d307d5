"""From BM25's candidates to a decision: their order and the confidence that the first answers.

BM25 gives a positive score to any passage that shares one term with the question, so "What is
the weather forecast for Paris?" finds the passage about Poland's forecast spending. What the
re-ordering and the verdict read beside the score:

1. Names. The names in a question (words written with a capital inside it, or terms the articles
   themselves write as names: "Germany", "SpaceX", "Hegseth") are what it is about; whether a
   passage's article mentions every one of them is a feature. A word the question writes lower
   case with -ing or -ed is a verb there, never a name ("fixing", though the articles' only "Fix"
   is Jeremy Fix).
2. Weights. Each question term weighs its smoothed idf, and a term that no passage contains
   weighs UNSEEN_WEIGHT times as much: the articles say nothing about it ("oil" in "what is the
   price of oil today?"). A term that asks for a kind of answer ("tall" in "how tall") is matched
   by the words such answers use ("feet", "metres"), and a term no passage contains by the terms
   that look like another form of its word ("expansion" by "expand").
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from index.answer import reranking
from index.answer.names import Names
from index.answer.ranker import Ranker
from index.ingest.passages import sentence_spans
from index.store.bm25 import ScoredPassage
from index.text.analysis import Analyzer, Query
from index.text.marking import matching_words

if TYPE_CHECKING:
    from index.store.segments import SegmentedIndex

UNSEEN_WEIGHT = 2.0  # a question term no passage contains weighs this many times its weight
RELATED_PREFIX = 5  # first letters an unseen term shares with another form of its word, at least
_DESCRIBING = threading.Lock()


def question_names(analyzer: Analyzer, question: str) -> set[str]:
    """The names in a question; none when it is written in capitals or Title Case throughout,
    where a capital says nothing about what is a name."""
    words = [w for w in question.split() if w[:1].isalpha()]
    capitalised = sum(1 for w in words if w[:1].isupper())
    if words and capitalised * 2 > len(words):
        return set()
    return analyzer.names(question)


def with_related_forms(index: "SegmentedIndex", query: Query) -> Query:
    """``query`` with each term no passage contains matched by the terms that look like another
    form of its word ("expans", of "expansion", by "expand"). Stemming joins a word's inflections,
    not the words derived from it, and an unmatched term weighs heavily against an answer. The
    forms also reorder what the question finds, as answer words do.
    """
    alternatives, extra = dict(query.alternatives), list(query.extra)
    for term in dict.fromkeys(query.terms):
        if len(term) <= RELATED_PREFIX or term[0].isdigit() or index.document_frequency(term):
            continue  # five letters are too few to tell "police" (polic) from "policy"
        if forms := set(_other_forms(index, term)):
            alternatives[term] = alternatives.get(term, frozenset()) | forms
            extra += sorted(forms.difference(extra, query.terms))
    return replace(query, extra=extra, alternatives=alternatives)


def _other_forms(index: "SegmentedIndex", term: str) -> list[str]:
    """The index terms longer than RELATED_PREFIX and at most two letters longer or shorter than
    ``term`` that share all but one of the shorter one's letters, and at least RELATED_PREFIX,
    from its start."""
    size, found = len(term), []
    for shortest, longest, shared in ((size, size + 2, size - 1), (size - 1, size - 1, size - 2),
                                      (size - 2, size - 2, size - 3)):  # fmt: skip
        shortest = max(shortest, RELATED_PREFIX + 1)  # five letters are too few either way
        found += index.terms_starting_with(term[: max(RELATED_PREFIX, shared)], shortest, longest)
    return found


def named(
    names: Names, terms: Sequence[str], question_names: set[str], scored: list[ScoredPassage],
    verbs: frozenset[str] = frozenset(), expansions: frozenset[str] = frozenset(),
) -> list[bool]:
    """For each scored passage, whether its article mentions every name the question asks about
    (the article, not the passage: a passage may call Mr Hegseth "he")."""
    distinct = [t for t in dict.fromkeys(terms) if t not in expansions]
    required = {t for t in distinct if t in question_names or (t in names.corpus and t not in verbs)}
    if not required or not scored:
        return [True] * len(scored)
    # Read only when needed: an article's names are decoded from the index.
    positions = np.fromiter((s.position for s in scored), dtype=np.int64, count=len(scored))
    return [required <= names.by_article[a] for a in names.article_of[positions]]


def mark(
    analyzer: Analyzer, index: "SegmentedIndex", text: str, terms: Sequence[str]
) -> tuple[tuple[tuple[int, int], ...], tuple[int, int] | None]:
    """The spans of the question's words in a passage, and the span of its best sentence (the
    one holding the most question weight), so front ends can show where the answer is."""
    found = matching_words(analyzer, text, set(terms))
    highlights = tuple((start, end) for start, end, _ in found)
    sentences = sentence_spans(text)
    if len(sentences) < 2 or not found:
        return highlights, None
    best, best_weight = None, 0.0
    for start, end in sentences:
        inside = {t for at, _, words in found if start <= at < end for t in words}
        weight = sum(index.weight(t) for t in inside)
        if weight > best_weight:
            best, best_weight = (start, end), weight
    return highlights, best


def unseen_share(index: "SegmentedIndex", query: Query) -> float:
    """The share of the question's weight in terms no passage holds, nor any alternative of them."""
    total = unseen = 0.0
    for term in dict.fromkeys(query.terms):
        if term in query.expansions:
            continue
        weight = index.weight(term)
        total += weight
        if not any(index.document_frequency(t) for t in {term} | set(query.alternatives.get(term, ()))):
            unseen += weight
    return unseen / total if total else 1.0


@dataclass(frozen=True, slots=True)
class Decision:
    """The order of one question's candidates, and the features it came from (eval/train.py
    fits on them); ``verdict`` holds what the verdict reads of the first and the rest."""

    order: list[int]
    rows: list[list[float]]
    verdict: list[float]
    describer: reranking.Describer | None


@dataclass(frozen=True, slots=True)
class Asked:
    """One question as the answering side reads it, with the index it is answered from: the
    analyser, the index's statistics and names, the question's terms, text and names."""

    analyzer: Analyzer
    index: "SegmentedIndex"
    names: Names
    query: Query
    question: str
    question_names: set[str]


def choose(
    asked: Asked,
    scored: list[ScoredPassage],
    texts: list[tuple[str, str, str]],
    ranker: Ranker,
    cache: reranking.PassageCache | None = None,
    cosines: Sequence[float] | None = None,
) -> Decision:
    """The order to show ``scored`` in (their passage text, article title and article id in
    ``texts``), and what the verdict reads of it. ``cosines``: each passage's cosine to the
    question in the semantic layer (index/semantic/)."""
    if not scored:
        return Decision([], [], [], None)
    analyzer, index, query = asked.analyzer, asked.index, asked.query
    found = named(asked.names, query.terms, asked.question_names, scored, query.verbs, query.expansions)
    weights = {}
    for term in dict.fromkeys(query.terms):
        weights[term] = index.weight(term)
        if weights[term] >= index.unseen_weight:
            weights[term] *= UNSEEN_WEIGHT
    describer = reranking.Describer(analyzer, query, weights, asked.question, cache)
    cosines = cosines if cosines is not None else [0.0] * len(scored)
    candidates = [
        reranking.Candidate(s.score, text, title, ok, article, cosine)
        for s, (text, title, article), ok, cosine in zip(scored, texts, found, cosines, strict=True)
    ]
    with _DESCRIBING:  # one thread at a time: the event loop then waits on one holder of the GIL
        rows = describer.describe(candidates)
    ranked = ranker.order(rows)
    verdict = reranking.verdict_features(rows, ranked, unseen_share(index, query))
    return Decision(ranked, rows, verdict, describer)
