"""Passages' terms as the arrays the index writer takes, numbered by a batch-local vocabulary.

One encoding for both ways passages reach the index: freshly analysed files (``index.ingest.batches``,
in the worker processes that read them, so the per-term work is done there) and the analysed
terms stored with the passages (``index.ingest.transaction.add_stored``, rebuilding a lost index). The
writer then maps a few thousand distinct terms to global ids instead of every posting.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from index.store.segments import DocBatch, IndexWriter


@dataclass(slots=True)
class EncodedPassages:
    """Passages' lengths, articles, terms with their frequencies and name terms; ``terms`` and
    ``names`` are positions in ``vocabulary``."""

    vocabulary: list[str]
    lengths: np.ndarray
    articles: np.ndarray
    term_offsets: np.ndarray
    terms: np.ndarray
    tf: np.ndarray
    name_offsets: np.ndarray
    names: np.ndarray
    article_names: list[str]

    @property
    def passages(self) -> int:
        return int(self.lengths.size)

    def add_to(self, writer: IndexWriter, passage_ids: np.ndarray) -> None:
        """Give ``writer`` the passages, numbered ``passage_ids``, their terms as global ids."""
        ids = writer.lexicon.ids_for(self.vocabulary)
        writer.add(DocBatch(
            passage_ids,
            self.lengths,
            self.articles,
            self.term_offsets,
            ids[self.terms],
            self.tf,
            self.name_offsets,
            ids[self.names],
            self.article_names,
        ))


class PassageEncoder:
    """Collects passages one by one; ``encoded`` gives them as arrays."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._lengths: list[int] = []
        self._articles: list[int] = []
        self._terms: list[int] = []
        self._tf: list[int] = []
        self._names: list[int] = []
        self._term_counts: list[int] = []
        self._name_counts: list[int] = []
        self._article_names: list[str] = []

    def article(self, names: str) -> int:
        """A new article mentioning ``names`` (name terms, space-separated); returns its number."""
        self._article_names.append(names)
        return len(self._article_names) - 1

    def passage(self, article: int, terms: Sequence[str], names: Iterable[str]) -> None:
        vocabulary = self._vocabulary
        counts = Counter(terms)  # distinct terms in order of first appearance
        self._lengths.append(len(terms))
        self._articles.append(article)
        self._terms.extend(vocabulary.setdefault(t, len(vocabulary)) for t in counts)
        self._tf.extend(counts.values())
        self._term_counts.append(len(counts))
        distinct_names = dict.fromkeys(names)
        self._names.extend(vocabulary.setdefault(t, len(vocabulary)) for t in distinct_names)
        self._name_counts.append(len(distinct_names))

    def encoded(self) -> EncodedPassages:
        return EncodedPassages(
            list(self._vocabulary),
            np.asarray(self._lengths, dtype=np.int32),
            np.asarray(self._articles, dtype=np.int32),
            np.cumsum([0, *self._term_counts], dtype=np.int64),
            np.asarray(self._terms, dtype=np.int32),
            np.asarray(self._tf, dtype=np.int32),
            np.cumsum([0, *self._name_counts], dtype=np.int64),
            np.asarray(self._names, dtype=np.int32),
            self._article_names,
        )
