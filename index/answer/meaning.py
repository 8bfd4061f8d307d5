"""How close in meaning a passage's words come to a question's, from a small table of word vectors.

BM25 and the word lists only see words a question and a passage share; a paraphrase ("cost" for
"price", "exposed" for "leaked") shares few. Each question word is matched to the passage word
nearest to it in meaning (the cosine of their vectors; a word the passage holds matches itself), and
the passage's closeness is the mean of those, weighted as BM25 weighs the question's terms.

The vectors (index/data/word_vectors.npz, 22,606 English words, 128 dimensions) were distilled
from the sentence model all-MiniLM-L6-v2 by eval/distill_vectors.py, which says how. Looking words
up costs microseconds, so re-ordering can afford it for every candidate; names and rare words have
no vector and are left to BM25. Only re-ordering and the verdict read it: scores stay BM25's.
"""

import zipfile
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.errors import InstallError
from index.text.analysis import STOP_WORDS, vector_words

VECTORS = Path(__file__).resolve().parents[1] / "data" / "word_vectors.npz"
_NONE = np.zeros(0, dtype=np.int32)


class WordVectors:
    """The vector table: a row per word, unit length, so a dot product is a cosine."""

    def __init__(self, words: list[str], vectors: np.ndarray) -> None:
        self.row = {word: i for i, word in enumerate(words)}
        self.vectors = vectors.astype(np.float32)

    def rows(self, text: str) -> np.ndarray:
        """The rows of the distinct words of ``text`` that have a vector, stop words left out."""
        found = {self.row[w] for w in vector_words(text) if w in self.row and w not in STOP_WORDS}
        return np.fromiter(sorted(found), dtype=np.int32, count=len(found)) if found else _NONE


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors:
    """The table shipped with Byline, read once (about 12 MB in memory)."""
    broken = f"Byline's word vectors ({VECTORS}) are missing or damaged: reinstall Byline"
    try:
        with np.load(VECTORS) as data:
            words, vectors = [str(w) for w in data["words"]], data["vectors"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise InstallError(broken) from error
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise InstallError(broken)
    return WordVectors(words, vectors)


class QuestionMeaning:
    """A question's words with vectors, and how much each counts."""

    def __init__(self, vectors: WordVectors, question: str, weight_of: Callable[[str], float | None]) -> None:
        self.vectors = vectors
        rows, weights = [], []
        for word in dict.fromkeys(vector_words(question)):
            weight = weight_of(word)
            if word in vectors.row and word not in STOP_WORDS and weight:
                rows.append(vectors.row[word])
                weights.append(weight)
        self.matrix = vectors.vectors[rows] if rows else np.zeros((0, vectors.vectors.shape[1]), np.float32)
        self.weights = np.array(weights, dtype=np.float32)
        self.total = float(self.weights.sum())

    def closeness(self, passages: Sequence[np.ndarray]) -> list[float]:
        """For each passage (its words' rows), the weighted mean over the question's words of
        the cosine to the passage's nearest word, 0 below zero (unrelated words do not count
        against a passage). One product for all passages: their words overlap."""
        if not self.total or not passages:
            return [0.0] * len(passages)
        words, where = np.unique(np.concatenate(passages), return_inverse=True)
        if not len(words):
            return [0.0] * len(passages)
        cosines = np.clip(self.matrix @ self.vectors.vectors[words].T, 0.0, 1.0)
        out, start = [], 0
        for rows in passages:
            end = start + len(rows)
            near = cosines[:, where[start:end]].max(axis=1) if end > start else np.zeros(len(self.weights))
            out.append(float(near @ self.weights) / self.total)
            start = end
        return out


def question_meaning(
    question: str, weights: Mapping[str, float], term_of: Callable[[str], str | None]
) -> QuestionMeaning:
    """``question``'s meaning, each word weighing what its term weighs in ``weights``."""

    def weight_of(word: str) -> float | None:
        term = term_of(word)
        return weights.get(term) if term is not None else None

    return QuestionMeaning(word_vectors(), question, weight_of)
