"""BM25Okapi's parameters and what a scored passage is.

rank-bm25's ``BM25Okapi`` is the reference every Byline score is checked against
(tests/comparison holds the real index's scores equal to it, bit for bit); the index computes
those scores itself over posting lists (``index.store.segments``), with these same parameters.
"""

from dataclasses import dataclass

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's defaults


@dataclass(frozen=True, slots=True)
class ScoredPassage:
    position: int  # the passage's place in the corpus the index was built from
    score: float
