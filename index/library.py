"""The one façade both front ends call: open, reindex, ask, articles, stats, close."""

import asyncio
import logging
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Coroutine, Generator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

from index.answer.meaning import word_vectors
from index.answer.names import Names
from index.answer.selection import choose, mark, question_names, with_related_forms
from index.errors import BylineError, IndexBusyError, QuestionError, StorageError
from index.ingest import process as reindex_process
from index.ingest import reindex as indexer
from index.models import Answer, Hit, ReindexReport, SourceSummary
from index.semantic.layer import SemanticLayer, semantic_pool
from index.store import repair, schema
from index.store.bm25 import ScoredPassage
from index.store.database import PassageRow, Store
from index.store.segments import (
    DamagedIndexError,
    Manifest,
    SegmentedIndex,
    index_dir_for,
    open_index,
)
from index.text.analysis import Analyzer, Query, RememberingAnalyzer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
MAX_TOP_K = 50
# A re-index runs in a process of its own when the index or the folder is at least this large.
PROCESS_MIN_PASSAGES = 20_000
PROCESS_MIN_FILES = 200
LOOK_EVERY = 1.0  # seconds between looks for an index another program committed to the database
ANSWER_WORD_POOL = 4  # a question with answer words reorders this many times the passages it needs
RERANK_POOL = 30  # the best BM25 candidates re-ordered by answering.choose (never the whole corpus)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """One complete index: questions are scored against one snapshot from start to end."""

    index: SegmentedIndex
    passage_ids: np.ndarray  # position in the index -> passages.id
    names: Names


def _generation(snapshot: _Snapshot) -> int:
    return snapshot.index.manifest.generation


def _snapshot_of(index: SegmentedIndex) -> _Snapshot:
    return _Snapshot(index, index.passage_ids, Names.of(index))


def _load_snapshot(database: str, previous: _Snapshot | None = None) -> _Snapshot:
    """The committed index of ``database``: memory-mapped segments, nothing re-analysed.

    A database whose passages have no index beside it (written by an older Byline, or whose
    index folder was removed) gets one built from the analysed terms it stores.
    """
    root = index_dir_for(database)
    for attempt in range(3):
        db = schema.connect_writer(database)
        try:
            manifest = schema.read_manifest(db)
            has_passages = db.execute(schema.HAS_PASSAGES).fetchone()[0]
        finally:
            db.close()
        try:
            if manifest is None and has_passages:
                raise FileNotFoundError("no index manifest")
            return _snapshot_of(open_index(root, manifest, previous.index if previous else None))
        except DamagedIndexError as error:
            log.warning("%s; rebuilding the index from the terms stored in %s", error.message, database)
            return _snapshot_of(open_index(root, indexer.rebuild(database)))
        except FileNotFoundError as error:
            if attempt == 2 or manifest is None:
                log.warning("rebuilding the index of %s from its stored terms (%s)", database, error)
                return _snapshot_of(open_index(root, indexer.rebuild(database)))
            # A re-index elsewhere may have replaced the files between reading and opening.
    raise AssertionError("unreachable")


# Discord's user, role and channel mentions and custom emoji: markup, not words of the question
# (``<@112233445566778899> who is Hegseth`` asks who Hegseth is).
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w{1,32}:\d+>")


def clean_question(question: str, top_k: int = 5) -> str:
    """The question with Discord mentions and custom emoji removed and its white space folded,
    or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("Ask a question as text, for example: what is Poland's defence spending?")
    if len(question) <= MAX_QUESTION_CHARS * 4:  # longer is refused below, without a regex pass
        question = _DISCORD_MARKUP.sub(" ", question)
    question = " ".join(question.split())
    if not question:
        raise QuestionError("Ask a question, for example: what is Poland's defence spending?")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(question):,} characters long; keep it under {MAX_QUESTION_CHARS:,}."
        )
    if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"Ask for between 1 and {MAX_TOP_K} results.")
    return question


def check_seeds_folder(seeds_dir: Path) -> None:
    """BylineError unless ``seeds_dir`` is a folder."""
    if not seeds_dir.exists():
        problem = "does not exist"
    elif not seeds_dir.is_dir():
        problem = "is not a folder"
    else:
        return
    raise BylineError(
        f"The seeds folder {seeds_dir} {problem}; set BYLINE_SEEDS_DIR to your articles folder."
    )


def check_database_path(database: str | Path) -> None:
    """StorageError when ``database`` names something other than a file (``/dev/null``, a
    folder): SQLite would open it and leave its journal beside it."""
    try:
        status = os.stat(database)
    except FileNotFoundError:
        return
    except OSError as error:
        raise StorageError(f"Cannot open the database {database}: {error.strerror or error}") from None
    if not stat.S_ISREG(status.st_mode):
        raise StorageError(
            f"The database {database} is not a regular file; set BYLINE_DATABASE to a file path."
        )


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
        snapshot: _Snapshot,
        semantic: SemanticLayer | None = None,
    ) -> None:
        self.store = store
        self.semantic = semantic  # None: BM25 candidates only
        self.seeds_dir = seeds_dir
        self.analyzer = analyzer
        self._snapshot = snapshot
        self._reindex_lock = asyncio.Lock()
        self._loading = threading.Lock()  # one committed index is opened at a time
        self._looked = time.monotonic()

    @classmethod
    def open(
        cls, database: str | Path = "byline.db", seeds_dir: str | Path = "seeds", semantic: bool = True
    ) -> "_Opening":
        """Open (or create) the library; ``await`` it, or use it with ``async with``.

        ``semantic``: also find passages by meaning, with the sentence model shipped with Byline
        (index/semantic/); off, BM25 alone finds them."""
        return _Opening(cls._open(database, seeds_dir, semantic))

    @classmethod
    async def _open(cls, database: str | Path, seeds_dir: str | Path, semantic: bool = True) -> "Library":
        if str(database) == ":memory:":
            raise StorageError("Byline needs a database file; set BYLINE_DATABASE to a path")
        check_database_path(database)
        damaged = await asyncio.to_thread(repair.set_aside_if_damaged, database)
        store = await Store.open(database)
        try:
            snapshot = await asyncio.to_thread(_load_snapshot, store.path)
            await asyncio.to_thread(indexer.tidy, store.path)
            await asyncio.to_thread(word_vectors)  # now, not during the first question
            layer = SemanticLayer(store.path) if semantic else None
            if layer is not None:
                await asyncio.to_thread(layer.prepare)
        except BaseException:
            await store.close()
            raise
        library = cls(store, Path(seeds_dir), RememberingAnalyzer(), snapshot, layer)
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
            if self.semantic is not None and self.semantic.available:
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
            )

    def _run_reindex(self) -> indexer.Outcome:
        """In a process of its own when the archive is large (so this process's event loop never
        waits on it); in this worker thread when it is small (no process to start for a few files)."""
        embed = self.semantic is not None and self.semantic.available
        if self._snapshot.index.size >= PROCESS_MIN_PASSAGES or indexer.has_files(
            self.seeds_dir, PROCESS_MIN_FILES
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
            if manifest.generation <= _generation(current):
                return
            if self.semantic is not None:
                self.semantic.refresh()  # the vectors committed with it, before questions see it
            self._snapshot = _snapshot_of(open_index(index_dir_for(self.store.path), manifest, current.index))

    async def ask(self, question: str, top_k: int = 5) -> Answer:
        """The best passages for ``question`` and the verdict on them; no hits only when no
        passage shares a term with it."""
        question = clean_question(question, top_k)
        query = self.analyzer.query(question)
        names = question_names(self.analyzer, question)
        if not query.terms:
            return Answer(question, [], query.terms)
        # Overlapping passages of one article compete for the same places: score more than
        # asked for, then keep only the best of each overlapping group.
        wanted = top_k * 3 + 10
        hits, confident = await asyncio.to_thread(self._answer, question, query, names, wanted, top_k)
        return Answer(question, hits, query.terms, confident and bool(hits))

    def _answer(
        self, question: str, query: Query, names: set[str], wanted: int, top_k: int
    ) -> tuple[list[Hit], bool]:
        """Score, fetch and mark, in one worker thread."""
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
            from_bm25 = len(scored)
            if meaning is not None and self.semantic is not None:  # BM25's best, then the nearest in meaning
                terms = [*widened.terms, *(t for t in widened.extra if snapshot.index.document_frequency(t))]
                scored = self.semantic.widen(snapshot.index, scored, terms, meaning)
            ids = [int(snapshot.passage_ids[s.position]) for s in scored]
            kept, complete = self._distinct_rows(scored, ids, len(scored))
            if complete or not self._replacement(snapshot):
                break
        by_id = dict(zip(ids, scored, strict=True))
        texts = [(row.text, row.article.title, row.article.id) for _, row in kept]
        kept_ids = [row.id for _, row in kept]
        pool = semantic_pool(kept_ids, set(ids[:from_bm25]))
        cosines = self.semantic.cosines(kept_ids[:pool], meaning) if self.semantic else None
        ranked, confident, _, _ = choose(
            self.analyzer, snapshot.index, snapshot.names, widened, question, names,
            [by_id[row.id] for _, row in kept[:pool]], texts[:pool], cosines=cosines,
        )  # fmt: skip
        ranked = [*ranked, *range(pool, len(kept))]  # what only meaning found, when ranked apart
        kept = [kept[i] for i in ranked[:top_k]]
        terms = widened.terms + widened.extra
        marks = [mark(self.analyzer, snapshot.index, row.text, terms) for _, row in kept]
        hits = [
            Hit(place, score, row.text, row.paragraph, row.article, highlights, sentence)
            for place, ((score, row), (highlights, sentence)) in enumerate(zip(kept, marks, strict=True), 1)
        ]
        return hits, confident

    def _replacement(self, snapshot: _Snapshot) -> bool:
        """Whether an index newer than ``snapshot`` is in place now. Its passages are gone from
        SQLite, so a re-index (this library's or another program's) has committed: its index is
        loaded from the database if nobody has put it in place yet. Never waits for the re-index
        (questions waiting in the worker threads could keep it from them), only, briefly, for a
        thread already opening that committed index."""
        return self._snapshot is not snapshot or self._load_committed(snapshot)

    def _load_committed(self, snapshot: _Snapshot) -> bool:
        """Put in place the index committed to this database if it is newer than ``snapshot``
        (another program's ``byline reindex``, or this library's before it swaps); whether an
        index newer than ``snapshot`` is in place now."""
        try:
            committed = self.store.read_meta(schema.MANIFEST_KEY)
            manifest = Manifest.from_json(committed) if committed else None
            if manifest is not None and manifest.generation > _generation(snapshot):
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
