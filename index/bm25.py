"""BM25 ranking: rank-bm25's BM25Okapi scores, computed over posting lists.

rank-bm25 scores every passage in Python for every question, which stalls on a large archive.
This index keeps, for each term, the passages that contain it, and applies BM25Okapi's own
formula to those passages only. The idf comes from rank-bm25's own code, and the scores are the
same floating-point numbers as ``BM25Okapi.get_scores`` (tests/comparison asserts it).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's defaults


class _ReferenceIdf(BM25Okapi):
    """rank-bm25's idf computation, run on document frequencies instead of a whole corpus."""

    def __init__(self, document_frequencies: dict[str, int], corpus_size: int) -> None:
        self.corpus_size = corpus_size
        self.epsilon = EPSILON
        self.idf = {}
        self._calc_idf(document_frequencies)


@dataclass(frozen=True, slots=True)
class ScoredPassage:
    position: int  # the passage's place in the corpus the index was built from
    score: float


class BM25Index:
    """An immutable inverted index; build a new one to change the corpus."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        offsets: np.ndarray,
        postings: np.ndarray,
        frequencies: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.offsets = offsets
        self.postings = postings
        self.frequencies = frequencies
        self.lengths = lengths
        self.size = len(lengths)
        if self.size:
            avgdl = int(lengths.sum()) / self.size
            # BM25Okapi's length normalisation, evaluated as rank-bm25 evaluates it.
            self._norm = K1 * (1 - B + B * lengths / avgdl)
        else:
            self._norm = np.zeros(0)

    @classmethod
    def build(cls, corpus: Iterable[Sequence[str]]) -> "BM25Index":
        """Index a corpus of term lists (one list a passage)."""
        vocabulary: dict[str, int] = {}  # in order of first appearance, as rank-bm25 counts
        term_ids: list[int] = []
        doc_ids: list[int] = []
        freqs: list[int] = []
        lengths: list[int] = []
        for doc, terms in enumerate(corpus):
            lengths.append(len(terms))
            for term, tf in Counter(terms).items():
                term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
                doc_ids.append(doc)
                freqs.append(tf)
        tids = np.asarray(term_ids, dtype=np.int64)
        order = np.argsort(tids, kind="stable")  # posting lists sorted by passage
        df = np.bincount(tids, minlength=len(vocabulary))
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        if vocabulary:
            reference = _ReferenceIdf(dict(zip(vocabulary, df.tolist(), strict=True)), len(lengths))
            idf = np.fromiter(reference.idf.values(), dtype=np.float64, count=len(vocabulary))
        else:
            idf = np.zeros(0)
        return cls(
            vocabulary,
            idf,
            offsets,
            np.asarray(doc_ids, dtype=np.int32)[order],
            np.asarray(freqs, dtype=np.int32)[order],
            np.asarray(lengths, dtype=np.int32),
        )

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """Every passage's score, exactly as ``BM25Okapi.get_scores`` returns it."""
        scores, _ = self._accumulate(query)
        return scores

    def top(self, query: Sequence[str], k: int) -> list[ScoredPassage]:
        """The ``k`` best passages with a positive score, best first, ties in corpus order.

        A score of zero or less means BM25 found nothing that sets the passage apart (a term in
        half the passages has idf 0; rank-bm25 issues #39 and #43), so it is not an answer.
        """
        scores, touched = self._accumulate(query)
        if touched.size == 0 or k <= 0:
            return []
        candidates = touched[scores[touched] > 0]
        values = scores[candidates]
        if candidates.size > k:
            keep = np.argpartition(-values, k - 1)[:k]
            threshold = values[keep].min()
            keep = values >= threshold  # keep every tie at the boundary, then order them
            candidates, values = candidates[keep], values[keep]
        order = np.lexsort((candidates, -values))[:k]
        return [ScoredPassage(int(candidates[i]), float(values[i])) for i in order]

    def weight(self, term: str) -> float:
        """How much a term says about a passage: a smoothed idf, positive even for common terms
        and highest for a term no passage contains."""
        tid = self.vocabulary.get(term)
        df = 0 if tid is None else int(self.offsets[tid + 1] - self.offsets[tid])
        return float(np.log1p((self.size - df + 0.5) / (df + 0.5)))

    def contains(self, term: str, positions: np.ndarray) -> np.ndarray:
        """For each passage position, whether that passage contains ``term``."""
        tid = self.vocabulary.get(term)
        if tid is None:
            return np.zeros(len(positions), dtype=bool)
        docs = self.postings[self.offsets[tid] : self.offsets[tid + 1]]
        at = np.searchsorted(docs, positions)
        return (at < len(docs)) & (docs[np.minimum(at, len(docs) - 1)] == positions)

    def _accumulate(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        scores = np.zeros(self.size)
        touched = []
        for term in query:  # repeated terms count again, as in rank-bm25
            tid = self.vocabulary.get(term)
            if tid is None or self.idf[tid] == 0:
                continue
            start, end = self.offsets[tid], self.offsets[tid + 1]
            docs = self.postings[start:end]
            tf = self.frequencies[start:end]
            scores[docs] += self.idf[tid] * (tf * (K1 + 1) / (tf + self._norm[docs]))
            touched.append(docs)
        if not touched:
            return scores, np.zeros(0, dtype=np.int32)
        return scores, np.unique(np.concatenate(touched))
