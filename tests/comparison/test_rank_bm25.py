"""index.bm25 against rank-bm25: the same BM25Okapi scores, bit for bit (bm25s' tests/comparison pattern).

``BM25Index.build(corpus).get_scores(q)`` must equal ``rank_bm25.BM25Okapi(corpus).get_scores(q)``
exactly (``np.array_equal``, no tolerance), and ``top(q, k)`` must rank as rank-bm25's scores do.
"""

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import BM25Index

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


def assert_same_scores(corpus: Corpus, query: list[str]) -> None:
    ours = BM25Index.build(corpus).get_scores(query)
    reference = BM25Okapi(corpus).get_scores(query)
    assert ours.dtype == reference.dtype
    assert np.array_equal(ours, reference), (query, ours, reference)


def reference_top(reference: BM25Okapi, query: list[str], k: int) -> list[tuple[int, float]]:
    """rank-bm25's scores sorted by (-score, position), positive scores only, the first k."""
    scores = reference.get_scores(query)
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in order if scores[i] > 0][:k]


def our_top(index: BM25Index, query: list[str], k: int) -> list[tuple[int, float]]:
    return [(s.position, s.score) for s in index.top(query, k)]


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
def test_scores_equal_rank_bm25_on_random_corpora(name: str) -> None:
    corpus = RANDOM_CORPORA[name]
    ours = BM25Index.build(corpus)
    reference = BM25Okapi(corpus)
    for query in queries_for(corpus, seed=len(name)):
        assert np.array_equal(ours.get_scores(query), reference.get_scores(query)), query


@pytest.mark.parametrize("name", list(RANDOM_CORPORA))
@pytest.mark.parametrize("k", [1, 3, 10, 1000])
def test_top_ranks_as_rank_bm25_scores_do_on_random_corpora(name: str, k: int) -> None:
    corpus = RANDOM_CORPORA[name]
    ours, reference = BM25Index.build(corpus), BM25Okapi(corpus)
    for query in queries_for(corpus, seed=k):
        assert our_top(ours, query, k) == reference_top(reference, query, k), query


# rank-bm25 issue #39: a term in exactly half of the documents has idf log(1) = 0.
HALF_CORPUS = [["cat", "dog"], ["cat", "bird"], ["fish"], ["fox", "owl"]]


def test_term_in_exactly_half_the_documents_scores_like_rank_bm25() -> None:
    assert_same_scores(HALF_CORPUS, ["cat"])


def test_term_in_exactly_half_the_documents_adds_nothing() -> None:
    assert not BM25Index.build(HALF_CORPUS).get_scores(["cat"]).any()


def test_term_in_exactly_half_the_documents_finds_no_passage() -> None:
    assert BM25Index.build(HALF_CORPUS).top(["cat"], 5) == []


def test_half_term_does_not_change_the_other_terms_scores() -> None:
    index = BM25Index.build(HALF_CORPUS)
    assert np.array_equal(index.get_scores(["cat", "fish"]), index.get_scores(["fish"]))


# rank-bm25 issue #43: with two documents, a term in one of them is in exactly half of them.
TWO_DOCUMENTS = [["hello", "world"], ["goodbye", "world"]]


@pytest.mark.parametrize("query", [["hello"], ["world"], ["hello", "goodbye"], ["world", "world"]])
def test_two_document_corpus_scores_like_rank_bm25(query: list[str]) -> None:
    assert_same_scores(TWO_DOCUMENTS, query)


@pytest.mark.parametrize("query", [["hello"], ["world"], ["hello", "goodbye"]])
def test_two_document_corpus_ranks_like_rank_bm25(query: list[str]) -> None:
    ours, reference = BM25Index.build(TWO_DOCUMENTS), BM25Okapi(TWO_DOCUMENTS)
    assert our_top(ours, query, 2) == reference_top(reference, query, 2)


@pytest.mark.parametrize("query", [["alpha"], ["alpha", "beta"], ["gamma"], []])
def test_one_document_corpus_scores_like_rank_bm25(query: list[str]) -> None:
    assert_same_scores([["alpha", "beta", "alpha"]], query)


def test_term_in_every_document_scores_like_rank_bm25() -> None:
    corpus = [["common", "a"], ["common", "b"], ["common", "c"], ["common", "d", "common"]]
    assert_same_scores(corpus, ["common"])
    assert_same_scores(corpus, ["common", "a"])


def test_repeated_query_terms_count_every_time_as_in_rank_bm25() -> None:
    corpus = RANDOM_CORPORA["seed1-200x300"]
    assert_same_scores(corpus, ["w5", "w5", "w5", "w17"])


def test_repeated_query_term_scores_more_than_once() -> None:
    index = BM25Index.build(RANDOM_CORPORA["seed1-200x300"])
    once, twice = index.get_scores(["w17"]), index.get_scores(["w17", "w17"])
    assert np.array_equal(twice, once + once)


def test_unknown_terms_score_zero_everywhere_as_in_rank_bm25() -> None:
    corpus = RANDOM_CORPORA["seed0-50x40"]
    assert_same_scores(corpus, ["unknown", "nowhere"])
    assert not BM25Index.build(corpus).get_scores(["unknown"]).any()


def test_unknown_terms_find_no_passage() -> None:
    assert BM25Index.build(RANDOM_CORPORA["seed0-50x40"]).top(["unknown"], 10) == []


def test_empty_documents_score_zero() -> None:
    corpus = [[], ["apple", "pear"], [], ["plum"], ["apple"]]
    scores = BM25Index.build(corpus).get_scores(["apple", "plum"])
    assert scores[0] == 0 and scores[2] == 0
    assert_same_scores(corpus, ["apple", "plum"])


def test_top_never_returns_more_than_k() -> None:
    corpus = RANDOM_CORPORA["seed2-500x1000"]
    assert len(BM25Index.build(corpus).top(["w300", "w400", "w500"], 3)) <= 3


def test_top_keeps_only_positive_scores() -> None:
    corpus = RANDOM_CORPORA["seed3-30x8"]
    index = BM25Index.build(corpus)
    for word in {w for doc in corpus for w in doc}:
        assert all(s.score > 0 for s in index.top([word], 100))


def test_top_breaks_ties_by_corpus_order() -> None:
    corpus = [["x", "y"], ["z"], ["x", "y"], ["q"], ["x", "y"], ["r"], ["s"]]
    assert [s.position for s in BM25Index.build(corpus).top(["x"], 3)] == [0, 2, 4]


def test_top_with_k_zero_is_empty() -> None:
    assert BM25Index.build(TWO_DOCUMENTS).top(["hello"], 0) == []
