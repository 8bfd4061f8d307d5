"""The manifest (which files make the index), deletion masks, and removing what no manifest names.

The manifest is a JSON value in the database's ``meta`` table, written in the same SQLite
transaction as the passages, so the manifest a reader sees always names complete files that
hold exactly the committed passages. ``del-<generation>-<random>.npy`` holds one segment's
deleted passages (segment-local numbers). Files no manifest names (a crashed re-index) are
removed by ``collect_garbage``.
"""

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np

from .files import OWN_NAME, new_name

FORMAT = 1


@dataclass(frozen=True, slots=True)
class SegmentEntry:
    """One segment as the manifest names it."""

    name: str
    docs: int  # passages written in it, deleted ones included
    deleted: str | None = None  # the file of its deleted passages, if any
    deleted_count: int = 0


@dataclass(frozen=True, slots=True)
class Manifest:
    """Which files make one committed index, and the corpus statistics rank-bm25 would compute."""

    generation: int = 0
    segments: tuple[SegmentEntry, ...] = ()
    lexicon: tuple[str, ...] = ()
    terms: int = 0  # global term ids are 0 .. terms-1
    stats: str | None = None
    passages: int = 0  # N, the live passages
    length: int = 0  # terms over the live passages
    vocabulary: int = 0  # distinct terms the live passages hold
    epsilon: float = 0.0
    format: int = FORMAT
    checksums: dict[str, int] = field(default_factory=dict)  # CRC32 by "name" or "name/file"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # keys a newer Byline wrote

    def files(self) -> set[str]:
        """The names, in the index folder, of every file and folder this manifest needs."""
        names = set(self.lexicon)
        names.update(s.name for s in self.segments)
        names.update(s.deleted for s in self.segments if s.deleted)
        if self.stats:
            names.add(self.stats)
        return names

    def to_json(self) -> str:
        value = asdict(self)
        value.update(value.pop("extra"))
        return json.dumps(value)

    @classmethod
    def from_json(cls, text: str) -> Self:
        """The manifest stored as ``text``; ValueError, KeyError or TypeError if it is not one."""
        value = json.loads(text)
        known = {name for name in cls.__dataclass_fields__ if name != "extra"}
        extra = {k: v for k, v in value.items() if k not in known}
        if not isinstance(value.get("checksums", {}), dict):
            raise TypeError("checksums")
        return cls(
            generation=int(value["generation"]),
            segments=tuple(SegmentEntry(**s) for s in value["segments"]),
            lexicon=tuple(value["lexicon"]),
            terms=int(value["terms"]),
            stats=value["stats"],
            passages=int(value["passages"]),
            length=int(value["length"]),
            vocabulary=int(value["vocabulary"]),
            epsilon=float(value["epsilon"]),
            format=int(value.get("format", FORMAT)),
            checksums={str(k): int(v) for k, v in value.get("checksums", {}).items()},
            extra=extra,
        )


def manifest_files(manifest: Manifest | None) -> set[str]:
    return manifest.files() if manifest is not None else set()


def collect_garbage(root: Path, keep: set[str]) -> list[str]:
    """Remove the index files that no kept manifest names (only names Byline gives its files:
    anything else in the folder is left alone). Call it holding the write lock."""
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        if OWN_NAME.fullmatch(entry.name) and entry.name not in keep:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed


def write_deleted(root: Path, generation: int, deleted: np.ndarray) -> str:
    name = new_name("del", generation) + ".npy"
    tmp = root / f"tmp-{name}"
    with open(tmp, "wb") as file:
        np.save(file, np.flatnonzero(deleted).astype(np.int32))
        file.flush()
        os.fsync(file.fileno())
    os.rename(tmp, root / name)
    return name


def load_deleted(root: Path, entry: SegmentEntry) -> np.ndarray | None:
    """The segment's deleted passages as a mask over its passages, or None when none is."""
    if not entry.deleted:
        return None
    mask = np.zeros(entry.docs, dtype=bool)
    mask[np.load(root / entry.deleted)] = True
    return mask
