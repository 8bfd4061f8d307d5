"""The one façade both front ends call: open, reindex, ask, articles, stats, close."""

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Coroutine, Generator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from index.answer import pipeline
from index.answer.meaning import word_vectors
from index.answer.pipeline import Answered, Candidate
from index.answer.ranker import LinearRanker, Ranker
from index.answer.reranking import PassageCache
from index.answer.selection import Asked, question_names, with_related_forms
from index.errors import IndexBusyError, StorageError
from index.ingest import process as reindex_process
from index.ingest import reindex as indexer
from index.locations import check_database_path, check_seeds_folder, database_path
from index.models import SMALLTALK, Answer, ReindexReport, SourceSummary
from index.question import clean_question
from index.semantic.layer import SemanticLayer
from index.snapshot import Snapshot, generation, load_snapshot, snapshot_of
from index.store import repair, schema
from index.store.bm25 import ScoredPassage
from index.store.database import PassageRow, Store
from index.store.segments import (
    Manifest,
    index_dir_for,
    open_index,
)
from index.text.analysis import Analyzer, Query, RememberingAnalyzer
from index.text.smalltalk import is_smalltalk, without_padding

log = logging.getLogger(__name__)

# A re-index runs in a process of its own when the index or the folder is at least this large.
PROCESS_MIN_PASSAGES = 20_000
PROCESS_MIN_FILES = 200
# ... or when it holds one file this large: every pattern is linear, but one pass over a line of
# megabytes is one call holding the GIL (675 ms for a 19 MB line), so it is read in a process.
PROCESS_MIN_FILE_BYTES = 2 << 20
LOOK_EVERY = 1.0  # seconds between looks for an index another program committed to the database
ANSWER_WORD_POOL = 4  # a question with answer words reorders this many times the passages it needs
RERANK_POOL = 30  # the best BM25 candidates re-ordered by answering.choose (never the whole corpus)


class Library:
    """A searchable collection of articles backed by one SQLite file.

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
        self._snapshot = snapshot
        self._reindex_lock = asyncio.Lock()
        self._loading = threading.Lock()  # one committed index is opened at a time
        self._looked = time.monotonic()

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
            result = await asyncio.to_thread(self._run_reindex)
            if result.manifest is not None and result.manifest != self._snapshot.index.manifest:
                await asyncio.to_thread(self._put_in_place, result.manifest)
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

    def _run_reindex(self) -> indexer.Outcome:
        """In a process of its own when the archive or one of its files is large (so this
        process's event loop never waits on it); in this worker thread when it is small (no
        process to start for a few files)."""
        embed = self.semantic is not None and self.semantic.available
        if (
            self._snapshot.index.size >= PROCESS_MIN_PASSAGES
            or indexer.has_files(self.seeds_dir, PROCESS_MIN_FILES)
            or indexer.has_file_of(self.seeds_dir, PROCESS_MIN_FILE_BYTES)
        ):
            return reindex_process.reindex_in_process(self.store.path, self.seeds_dir, embed=embed)
        segments = {s.name: s for s in self._snapshot.index.segments}
        return indexer.reindex(self.store.path, self.seeds_dir, self.analyzer, segments, embed=embed)

    def _put_in_place(self, manifest: Manifest) -> None:
        """Open the index ``manifest`` names and answer from it, unless one as new is in place.

        In a worker thread, and once per committed index however many questions ask for it at
        once; the previous snapshot is released here too, as unmapping the files of dropped
        segments (hundreds of MB at a million passages) would stall the event loop.
        """
        with self._loading:
            current = self._snapshot
            if manifest.generation <= generation(current):
                return
            if self.semantic is not None:
                self.semantic.refresh()  # the vectors committed with it, before questions see it
            self._snapshot = snapshot_of(open_index(index_dir_for(self.store.path), manifest, current.index))

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

    def _answer(
        self, question: str, query: Query, names: set[str], wanted: int, top_k: int
    ) -> Answered:
        """Score, fetch, order and mark, in one worker thread."""
        meaning = self.semantic.question_vector(question) if self.semantic is not None else None
        if time.monotonic() - self._looked >= LOOK_EVERY and not self.reindexing:
            self._looked = time.monotonic()
            self._load_committed(self._snapshot)  # `byline reindex` may have run beside the bot
        for _ in range(3):  # a re-index may replace the passages between scoring and fetching
            snapshot = self._snapshot
            widened = with_related_forms(snapshot.index, query)
            scored = snapshot.index.top_reordered(
                widened.terms, widened.extra, max(wanted, RERANK_POOL), ANSWER_WORD_POOL
            )
            if meaning is not None and self.semantic is not None:  # BM25's best, then the nearest in meaning
                terms = [*widened.terms, *(t for t in widened.extra if snapshot.index.document_frequency(t))]
                scored = self.semantic.widen(snapshot.index, scored, terms, meaning)
            ids = [int(snapshot.passage_ids[s.position]) for s in scored]
            kept, complete = self._distinct_rows(scored, ids, len(scored))
            if complete or not self._replacement(snapshot):
                break
        by_id = dict(zip(ids, scored, strict=True))
        candidates = [Candidate(by_id[row.id], row.text, row.paragraph, row.article) for _, row in kept]
        cosines = self.semantic.cosines([row.id for _, row in kept], meaning) if self.semantic else None
        asked = Asked(self.analyzer, snapshot.index, snapshot.names, widened, question, names)
        return pipeline.answer(asked, candidates, self.ranker, top_k, self._read, cosines)

    def _replacement(self, snapshot: Snapshot) -> bool:
        """Whether an index newer than ``snapshot`` is in place now. Its passages are gone from
        SQLite, so a re-index (this library's or another program's) has committed: its index is
        loaded from the database if nobody has put it in place yet. Never waits for the re-index
        (questions waiting in the worker threads could keep it from them), only, briefly, for a
        thread already opening that committed index."""
        return self._snapshot is not snapshot or self._load_committed(snapshot)

    def _load_committed(self, snapshot: Snapshot) -> bool:
        """Put in place the index committed to this database if it is newer than ``snapshot``
        (another program's ``byline reindex``, or this library's before it swaps); whether an
        index newer than ``snapshot`` is in place now."""
        try:
            committed = self.store.read_meta(schema.MANIFEST_KEY)
            manifest = Manifest.from_json(committed) if committed else None
            if manifest is not None and manifest.generation > generation(snapshot):
                self._put_in_place(manifest)
                if self.semantic is not None and self.semantic.available:
                    self.semantic.start_background()  # another program's re-index: its new passages
        except (OSError, sqlite3.Error, ValueError, KeyError, TypeError) as error:
            # Replaced again meanwhile (the next question loads that one), or unreadable.
            log.warning("could not load the index committed to %s: %r", self.store.path, error)
        return self._snapshot is not snapshot

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
            "terms": self._snapshot.index.vocabulary_size,
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
