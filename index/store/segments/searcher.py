"""The searcher: the live corpus of one manifest, scored exactly as rank-bm25's ``BM25Okapi``.

Length normalisation is computed per snapshot from the manifest's statistics, so a segment never
depends on the corpus around it. ``top`` prunes with MaxScore, as search engines do, and stays
exact (tests/comparison holds it to rank-bm25's ranking).
"""

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from index.store.bm25 import K1, B, ScoredPassage

from .files import load, verify
from .lexicon import Lexicon, letters
from .manifest import Manifest, load_deleted
from .segment import Segment
from .stats import Stats


class SegmentedIndex:
    """The live corpus: all segments of one manifest, minus deleted passages.

    A passage's *position* is its place among all passages of the segments, deleted ones
    included; live positions in increasing order are the live passages in passage-id order,
    which is the order rank-bm25 is given them in.
    """

    def __init__(self, root: Path, manifest: Manifest, cache: dict[str, Segment] | None = None) -> None:
        cache = cache or {}
        self.manifest = manifest
        verify(root, manifest.files(), manifest.checksums)
        self.segments = [cache.get(e.name) or Segment(root / e.name) for e in manifest.segments]
        self.lexicon = Lexicon.open(root, manifest.lexicon, manifest.terms)
        if manifest.stats:
            folder = root / manifest.stats
            df, idf, name_df = load(folder, "df"), load(folder, "idf"), load(folder, "name_df")
        else:
            df = name_df = np.zeros(0, dtype=np.int32)
            idf = np.zeros(0)
        self.stats = Stats(
            df,
            idf,
            name_df,
            manifest.passages,
            manifest.length,
            manifest.vocabulary,
            manifest.epsilon,
        )
        sizes = [s.size for s in self.segments]
        self.bases = np.cumsum([0, *sizes]).astype(np.int64)
        self.positions = int(self.bases[-1])
        self.size = self.stats.passages  # N, the live passages
        self.live = np.ones(self.positions, dtype=bool)
        for entry, base, size in zip(manifest.segments, self.bases, sizes, strict=False):
            deleted = load_deleted(root, entry)
            if deleted is not None:
                self.live[base : base + size] = ~deleted
        self.passage_ids = (
            np.concatenate([s.ids for s in self.segments]) if sizes else np.zeros(0, dtype=np.int64)
        )
        lengths = np.concatenate([s.lengths for s in self.segments]) if sizes else np.zeros(0, dtype=np.int32)
        if self.size and self.stats.length:
            avgdl = self.stats.length / self.size  # as rank-bm25: int / int
            # BM25Okapi's length normalisation, evaluated as rank-bm25 evaluates it.
            self._norm = K1 * (1 - B + B * lengths / avgdl)
        else:
            self._norm = np.zeros(self.positions)
        article_bases = np.cumsum([0] + [s.article_count for s in self.segments])
        self.article_of = (
            np.concatenate(
                [np.asarray(s.articles) + b for s, b in zip(self.segments, article_bases, strict=False)]
            )
            if sizes
            else np.zeros(0, dtype=np.int64)
        )
        self.all_live = bool(self.live.all())
        self._buffers = threading.local()
        self._bounds: dict[int, float] = {}

    @property
    def vocabulary_size(self) -> int:
        return self.stats.vocabulary

    def name_frequency(self, term: str) -> int:
        """How many live passages write ``term`` as a name."""
        tid = self.lexicon.lookup(term)
        return 0 if tid < 0 else int(self.stats.name_df[tid])

    def weight(self, term: str) -> float:
        """How much a term says about a passage: a smoothed idf, positive even for common terms
        and highest (``unseen_weight``) for a term no passage contains."""
        return self._weight(self.document_frequency(term))

    @property
    def unseen_weight(self) -> float:
        """The weight of a term no live passage holds: the highest a term can have."""
        return self._weight(0)

    def _weight(self, df: int) -> float:
        return float(np.log1p((self.size - df + 0.5) / (df + 0.5)))

    def document_frequency(self, term: str) -> int:
        """How many live passages hold ``term``."""
        tid = self.lexicon.lookup(term)
        return 0 if tid < 0 else int(self.stats.df[tid])

    def terms_starting_with(self, prefix: str, shortest: int, longest: int) -> list[str]:
        """The terms some live passage holds that begin with ``prefix`` and are ``shortest`` to
        ``longest`` letters long; chosen on the lexicon's arrays, so a prefix that thousands of
        terms share decodes only the few that qualify."""
        encoded = prefix.encode("utf-8")
        found: list[str] = []
        for part in self.lexicon.parts:
            start, end = np.searchsorted(part.keys, [encoded, encoded + b"\xff"])  # no UTF-8 byte is 0xff
            keys, ids = part.keys[start:end], part.ids[start:end]
            size = letters(keys)
            keep = (size >= shortest) & (size <= longest) & (self.stats.df[ids] > 0)
            found += [key.decode("utf-8") for key in keys[keep].tolist()]
            found += [  # terms longer than KEY_BYTES are few, and kept apart
                term
                for term, tid in part.long.items()
                if shortest <= len(term) <= longest and term.startswith(prefix) and self.stats.df[tid]
            ]
        return found

    def contains(self, term: str, positions: np.ndarray) -> np.ndarray:
        """For each position, whether that passage contains ``term``."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.zeros(positions.size, dtype=bool)
        tid = self.lexicon.lookup(term)
        if tid < 0 or positions.size == 0:
            return out
        which = np.searchsorted(self.bases, positions, side="right") - 1
        for s in np.unique(which).tolist():
            start, end = self.segments[s].span(tid)
            if start == end:
                continue
            docs = self.segments[s].postings[start:end]
            mask = which == s
            local = positions[mask] - self.bases[s]
            at = np.searchsorted(docs, local.astype(docs.dtype))  # never cast the long list
            out[mask] = (at < docs.size) & (docs[np.minimum(at, docs.size - 1)] == local)
        return out

    def _query_terms(self, query: Sequence[str]) -> list[tuple[int, float]]:
        """(term id, idf) of each query term some live passage holds, in query order.

        A term whose idf is 0 (held by exactly half the passages) adds exactly nothing to a
        score, but it still says which passages share a term with the question."""
        out = []
        for term in query:  # repeated terms count again, as in rank-bm25
            tid = self.lexicon.lookup(term)
            if tid >= 0 and self.stats.df[tid] > 0:
                out.append((tid, float(self.stats.idf[tid])))
        return out

    def _contributions(self, tid: int, idf: float, positions: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """BM25Okapi's term score for these passages, evaluated as rank-bm25 evaluates it."""
        tf = tf.astype(np.float64)
        scores: np.ndarray = idf * (tf * (K1 + 1) / (tf + self._norm[positions]))
        return scores

    def _postings(self, terms: Sequence[tuple[int, float]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions, contributions) per query term and segment, in query order."""
        for tid, idf in terms:
            for segment, base in zip(self.segments, self.bases.tolist(), strict=False):
                start, end = segment.span(tid)
                if start != end:
                    positions = segment.postings[start:end] + np.int64(base)
                    yield positions, self._contributions(tid, idf, positions, segment.tf[start:end])

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """Every live passage's score, in passage-id order, exactly as ``BM25Okapi.get_scores``."""
        scores = np.zeros(self.positions)
        for positions, contributions in self._postings(self._query_terms(query)):
            scores[positions] += contributions
        return scores[self.live]

    def _buffer(self) -> np.ndarray:
        buffer = getattr(self._buffers, "scores", None)
        if buffer is None:
            buffer = self._buffers.scores = np.zeros(self.positions)
        return buffer

    COMMON_SHARE = 0.02  # terms in more than this share of passages are scored only where needed
    COMMON_MIN_DF = 64
    PRUNED_MAX_SHARE = 0.03  # past this many candidates, scoring every posting is cheaper
    # Pruning is tried only when the common terms' postings it may skip number at least this share
    # of the passages: below it, scoring them all costs less than an attempt that may fail.
    PRUNED_MIN_SKIPPED = 0.2

    def top(self, query: Sequence[str], k: int) -> list[ScoredPassage]:
        """The ``k`` best live passages that share a term with ``query``, best first, ties in
        corpus order.

        Sharing a term, not scoring above zero: in a collection of one or two passages (a
        newcomer's first article) BM25Okapi's idf is 0 or below, so the passage that holds the
        question's words scores 0 or less. Its score stays exactly rank-bm25's.

        Exact, and fast when the question has rare terms (MaxScore, as search engines prune):
        the passages holding the rarer terms are scored in full, common terms included; a
        passage holding none of them scores at most the sum of the common terms' largest
        contributions, so once that bound is below the k-th best score found, the long posting
        lists of the common terms are never scanned. Otherwise every posting is scored.
        """
        terms = self._query_terms(query)
        if k <= 0 or not terms:
            return []
        found = self._top_pruned(terms, k)
        return found if found is not None else self._top_exhaustive(terms, k)

    def top_reordered(
        self, query: Sequence[str], extra: Sequence[str], k: int, pool: int
    ) -> list[ScoredPassage]:
        """The ``k`` best of the ``pool * k`` passages ``query`` finds, scored for ``query + extra``.

        ``extra`` (a question's answer words: "how long" -> "years") only reorders what the
        question's own words find; such words are often common, and scanning their posting lists
        in full would cost tens of milliseconds a question at a million passages.
        """
        extra = [term for term in extra if self.document_frequency(term)]
        if not extra:
            return self.top(query, k)
        found = self.top(query, k * pool)
        if not found:
            return []
        positions = np.sort(np.fromiter((s.position for s in found), dtype=np.int64, count=len(found)))
        scores = self.score_passages([*query, *extra], positions)
        order = np.lexsort((positions, -scores))[:k]  # ties in corpus order, as top() keeps them
        return [ScoredPassage(int(positions[i]), float(scores[i])) for i in order]

    def score_passages(self, query: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """The scores of these passages (sorted positions) for ``query``, exactly as
        ``BM25Okapi.get_scores`` gives them, reading only these passages' postings."""
        return self._score_candidates(self._query_terms(query), np.asarray(positions, dtype=np.int64))

    def _max_contribution(self, tid: int, idf: float) -> float:
        """The largest score one occurrence of the term adds to any passage (0 if none is positive)."""
        known = self._bounds.get(tid)
        if known is None:
            known = 0.0
            for _, contributions in self._postings([(tid, idf)]):
                known = max(known, float(contributions.max()))
            self._bounds[tid] = known
        return known

    def _top_pruned(self, terms: list[tuple[int, float]], k: int) -> list[ScoredPassage] | None:
        idfs = dict(terms)
        df = {tid: int(self.stats.df[tid]) for tid in idfs}
        by_rarity = sorted(df, key=df.__getitem__)
        threshold = max(self.COMMON_MIN_DF, self.COMMON_SHARE * self.size)
        rare = max(1, sum(1 for tid in by_rarity if df[tid] <= threshold))
        if rare == len(by_rarity) or df[by_rarity[0]] > self.PRUNED_MAX_SHARE * self.size:
            return None  # nothing to prune, or no term rare enough to start from
        if sum(df[tid] for tid in by_rarity[rare:]) < self.PRUNED_MIN_SKIPPED * self.size:
            return None  # too little to skip
        count = Counter(tid for tid, _ in terms)
        bounds = {tid: self._max_contribution(tid, idfs[tid]) * count[tid] for tid in by_rarity[rare:]}
        parts = [p for p, _ in self._postings([(tid, idfs[tid]) for tid in by_rarity[:rare]])]
        while True:
            candidates = np.unique(np.concatenate(parts))
            candidates = candidates[self.live[candidates]]
            if candidates.size > self.PRUNED_MAX_SHARE * self.size:
                return None
            scores = self._score_candidates(terms, candidates)
            bound = sum(bounds[tid] for tid in by_rarity[rare:])
            if candidates.size >= k:
                kth = np.partition(scores, candidates.size - k)[candidates.size - k]
                done = bound * (1 + 1e-9) < kth  # no passage outside can reach (or tie) the k-th
            else:
                done = False  # too few: the passages holding only common terms count too
            done = done or rare == len(by_rarity)  # no passage outside: every one is scored
            if done:
                if candidates.size > k:
                    keep = scores >= kth
                    candidates, scores = candidates[keep], scores[keep]
                order = np.lexsort((candidates, -scores))[:k]
                return [ScoredPassage(int(candidates[i]), float(scores[i])) for i in order]
            tid = by_rarity[rare]  # the next rarest term joins those scored in full
            if candidates.size + df[tid] > self.PRUNED_MAX_SHARE * self.size:
                return None
            parts += [p for p, _ in self._postings([(tid, idfs[tid])])]
            rare += 1

    def _score_candidates(self, terms: list[tuple[int, float]], candidates: np.ndarray) -> np.ndarray:
        """Full scores of these (sorted) positions, each a sum in query order as rank-bm25's."""
        scores = np.zeros(candidates.size)
        which = np.searchsorted(self.bases, candidates, side="right") - 1
        groups = [(s, np.flatnonzero(which == s)) for s in np.unique(which).tolist()]
        for tid, idf in terms:
            for s, index in groups:
                segment = self.segments[s]
                start, end = segment.span(tid)
                if start == end:
                    continue
                local = candidates[index] - self.bases[s]
                docs = segment.postings[start:end]
                at = np.minimum(np.searchsorted(docs, local.astype(docs.dtype)), docs.size - 1)
                holds = docs[at] == local
                if holds.any():
                    positions = candidates[index[holds]]
                    tf = segment.tf[start:end][at[holds]]
                    scores[index[holds]] += self._contributions(tid, idf, positions, tf)
        return scores

    def _top_exhaustive(self, terms: list[tuple[int, float]], k: int) -> list[ScoredPassage]:
        scores = self._buffer()  # all zero between questions
        touched = []
        try:
            for positions, contributions in self._postings(terms):
                scores[positions] += contributions
                touched.append(positions)
            if not touched:
                return []
            candidates = np.concatenate(touched) if len(touched) > 1 else touched[0]
            values = scores[candidates]
            # A floor for the k-th best score: the k-th best among one posting list's passages
            # (distinct passages, all of them candidates). Only passages at or above it can
            # be in the top k, so the long list of candidates is cut with one comparison.
            sample = min((p for p in touched if p.size >= k), key=len, default=None)
            floor = None
            if sample is not None:
                found = scores[sample][self.live[sample]]
                if found.size >= k:
                    floor = np.partition(found, found.size - k)[found.size - k]
        finally:
            for positions in touched:
                scores[positions] = 0.0
        if floor is not None:
            keep = values >= floor
            candidates, values = candidates[keep], values[keep]
        if not self.all_live:
            keep = self.live[candidates]
            candidates, values = candidates[keep], values[keep]
        wanted = k * len(touched)  # a passage appears at most once per list: enough for k distinct
        if candidates.size > wanted:
            kth = np.partition(values, candidates.size - wanted)[candidates.size - wanted]
            keep = values >= kth  # every tie at the boundary stays
            candidates, values = candidates[keep], values[keep]
        candidates, first = np.unique(candidates, return_index=True)
        values = values[first]
        order = np.lexsort((candidates, -values))[:k]
        return [ScoredPassage(int(candidates[i]), float(values[i])) for i in order]


def open_index(
    root: Path, manifest: Manifest | None, previous: SegmentedIndex | None = None
) -> SegmentedIndex:
    """The index a manifest names (reusing the already mapped segments of ``previous``)."""
    cache = {s.name: s for s in previous.segments} if previous is not None else None
    return SegmentedIndex(root, manifest or Manifest(), cache)
