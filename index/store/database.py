"""Async access to the SQLite file that holds sources, articles and analysed passages.

The database is derived data: everything in it can be rebuilt from the seeds folder. It keeps
the analysed terms of every passage so that opening a library never re-reads or re-analyses an
article. Writes happen in one transaction per re-index (``index.ingest.transaction``); a separate read
connection sees only committed data (WAL), so questions asked during a re-index see the previous
index whole. The schema and the statements live in ``index.store.schema``, which says which connection
is used where.
"""

import json
import sqlite3
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
import aiosqlite.core

from index.errors import StorageError
from index.models import Article
from index.store.schema import (
    DROP_DERIVED,
    SCHEMA,
    SCHEMA_VERSION,
    SELECT_ARTICLES,
    SELECT_COUNTS,
    SELECT_META,
    SELECT_PASSAGES,
    SELECT_VERSIONS,
)
from index.text.analysis import ANALYSIS_VERSION


@dataclass(frozen=True, slots=True)
class StoredSource:
    path: str
    sha256: str
    size: int
    mtime_ns: int
    passages: int | None = None  # None: written by a Byline that did not count them
    first_passage: int | None = None


@dataclass(frozen=True, slots=True)
class NewPassage:
    paragraph: int
    first_sentence: int
    last_sentence: int
    text: str
    terms: list[str]
    names: list[str]  # the terms written as names (capitalised inside a sentence)

    def __reduce__(self) -> tuple[type["NewPassage"], tuple[int, int, int, str, list[str], list[str]]]:
        # Readers send a million of these to the writer: a slotted dataclass's own pickling looks
        # its fields up again for each one, and took a third longer to load a batch of them.
        fields = (self.paragraph, self.first_sentence, self.last_sentence, self.text, self.terms, self.names)
        return (NewPassage, fields)


@dataclass(frozen=True, slots=True)
class NewArticle:
    article: Article
    url: str | None
    passages: list[NewPassage]
    names: list[str]


@dataclass(frozen=True, slots=True)
class PassageRow:
    id: int
    paragraph: int
    first_sentence: int
    last_sentence: int
    text: str
    article: Article

    def overlaps(self, other: "PassageRow") -> bool:
        """True when both passages hold some of the same sentences of one article."""
        return (
            self.article.id == other.article.id
            and self.first_sentence <= other.last_sentence
            and other.first_sentence <= self.last_sentence
        )


async def _connect(path: str) -> aiosqlite.Connection:
    connection = aiosqlite.connect(path, timeout=30)
    # A library its caller forgot to close must not keep the interpreter alive at exit: the
    # connection's thread (started by the await below) is a daemon.
    thread = connection if isinstance(connection, threading.Thread) else getattr(connection, "_thread", None)
    if isinstance(thread, threading.Thread):
        thread.daemon = True
    connection = await connection
    await connection.execute("PRAGMA foreign_keys = ON")
    await connection.execute("PRAGMA busy_timeout = 30000")
    return connection


def _stop_threads(connections: list[aiosqlite.Connection]) -> None:
    """Stop the threads of a Store collected without being closed, without its event loop.

    aiosqlite's own clean-up would hand the closing to the connection's thread with a future of
    an event loop that is closing (``asyncio.run`` returning), and print "Event loop is closed"
    from that thread. This queues the close with no future instead; on an aiosqlite whose
    internals differ it does nothing (the threads are daemons anyway)."""
    stop_running = getattr(aiosqlite.core, "_STOP_RUNNING_SENTINEL", None)
    for connection in connections:
        queue = getattr(connection, "_tx", None)
        if stop_running is None or queue is None or not hasattr(connection, "_connection"):
            continue

        def close(connection: aiosqlite.Connection = connection) -> object:
            db, connection._connection = connection._connection, None
            if db is not None:
                db.close()
            return stop_running

        connection._running = False
        queue.put_nowait((None, close))


class Store:
    """Async access to one Byline database file."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._local = threading.local()
        self._sync_lock = threading.Lock()
        self._sync_readers: list[sqlite3.Connection] = []
        self._unclosed = weakref.finalize(self, _stop_threads, [writer, reader])

    @classmethod
    async def open(cls, path: str | Path) -> "Store":
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = reader = None
        try:
            writer = await _connect(path)
            await cls._prepare(writer, path)
            reader = await _connect(path)
        except (sqlite3.DatabaseError, StorageError) as error:
            for connection in (reader, writer):
                if connection is not None:
                    await connection.close()  # its thread would keep the process alive
            if isinstance(error, StorageError):
                raise
            raise StorageError(f"Cannot open the database {path}: {error}") from None
        return cls(path, writer, reader)

    @staticmethod
    async def _prepare(db: aiosqlite.Connection, path: str) -> None:
        await db.execute("PRAGMA journal_mode = WAL")
        tables = {
            row[0] async for row in await db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if tables and "meta" not in tables:
            raise StorageError(f"{path} is not a Byline database; choose another BYLINE_DATABASE")
        if "meta" in tables:
            versions: dict[str, str] = {
                key: value
                for key, value in await db.execute_fetchall(SELECT_VERSIONS)
            }
            if versions == {"schema_version": SCHEMA_VERSION, "analysis_version": ANALYSIS_VERSION}:
                return  # opening a current database writes nothing: a re-index may hold the lock
            if versions:
                # Derived data from an older Byline, or analysed otherwise: start again, the next
                # re-index refills it.
                await db.executescript(DROP_DERIVED)
        await db.executescript(SCHEMA)
        await db.executemany(
            "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
            [("schema_version", SCHEMA_VERSION), ("analysis_version", ANALYSIS_VERSION)],
        )
        await db.commit()

    async def close(self) -> None:
        self._unclosed.detach()
        with self._sync_lock:
            for db in self._sync_readers:
                db.close()
            self._sync_readers.clear()
        await self._reader.close()
        await self._writer.close()

    async def get_meta(self, key: str) -> str | None:
        row = await (await self._reader.execute(SELECT_META, (key,))).fetchone()
        return row[0] if row else None

    def _thread_reader(self) -> sqlite3.Connection:
        """This worker thread's own read connection: a question is scored, fetched and marked in
        one thread, without a round trip through the event loop."""
        db = getattr(self._local, "db", None)
        if db is None:
            # mode=rw: a database removed meanwhile is an error here, never a new empty file.
            db = self._local.db = sqlite3.connect(
                f"{Path(self.path).resolve().as_uri()}?mode=rw", uri=True, timeout=30, check_same_thread=False
            )
            db.execute("PRAGMA busy_timeout = 30000")
            with self._sync_lock:
                self._sync_readers.append(db)
        return db

    def read_passages(self, ids: Sequence[int]) -> dict[int, PassageRow]:
        """``passages`` by id, for a worker thread."""
        if not ids:
            return {}
        cursor = self._thread_reader().execute(SELECT_PASSAGES, (json.dumps(list(ids)),))
        return {
            row[0]: PassageRow(row[0], row[1], row[2], row[3], row[4], Article(*row[5:])) for row in cursor
        }

    def read_meta(self, key: str) -> str | None:
        """One ``meta`` value, for a worker thread."""
        row = self._thread_reader().execute(SELECT_META, (key,)).fetchone()
        return row[0] if row else None

    async def articles(self, offset: int = 0, limit: int | None = None) -> list[tuple[Article, int]]:
        """Articles with their passage counts, by source file and order in the file."""
        cursor = await self._reader.execute(SELECT_ARTICLES, (-1 if limit is None else limit, offset))
        return [(Article(*row[:8]), row[8]) async for row in cursor]

    async def article_count(self) -> int:
        (count,) = await self._reader.execute_fetchall("SELECT count(*) FROM articles")
        return int(count[0])

    async def counts(self) -> tuple[int, int, int]:
        """(sources, articles, passages)."""
        (row,) = await self._reader.execute_fetchall(SELECT_COUNTS)
        return int(row[0]), int(row[1]), int(row[2])
