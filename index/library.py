"""The one façade both front ends call: open, reindex, ask, articles, stats, close."""

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np

from .analysis import Analyzer
from .answering import Names, answers, mark, question_names
from .bm25 import BM25Index, ScoredPassage
from .errors import BylineError, IndexBusyError, QuestionError
from .models import Answer, Hit, ReindexReport, SourceSummary
from .scan import scan
from .store import PassageRow, Store, StoredCorpus

MAX_QUESTION_CHARS = 1000
MAX_TOP_K = 50


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """One complete index: questions are scored against one snapshot from start to end."""

    index: BM25Index
    passage_ids: np.ndarray  # position in the index -> passages.id
    names: Names


def _build_snapshot(stored: StoredCorpus) -> _Snapshot:
    index = BM25Index.build(stored.terms)
    return _Snapshot(index, np.asarray(stored.ids, dtype=np.int64), Names.build(index, stored))


def clean_question(question: str, top_k: int = 5) -> str:
    """The question with its white space folded, or QuestionError saying what is wrong with it."""
    question = " ".join(question.split())
    if not question:
        raise QuestionError("Ask a question, for example: what is Poland's defence spending?")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(question):,} characters long; keep it under {MAX_QUESTION_CHARS:,}."
        )
    if not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"Ask for between 1 and {MAX_TOP_K} results.")
    return question


class Library:
    """A searchable collection of articles backed by one SQLite file.

    CPU-heavy work (reading and analysing articles, building the index, scoring) runs in worker
    threads, so an event loop that awaits these methods stays responsive.
    """

    def __init__(self, store: Store, seeds_dir: Path, analyzer: Analyzer, snapshot: _Snapshot) -> None:
        self.store = store
        self.seeds_dir = seeds_dir
        self.analyzer = analyzer
        self._snapshot = snapshot
        self._reindex_lock = asyncio.Lock()

    @classmethod
    def open(cls, database: str | Path = "byline.db", seeds_dir: str | Path = "seeds") -> "_Opening":
        """Open (or create) the library; ``await`` it, or use it with ``async with``."""
        return _Opening(cls._open(database, seeds_dir))

    @classmethod
    async def _open(cls, database: str | Path, seeds_dir: str | Path) -> "Library":
        store = await Store.open(database)
        try:
            snapshot = await cls._load_snapshot(store)
        except BaseException:
            await store.close()
            raise
        return cls(store, Path(seeds_dir), Analyzer(), snapshot)

    @staticmethod
    async def _load_snapshot(store: Store) -> _Snapshot:
        stored = await store.passage_terms()
        return await asyncio.to_thread(_build_snapshot, stored)

    async def close(self) -> None:
        await self.store.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def reindexing(self) -> bool:
        return self._reindex_lock.locked()

    async def is_indexed(self) -> bool:
        """True once a re-index has completed on this database."""
        return await self.store.get_meta("indexed_at") is not None

    async def ensure_indexed(self) -> ReindexReport | None:
        """Build the index from the seeds folder if this database was never indexed."""
        if await self.is_indexed():
            return None
        return await self.reindex()

    async def reindex(self) -> ReindexReport:
        """Bring the index in line with the seeds folder: new, changed and removed files.

        One transaction: if anything fails, the previous index stays as it was. Questions asked
        meanwhile are answered from the previous index.
        """
        if self._reindex_lock.locked():
            raise IndexBusyError("A re-index is already running; try again when it has finished.")
        async with self._reindex_lock:
            started = time.perf_counter()
            if not self.seeds_dir.is_dir():
                raise BylineError(
                    f"The seeds folder {self.seeds_dir} does not exist; "
                    "set BYLINE_SEEDS_DIR to your articles folder."
                )
            stored = await self.store.sources()
            result = await asyncio.to_thread(scan, self.seeds_dir, stored, self.analyzer)
            changed = result.added or result.updated or result.removed
            await self.store.apply(
                remove=result.removed,
                write=[*result.added, *result.updated],
                touch=result.touched,
                meta={"indexed_at": f"{time.time():.3f}"},
            )
            if changed or not await self.is_indexed():
                self._snapshot = await self._load_snapshot(self.store)
            _, articles, passages = await self.store.counts()
            return ReindexReport(
                added=len(result.added),
                updated=len(result.updated),
                removed=len(result.removed),
                unchanged=result.unchanged,
                articles=articles,
                passages=passages,
                skipped=result.skipped,
                seconds=time.perf_counter() - started,
            )

    async def ask(self, question: str, top_k: int = 5) -> Answer:
        """The best passages for ``question``; no hits when the articles do not answer it."""
        question = clean_question(question, top_k)
        terms = self.analyzer.terms(question)
        names = question_names(self.analyzer, question)
        if not terms:
            return Answer(question, [], terms)
        # Overlapping passages of one article compete for the same places: score more than
        # asked for, then keep only the best of each overlapping group.
        wanted = top_k * 3 + 10
        for _ in range(3):  # a re-index may replace the passages between scoring and fetching
            snapshot = self._snapshot
            scored = await asyncio.to_thread(self._score, snapshot, terms, names, wanted)
            ids = [int(snapshot.passage_ids[s.position]) for s in scored]
            rows = await self.store.passages(ids)
            if len(rows) == len(ids) or snapshot is self._snapshot:
                break
        kept: list[tuple[float, PassageRow]] = []
        for s, pid in zip(scored, ids, strict=True):
            row = rows.get(pid)
            if row is not None and not any(row.overlaps(other) for _, other in kept):
                kept.append((s.score, row))
                if len(kept) == top_k:
                    break
        marks = await asyncio.to_thread(
            lambda: [mark(self.analyzer, snapshot.index, row.text, terms) for _, row in kept]
        )
        hits = [
            Hit(rank, score, row.text, row.paragraph, row.article, highlights, sentence)
            for rank, ((score, row), (highlights, sentence)) in enumerate(zip(kept, marks, strict=True), 1)
        ]
        return Answer(question, hits, terms)

    @staticmethod
    def _score(snapshot: _Snapshot, terms: list[str], names: set[str], k: int) -> list[ScoredPassage]:
        scored = snapshot.index.top(terms, k)
        return answers(snapshot.index, snapshot.names, terms, names, scored)

    async def articles(self) -> list[SourceSummary]:
        """The indexed articles, by source file and order in the file."""
        return [SourceSummary(article, passages) for article, passages in await self.store.articles()]

    async def stats(self) -> dict[str, int | bool]:
        sources, articles, passages = await self.store.counts()
        return {
            "sources": sources,
            "articles": articles,
            "passages": passages,
            "terms": len(self._snapshot.index.vocabulary),
            "reindexing": self.reindexing,
        }


class _Opening:
    """``Library.open(...)``: awaitable, and usable directly as ``async with Library.open(...)``."""

    def __init__(self, opening: "asyncio.Future[Library] | object") -> None:
        self._opening = opening
        self._library: Library | None = None

    def __await__(self):
        return self._opening.__await__()

    async def __aenter__(self) -> Library:
        self._library = await self._opening
        return self._library

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._library is not None:
            await self._library.close()
