"""Finding a damaged database file when a library opens, and moving it aside.

The database is derived data: the seeds folder is the source of truth. A database with damaged
pages (a disk error, a copy cut short, bytes written into it) answers with tracebacks, and a
re-index that only compares file sizes and times would say "unchanged" for ever. So opening
checks the file once with SQLite's ``PRAGMA quick_check`` (every page of every table and index
is read and its structure checked; what it costs is measured in ``bench/database_check.py``),
and a damaged Byline database is renamed ``<db>.damaged-<time>`` (with its -wal and -shm files)
so the next re-index rebuilds it from the seeds folder. Nothing is deleted. A file found whole
is checked again only once it has changed.
"""

import contextlib
import logging
import os
import sqlite3
import time
from pathlib import Path

from index.errors import StorageError
from index.store.schema import read_meta
from index.store.segments import index_dir_for

log = logging.getLogger(__name__)

_HEADER = b"SQLite format 3\x00"
CHECKED = "checked"  # in the index folder: the database file as it was when last found whole


# Bytes 21-23 of every SQLite file: the payload fractions, which the format fixes at 64, 32, 32.
_FIXED_AT = slice(21, 24)
_FIXED = b"\x40\x20\x20"
_HEADER_BYTES = 100


def _header_damage(head: bytes, database: str | Path) -> str | None:
    """What is wrong with the first 16 bytes of ``database`` (``head`` its first 100), or None
    when they are whole or it is no SQLite file at all (opening it says so).

    SQLite never opens a file whose first 16 bytes are wrong ("file is not a database"), so
    ``quick_check`` cannot look: a file whose header is otherwise SQLite's, or that has Byline's
    index folder beside it, is taken as a damaged database."""
    if head.startswith(_HEADER):
        return None
    if head[_FIXED_AT] == _FIXED or index_dir_for(database).is_dir():
        return "the SQLite header (its first 16 bytes) is damaged"
    return None


def damage(database: str | Path) -> str | None:
    """What is wrong with the SQLite file ``database``, or None when it is whole (or is not an
    SQLite file at all: opening it says so)."""
    try:
        with open(database, "rb") as file:
            head = file.read(_HEADER_BYTES)
    except OSError:
        return None  # absent or unreadable: opening it says what is wrong
    if not head:
        return None  # empty: SQLite makes it a database
    if not head.startswith(_HEADER):
        return _header_damage(head, database)
    try:
        db = sqlite3.connect(database, timeout=30)
    except sqlite3.Error:
        return None
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "malformed" not in str(error):
            return None  # busy, locked, read-only: not damage
        return str(error)
    finally:
        db.close()
    return None if problems == ["ok"] else "; ".join(problems)


def _is_byline_database(database: str | Path) -> bool:
    """Whether a damaged file is Byline's, so moving it aside loses nobody else's data."""
    if index_dir_for(database).is_dir():
        return True
    with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(database)) as db:
        return read_meta(db, "schema_version") is not None
    return False


def _fingerprint(database: str | Path) -> str:
    status = os.stat(database)
    return f"{status.st_ino}:{status.st_size}:{status.st_mtime_ns}"


def set_aside_if_damaged(database: str | Path) -> Path | None:
    """Move a damaged Byline database aside (returns where to), so that a new one is built from
    the seeds folder; None when it is whole. StorageError when a damaged file is not Byline's.

    A file found whole is not checked again until it changes: its inode, size and modification
    time are written to ``CHECKED`` in the index folder, so a question asked from the command
    line pays for the check once after each change of the file, not every time."""
    checked = index_dir_for(database) / CHECKED
    try:
        fingerprint = _fingerprint(database)
    except OSError:
        return None  # absent (a new database) or unreadable: opening it says what is wrong
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if checked.read_text() == fingerprint:
            return None
    problem = damage(database)
    if problem is None:
        with contextlib.suppress(OSError):  # a read-only folder: checked again next time
            checked.parent.mkdir(exist_ok=True)
            checked.write_text(fingerprint)
        return None
    if not _is_byline_database(database):
        raise StorageError(
            f"The database {database} is damaged ({problem}) and is not a Byline database; "
            "move it away or set BYLINE_DATABASE to another file."
        )
    aside = Path(f"{database}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):  # another program may have moved it first
            os.replace(f"{database}{suffix}", f"{aside}{suffix}")
    log.warning(
        "the database %s was damaged (%s): moved it to %s; the index is rebuilt from the seeds folder",
        database, problem, aside,
    )  # fmt: skip
    return aside


def forget_check(database: str | Path) -> None:
    """Have the next open check ``database`` again, whatever its times say: SQLite has found it
    damaged in a way that did not change them (a failing disk)."""
    with contextlib.suppress(OSError):
        (index_dir_for(database) / CHECKED).unlink()
