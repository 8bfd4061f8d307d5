"""The top-k collector: which scored passages are kept, and in what order (tantivy's ``TopDocs``).

Best first; ties in corpus order, which is the order rank-bm25's scores list them in, so a
ranking by our scores equals one by ``BM25Okapi.get_scores``.
"""

from dataclasses import dataclass

import numpy as np

from index.store.bm25 import ScoredPassage


@dataclass(frozen=True, slots=True)
class TopK:
    k: int

    def kth(self, values: np.ndarray) -> float | None:
        """The k-th largest of ``values``, None when there are fewer than k."""
        if values.size < self.k:
            return None
        return float(np.partition(values, values.size - self.k)[values.size - self.k])

    def best(self, candidates: np.ndarray, values: np.ndarray) -> list[ScoredPassage]:
        """The k best of these distinct passages, best first, ties in corpus order."""
        if candidates.size > self.k:
            keep = values >= np.partition(values, candidates.size - self.k)[candidates.size - self.k]
            candidates, values = candidates[keep], values[keep]  # every tie at the k-th stays
        return self._ordered(candidates, values)

    def best_distinct(self, candidates: np.ndarray, values: np.ndarray, copies: int) -> list[ScoredPassage]:
        """The k best passages of candidates listed up to ``copies`` times each, always with the
        same value: the k * copies best entries hold k distinct passages, so only those are
        made distinct."""
        wanted = self.k * copies
        if candidates.size > wanted:
            kth = np.partition(values, candidates.size - wanted)[candidates.size - wanted]
            keep = values >= kth  # every tie at the boundary stays
            candidates, values = candidates[keep], values[keep]
        candidates, first = np.unique(candidates, return_index=True)
        return self._ordered(candidates, values[first])

    def _ordered(self, candidates: np.ndarray, values: np.ndarray) -> list[ScoredPassage]:
        order = np.lexsort((candidates, -values))[: self.k]
        return [ScoredPassage(int(candidates[i]), float(values[i])) for i in order]
