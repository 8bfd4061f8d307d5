"""Feedback written without waiting: records queued in memory and written by a task of their own
as soon as the database's write lock is free.

A re-index holds that lock from start to end (minutes, for a large archive), and an answer or a
vote must reach Discord within 3 seconds. Reads (is that answer known? had this person voted?)
look here first, then at the database, which a reader in WAL mode can always read. What is still
queued when the program is killed is lost; ``close`` writes it if it can within a few seconds.
"""

import asyncio
import contextlib
import itertools
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiosqlite

log = logging.getLogger(__name__)

VoteKey = tuple[str, str]  # (answer id, user hash)


@dataclass(frozen=True, slots=True)
class Write:
    """One queued statement; ``answer`` and ``vote`` let reads see it before it is written."""

    sql: str
    parameters: tuple[object, ...]
    answer: str | None = None  # the id of the answer it records
    vote: tuple[VoteKey, int] | None = None  # ((answer id, user hash), +1 or -1)


class WriteQueue:
    """The statements waiting for the write lock of one database, on its writer connection."""

    CLOSE_WAIT = 5.0  # seconds ``close`` waits to write what is queued

    def __init__(self, path: str, writer: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._queue: list[Write] = []
        self._answers: set[str] = set()
        self._votes: dict[VoteKey, int] = {}
        self._writing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def has_answer(self, answer_id: str) -> bool:
        """Whether the answer ``answer_id`` is queued, not yet written."""
        return answer_id in self._answers

    def vote_of(self, key: VoteKey) -> int | None:
        """The vote queued for ``key``, if any."""
        return self._votes.get(key)

    def put(self, write: Write) -> None:
        """Queue ``write`` (never waits); the writing task starts if it is not running."""
        if write.answer is not None:
            self._answers.add(write.answer)
        if write.vote is not None:
            key, value = write.vote
            self._votes[key] = value
        self._queue.append(write)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="byline-feedback-writer")

    async def _drain(self) -> None:
        while self._queue:
            try:
                await self.flush()
            except sqlite3.Error as error:
                log.warning("could not write feedback to %s yet: %r", self.path, error)
                await asyncio.sleep(1.0)

    async def flush(self) -> None:
        """Write everything queued, in one transaction (waiting for the write lock if need be)."""
        async with self._writing:
            batch = list(self._queue)
            if not batch:
                return
            db = self._writer
            await db.execute("BEGIN IMMEDIATE")
            try:
                for sql, run in itertools.groupby(batch, key=lambda write: write.sql):
                    await db.executemany(sql, [write.parameters for write in run])
                await db.commit()
            except BaseException:
                await db.rollback()
                raise
            del self._queue[: len(batch)]
            self._answers = {w.answer for w in self._queue if w.answer is not None}
            self._votes = dict(w.vote for w in self._queue if w.vote is not None)

    @contextlib.asynccontextmanager
    async def writer(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writer connection, for statements that must not wait in the queue (``forget``),
        once the queue's own writing is done."""
        async with self._writing:
            yield self._writer

    async def close(self) -> None:
        """Write what is queued if it can within ``CLOSE_WAIT``, then close the connection."""
        try:
            await asyncio.wait_for(self.flush(), self.CLOSE_WAIT)
        except (TimeoutError, sqlite3.Error) as error:
            log.warning("%d feedback records not written to %s: %r", len(self._queue), self.path, error)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, sqlite3.Error):
                await self._task
        await self._writer.close()
