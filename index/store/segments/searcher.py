"""The searcher: the live corpus of one manifest, scored exactly as rank-bm25's ``BM25Okapi``.

A thin reader, as tantivy's ``Searcher`` is: it opens a manifest's files and composes the term
dictionary (``termdict``), a BM25 scorer per segment and a question's weight (``scorer``), the
search with MaxScore pruning (``maxscore``) and the top-k collector (``collector``). Length
normalisation is computed per snapshot from the manifest's statistics, so a segment never depends
on the corpus around it.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.store.bm25 import K1, B, ScoredPassage

from .files import load, verify
from .lexicon import Lexicon
from .manifest import Manifest, load_deleted
from .maxscore import Pruning, TopScorer
from .scorer import Bm25Weight, SegmentScorer, by_segment
from .segment import Segment
from .stats import Stats
from .termdict import TermDictionary


def _stats(root: Path, manifest: Manifest) -> Stats:
    if manifest.stats:
        folder = root / manifest.stats
        df, idf, name_df = load(folder, "df"), load(folder, "idf"), load(folder, "name_df")
    else:
        df = name_df = np.zeros(0, dtype=np.int32)
        idf = np.zeros(0)
    return Stats(df, idf, name_df, manifest.passages, manifest.length, manifest.vocabulary, manifest.epsilon)


def _concatenated(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


class SegmentedIndex:
    """The live corpus: all segments of one manifest, minus deleted passages.

    A passage's *position* is its place among all passages of the segments, deleted ones
    included; live positions in increasing order are the live passages in passage-id order,
    which is the order rank-bm25 is given them in.
    """

    # When ``top`` tries MaxScore pruning (``maxscore.Pruning`` says what each one means).
    COMMON_SHARE = 0.02
    COMMON_MIN_DF = 64
    PRUNED_MAX_SHARE = 0.03
    PRUNED_MIN_SKIPPED = 0.2

    def __init__(self, root: Path, manifest: Manifest, cache: dict[str, Segment] | None = None) -> None:
        cache = cache or {}
        self.manifest = manifest
        verify(root, manifest.files(), manifest.checksums)
        self.segments = [cache.get(e.name) or Segment(root / e.name) for e in manifest.segments]
        self.lexicon = Lexicon.open(root, manifest.lexicon, manifest.terms)
        self.stats = _stats(root, manifest)
        self.terms = TermDictionary(self.lexicon, self.stats)
        sizes = [s.size for s in self.segments]
        self.bases = np.cumsum([0, *sizes]).astype(np.int64)
        self.positions = int(self.bases[-1])
        self.size = self.stats.passages  # N, the live passages
        self.live = np.ones(self.positions, dtype=bool)
        for entry, base, size in zip(manifest.segments, self.bases, sizes, strict=False):
            deleted = load_deleted(root, entry)
            if deleted is not None:
                self.live[base : base + size] = ~deleted
        self.passage_ids = _concatenated([s.ids for s in self.segments], np.int64)
        lengths = _concatenated([s.lengths for s in self.segments], np.int32)
        if self.size and self.stats.length:
            avgdl = self.stats.length / self.size  # as rank-bm25: int / int
            # BM25Okapi's length normalisation, evaluated as rank-bm25 evaluates it.
            norm = K1 * (1 - B + B * lengths / avgdl)
        else:
            norm = np.zeros(self.positions)
        self._scorers = [
            SegmentScorer(segment, base, norm)
            for segment, base in zip(self.segments, self.bases.tolist(), strict=False)
        ]
        article_bases = np.cumsum([0] + [s.article_count for s in self.segments])
        self.article_of = _concatenated(
            [np.asarray(s.articles) + b for s, b in zip(self.segments, article_bases, strict=False)], np.int64
        )
        self._search = TopScorer(self.live, self.size)
        self.all_live = self._search.all_live

    @property
    def vocabulary_size(self) -> int:
        return self.terms.vocabulary_size

    def name_frequency(self, term: str) -> int:
        """How many live passages write ``term`` as a name."""
        return self.terms.name_frequency(term)

    def weight(self, term: str) -> float:
        """How much a term says about a passage (``TermDictionary.weight``)."""
        return self.terms.weight(term)

    @property
    def unseen_weight(self) -> float:
        """The weight of a term no live passage holds: the highest a term can have."""
        return self.terms.unseen_weight

    def document_frequency(self, term: str) -> int:
        """How many live passages hold ``term``."""
        return self.terms.document_frequency(term)

    def terms_starting_with(self, prefix: str, shortest: int, longest: int) -> list[str]:
        """The live terms of ``shortest`` to ``longest`` letters that begin with ``prefix``."""
        return self.terms.terms_starting_with(prefix, shortest, longest)

    def contains(self, term: str, positions: np.ndarray) -> np.ndarray:
        """For each (sorted) position, whether that passage contains ``term``."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.zeros(positions.size, dtype=bool)
        tid = self.terms.term_id(term)
        if tid < 0 or positions.size == 0:
            return out
        for s, index in by_segment(self.bases, positions):
            out[index] = self._scorers[s].holds(tid, positions[index] - self.bases[s])
        return out

    def _weight(self, query: Sequence[str]) -> Bm25Weight:
        return Bm25Weight.of(self.terms.scored_terms(query), self._scorers, self.bases)

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """Every live passage's score, in passage-id order, exactly as ``BM25Okapi.get_scores``."""
        scores = np.zeros(self.positions)
        for positions, contributions in self._weight(query).postings():
            scores[positions] += contributions
        return scores[self.live]

    def top(self, query: Sequence[str], k: int) -> list[ScoredPassage]:
        """The ``k`` best live passages with a positive score, best first, ties in corpus order;
        exact, and fast when the question has rare terms (``maxscore``)."""
        pruning = Pruning(
            self.COMMON_SHARE, self.COMMON_MIN_DF, self.PRUNED_MAX_SHARE, self.PRUNED_MIN_SKIPPED
        )
        return self._search.top(self._weight(query), k, pruning)

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
        return self._weight(query).score(np.asarray(positions, dtype=np.int64))


def open_index(
    root: Path, manifest: Manifest | None, previous: SegmentedIndex | None = None
) -> SegmentedIndex:
    """The index a manifest names (reusing the already mapped segments of ``previous``)."""
    cache = {s.name: s for s in previous.segments} if previous is not None else None
    return SegmentedIndex(root, manifest or Manifest(), cache)
