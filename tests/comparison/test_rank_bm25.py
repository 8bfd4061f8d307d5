"""The real index against rank-bm25: the same BM25Okapi scores, bit for bit (bm25s' tests/comparison
pattern), on corpora built in one go.

The index a re-index writes (``IndexWriter`` -> ``SegmentedIndex``) must give
``get_scores(q)`` equal to ``rank_bm25.BM25Okapi(corpus).get_scores(q)`` exactly (``np.array_equal``,
no tolerance), and ``top(q, k)`` must rank as rank-bm25's scores do. test_segments_rank_bm25.py
holds them equal through additions, deletions and merges.
"""

from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.store.segments import SegmentedIndex

from .reference import HALF_CORPUS, RANDOM_CORPORA, TWO_DOCUMENTS, Corpus, build, queries_for, reference_top


def assert_same_scores(root: Path, corpus: Corpus, query: list[str]) -> None:
    ours = build(root, corpus).get_scores(query)
    reference = BM25Okapi(corpus).get_scores(query)
    assert ours.dtype == reference.dtype
    assert np.array_equal(ours, reference), (query, ours, reference)


def our_top(index: SegmentedIndex, query: list[str], k: int) -> list[tuple[int, float]]:
    return [(s.position, s.score) for s in index.top(query, k)]


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
def test_scores_equal_rank_bm25_on_random_corpora(tmp_path: Path, name: str) -> None:
    corpus = RANDOM_CORPORA[name]
    ours = build(tmp_path, corpus)
    reference = BM25Okapi(corpus)
    for query in queries_for(corpus, seed=len(name)):
        assert np.array_equal(ours.get_scores(query), reference.get_scores(query)), query


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
@pytest.mark.parametrize("k", [1, 3, 10, 1000])
def test_top_ranks_as_rank_bm25_scores_do_on_random_corpora(tmp_path: Path, name: str, k: int) -> None:
    corpus = RANDOM_CORPORA[name]
    ours, reference = build(tmp_path, corpus), BM25Okapi(corpus)
    for query in queries_for(corpus, seed=k):
        assert our_top(ours, query, k) == reference_top(reference, query, k), query


def test_term_in_exactly_half_the_documents_scores_like_rank_bm25(tmp_path: Path) -> None:
    # rank-bm25 issue #39: a term in exactly half of the documents has idf log(1) = 0.
    assert_same_scores(tmp_path, HALF_CORPUS, ["cat"])


def test_term_in_exactly_half_the_documents_adds_nothing(tmp_path: Path) -> None:
    assert not build(tmp_path, HALF_CORPUS).get_scores(["cat"]).any()


def test_term_in_exactly_half_the_documents_finds_its_passages_scoring_zero(tmp_path: Path) -> None:
    """They share the question's term: shown (README: whenever a passage shares a term), with
    the exact score, 0."""
    found = build(tmp_path, HALF_CORPUS).top(["cat"], 5)
    assert [(s.position, s.score) for s in found] == [(0, 0.0), (1, 0.0)]


def test_half_term_does_not_change_the_other_terms_scores(tmp_path: Path) -> None:
    index = build(tmp_path, HALF_CORPUS)
    assert np.array_equal(index.get_scores(["cat", "fish"]), index.get_scores(["fish"]))


# rank-bm25 issue #43: with two documents, a term in one of them is in exactly half of them.
@pytest.mark.parametrize("query", [["hello"], ["world"], ["hello", "goodbye"], ["world", "world"]])
def test_two_document_corpus_scores_like_rank_bm25(tmp_path: Path, query: list[str]) -> None:
    assert_same_scores(tmp_path, TWO_DOCUMENTS, query)


@pytest.mark.parametrize("query", [["hello"], ["world"], ["hello", "goodbye"]])
def test_two_document_corpus_ranks_like_rank_bm25(tmp_path: Path, query: list[str]) -> None:
    ours, reference = build(tmp_path, TWO_DOCUMENTS), BM25Okapi(TWO_DOCUMENTS)
    assert our_top(ours, query, 2) == reference_top(reference, query, 2)


@pytest.mark.parametrize("query", [["alpha"], ["alpha", "beta"], ["gamma"], []])
def test_one_document_corpus_scores_like_rank_bm25(tmp_path: Path, query: list[str]) -> None:
    assert_same_scores(tmp_path, [["alpha", "beta", "alpha"]], query)


def test_term_in_every_document_scores_like_rank_bm25(tmp_path: Path) -> None:
    corpus = [["common", "a"], ["common", "b"], ["common", "c"], ["common", "d", "common"]]
    assert_same_scores(tmp_path / "1", corpus, ["common"])
    assert_same_scores(tmp_path / "2", corpus, ["common", "a"])


def test_repeated_query_terms_count_every_time_as_in_rank_bm25(tmp_path: Path) -> None:
    assert_same_scores(tmp_path, RANDOM_CORPORA["seed1-200x300"], ["w5", "w5", "w5", "w17"])


def test_repeated_query_term_scores_more_than_once(tmp_path: Path) -> None:
    index = build(tmp_path, RANDOM_CORPORA["seed1-200x300"])
    once, twice = index.get_scores(["w17"]), index.get_scores(["w17", "w17"])
    assert np.array_equal(twice, once + once)


def test_unknown_terms_score_zero_everywhere_as_in_rank_bm25(tmp_path: Path) -> None:
    corpus = RANDOM_CORPORA["seed0-50x40"]
    assert_same_scores(tmp_path / "1", corpus, ["unknown", "nowhere"])
    assert not build(tmp_path / "2", corpus).get_scores(["unknown"]).any()


def test_unknown_terms_find_no_passage(tmp_path: Path) -> None:
    assert build(tmp_path, RANDOM_CORPORA["seed0-50x40"]).top(["unknown"], 10) == []


def test_empty_documents_score_zero(tmp_path: Path) -> None:
    corpus = [[], ["apple", "pear"], [], ["plum"], ["apple"]]
    scores = build(tmp_path / "1", corpus).get_scores(["apple", "plum"])
    assert scores[0] == 0 and scores[2] == 0
    assert_same_scores(tmp_path / "2", corpus, ["apple", "plum"])


def test_top_never_returns_more_than_k(tmp_path: Path) -> None:
    corpus = RANDOM_CORPORA["seed2-500x1000"]
    assert len(build(tmp_path, corpus).top(["w300", "w400", "w500"], 3)) <= 3


def test_top_keeps_exactly_the_passages_sharing_a_term(tmp_path: Path) -> None:
    """Whatever their score: in this tiny vocabulary most terms are in over half the passages,
    and their (floored) idf is 0 or below."""
    corpus = RANDOM_CORPORA["seed3-30x8"]
    index = build(tmp_path, corpus)
    for word in {w for doc in corpus for w in doc}:
        assert sorted(s.position for s in index.top([word], 100)) == [
            n for n, doc in enumerate(corpus) if word in doc
        ]


def test_top_breaks_ties_by_corpus_order(tmp_path: Path) -> None:
    corpus = [["x", "y"], ["z"], ["x", "y"], ["q"], ["x", "y"], ["r"], ["s"]]
    assert [s.position for s in build(tmp_path, corpus).top(["x"], 3)] == [0, 2, 4]


def test_top_with_k_zero_is_empty(tmp_path: Path) -> None:
    assert build(tmp_path, TWO_DOCUMENTS).top(["hello"], 0) == []


def test_a_term_no_passage_holds_weighs_the_most(tmp_path: Path) -> None:
    corpus = RANDOM_CORPORA["seed1-200x300"]
    index = build(tmp_path, corpus)
    weights = [index.weight(word) for word in {w for doc in corpus for w in doc}]
    assert index.unseen_weight == index.weight("never-seen") > max(weights)
    assert index.weight(" ") == index.unseen_weight  # the sentinel answering.py still reads
