"""The one façade both front ends call: open, reindex, ask, articles, stats, close."""

import asyncio
import time
from collections.abc import Coroutine, Generator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from index.answer import pipeline
from index.answer.meaning import word_vectors
from index.answer.pipeline import Answered
from index.answer.ranker import LinearRanker, Ranker
from index.answer.reranking import PassageCache
from index.answer.selection import question_names
from index.errors import IndexBusyError, StorageError
from index.ingest import reindex as indexer
from index.ingest import runner
from index.locations import check_database_path, check_seeds_folder, database_path
from index.models import SMALLTALK, Answer, ReindexReport, SourceSummary
from index.question import clean_question
from index.retrieval import Retriever
from index.semantic.layer import SemanticLayer
from index.snapshot import LiveIndex, Snapshot, load_snapshot
from index.store import repair
from index.store.database import Store
from index.text.analysis import Analyzer, Query, RememberingAnalyzer
from index.text.smalltalk import is_smalltalk, without_padding


class Library:
    """A searchable collection of articles backed by one SQLite file.

    A façade over the parts that do the work: the index in place and its replacement
    (``index.snapshot.LiveIndex``), where a re-index runs (``index.ingest.runner``), a question's
    candidates (``index.retrieval.Retriever``) and what is made of them (``index.answer.pipeline``).
    CPU-heavy work (reading and analysing articles, building the index, scoring) runs in worker
    threads, so an event loop that awaits these methods stays responsive.
    """

    def __init__(
        self,
        store: Store,
        seeds_dir: Path,
        analyzer: Analyzer,
        snapshot: Snapshot,
        ranker: Ranker,
        semantic: SemanticLayer | None = None,
    ) -> None:
        self.store = store
        self.ranker = ranker
        self._read = PassageCache(analyzer)  # what re-ordering read of passages it has seen
        self.semantic = semantic  # None: BM25 candidates only
        self.seeds_dir = seeds_dir
        self.analyzer = analyzer
        self._live = LiveIndex(store, snapshot, semantic)
        self._retriever = Retriever(store, self._live, analyzer, semantic)
        self._reindex_lock = asyncio.Lock()

    @classmethod
    def open(
        cls,
        database: str | Path = "byline.db",
        seeds_dir: str | Path = "seeds",
        ranker: Ranker | None = None,
        semantic: bool = True,
    ) -> "_Opening":
        """Open (or create) the library; ``await`` it, or use it with ``async with``.

        ``ranker`` orders candidates, judges the first and scores sentences (eval and bench pass
        their own). ``semantic``: also find passages by meaning, with the sentence model shipped
        with Byline (index/semantic/); off, BM25 alone finds them."""
        return _Opening(cls._open(database, seeds_dir, ranker or LinearRanker(), semantic))

    @classmethod
    async def _open(
        cls, database: str | Path, seeds_dir: str | Path, ranker: Ranker, semantic: bool = True
    ) -> "Library":
        if str(database) == ":memory:":
            raise StorageError("Byline needs a database file; set BYLINE_DATABASE to a path")
        database = database_path(database)
        check_database_path(database)
        damaged = await asyncio.to_thread(repair.set_aside_if_damaged, database)
        store = await Store.open(database)
        try:
            snapshot = await asyncio.to_thread(load_snapshot, store.path)
            await asyncio.to_thread(indexer.tidy, store.path)
            await asyncio.to_thread(word_vectors)  # now, not during the first question
            layer = SemanticLayer(store.path) if semantic else None
            if layer is not None:
                await asyncio.to_thread(layer.prepare)
        except BaseException:
            await store.close()
            raise
        library = cls(store, Path(seeds_dir), RememberingAnalyzer(), snapshot, ranker, layer)
        if damaged is not None and library.seeds_dir.is_dir():
            try:
                await library.reindex()  # the seeds folder is the source of truth
            except BaseException:
                await library.close()
                raise
        if layer is not None and layer.available:
            layer.start_background()  # passages a previous run left without a vector, if any
        return library

    async def close(self) -> None:
        if self.semantic is not None:
            await asyncio.to_thread(self.semantic.stop)
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
            check_seeds_folder(self.seeds_dir)
            embed = self.semantic is not None and self.semantic.available
            result = await asyncio.to_thread(
                runner.run, self.store.path, self.seeds_dir, self.analyzer, self._live.snapshot.index, embed
            )
            if result.manifest is not None and result.manifest != self._live.snapshot.index.manifest:
                await asyncio.to_thread(self._live.put_in_place, result.manifest)
            left = 0
            if self.semantic is not None and self.semantic.available:
                left = await asyncio.to_thread(self.semantic.missing)
                self.semantic.start_background()  # what the re-index left without a vector, if any
            _, articles, passages = await self.store.counts()
            return ReindexReport(
                added=result.added,
                updated=result.updated,
                removed=result.removed,
                unchanged=result.unchanged,
                articles=articles,
                passages=passages,
                skipped=result.skipped,
                seconds=time.perf_counter() - started,
                embedded=result.embedded,
                embedding_seconds=result.embedding_seconds,
                embedding_left=left,
            )

    async def ask(self, question: str, top_k: int = 5) -> Answer:
        """The best passages for ``question`` and the verdict on them; no hits only when no
        passage shares a term with it, or when it is only small talk."""
        answer, _ = await self.explain(question, top_k)
        return answer

    async def explain(self, question: str, top_k: int = 5) -> tuple[Answer, Answered | None]:
        """``ask``, with what the answer was decided on (every candidate and its features), for
        the tools that evaluate and fit Byline; None when no passage was looked at."""
        question = clean_question(question, top_k)
        if is_smalltalk(question):
            return Answer(question, [], kind=SMALLTALK), None
        asked = without_padding(question)
        query = self.analyzer.query(asked)
        names = question_names(self.analyzer, asked)
        if not query.terms:
            return Answer(question, [], query.terms), None
        # Overlapping passages of one article compete for the same places: score more than
        # asked for, then keep only the best of each overlapping group.
        wanted = top_k * 3 + 10
        answered = await asyncio.to_thread(self._answer, asked, query, names, wanted, top_k)
        confident = bool(answered.hits) and self.ranker.confident(answered.confidence)
        answer = Answer(question, answered.hits, query.terms, confident, answered.confidence, answered.line)
        return answer, answered

    def _answer(self, question: str, query: Query, names: set[str], wanted: int, top_k: int) -> Answered:
        """Find, fetch, order and mark, in one worker thread."""
        found = self._retriever.retrieve(question, query, names, wanted, look=not self.reindexing)
        return pipeline.answer(found.asked, found.candidates, self.ranker, top_k, self._read, found.cosines)

    async def articles(self, offset: int = 0, limit: int | None = None) -> list[SourceSummary]:
        """The indexed articles, by source file and order in the file; ``offset`` and ``limit``
        read one page of a large archive without the rest."""
        return [
            SourceSummary(article, passages) for article, passages in await self.store.articles(offset, limit)
        ]

    async def article_count(self) -> int:
        return await self.store.article_count()

    async def stats(self) -> dict[str, int | bool]:
        sources, articles, passages = await self.store.counts()
        return {
            "sources": sources,
            "articles": articles,
            "passages": passages,
            "terms": self._live.snapshot.index.vocabulary_size,
            "reindexing": self.reindexing,
        }


class _Opening(Coroutine[Any, Any, "Library"]):
    """``Library.open(...)``: a coroutine (``await`` it, or hand it to ``asyncio.run``), and usable
    directly as ``async with Library.open(...) as lib``."""

    def __init__(self, opening: Coroutine[Any, Any, "Library"]) -> None:
        self._opening = opening
        self._library: Library | None = None

    def send(self, value: Any) -> Any:
        return self._opening.send(value)

    def throw(self, *args: Any) -> Any:
        return self._opening.throw(*args)

    def close(self) -> None:
        self._opening.close()

    def __await__(self) -> Generator[Any, None, "Library"]:
        return self._opening.__await__()

    async def __aenter__(self) -> Library:
        self._library = await self._opening
        return self._library

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._library is not None:
            await self._library.close()
