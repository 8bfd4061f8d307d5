"""What people made of the answers: each answer shown, the votes on it, and (only when the operator
keeps them) the questions asked. In the library's SQLite file, in tables of their own.

These tables are not derived data: a change of the index's schema (index/store/schema.py: its derived
tables are dropped and rebuilt) leaves them alone, and so does a re-index.

People are never stored by their Discord id: a vote or a kept question carries a salted hash of
it (HMAC-SHA256 under a random key made once per database and kept in a file beside it, not in
it: index/feedback/keyfile.py), enough to count one vote per person
and to forget one person on request, not to tell who they are.

Kept always, because a vote needs them: for each answer, when it was given, in which server,
whether it was confident and the one passage it cited (a vote is on the answer, so one passage
stands for it; recording every passage shown made one 👎 count against five). After a 👎, the
voter's one-click reason (``REASONS``). Kept only with ``keep_questions``: the
question's text and a hash of who asked it.
"""

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import logging
import secrets
import sqlite3
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Self

import aiosqlite

from index.errors import BylineError, StorageError
from index.feedback.keyfile import key_file, load_key
from index.models import Answer, Hit
from index.store.schema import FEEDBACK_SCHEMA

log = logging.getLogger(__name__)

EXCERPT_CHARS = 200
REASONS = ("wrong-passage", "no-answer", "out-of-date", "other")  # what was wrong, after a 👎


class UnknownAnswerError(BylineError):
    """A vote on an answer that is not on record (its database was replaced, or it was forgotten)."""

    def __init__(self) -> None:
        super().__init__("That answer is no longer on record, so the vote was not counted. Ask again?")


class VoteResult(Enum):
    """What a vote did: counted for the first time, changed from the other way, or the same again."""

    NEW = "new"
    CHANGED = "changed"
    SAME = "same"


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What ``forget`` removed for one person."""

    votes: int
    questions: int

    def to_dict(self) -> dict[str, int]:
        return {"votes": self.votes, "questions": self.questions}


@dataclass(frozen=True, slots=True)
class _Write:
    """One queued statement; ``answer`` and ``vote`` let reads see it before it is written."""

    sql: str
    parameters: tuple[object, ...]
    answer: str | None = None  # the id of the answer it records
    vote: tuple[tuple[str, str], int] | None = None  # ((answer id, user hash), +1 or -1)


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


class Feedback:
    """Answers, votes and kept questions in one Byline database file.

    Writes never make the bot wait: a re-index holds the database's write lock from start to end
    (minutes, for a large archive), and an answer or a vote must reach Discord within 3 seconds.
    So answers and votes are queued in memory and written by a task of their own as soon as the
    lock is free; reads (is that answer known? had this person voted?) look at the queue first,
    then at the database, which a reader in WAL mode can always read. What is still queued when
    the program is killed is lost; ``close`` writes it if it can within a few seconds.
    """

    CLOSE_WAIT = 5.0  # seconds ``close`` waits to write what is queued

    def __init__(
        self, path: str, reader: aiosqlite.Connection, writer: aiosqlite.Connection, salt: bytes
    ) -> None:
        self.path = path
        self._reader = reader
        self._writer = writer
        self._salt = salt
        self._queue: list[_Write] = []
        self._queued_answers: set[str] = set()
        self._queued_votes: dict[tuple[str, str], int] = {}
        self._writing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, database: str | Path) -> Self:
        """Open the feedback tables of ``database`` (created the first time; opening them
        afterwards writes nothing, so it never waits for a re-index) and the key that salts the
        hashes of people, kept beside it (index/feedback/keyfile.py)."""
        path = str(database)
        connections: list[aiosqlite.Connection] = []
        try:
            for _ in range(2):
                db = await aiosqlite.connect(path, timeout=30)
                connections.append(db)
                await db.execute("PRAGMA foreign_keys = ON")
                await db.execute("PRAGMA busy_timeout = 30000")
            reader, writer = connections
            had_feedback = await _has_tables(reader)
            if had_feedback:
                await _add_reason_column(reader, writer)
            if not had_feedback:
                await writer.executescript(FEEDBACK_SCHEMA)
                await writer.commit()
            legacy = await _legacy_salt(reader)
            salt = await asyncio.to_thread(
                load_key, key_file(database), legacy=legacy, had_feedback=had_feedback
            )
            if legacy is not None:  # moved to the key file: no copy stays in the database
                await writer.execute("DELETE FROM feedback_salt")
                await writer.commit()
        except (sqlite3.DatabaseError, BylineError) as error:
            for db in connections:
                await db.close()
            if isinstance(error, BylineError):
                raise
            raise StorageError(f"Cannot open the feedback tables of {path}: {error}") from None
        return cls(path, reader, writer, salt)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.flush(), self.CLOSE_WAIT)
        except (TimeoutError, sqlite3.Error) as error:
            log.warning("%d feedback records not written to %s: %r", len(self._queue), self.path, error)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, sqlite3.Error):
                await self._task
        await self._reader.close()
        await self._writer.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def user_hash(self, user_id: int) -> str:
        """A salted hash of a Discord user id: the same for the same person in this database."""
        return hmac.new(self._salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:32]

    # ---- the write queue ------------------------------------------------------------------------

    def _enqueue(self, write: _Write) -> None:
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
            self._queued_answers = {w.answer for w in self._queue if w.answer is not None}
            self._queued_votes = dict(w.vote for w in self._queue if w.vote is not None)

    # ---- answers and votes ----------------------------------------------------------------------

    def record_answer(
        self,
        answer: Answer,
        hits: list[Hit],
        *,
        guild_id: int | None,
        user_id: int | None,
        keep_question: bool,
        at: float | None = None,
    ) -> str:
        """Record an answer about to be shown with ``hits`` (queued: never waits); returns its id
        for the vote buttons."""
        answer_id = secrets.token_urlsafe(9)  # 12 characters
        question = answer.question if keep_question else None
        user = self.user_hash(user_id) if keep_question and user_id is not None else None
        asked_at = time.time() if at is None else at
        self._queued_answers.add(answer_id)
        self._enqueue(
            _Write(
                _INSERT_ANSWER,
                (answer_id, asked_at, _id(guild_id), answer.confident, question, user),
                answer=answer_id,
            )
        )
        for h in hits:
            self._enqueue(_Write(
                _INSERT_PASSAGE,
                (answer_id, h.rank, h.article.id, h.article.title, h.article.outlet, h.paragraph,
                 h.article.source, excerpt(h.text)),
            ))  # fmt: skip
        return answer_id

    async def vote(
        self,
        answer_id: str,
        user_id: int,
        up: bool,
        *,
        guild_id: int | None,
        question: str | None,
        at: float | None = None,
    ) -> VoteResult:
        """One vote per person per answer: a second vote replaces the first (queued: never waits
        for the write lock)."""
        user = self.user_hash(user_id)
        key = (answer_id, user)
        value = 1 if up else -1
        if answer_id not in self._queued_answers and not await self._known(answer_id):
            raise UnknownAnswerError()
        previous = self._queued_votes.get(key)
        if previous is None:
            row = await (
                await self._reader.execute(
                    "SELECT vote FROM feedback_votes WHERE answer_id = ? AND user_hash = ?", key
                )
            ).fetchone()
            previous = row[0] if row else None
        self._queued_votes[key] = value
        self._enqueue(
            _Write(
                _UPSERT_VOTE,
                (answer_id, user, value, question, _id(guild_id), time.time() if at is None else at),
                vote=(key, value),
            )
        )
        if previous is None:
            return VoteResult.NEW
        return VoteResult.SAME if previous == value else VoteResult.CHANGED

    async def reason(self, answer_id: str, user_id: int, reason: str) -> None:
        """What was wrong with an answer this person voted 👎 (queued); a reason not in REASONS is
        stored as "other"."""
        key = (answer_id, self.user_hash(user_id))
        if key not in self._queued_votes and not await self._known(answer_id):
            raise UnknownAnswerError()
        self._enqueue(_Write(_SET_REASON, (reason if reason in REASONS else "other", *key)))

    async def _known(self, answer_id: str) -> bool:
        cursor = await self._reader.execute("SELECT 1 FROM feedback_answers WHERE id = ?", (answer_id,))
        return await cursor.fetchone() is not None

    async def forget(self, user_id: int) -> Forgotten:
        """Remove one person's votes, and the text of the questions they asked wherever it is:
        on the record of their answers and on the votes others made on those answers (the
        anonymous record of the answer and of those votes stays, as it would have with questions
        not kept)."""
        await self.flush()
        user = self.user_hash(user_id)
        async with self._writing:
            db = self._writer
            votes = await db.execute("DELETE FROM feedback_votes WHERE user_hash = ?", (user,))
            # Votes keep the question they were cast on. On an answer whose asker is not on
            # record (questions not kept, or a Byline that stored it on votes regardless), it could
            # be this person's words: those go too.
            await db.execute(
                "UPDATE feedback_votes SET question = NULL WHERE question IS NOT NULL AND answer_id IN"
                " (SELECT id FROM feedback_answers WHERE user_hash = ? OR user_hash IS NULL)",
                (user,),
            )
            questions = await db.execute(
                "UPDATE feedback_answers SET question = NULL, user_hash = NULL WHERE user_hash = ?", (user,)
            )
            await db.commit()
        return Forgotten(votes.rowcount, questions.rowcount)

    async def rows(self, sql: str, parameters: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query over the feedback tables (for index/feedback/report.py),
        everything queued written first if the database lets us (a re-index may hold it: then
        what is written already)."""
        try:
            await self.flush()
        except sqlite3.OperationalError as error:
            log.info("reading feedback without the %d queued records: %r", len(self._queue), error)
        return list(await self._reader.execute_fetchall(sql, parameters))


_INSERT_ANSWER = (
    "INSERT INTO feedback_answers(id, asked_at, guild_id, confident, question, user_hash)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_INSERT_PASSAGE = (
    "INSERT INTO feedback_passages(answer_id, rank, article_id, title, outlet, paragraph, source, excerpt)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_VOTE = (
    "INSERT INTO feedback_votes(answer_id, user_hash, vote, question, guild_id, voted_at)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(answer_id, user_hash) DO UPDATE SET"
    " vote = excluded.vote, question = excluded.question, voted_at = excluded.voted_at,"
    " reason = CASE WHEN excluded.vote > 0 THEN NULL ELSE reason END"
)
_SET_REASON = "UPDATE feedback_votes SET reason = ? WHERE answer_id = ? AND user_hash = ? AND vote < 0"


async def _add_reason_column(reader: aiosqlite.Connection, writer: aiosqlite.Connection) -> None:
    """Feedback tables made before votes had a reason get the column (once: written only then)."""
    columns = [row[1] for row in await reader.execute_fetchall("PRAGMA table_info(feedback_votes)")]
    if "reason" not in columns:
        await writer.execute("ALTER TABLE feedback_votes ADD COLUMN reason TEXT")
        await writer.commit()


async def _has_tables(db: aiosqlite.Connection) -> bool:
    """True once the feedback tables exist in this database."""
    cursor = await db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback_answers'"
    )
    return await cursor.fetchone() is not None


async def _legacy_salt(db: aiosqlite.Connection) -> bytes | None:
    """The salt an older Byline kept in the database itself, if it is still there."""
    try:
        row = await (await db.execute("SELECT salt FROM feedback_salt WHERE id = 1")).fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return bytes(row[0]) if row else None


def _id(snowflake: int | None) -> str | None:
    return None if snowflake is None else str(snowflake)
