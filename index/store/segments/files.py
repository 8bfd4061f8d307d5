"""File plumbing: arrays written under new names, fsynced, renamed into place, memory-mapped,
and checksummed.

Every index file is written once under a temporary name, synced, and renamed into place; it is
never changed afterwards. Readers map the arrays with ``mmap_mode="r"``. The manifest records a
CRC32 of every file it names (as Lucene's CodecUtil footers do), checked the first time this
process opens the file: damage is found at once and the index rebuilt, never served as scores.
"""

import os
import re
import secrets
import threading
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from index.errors import BylineError

# The names Byline gives what it writes in ``<database>.index/`` (see ``new_name``), finished or
# not: only entries with such a name are ever removed, whatever else a person keeps there.
OWN_NAME = re.compile(r"(tmp-)?((seg|lex|stats)-\d{8,}-[0-9a-f]{8}|del-\d{8,}-[0-9a-f]{8}\.npy)")


def index_dir_for(database: str | Path) -> Path:
    """The folder that holds a database's index: named after it, beside it."""
    return Path(f"{database}.index")


class DamagedIndexError(BylineError):
    """An index file does not hold what was written (truncated, overwritten): the index is
    rebuilt from the terms stored in the database."""


CHUNK = 1 << 22


def checksum(path: Path) -> int:
    """The CRC32 of a file's bytes."""
    crc = 0
    with open(path, "rb", buffering=0) as file:
        while chunk := file.read(CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def checksums_of(root: Path, name: str) -> dict[str, int]:
    """The CRC32 of the file ``name``, or of each file in the folder ``name``, by their
    manifest keys (``name`` or ``name/file``)."""
    path = root / name
    if path.is_dir():
        return {f"{name}/{file.name}": checksum(file) for file in sorted(path.iterdir())}
    return {name: checksum(path)}


# Files found intact by this process, with what a stat says of them: checked again only if the
# file was changed since (files Byline wrote never are; damage from outside changes the stat).
_verified: set[tuple[str, int, int, int, int]] = set()
_verified_lock = threading.Lock()


def verify(root: Path, names: Iterable[str], checksums: Mapping[str, int]) -> None:
    """DamagedIndexError unless every file of ``names`` that ``checksums`` lists has its
    checksum. Each file is read once per process while its size and times stay the same."""
    wanted = set(names)
    for key, expected in checksums.items():
        if key.split("/", 1)[0] not in wanted:
            continue
        path = root / key
        stat = path.stat()
        seen = (str(path), expected, stat.st_size, stat.st_mtime_ns, stat.st_ino)
        with _verified_lock:
            if seen in _verified:
                continue
        if checksum(path) != expected:
            raise DamagedIndexError(f"the index file {path} is damaged (its checksum does not match)")
        with _verified_lock:
            _verified.add(seen)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file already written (by another library: usearch) to the disk."""
    with open(path, "rb+") as file:
        os.fsync(file.fileno())


def save(folder: Path, name: str, array: np.ndarray) -> None:
    with open(folder / f"{name}.npy", "wb") as file:
        np.save(file, np.ascontiguousarray(array))
        file.flush()
        os.fsync(file.fileno())


def load(folder: Path, name: str) -> np.ndarray:
    # A plain ndarray view of the mapping: slicing a np.memmap costs Python calls each time.
    path = folder / f"{name}.npy"
    try:
        return np.asarray(np.load(path, mmap_mode="r"))
    except ValueError as error:  # a damaged header, or a file shorter than its header says
        raise DamagedIndexError(f"the index file {path} is damaged ({error})") from None


def new_name(prefix: str, generation: int) -> str:
    return f"{prefix}-{generation:08d}-{secrets.token_hex(4)}"


class Staging:
    """A folder written under a temporary name and renamed into place once complete and synced."""

    def __init__(self, root: Path, name: str) -> None:
        self.root, self.name = root, name
        self.path = root / f"tmp-{name}"
        self.path.mkdir(parents=True)

    def publish(self) -> str:
        fsync_dir(self.path)
        os.rename(self.path, self.root / self.name)
        fsync_dir(self.root)
        return self.name


def small_uint(values: np.ndarray) -> np.ndarray:
    """uint16 when every value fits (term frequencies and ranks nearly always do), else int32."""
    if values.size == 0 or int(values.max()) < 65536:
        return values.astype(np.uint16)
    return values.astype(np.int32)
