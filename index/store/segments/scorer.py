"""BM25Okapi over posting lists: how one segment scores a term, and what a question asks.

As in tantivy, a query's ``Weight`` holds what is computed once per question (its terms' ids,
document frequencies and idf) and hands each segment's ``Scorer`` the work on that segment's
postings. Every contribution is evaluated as rank-bm25 evaluates it, and a passage's terms are
summed in query order, so scores equal ``BM25Okapi.get_scores`` bit for bit.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from index.store.bm25 import K1

from .segment import Segment


def by_segment(bases: np.ndarray, positions: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Sorted positions grouped by the segment holding them: (segment number, their indexes)."""
    which = np.searchsorted(bases, positions, side="right") - 1
    return [(s, np.flatnonzero(which == s)) for s in np.unique(which).tolist()]


class SegmentScorer:
    """One segment's BM25Okapi contributions; ``norm`` is every position's length normalisation,
    ``K1 * (1 - B + B * length / avgdl)``, which depends on the snapshot's average length (indexed
    by corpus position, whose int64 arrays numpy indexes with no conversion)."""

    def __init__(self, segment: Segment, base: int, norm: np.ndarray) -> None:
        self.segment = segment
        self.base = base
        self._norm = norm
        self._bounds: dict[int, float] = {}  # term id -> largest contribution in this segment

    def _contributions(self, idf: float, positions: np.ndarray, tf: np.ndarray) -> np.ndarray:
        tf = tf.astype(np.float64)
        scores: np.ndarray = idf * (tf * (K1 + 1) / (tf + self._norm[positions]))
        return scores

    def positions(self, tid: int) -> np.ndarray | None:
        """The corpus positions of the passages holding the term (deleted ones included)."""
        start, end = self.segment.span(tid)
        if start == end:
            return None
        positions: np.ndarray = self.segment.postings[start:end] + np.int64(self.base)
        return positions

    def postings(self, tid: int, idf: float) -> tuple[np.ndarray, np.ndarray] | None:
        """(corpus positions, the term's contribution to each), or None if no passage holds it."""
        start, end = self.segment.span(tid)
        if start == end:
            return None
        positions = self.segment.postings[start:end] + np.int64(self.base)
        return positions, self._contributions(idf, positions, self.segment.tf[start:end])

    def max_contribution(self, tid: int, idf: float) -> float:
        """The largest score one occurrence of the term adds here (0 if none is positive)."""
        known = self._bounds.get(tid)
        if known is None:
            found = self.postings(tid, idf)
            known = self._bounds[tid] = 0.0 if found is None else max(0.0, float(found[1].max()))
        return known

    def _find(self, tid: int, local: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """For each local passage number, whether it holds the term, and where in the postings."""
        start, end = self.segment.span(tid)
        if start == end:
            return None
        docs = self.segment.postings[start:end]
        at = np.minimum(np.searchsorted(docs, local.astype(docs.dtype)), docs.size - 1)  # never cast the list
        return docs[at] == local, at + start

    def holds(self, tid: int, local: np.ndarray) -> np.ndarray:
        """For each local passage number, whether that passage holds the term."""
        found = self._find(tid, local)
        return np.zeros(local.size, dtype=bool) if found is None else found[0]

    def add_scores(self, tid: int, idf: float, local: np.ndarray, scores: np.ndarray) -> None:
        """Adds the term's contribution to ``scores`` (one a local passage number) where held."""
        found = self._find(tid, local)
        if found is None:
            return
        holds, at = found
        if holds.any():
            positions = local[holds] + np.int64(self.base)
            scores[holds] += self._contributions(idf, positions, self.segment.tf[at[holds]])


@dataclass(slots=True)
class Bm25Weight:
    """A question's terms over one snapshot's segments, computed once per question.

    ``terms`` are (term id, idf) in query order, a repeated term again; ``df`` is each distinct
    term's document frequency.
    """

    terms: list[tuple[int, float]]
    df: dict[int, int]
    scorers: Sequence[SegmentScorer]
    bases: np.ndarray  # the first position of each segment, then the number of positions

    @classmethod
    def of(
        cls, scored: Sequence[tuple[int, int, float]], scorers: Sequence[SegmentScorer], bases: np.ndarray
    ) -> "Bm25Weight":
        """From ``TermDictionary.scored_terms``' (term id, df, idf) of a question."""
        return cls([(tid, idf) for tid, _, idf in scored], {tid: df for tid, df, _ in scored}, scorers, bases)

    @property
    def idf(self) -> dict[int, float]:
        return dict(self.terms)

    def postings(
        self, terms: Sequence[tuple[int, float]] | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions, contributions) per term (the question's, unless given) and segment, in order."""
        for tid, idf in self.terms if terms is None else terms:
            for scorer in self.scorers:
                found = scorer.postings(tid, idf)
                if found is not None:
                    yield found

    def positions(self, tids: Sequence[int]) -> list[np.ndarray]:
        """The positions of the passages holding each of these terms, a list a term and segment."""
        found = (scorer.positions(tid) for tid in tids for scorer in self.scorers)
        return [positions for positions in found if positions is not None]

    def bound(self, tids: Sequence[int]) -> float:
        """The most these terms, as often as the question repeats them, add to any one passage."""
        idf, count = self.idf, Counter(tid for tid, _ in self.terms)
        return sum(
            max((s.max_contribution(tid, idf[tid]) for s in self.scorers), default=0.0) * count[tid]
            for tid in tids
        )

    def score(self, candidates: np.ndarray) -> np.ndarray:
        """Full scores of these sorted positions, each a sum in query order as rank-bm25's."""
        scores = np.zeros(candidates.size)
        groups = [
            (self.scorers[s], index, candidates[index] - self.bases[s], np.zeros(index.size))
            for s, index in by_segment(self.bases, candidates)
        ]
        for tid, idf in self.terms:
            for scorer, _, local, part in groups:
                scorer.add_scores(tid, idf, local, part)
        for _, index, _, part in groups:
            scores[index] = part
        return scores
