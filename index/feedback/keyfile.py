"""The key that salts the hashes of people's Discord ids, kept in a file beside the database.

Not in the database: a copy of ``byline.db`` (a backup, a damaged file set aside, a database sent
along with a bug report) must not carry what it takes to test a Discord id against its hashes.
The file is ``<database>.key`` (``byline.db.key``), mode 0600, made once. A database that kept its
salt in the ``feedback_salt`` table (Byline before this file) has it moved here, so its hashes still
match. When the file is missing while the database holds feedback, a new key is made and the log
says so: hashes made from then on no longer match earlier ones (``byline forget`` cannot find what
a person left before).
"""

import contextlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from index.errors import StorageError

log = logging.getLogger(__name__)

KEY_SUFFIX = ".key"
KEY_BYTES = 32


def key_file(database: str | Path) -> Path:
    """Where the key of ``database`` lives: beside it, named after it."""
    path = Path(database)
    return path.with_name(path.name + KEY_SUFFIX)


def _read(path: Path) -> bytes | None:
    """The key in ``path``; None when there is no file. A link is never followed."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StorageError(f"Cannot read the key file {path}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as file:
        key = file.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise StorageError(
            f"The key file {path} is damaged ({len(key)} bytes, not {KEY_BYTES}); move it away to make "
            "a new one (earlier votes and questions can then no longer be matched to a person)."
        )
    return key


def _create(path: Path, key: bytes) -> bool:
    """Write ``key`` to ``path`` unless a file is there already (another process was first): the
    key is written to an unguessable temporary name, then linked into place, so nobody ever reads
    half a key. True if this call made the file."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    except OSError as error:
        raise StorageError(f"Cannot write the key file {path}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def load_key(path: Path, *, legacy: bytes | None, had_feedback: bool) -> bytes:
    """The key in ``path``, made first if there is none: ``legacy`` (the salt the database kept
    itself) when given, else a new random one, logged when it replaces a lost one."""
    key = _read(path)
    if key is not None:
        return key
    made = _create(path, legacy if legacy is not None else secrets.token_bytes(KEY_BYTES))
    key = _read(path)
    if key is None:  # removed between the two calls: nothing sensible to do but say so
        raise StorageError(f"The key file {path} disappeared while it was being made.")
    if made and legacy is not None:
        log.info("moved the voter-hash salt out of the database into %s", path)
    elif made and had_feedback:
        log.warning(
            "the key file %s was missing: made a new one. Votes and questions recorded before "
            "can no longer be matched to a person (byline forget will not find them).",
            path,
        )
    return key
