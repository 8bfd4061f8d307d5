"""The segmented index against rank-bm25, after additions, deletions and merges.

Whatever the segments look like, ``SegmentedIndex.get_scores(q)`` must be bit-identical to
``rank_bm25.BM25Okapi(live corpus in passage-id order).get_scores(q)``, and ``top`` must rank as
those scores do. Deleting passages changes N, avgdl, df, and the order in which rank-bm25 first
meets terms (hence its epsilon floor for terms in more than half the passages): all of it counts.
"""

import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.store.segments import LogMergePolicy, SegmentedIndex

from .reference import HALF_CORPUS, RANDOM_CORPORA, TWO_DOCUMENTS, Archive, all_queries, reference_top


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
@pytest.mark.parametrize("segment_docs", [1_000_000, 17, 1])
def test_segments_score_as_rank_bm25(tmp_path: Path, name: str, segment_docs: int) -> None:
    corpus = RANDOM_CORPORA[name]
    archive = Archive(tmp_path)
    archive.commit(add=corpus, segment_docs=segment_docs)
    archive.check(all_queries(corpus, 1))


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
def test_scores_of_chosen_passages_equal_rank_bm25s(tmp_path: Path, name: str) -> None:
    corpus = RANDOM_CORPORA[name]
    archive = Archive(tmp_path)
    archive.commit(add=corpus, segment_docs=17)
    archive.commit(delete=sorted(archive.live)[::5])
    reference = BM25Okapi(archive.corpus())
    chosen = np.flatnonzero(archive.index.live)[::3]  # every third live passage
    for query in all_queries(corpus, 3):
        ours, theirs = archive.index.score_passages(query, chosen), reference.get_scores(query)[::3]
        assert np.array_equal(ours.view(np.int64), theirs.view(np.int64)), (query, ours, theirs)


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
def test_extra_terms_reorder_what_the_query_finds_with_rank_bm25s_scores(tmp_path: Path, name: str) -> None:
    corpus = RANDOM_CORPORA[name]
    archive = Archive(tmp_path)
    archive.commit(add=corpus, segment_docs=17)
    reference = BM25Okapi(archive.corpus())
    for query in all_queries(corpus, 4):
        own, extra = query[:1], query[1:]
        found = {p for p, _ in reference_top(reference, own, 5 * 4)}
        expanded = reference.get_scores(own + extra)
        expected = sorted(found, key=lambda p: (-expanded[p], p))[:5]
        got = archive._positions_to_live(archive.index.top_reordered(own, extra, 5, 4))
        assert [p for p, _ in got] == expected, query
        assert all(s.score == expanded[p] for p, s in got), query


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
def test_scores_stay_equal_through_additions_and_deletions(tmp_path: Path, name: str) -> None:
    corpus = RANDOM_CORPORA[name]
    rng = random.Random(name)
    archive = Archive(tmp_path)
    half = len(corpus) // 2
    archive.commit(add=corpus[:half])
    archive.check(all_queries(corpus, 2), ks=(3,))
    for step, chunk in enumerate(range(half, len(corpus), max(1, len(corpus) // 12))):
        live = sorted(archive.live)
        deleted = rng.sample(live, k=min(len(live) - 1, rng.randint(0, 4)))
        if step % 3 == 0:
            deleted.append(live[0])  # the first passage: rank-bm25 meets its terms elsewhere now
        archive.commit(add=corpus[chunk : chunk + len(corpus) // 12 or 1], delete=sorted(set(deleted)))
        archive.check(all_queries(archive.corpus(), step), ks=(3,))


def test_many_small_additions_are_merged_and_still_score_as_rank_bm25(tmp_path: Path) -> None:
    corpus = RANDOM_CORPORA["seed2-500x1000"]
    archive = Archive(tmp_path)
    for start in range(0, 200, 5):
        archive.commit(add=corpus[start : start + 5], delete=[start] if start % 20 == 0 and start else [])
    factor = LogMergePolicy().merge_factor
    assert len(archive.manifest.segments) < 40 // factor + factor
    archive.check(all_queries(archive.corpus(), 3))


def test_segment_with_many_deletions_is_rewritten(tmp_path: Path) -> None:
    corpus = RANDOM_CORPORA["seed1-200x300"]
    archive = Archive(tmp_path)
    archive.commit(add=corpus)
    archive.commit(delete=list(range(1, 121)))
    assert all(s.deleted is None for s in archive.manifest.segments)
    archive.check(all_queries(archive.corpus(), 4))


@pytest.mark.parametrize("query", [["cat"], ["cat", "fish"], ["fox"]])
def test_half_term_after_deletion_scores_like_rank_bm25(tmp_path: Path, query: list[str]) -> None:
    # rank-bm25 issue #39: once "bird" is gone, "cat" is in 1 of 3 documents, not 2 of 4.
    archive = Archive(tmp_path)
    archive.commit(add=HALF_CORPUS)
    archive.check([query])
    archive.commit(delete=[2])
    archive.check([query])
    archive.commit(add=[["cat", "owl"]])  # "cat" in exactly half again: idf 0
    archive.check([query])
    assert [s.score for s in archive.index.top(["cat"], 5)] == [0.0, 0.0]  # shown, scoring nothing


@pytest.mark.parametrize("query", [["hello"], ["world"], ["hello", "goodbye"], ["world", "world"]])
def test_two_documents_across_segments_score_like_rank_bm25(tmp_path: Path, query: list[str]) -> None:
    # rank-bm25 issue #43: tiny corpora, every term in half or all of the documents.
    archive = Archive(tmp_path)
    archive.commit(add=TWO_DOCUMENTS[:1])
    archive.commit(add=TWO_DOCUMENTS[1:])
    assert len(archive.manifest.segments) == 2
    archive.check([query])
    archive.commit(delete=[1], add=[["hello", "world", "hello"]])
    archive.check([query])


def test_negative_idf_floor_follows_rank_bm25s_term_order_after_deletions(tmp_path: Path) -> None:
    # A tiny vocabulary: most terms are in more than half the passages, so the epsilon floor
    # (0.25 x the mean idf, summed in the order rank-bm25 first meets terms) decides the scores.
    corpus = RANDOM_CORPORA["seed3-30x8"]
    archive = Archive(tmp_path)
    archive.commit(add=corpus)
    queries = [[f"w{i}"] for i in range(8)] + [["w0", "w1", "w7"]]
    archive.check(queries)
    for first in range(1, 6):
        archive.commit(delete=[first])
        archive.check(queries)


def test_deleting_everything_then_adding_scores_like_rank_bm25(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.commit(add=TWO_DOCUMENTS)
    archive.commit(delete=[1, 2])
    assert archive.index.size == 0 and archive.index.top(["hello"], 3) == []
    archive.commit(add=HALF_CORPUS)
    archive.check([["cat"], ["fish"], ["dog", "owl"]])


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
@pytest.mark.parametrize("common_share", [0.0, 0.05, 0.2, 0.5])
def test_rare_terms_first_ranks_as_rank_bm25(
    tmp_path: Path, name: str, common_share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Which terms count as common decides how top() prunes, never what it returns.
    monkeypatch.setattr(SegmentedIndex, "COMMON_MIN_DF", 0)
    monkeypatch.setattr(SegmentedIndex, "COMMON_SHARE", common_share)
    monkeypatch.setattr(SegmentedIndex, "PRUNED_MIN_SKIPPED", 0.0)  # prune whenever it can
    corpus = RANDOM_CORPORA[name]
    archive = Archive(tmp_path)
    archive.commit(add=corpus, segment_docs=len(corpus) // 3 + 1)
    archive.commit(delete=list(range(1, len(corpus), 5)))
    archive.check(all_queries(archive.corpus(), 5), ks=(1, 2, 5, 20))
