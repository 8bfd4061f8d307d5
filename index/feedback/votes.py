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

import hashlib
import hmac
import logging
import secrets
import sqlite3
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Self

import aiosqlite

from index.errors import BylineError
from index.feedback import tables
from index.feedback.queue import Write, WriteQueue
from index.models import Answer, Hit

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


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


class Feedback:
    """Answers, votes and kept questions in one Byline database file.

    Writes never make the bot wait: they are queued (index/feedback/queue.py) and written as soon
    as a re-index lets go of the database's write lock; reads look at the queue first.
    """

    def __init__(self, path: str, reader: aiosqlite.Connection, writes: WriteQueue, salt: bytes) -> None:
        self.path = path
        self._reader = reader
        self._writes = writes
        self._salt = salt

    @classmethod
    async def open(cls, database: str | Path) -> Self:
        """Open the feedback tables of ``database`` (created the first time; opening them
        afterwards writes nothing, so it never waits for a re-index) and the key that salts the
        hashes of people, kept beside it (index/feedback/keyfile.py)."""
        reader, writer, salt = await tables.connect(database)
        return cls(str(database), reader, WriteQueue(str(database), writer), salt)

    async def close(self) -> None:
        await self._writes.close()
        await self._reader.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def flush(self) -> None:
        """Write everything queued, in one transaction (waiting for the write lock if need be)."""
        await self._writes.flush()

    def user_hash(self, user_id: int) -> str:
        """A salted hash of a Discord user id: the same for the same person in this database."""
        return hmac.new(self._salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:32]

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
        self._writes.put(
            Write(
                _INSERT_ANSWER,
                (answer_id, asked_at, _id(guild_id), answer.confident, question, user),
                answer=answer_id,
            )
        )
        for h in hits:
            self._writes.put(Write(
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
        if not self._writes.has_answer(answer_id) and not await self._known(answer_id):
            raise UnknownAnswerError()
        previous = self._writes.vote_of(key)
        if previous is None:
            row = await (
                await self._reader.execute(
                    "SELECT vote FROM feedback_votes WHERE answer_id = ? AND user_hash = ?", key
                )
            ).fetchone()
            previous = row[0] if row else None
        self._writes.put(
            Write(
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
        if self._writes.vote_of(key) is None and not await self._known(answer_id):
            raise UnknownAnswerError()
        self._writes.put(Write(_SET_REASON, (reason if reason in REASONS else "other", *key)))

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
        async with self._writes.writer() as db:
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
            log.info("reading feedback without the %d queued records: %r", len(self._writes), error)
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


def _id(snowflake: int | None) -> str | None:
    return None if snowflake is None else str(snowflake)
