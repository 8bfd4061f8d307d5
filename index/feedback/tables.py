"""The feedback tables of a Byline database, and the connections that read and write them.

Made the first time; opening them afterwards writes nothing (so it never waits for a re-index),
except once to bring an older Byline's tables up to date: the reason column votes gained, and the
salt it kept in the database itself moved to the key file (index/feedback/keyfile.py).
"""

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite

from index.errors import BylineError, StorageError
from index.feedback.keyfile import key_file, load_key
from index.store.schema import FEEDBACK_SCHEMA


async def connect(database: str | Path) -> tuple[aiosqlite.Connection, aiosqlite.Connection, bytes]:
    """A reader and a writer on the feedback tables of ``database`` (created if need be), and the
    key that salts the hashes of people, kept beside it."""
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
        salt = await asyncio.to_thread(load_key, key_file(database), legacy=legacy, had_feedback=had_feedback)
        if legacy is not None:  # moved to the key file: no copy stays in the database
            await writer.execute("DELETE FROM feedback_salt")
            await writer.commit()
    except (sqlite3.DatabaseError, BylineError) as error:
        for db in connections:
            await db.close()
        if isinstance(error, BylineError):
            raise
        raise StorageError(f"Cannot open the feedback tables of {path}: {error}") from None
    return reader, writer, salt


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
