"""Re-indexing: from the seeds folder to passages in SQLite and segments beside it, in one commit.

Runs synchronously with its own SQLite connection: in a worker thread for a small archive, in a
process of its own for a large one (``reindex_in_process``), never on the event loop:

1. ``BEGIN IMMEDIATE``: the write lock, so what is stored cannot change underneath.
2. The folder is compared with the stored sources by size and modification time.
3. Files to read are read, hashed, parsed and analysed: in this thread when there are few, in a
   pool of processes (one a core) when there are many. Results arrive in file order, a batch of
   files at a time, and are written to SQLite straight away: no more than a few batches of text
   are held in memory at once.
4. Each batch's passages go to the index writer with their term ids: a new segment (cut every
   ``IndexWriter.MAX_SEGMENT_DOCS`` passages); the passages of changed and removed files are
   marked deleted in the segments that hold them.
5. The writer writes its files (new segments, deletions, statistics), then the manifest naming
   them is written to ``meta`` and the transaction commits: the passages and the index change
   together or not at all.
"""

import contextlib
import gc
import logging
import multiprocessing
import os
import sqlite3
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import reindex_process
from .analysis import Analyzer
from .dates import dates_for
from .errors import IndexBusyError, StorageError
from .models import SkippedFile
from .scan import FileOutcome, plan, read_file
from .segments import (
    DamagedIndexError,
    DocBatch,
    IndexWriter,
    Manifest,
    Segment,
    collect_garbage,
    index_dir_for,
    manifest_files,
)
from .store import StoredSource

log = logging.getLogger(__name__)

MANIFEST_KEY = "index_manifest"
POOL_MIN_FILES = 200  # fewer files than this are read in the calling thread
BATCH_FILES = 64
BATCH_BYTES = 2 << 20


class RememberingAnalyzer(Analyzer):
    """The same analysis, remembering the terms of short texts: finding names and highlighting
    a hit analyse text word by word, and words repeat, so most of that is answered from memory."""

    SHORT = 40
    LIMIT = 200_000

    def __init__(self) -> None:
        super().__init__()
        self._short: dict[str, tuple[str, ...]] = {}

    def terms(self, text: str) -> list[str]:
        if len(text) > self.SHORT:
            return super().terms(text)
        known = self._short.get(text)
        if known is None:
            known = tuple(super().terms(text))
            if len(self._short) < self.LIMIT:
                self._short[text] = known
        return list(known)


@dataclass(slots=True)
class EncodedBatch:
    """A batch of read files and their new passages' terms, numbered by a batch-local vocabulary
    (so the process that reads files does the per-term work, and the writer maps a few thousand
    distinct terms to global ids instead of every posting)."""

    files: list[FileOutcome]
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


def encode(files: list[FileOutcome]) -> EncodedBatch:
    vocabulary: dict[str, int] = {}
    lengths: list[int] = []
    articles: list[int] = []
    terms: list[int] = []
    tf: list[int] = []
    names: list[int] = []
    term_counts: list[int] = []
    name_counts: list[int] = []
    article_names: list[str] = []
    for outcome in files:
        for new in outcome.articles or ():
            article = len(article_names)
            article_names.append(" ".join(new.names))
            for passage in new.passages:
                counts = Counter(passage.terms)  # distinct terms in order of first appearance
                lengths.append(len(passage.terms))
                articles.append(article)
                terms.extend(vocabulary.setdefault(t, len(vocabulary)) for t in counts)
                tf.extend(counts.values())
                term_counts.append(len(counts))
                distinct_names = dict.fromkeys(passage.names)
                names.extend(vocabulary.setdefault(t, len(vocabulary)) for t in distinct_names)
                name_counts.append(len(distinct_names))
    return EncodedBatch(
        files,
        list(vocabulary),
        np.asarray(lengths, dtype=np.int32),
        np.asarray(articles, dtype=np.int32),
        np.cumsum([0, *term_counts], dtype=np.int64),
        np.asarray(terms, dtype=np.int32),
        np.asarray(tf, dtype=np.int32),
        np.cumsum([0, *name_counts], dtype=np.int64),
        np.asarray(names, dtype=np.int32),
        article_names,
    )


Item = tuple[str, str, StoredSource | None]  # (source, file to open, what is stored), as in scan.Plan


def read_batch(root: Path, items: Sequence[Item], analyzer: Analyzer) -> EncodedBatch:
    return encode([read_file(root, relative, target, old, analyzer) for relative, target, old in items])


def _processes() -> multiprocessing.context.BaseContext:
    """New processes are forked from a server that has imported Byline, not from a program that
    runs threads (and an event loop), and start in milliseconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["index.indexer"])
    return context


# --- the worker processes --------------------------------------------------------------------------

_worker_analyzer: Analyzer | None = None


def _end_with_parent() -> None:
    """Every process a re-index starts ends when the process that started it ends, killed or not.

    A pool's worker would otherwise wait for work for ever (it holds its own copy of the queue's
    write end, so it never reads an end of file), and a re-index process would go on to commit
    after the program that started it was killed.
    """

    def watch() -> None:
        parent = multiprocessing.parent_process()
        if parent is not None:
            parent.join()
            os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker() -> None:
    global _worker_analyzer
    _end_with_parent()
    # Readers yield the processor to the process that answers questions.
    os.nice(5)
    _worker_analyzer = RememberingAnalyzer()


def _worker_read_batch(root: str, items: Sequence[Item]) -> EncodedBatch:
    assert _worker_analyzer is not None
    return read_batch(Path(root), items, _worker_analyzer)


def _batches(root: Path, items: Sequence[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    size = 0
    for item in items:
        with contextlib.suppress(OSError):
            size += os.stat(root / item[1], follow_symlinks=False).st_size
        batch.append(item)
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _pool_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def analysed_batches(
    root: Path, items: Sequence[Item], analyzer: Analyzer, workers: int | None = None
) -> Iterator[EncodedBatch]:
    """The files below ``root`` read and analysed, in order, a batch at a time."""
    workers = _pool_workers() if workers is None else workers
    if len(items) < POOL_MIN_FILES or workers < 2:
        for batch in _batches(root, items):
            yield read_batch(root, batch, analyzer)
        return
    pool = ProcessPoolExecutor(workers, mp_context=_processes(), initializer=_init_worker)
    try:
        pending: deque[Future[EncodedBatch]] = deque()
        batches = _batches(root, items)
        for batch in batches:
            pending.append(pool.submit(_worker_read_batch, str(root), batch))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            for batch in batches:  # keep the pool busy, but never far ahead of the writer
                pending.append(pool.submit(_worker_read_batch, str(root), batch))
                break
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- the writer ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    changed: bool = False
    manifest: Manifest | None = None


BUSY_SECONDS = 30  # how long a re-index waits for another one writing the same database


def connect(database: str | Path) -> sqlite3.Connection:
    connection = sqlite3.connect(database, timeout=BUSY_SECONDS, isolation_level=None)  # busy wait
    connection.execute("PRAGMA foreign_keys = ON")
    # A full re-index is one large transaction: a bigger page cache keeps SQLite from spilling
    # and re-reading the pages it is filling (about 200 MB at most).
    connection.execute("PRAGMA cache_size = -200000")
    return connection


def begin_writing(db: sqlite3.Connection) -> None:
    """Take the database's write lock, waiting up to BUSY_SECONDS for another re-index."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        raise IndexBusyError(
            "Another re-index of this database is running (the bot's, or `byline reindex`); "
            "try again when it has finished."
        ) from None


def read_manifest(db: sqlite3.Connection) -> Manifest | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (MANIFEST_KEY,)).fetchone()
    return Manifest.from_json(row[0]) if row else None


def _next_passage_id(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'passages'").fetchone()
    top = db.execute("SELECT max(id) FROM passages").fetchone()[0]
    return max(row[0] if row else 0, top or 0) + 1


def _count_passages_per_source(db: sqlite3.Connection) -> None:
    """Give a database written before sources counted their passages the columns that do.
    Holding the write lock."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(sources)")}
    if "passages" not in columns:
        db.execute("ALTER TABLE sources ADD COLUMN passages INTEGER")
        db.execute("ALTER TABLE sources ADD COLUMN first_passage INTEGER")


def _miscounted(db: sqlite3.Connection) -> frozenset[str]:
    """Sources whose stored passages are not all there (rows deleted by hand): read again.

    One count of the passages (an index scan) when nothing is wrong; the sources are compared
    one by one only when the totals differ."""
    recorded, unknown = db.execute(
        "SELECT coalesce(sum(passages), 0), count(*) - count(passages) FROM sources"
    ).fetchone()
    if unknown or db.execute("SELECT count(*) FROM passages").fetchone()[0] == recorded:
        return frozenset()
    rows = db.execute(
        "SELECT s.path FROM sources s LEFT JOIN articles a ON a.source = s.path"
        " LEFT JOIN passages p ON p.article_id = a.id"
        " GROUP BY s.path HAVING count(p.id) != max(s.passages)"
    )
    return frozenset(row[0] for row in rows)


def _source_passages(db: sqlite3.Connection, source: str) -> list[int]:
    return [
        row[0]
        for row in db.execute(
            "SELECT id FROM passages WHERE article_id IN (SELECT id FROM articles WHERE source = ?)",
            (source,),
        )
    ]


class _Transaction:
    """Rows and index changes of one re-index, committed together."""

    def __init__(
        self,
        db: sqlite3.Connection,
        database: str | Path,
        cache: dict[str, Segment] | None,
        fresh: bool = False,
    ) -> None:
        self.db = db
        self.root = index_dir_for(database)
        self.base = read_manifest(db)
        self.writer = IndexWriter(self.root, None if fresh else self.base, cache)
        if fresh and self.base is not None:
            self.writer.generation = self.base.generation + 1
        self.next_id = _next_passage_id(db)

    def remove_source(self, path: str, stored: StoredSource | None = None) -> None:
        ids = _source_passages(self.db, path)
        if stored is not None and stored.passages and stored.first_passage is not None:
            # Rows deleted by hand are gone from SQLite but not from the index.
            ids.extend(range(stored.first_passage, stored.first_passage + stored.passages))
        self.writer.delete(ids)
        self.db.execute("DELETE FROM sources WHERE path = ?", (path,))

    def write_batch(self, batch: EncodedBatch) -> list[FileOutcome]:
        """Write the batch's changed files; returns them."""
        db = self.db
        first_id = self.next_id
        changed = []
        for outcome in batch.files:
            if outcome.articles is None or outcome.source is None:
                continue
            changed.append(outcome)
            src = outcome.source
            dates = dates_for(db, src.path, src.mtime_ns, [new.article for new in outcome.articles])
            if outcome.old is not None:
                self.remove_source(src.path, outcome.old)
            count = sum(len(new.passages) for new in outcome.articles)
            db.execute(
                "INSERT INTO sources(path, sha256, size, mtime_ns, passages, first_passage)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (src.path, src.sha256, src.size, src.mtime_ns, count, self.next_id),
            )
            for position, new in enumerate(outcome.articles):
                a = new.article
                published_at, estimated = dates[position]
                db.execute(
                    "INSERT INTO articles(id, source, position, title, outlet, published, url,"
                    " published_at, published_estimated, names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        *(a.id, a.source, position, a.title, a.outlet, a.published, new.url),
                        *(published_at, estimated, " ".join(new.names)),
                    ),
                )
                rows = []
                for p in new.passages:
                    rows.append(
                        (
                            self.next_id,
                            a.id,
                            p.paragraph,
                            p.first_sentence,
                            p.last_sentence,
                            p.text,
                            " ".join(p.terms),
                            " ".join(p.names),
                        )
                    )
                    self.next_id += 1
                db.executemany(
                    "INSERT INTO passages(id, article_id, paragraph, first_sentence, last_sentence,"
                    " text, terms, names) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        assert self.next_id - first_id == batch.passages
        if batch.passages:
            ids = self.writer.lexicon.ids_for(batch.vocabulary)
            self.writer.add(
                DocBatch(
                    np.arange(first_id, self.next_id, dtype=np.int64),
                    batch.lengths,
                    batch.articles,
                    batch.term_offsets,
                    ids[batch.terms],
                    batch.tf,
                    batch.name_offsets,
                    ids[batch.names],
                    batch.article_names,
                )
            )
        return changed

    def commit(self, meta: dict[str, str]) -> Manifest:
        # Nothing changed: the same files, the same manifest.
        manifest = self.writer.finish() if self.writer.dirty or self.base is None else self.base
        # Holding the write lock, no other re-index is writing files: remove what neither the
        # previous manifest (still open in running libraries) nor the new one names.
        collect_garbage(self.root, manifest_files(self.base) | manifest_files(manifest))
        meta = {**meta, MANIFEST_KEY: manifest.to_json()}
        self.db.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(meta.items()),
        )
        self.db.execute("COMMIT")
        return manifest


def reindex(
    database: str | Path,
    seeds_dir: Path,
    analyzer: Analyzer,
    cache: dict[str, Segment] | None = None,
    workers: int | None = None,
) -> Outcome:
    """Bring the database and its index in line with ``seeds_dir``, in one transaction.

    What exists when it starts (open indexes, the running program) and what lives through each
    step (the stored sources, the plan, each batch) is frozen: left out of the cyclic collector's
    full passes, which would otherwise walk it again and again, holding the GIL (and so the event
    loop of the program that runs this in a thread) for 50 ms and more at a time. It is thawed
    once the re-index's own structures are gone, so a collection then walks only what remains.
    """
    gc.freeze()
    try:
        with writing(database):
            return _reindex(database, seeds_dir, analyzer, cache, workers)
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def writing(database: str | Path) -> Iterator[None]:
    """Turns the errors of a database or index folder that cannot be written (read-only, full)
    into one StorageError saying which; the transaction has been rolled back by then."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if "readonly" not in str(error) and "disk" not in str(error):
            raise
        raise StorageError(
            f"Cannot write the database {database} ({error}); the previous index is unchanged."
        ) from None
    except OSError as error:
        if error.filename is None:
            raise
        raise StorageError(
            f"Cannot write {error.filename} ({error.strerror or error}); the previous index is unchanged."
        ) from None


def _reindex(
    database: str | Path,
    seeds_dir: Path,
    analyzer: Analyzer,
    cache: dict[str, Segment] | None,
    workers: int | None,
) -> Outcome:
    db = connect(database)
    try:
        begin_writing(db)
        try:
            gc.disable()  # reading the sources and walking the folder make 100,000s of lasting objects
            try:
                _count_passages_per_source(db)
                stored = {
                    row[0]: StoredSource(*row)
                    for row in db.execute(
                        "SELECT path, sha256, size, mtime_ns, passages, first_passage FROM sources"
                    )
                }
                planned = plan(seeds_dir, stored, _miscounted(db))
            finally:
                gc.enable()
            gc.freeze()
            result = Outcome(unchanged=planned.unchanged, skipped=planned.skipped)
            try:
                tx = _Transaction(db, database, cache)
            except DamagedIndexError as error:
                log.warning("%s; rebuilding the index from the terms stored in %s", error.message, database)
                tx = _Transaction(db, database, None, fresh=True)
                _add_all_stored(db, tx.writer)
            touched: list[StoredSource] = []
            for batch in analysed_batches(seeds_dir, planned.to_read, analyzer, workers):
                for outcome in batch.files:
                    if outcome.skipped is not None:
                        result.skipped.append(outcome.skipped)
                    elif outcome.articles is None and outcome.source is not None:
                        result.unchanged += 1
                        touched.append(outcome.source)
                for outcome in tx.write_batch(batch):
                    if outcome.old is None:
                        result.added += 1
                    else:
                        result.updated += 1
                del batch
                gc.freeze()
            for path in planned.removed:
                tx.remove_source(path, stored[path])
            result.removed = len(planned.removed)
            db.executemany(
                "UPDATE sources SET size = ?, mtime_ns = ? WHERE path = ?",
                [(s.size, s.mtime_ns, s.path) for s in touched],
            )
            result.changed = bool(result.added or result.updated or result.removed or tx.base is None)
            result.manifest = tx.commit({"indexed_at": f"{time.time():.3f}"})
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    finally:
        db.close()
    return result


# --- a re-index in a process of its own -------------------------------------------------------------


def reindex_in_process(database: str | Path, seeds_dir: Path, workers: int | None = None) -> Outcome:
    """``reindex`` in a process of its own, for a large archive (see ``index.reindex_process``).

    Run in a thread, a re-index of a million passages holds the calling process's GIL for tens of
    milliseconds at a time (Python between SQLite calls, numpy, the cyclic collector walking its
    batches), and more when the machine is busy and the thread holding it is descheduled: the
    event loop of a bot answering meanwhile would stall. In a process of its own it shares no
    GIL, runs at a lower priority, and gives its memory back to the system when it ends.
    """
    if not sys.executable:  # an embedded interpreter: no Python to start
        return reindex(database, seeds_dir, RememberingAnalyzer(), None, workers)
    return reindex_process.run(database, seeds_dir, workers)


def has_files(folder: Path, count: int) -> bool:
    """Whether ``folder`` holds at least ``count`` files, counting no further than that."""
    found = 0
    for _, _, files in os.walk(folder):
        found += len(files)
        if found >= count:
            return True
    return False


def rebuild(database: str | Path, batch_passages: int = 20_000) -> Manifest:
    """Write the index again from the analysed terms stored with the passages (no re-analysis):
    for a database written before the index lived beside it, or whose index folder was lost."""
    with writing(database):
        return _rebuild(database, batch_passages)


def _rebuild(database: str | Path, batch_passages: int) -> Manifest:
    db = connect(database)
    try:
        begin_writing(db)
        try:
            tx = _Transaction(db, database, None, fresh=True)
            _add_all_stored(db, tx.writer, batch_passages)
            manifest = tx.commit({})
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    finally:
        db.close()
    return manifest


def _add_all_stored(db: sqlite3.Connection, writer: IndexWriter, batch_passages: int = 20_000) -> None:
    """Every stored passage to ``writer``, from the analysed terms kept with it (no re-analysis)."""
    article_names = dict(db.execute("SELECT id, names FROM articles"))
    cursor = db.execute("SELECT id, article_id, terms, names FROM passages ORDER BY id")
    while rows := cursor.fetchmany(batch_passages):
        _add_stored(writer, rows, article_names)
    writer.flush()  # in a segment, where the re-index's deletions can find them
    writer.dirty = True


def _add_stored(
    writer: IndexWriter, rows: Iterable[tuple[int, str, str, str]], article_names: dict[str, str]
) -> None:
    vocabulary: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    articles: list[int] = []
    terms: list[int] = []
    tf: list[int] = []
    names: list[int] = []
    term_counts: list[int] = []
    name_counts: list[int] = []
    numbers: dict[str, int] = {}
    for passage_id, article_id, passage_terms, passage_names in rows:
        split = passage_terms.split()
        counts = Counter(split)
        ids.append(passage_id)
        lengths.append(len(split))
        articles.append(numbers.setdefault(article_id, len(numbers)))
        terms.extend(vocabulary.setdefault(t, len(vocabulary)) for t in counts)
        tf.extend(counts.values())
        term_counts.append(len(counts))
        distinct = dict.fromkeys(passage_names.split())
        names.extend(vocabulary.setdefault(t, len(vocabulary)) for t in distinct)
        name_counts.append(len(distinct))
    global_ids = writer.lexicon.ids_for(list(vocabulary))
    writer.add(
        DocBatch(
            np.asarray(ids, dtype=np.int64),
            np.asarray(lengths, dtype=np.int32),
            np.asarray(articles, dtype=np.int32),
            np.cumsum([0, *term_counts], dtype=np.int64),
            global_ids[np.asarray(terms, dtype=np.int64)],
            np.asarray(tf, dtype=np.int32),
            np.cumsum([0, *name_counts], dtype=np.int64),
            global_ids[np.asarray(names, dtype=np.int64)],
            [article_names.get(a, "") for a in numbers],
        )
    )


def tidy(database: str | Path) -> None:
    """Remove index files that the committed manifest does not name (left by a crash), if no
    re-index holds the write lock right now."""
    try:
        db = sqlite3.connect(database, timeout=0.05, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            collect_garbage(index_dir_for(database), manifest_files(read_manifest(db)))
        finally:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # busy: a re-index is running and will tidy up itself
    finally:
        db.close()
