"""The term dictionary: a term's id, how many live passages hold it, its idf, and prefix search.

tantivy keeps its term dictionary (``termdict/``) apart from scoring and collecting; so does this.
It reads the lexicon (term -> global id, over immutable parts) and one manifest's statistics by
id together, so the rest of a snapshot asks about terms, never about arrays.
"""

from collections.abc import Sequence

import numpy as np

from .lexicon import Lexicon, letters
from .stats import Stats


class TermDictionary:
    """The terms of one snapshot and their statistics over its live passages."""

    def __init__(self, lexicon: Lexicon, stats: Stats) -> None:
        self.lexicon = lexicon
        self.stats = stats

    @property
    def passages(self) -> int:
        """N, the live passages."""
        return self.stats.passages

    @property
    def vocabulary_size(self) -> int:
        return self.stats.vocabulary

    def term_id(self, term: str) -> int:
        """The term's global id, -1 when no passage ever held it."""
        return self.lexicon.lookup(term)

    def document_frequency(self, term: str) -> int:
        """How many live passages hold ``term``."""
        tid = self.lexicon.lookup(term)
        return 0 if tid < 0 else int(self.stats.df[tid])

    def name_frequency(self, term: str) -> int:
        """How many live passages write ``term`` as a name."""
        tid = self.lexicon.lookup(term)
        return 0 if tid < 0 else int(self.stats.name_df[tid])

    def weight(self, term: str) -> float:
        """How much a term says about a passage: a smoothed idf, positive even for common terms
        and highest (``unseen_weight``) for a term no passage contains."""
        return self._weight(self.document_frequency(term))

    @property
    def unseen_weight(self) -> float:
        """The weight of a term no live passage holds: the highest a term can have."""
        return self._weight(0)

    def _weight(self, df: int) -> float:
        return float(np.log1p((self.stats.passages - df + 0.5) / (df + 0.5)))

    def scored_terms(self, query: Sequence[str]) -> list[tuple[int, int, float]]:
        """(term id, document frequency, rank-bm25's idf) of each query term some passage holds, in
        query order; a repeated term is listed again, as rank-bm25 counts it again. A term whose
        idf is 0 (held by exactly half the passages) adds nothing to a score, but still says
        which passages share a term with the question."""
        out = []
        for term in query:
            tid = self.lexicon.lookup(term)
            if tid < 0:
                continue
            df = int(self.stats.df[tid])
            if df == 0:
                continue
            out.append((tid, df, float(self.stats.idf[tid])))
        return out

    def terms_starting_with(self, prefix: str, shortest: int, longest: int) -> list[str]:
        """The terms some live passage holds that begin with ``prefix`` and are ``shortest`` to
        ``longest`` letters long; chosen on the lexicon's arrays, so a prefix that thousands of
        terms share decodes only the few that qualify."""
        encoded = prefix.encode("utf-8")
        df = self.stats.df
        found: list[str] = []
        for part in self.lexicon.parts:
            start, end = np.searchsorted(part.keys, [encoded, encoded + b"\xff"])  # no UTF-8 byte is 0xff
            keys, ids = part.keys[start:end], part.ids[start:end]
            size = letters(keys)
            keep = (size >= shortest) & (size <= longest) & (df[ids] > 0)
            found += [key.decode("utf-8") for key in keys[keep].tolist()]
            found += [  # terms longer than KEY_BYTES are few, and kept apart
                term
                for term, tid in part.long.items()
                if shortest <= len(term) <= longest and term.startswith(prefix) and df[tid]
            ]
        return found
