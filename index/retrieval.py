"""The first stage of a question's path: its candidates from the index in place (BM25's best,
then the nearest in meaning), their rows read from the store one per overlapping group, and the
question as the answering side reads it. What comes after (order, verdict, answer line) is
``index.answer.pipeline``'s."""

from dataclasses import dataclass

from index.answer.pipeline import Candidate
from index.answer.selection import Asked, with_related_forms
from index.semantic.layer import SemanticLayer
from index.snapshot import LiveIndex
from index.store.bm25 import ScoredPassage
from index.store.database import PassageRow, Store
from index.text.analysis import Analyzer, Query

ANSWER_WORD_POOL = 4  # a question with answer words reorders this many times the passages it needs
RERANK_POOL = 30  # the best BM25 candidates re-ordered by answering.choose (never the whole corpus)


@dataclass(frozen=True, slots=True)
class Retrieved:
    """A question's candidates, in BM25's order then by meaning, and each one's cosine to it."""

    asked: Asked
    candidates: list[Candidate]
    cosines: list[float] | None  # None: the semantic layer is off


class Retriever:
    """Finds a question's candidates in the live index and reads their rows, in a worker thread.

    A re-index may replace the passages between scoring and reading them: the candidates are then
    found again in the index that replaced them, so a question never comes back short.
    """

    def __init__(
        self, store: Store, live: LiveIndex, analyzer: Analyzer, semantic: SemanticLayer | None
    ) -> None:
        self.store = store
        self.live = live
        self.analyzer = analyzer
        self.semantic = semantic  # None: BM25 candidates only

    def retrieve(self, question: str, query: Query, names: set[str], wanted: int, look: bool) -> Retrieved:
        """At least ``wanted`` candidates (``RERANK_POOL`` at the least), no two overlapping.
        ``look``: first load an index another program committed, now and then (not while this
        library's own re-index runs: it puts its index in place itself)."""
        meaning = self.semantic.question_vector(question) if self.semantic is not None else None
        if look:
            self.live.look_now_and_then()
        for _ in range(3):  # a re-index may replace the passages between scoring and fetching
            snapshot = self.live.snapshot
            widened = with_related_forms(snapshot.index, query)
            scored = snapshot.index.top_reordered(
                widened.terms, widened.extra, max(wanted, RERANK_POOL), ANSWER_WORD_POOL
            )
            if meaning is not None and self.semantic is not None:  # BM25's best, then the nearest in meaning
                terms = [*widened.terms, *(t for t in widened.extra if snapshot.index.document_frequency(t))]
                scored = self.semantic.widen(snapshot.index, scored, terms, meaning)
            ids = [int(snapshot.passage_ids[s.position]) for s in scored]
            kept, complete = self._distinct_rows(scored, ids, len(scored))
            if complete or not self.live.replaced_since(snapshot):
                break
        by_id = dict(zip(ids, scored, strict=True))
        candidates = [Candidate(by_id[row.id], row.text, row.paragraph, row.article) for _, row in kept]
        cosines = self.semantic.cosines([row.id for _, row in kept], meaning) if self.semantic else None
        asked = Asked(self.analyzer, snapshot.index, snapshot.names, widened, question, names)
        return Retrieved(asked, candidates, cosines)

    def _distinct_rows(
        self, scored: list[ScoredPassage], ids: list[int], top_k: int
    ) -> tuple[list[tuple[float, PassageRow]], bool]:
        """The best ``top_k`` passages that share no sentence, read a few at a time (most
        questions need only the first few), and whether every passage read was still there."""
        kept: list[tuple[float, PassageRow]] = []
        complete, step = True, top_k + 5
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            rows = self.store.read_passages(chunk)
            complete = complete and len(rows) == len(chunk)
            for s, pid in zip(scored[start : start + step], chunk, strict=True):
                row = rows.get(pid)
                if row is not None and not any(row.overlaps(other) for _, other in kept):
                    kept.append((s.score, row))
                    if len(kept) == top_k:
                        return kept, complete
        return kept, complete
