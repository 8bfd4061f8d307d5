"""The k best passages for a question: MaxScore pruning when it pays, every posting otherwise.

Exact either way (tests/comparison holds both to rank-bm25's ranking). MaxScore, as search
engines prune: the passages holding the rarer terms are scored in full, common terms included; a
passage holding none of them scores at most the sum of the common terms' largest contributions,
so once that bound is below the k-th best score found, the long posting lists of the common
terms are never scanned.
"""

import threading
from dataclasses import dataclass

import numpy as np

from index.store.bm25 import ScoredPassage

from .collector import TopK
from .scorer import Bm25Weight


@dataclass(frozen=True, slots=True)
class Pruning:
    """When MaxScore is tried; the values are ``SegmentedIndex``'s class attributes."""

    common_share: float  # terms in more than this share of passages are scored only where needed
    common_min_df: int
    max_share: float  # past this many candidates, scoring every posting is cheaper
    # Pruning is tried only when the common terms' postings it may skip number at least this share
    # of the passages: below it, scoring them all costs less than an attempt that may fail.
    min_skipped: float


class TopScorer:
    """Finds the k best live passages of one snapshot; ``live`` says which positions are live."""

    def __init__(self, live: np.ndarray, passages: int) -> None:
        self.live = live
        self.all_live = bool(live.all())
        self.passages = passages  # N
        self._buffers = threading.local()

    def top(self, weight: Bm25Weight, k: int, pruning: Pruning) -> list[ScoredPassage]:
        """The ``k`` best live passages that share a term with the question, best first, ties in
        corpus order. Sharing a term, not scoring above zero: in a collection of one or two
        passages (a newcomer's first article) BM25Okapi's idf is 0 or below, so the passage that
        holds the question's words scores 0 or less; its score stays exactly rank-bm25's."""
        if k <= 0 or not weight.terms:
            return []
        found = self._pruned(weight, TopK(k), pruning)
        return found if found is not None else self._exhaustive(weight, TopK(k))

    def _pruned(self, weight: Bm25Weight, collector: TopK, pruning: Pruning) -> list[ScoredPassage] | None:
        """MaxScore's answer, or None when it would not pay (the caller scores every posting)."""
        df, size = weight.df, self.passages
        by_rarity = sorted(df, key=df.__getitem__)
        threshold = max(pruning.common_min_df, pruning.common_share * size)
        rare = max(1, sum(1 for tid in by_rarity if df[tid] <= threshold))
        if rare == len(by_rarity) or df[by_rarity[0]] > pruning.max_share * size:
            return None  # nothing to prune, or no term rare enough to start from
        if sum(df[tid] for tid in by_rarity[rare:]) < pruning.min_skipped * size:
            return None  # too little to skip
        parts = weight.positions(by_rarity[:rare])
        while True:
            candidates = np.unique(np.concatenate(parts))
            candidates = candidates[self.live[candidates]]
            if candidates.size > pruning.max_share * size:
                return None
            scores = weight.score(candidates)
            bound = weight.bound(by_rarity[rare:])
            kth = collector.kth(scores)
            # Done when no passage outside can reach (or tie) the k-th found; with fewer than k
            # found, the passages holding only common terms count too: done only when every
            # term is scored in full.
            done = (kth is not None and bound * (1 + 1e-9) < kth) or rare == len(by_rarity)
            if done:
                return collector.best(candidates, scores)
            tid = by_rarity[rare]  # the next rarest term joins those scored in full
            if candidates.size + df[tid] > pruning.max_share * size:
                return None
            parts += weight.positions([tid])
            rare += 1

    def _buffer(self) -> np.ndarray:
        buffer = getattr(self._buffers, "scores", None)
        if buffer is None:
            buffer = self._buffers.scores = np.zeros(self.live.size)
        return buffer

    def _exhaustive(self, weight: Bm25Weight, collector: TopK) -> list[ScoredPassage]:
        scores = self._buffer()  # all zero between questions
        touched = []
        try:
            for positions, contributions in weight.postings():
                scores[positions] += contributions
                touched.append(positions)
            if not touched:
                return []
            candidates = np.concatenate(touched) if len(touched) > 1 else touched[0]
            values = scores[candidates]
            # A floor for the k-th best score: the k-th best among one posting list's passages
            # (distinct passages, all of them candidates). Only passages at or above it can
            # be in the top k, so the long list of candidates is cut with one comparison.
            sample = min((p for p in touched if p.size >= collector.k), key=len, default=None)
            floor = None
            if sample is not None:
                found = scores[sample][self.live[sample]]
                floor = collector.kth(found)
        finally:
            for positions in touched:
                scores[positions] = 0.0
        if floor is not None:
            keep = values >= floor
            candidates, values = candidates[keep], values[keep]
        if not self.all_live:
            keep = self.live[candidates]
            candidates, values = candidates[keep], values[keep]
        # A passage appears at most once per list: k times that many entries hold k distinct.
        return collector.best_distinct(candidates, values, len(touched))
