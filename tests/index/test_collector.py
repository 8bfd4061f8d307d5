"""The top-k collector keeps the k best, best first, ties in corpus order (as rank-bm25 ranks)."""

import numpy as np

from index.store.segments.collector import TopK


def positions_of(found: list) -> list[int]:
    return [s.position for s in found]


def test_best_first_then_ties_in_corpus_order() -> None:
    candidates = np.array([9, 2, 5, 7, 1])
    scores = np.array([1.0, 3.0, 3.0, 0.5, 3.0])
    assert positions_of(TopK(4).best(candidates, scores)) == [1, 2, 5, 9]


def test_a_tie_at_the_kth_place_goes_to_the_earlier_passage() -> None:
    candidates = np.array([8, 3, 6])
    scores = np.array([2.0, 1.0, 1.0])
    assert positions_of(TopK(2).best(candidates, scores)) == [8, 3]


def test_fewer_candidates_than_k_are_all_kept() -> None:
    found = TopK(5).best(np.array([4, 2]), np.array([0.25, 0.75]))
    assert [(s.position, s.score) for s in found] == [(2, 0.75), (4, 0.25)]


def test_kth_is_the_kth_largest_or_none() -> None:
    assert TopK(2).kth(np.array([1.0, 4.0, 3.0])) == 3.0
    assert TopK(4).kth(np.array([1.0, 4.0, 3.0])) is None


def test_passages_listed_once_a_posting_list_are_counted_once() -> None:
    # Two posting lists name passage 5 twice and passage 1 twice, with their one full score each.
    candidates = np.array([5, 1, 3, 5, 1, 0])
    scores = np.array([2.0, 2.0, 1.5, 2.0, 2.0, 0.5])
    found = TopK(3).best_distinct(candidates, scores, copies=2)
    assert [(s.position, s.score) for s in found] == [(1, 2.0), (5, 2.0), (3, 1.5)]
