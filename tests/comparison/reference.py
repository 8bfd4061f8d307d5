"""The reference side of the comparison tests (bm25s' tests/comparison pattern).

rank-bm25's ``BM25Okapi`` is the reference every Byline score is checked against: these helpers
build corpora and queries, rank-bm25's own ranking, and an ``Archive`` that keeps a corpus both
as the real segmented index (written by ``IndexWriter``, as a re-index writes it) and as plain
term lists for ``BM25Okapi``.
"""

import random
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from index.ingest.transaction import add_stored
from index.store.segments import IndexWriter, Manifest, MergePolicy, SegmentedIndex, open_index

Corpus = list[list[str]]


def zipf_corpus(seed: int, documents: int, vocabulary: int, max_length: int, empty_share: float) -> Corpus:
    """Documents whose words follow a Zipf-like law; about ``empty_share`` of them are empty."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    weights = [1 / (rank + 1) for rank in range(vocabulary)]
    corpus = []
    for _ in range(documents):
        if rng.random() < empty_share:
            corpus.append([])
        else:
            corpus.append(rng.choices(words, weights, k=rng.randint(1, max_length)))
    if all(not doc for doc in corpus):  # rank-bm25 cannot build a corpus without any word
        corpus[0] = ["w0"]
    return corpus


def queries_for(corpus: Corpus, seed: int) -> list[list[str]]:
    """Queries of known words (frequent and rare), repeated words and unknown words."""
    rng = random.Random(seed)
    vocabulary = sorted({word for doc in corpus for word in doc})
    queries = [[word] for word in vocabulary[:25]]
    for _ in range(25):
        queries.append(rng.choices(vocabulary, k=rng.randint(1, 6)))
    queries += [
        [vocabulary[0], vocabulary[0], vocabulary[0]],
        [vocabulary[-1], "never-seen", vocabulary[-1]],
        ["never-seen"],
        [],
    ]
    return queries


RANDOM_CORPORA = {
    f"seed{seed}-{docs}x{vocab}": zipf_corpus(seed, docs, vocab, max_length, empty)
    for seed, docs, vocab, max_length, empty in [
        (0, 50, 40, 12, 0.1),
        (1, 200, 300, 40, 0.05),
        (2, 500, 1000, 80, 0.02),
        (3, 30, 8, 6, 0.3),  # a tiny vocabulary: most terms are in more than half the documents
        (4, 120, 60, 3, 0.5),  # short documents, half of them empty
    ]
}


# rank-bm25 issue #39: a term in exactly half of the documents has idf log(1) = 0.
HALF_CORPUS = [["cat", "dog"], ["cat", "bird"], ["fish"], ["fox", "owl"]]

# rank-bm25 issue #43: with two documents, a term in one of them is in exactly half of them.
TWO_DOCUMENTS = [["hello", "world"], ["goodbye", "world"]]


def reference_top(reference: BM25Okapi, query: list[str], k: int) -> list[tuple[int, float]]:
    """rank-bm25's scores sorted by (-score, position), of the documents holding a query term
    (whatever their score: 0 or below in tiny corpora), the first k."""
    scores = reference.get_scores(query)
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    sharing = [i for i in order if any(term in reference.doc_freqs[i] for term in query)]
    return [(i, float(scores[i])) for i in sharing][:k]


class Archive:
    """A corpus kept both as segments on disk and as a dict id -> terms (the reference)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest: Manifest | None = None
        self.index: SegmentedIndex | None = None
        self.live: dict[int, list[str]] = {}
        self.next_id = 1

    def commit(
        self,
        add: Corpus = (),
        delete: list[int] = (),
        segment_docs: int | None = None,
        policy: MergePolicy | None = None,
    ) -> None:
        writer = IndexWriter(self.root, self.manifest, policy=policy)
        if segment_docs is not None:
            writer.MAX_SEGMENT_DOCS = segment_docs
        writer.delete(delete)
        for pid in delete:
            self.live.pop(pid, None)
        rows = []
        for terms in add:
            rows.append((self.next_id, f"a{self.next_id // 3}", " ".join(terms), ""))
            self.live[self.next_id] = list(terms)
            self.next_id += 1
        for start in range(0, len(rows), 7):  # batches as the re-index hands them over
            add_stored(writer, rows[start : start + 7], {})
        self.manifest = writer.finish()
        self.index = open_index(self.root, self.manifest, self.index)

    def corpus(self) -> Corpus:
        return [self.live[pid] for pid in sorted(self.live)]

    def check(self, queries: list[list[str]], ks: tuple[int, ...] = (1, 5, 1000)) -> None:
        corpus = self.corpus()
        assert [int(self.index.passage_ids[p]) for p in np.flatnonzero(self.index.live)] == sorted(self.live)
        if not any(corpus):
            for query in queries:
                assert self.index.top(query, 10) == []
            return
        reference = BM25Okapi(corpus)
        for query in queries:
            ours, theirs = self.index.get_scores(query), reference.get_scores(query)
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            assert np.array_equal(ours.view(np.int64), theirs.view(np.int64)), (query, ours, theirs)
            for k in ks:
                expected = reference_top(reference, query, k)
                got = [(p, s.score) for p, s in self._positions_to_live(self.index.top(query, k))]
                assert got == expected, (query, k)

    def _positions_to_live(self, scored):
        order = np.cumsum(self.index.live) - 1  # position -> place among live passages
        return [(int(order[s.position]), s) for s in scored]


def all_queries(corpus: Corpus, seed: int) -> list[list[str]]:
    return queries_for([doc for doc in corpus if doc] or [["x"]], seed)


def build(root: Path, corpus: Corpus, segment_docs: int | None = None) -> SegmentedIndex:
    """The real index of ``corpus`` (one passage a document, in order), written under ``root``."""
    archive = Archive(root)
    archive.commit(add=corpus, segment_docs=segment_docs)
    assert archive.index is not None
    return archive.index
