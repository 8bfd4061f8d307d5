"""File plumbing: arrays written under new names, fsynced, renamed into place, memory-mapped.

Every index file is written once under a temporary name, synced, and renamed into place; it is
never changed afterwards. Readers map the arrays with ``mmap_mode="r"``.
"""

import os
import secrets
from pathlib import Path

import numpy as np

# Names Byline gives the entries it writes in ``<database>.index/``; nothing else is ever removed.
SEGMENT_PREFIXES = ("seg-", "lex-", "stats-", "del-", "tmp-")


def index_dir_for(database: str | Path) -> Path:
    """The folder that holds a database's index: named after it, beside it."""
    return Path(f"{database}.index")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save(folder: Path, name: str, array: np.ndarray) -> None:
    with open(folder / f"{name}.npy", "wb") as file:
        np.save(file, np.ascontiguousarray(array))
        file.flush()
        os.fsync(file.fileno())


def load(folder: Path, name: str) -> np.ndarray:
    # A plain ndarray view of the mapping: slicing a np.memmap costs Python calls each time.
    return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r"))


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
