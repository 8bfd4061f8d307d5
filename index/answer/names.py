"""Names for the no-answer rule: the terms the articles write as names, and each article's names.

Read from the index on demand (a set of all names, or every article's names decoded at once,
would cost seconds and hundreds of MB at a million passages). Lives on the answering side: the
index knows how often a term is written as a name, this module decides what counts as one.
"""

from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

if TYPE_CHECKING:
    from index.store.segments import SegmentedIndex
    from index.store.segments.segment import Segment

NAME_SHARE = 0.5  # a term is a name when at least this share of its passages write it as one


class NameTerms(Container[str]):
    """The terms the articles write as names: a term is one when at least NAME_SHARE of the
    passages holding it write it as a name. Answers ``term in names`` without a set of them all."""

    def __init__(self, index: "SegmentedIndex") -> None:
        self._index = index

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str):
            return False
        df = self._index.document_frequency(term)
        return df > 0 and self._index.name_frequency(term) >= NAME_SHARE * df


class ArticleNames(Sequence[frozenset[str]]):
    """Article number -> the names that article mentions, read from the segments on demand."""

    def __init__(self, segments: "Sequence[Segment]") -> None:
        self._segments = segments
        self._bases = np.cumsum([0] + [s.article_count for s in segments])

    def __len__(self) -> int:
        return int(self._bases[-1])

    @overload
    def __getitem__(self, article: int) -> frozenset[str]: ...
    @overload
    def __getitem__(self, article: slice) -> Sequence[frozenset[str]]: ...
    def __getitem__(self, article: int | slice) -> frozenset[str] | Sequence[frozenset[str]]:
        if isinstance(article, slice):
            return [self[i] for i in range(len(self))[article]]
        article = int(article)
        if not 0 <= article < len(self):
            raise IndexError(article)
        at = int(np.searchsorted(self._bases, article, side="right")) - 1
        return self._segments[at].names_of(article - int(self._bases[at]))


@dataclass(frozen=True, slots=True)
class Names:
    """The terms the articles write as names, and the names each article mentions."""

    corpus: Container[str]
    article_of: np.ndarray  # passage position -> article number
    by_article: Sequence[frozenset[str]]

    @classmethod
    def of(cls, index: "SegmentedIndex") -> "Names":
        return cls(NameTerms(index), index.article_of, ArticleNames(index.segments))
