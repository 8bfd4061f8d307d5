"""The nearest-vector file: an HNSW graph of int8 passage vectors (usearch), beside the index.

Past ``EXACT_MAX`` stored vectors an exact scan is too slow for a question and its float32
matrix too large to hold (bench/README.md, "Nearest-vector search past exact"). The vectors are
then kept in this file instead, memory-mapped (``view``): a question touches only the graph's
pages it walks, and opening it reads nothing but its checksum.

Two files in ``<database>.index/``: ``nearest-<crc32>.usearch`` (usearch's own format) and
``nearest.json`` naming it, with its CRC32, the model's SHA-256 it was built from, how many
vectors it holds and the highest passage id among them. Each is written under a temporary name,
fsynced and renamed into place, the file before the JSON that names it, so a crash leaves the
previous pair whole (a file the JSON does not name is removed at the next write). A missing or
damaged file (its CRC32), or one made by another model, is refused: ``NearestFile.open`` says
why in one line and returns None, and the layer answers by exact search or BM25 alone until the
file is built again. The graph is never changed in place: new passages are added to a copy
(``write``), and their ids, like every key, are checked against the live passages by the caller.
"""

import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from usearch.index import Index

from index.store.segments.files import checksum, fsync_dir

log = logging.getLogger(__name__)

META = "nearest.json"
# HNSW's settings (bench/ann_choice.py): 16 neighbours a node, 128 looked at when one is added;
# a search looks at ``max(EXPANSION, asked)`` nodes: recall@30 0.987 at 100k (bench/ann_choice.py).
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION = 128
BUILD_THREADS = 1  # the bot's questions keep the other core


@dataclass(frozen=True)
class NearestMeta:
    file: str
    crc: int
    model: str
    size: int
    last_id: int


class NearestFile:
    """One memory-mapped graph of passage vectors, keyed by passage id; read-only."""

    def __init__(self, folder: Path, meta: NearestMeta, graph: Index) -> None:
        self.folder = folder
        self.meta = meta
        self._graph = graph
        # usearch's documentation does not say two Python threads may search one index at once
        # (its searches use numbered per-thread slots); a search is under a millisecond, so
        # questions' worker threads take turns.
        self._searching = threading.Lock()

    @property
    def size(self) -> int:
        return self.meta.size

    @property
    def last_id(self) -> int:
        return self.meta.last_id

    @classmethod
    def open(cls, folder: Path, model: str) -> "NearestFile | None":
        """The file in ``folder`` if it is whole and the model ``model``'s; else None, having
        said why in one line (nothing said when there is simply none yet)."""
        meta = read_meta(folder)
        if meta is None:
            return None
        path = folder / meta.file
        if meta.model != model:
            log.info("the nearest-vector file %s was made by another model; it is made again", path)
            return None
        try:
            whole = checksum(path) == meta.crc
            graph = Index.restore(str(path), view=True, enable_key_lookups=False) if whole else None
        except (OSError, RuntimeError, ValueError) as error:
            log.warning("the nearest-vector file %s cannot be read (%s); it is made again", path, error)
            return None
        if graph is None or len(graph) != meta.size:
            log.warning("the nearest-vector file %s is damaged (checksum, size); it is made again", path)
            return None
        graph.expansion_search = EXPANSION  # type: ignore[misc]  # usearch declares the setter oddly
        return cls(folder, meta, graph)

    def search(self, question: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``count`` passage ids nearest ``question`` and their cosines (from the int8
        vectors: within about 0.01 of the exact ones), nearest first."""
        count = min(count, self.meta.size)
        if count <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        with self._searching:
            found = self._graph.search(np.asarray(question, dtype=np.float32), count, threads=1)
        return np.asarray(found.keys, dtype=np.int64), 1.0 - np.asarray(found.distances, dtype=np.float32)

    def copy(self) -> Index:
        """The graph in memory, to add to (the mapped one cannot be changed)."""
        graph = Index.restore(str(self.folder / self.meta.file), view=False)
        if graph is None:
            raise OSError(f"cannot read {self.folder / self.meta.file}")
        return graph


def new_graph(dimensions: int) -> Index:
    return Index(
        ndim=dimensions, metric="cos", dtype="i8", connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD
    )


def add(graph: Index, ids: np.ndarray, matrix: np.ndarray) -> None:
    """Add passage vectors to an in-memory graph (unit float32 rows; stored as int8)."""
    if len(ids):
        graph.add(np.asarray(ids, dtype=np.uint64), np.ascontiguousarray(matrix, dtype=np.float32),
                  threads=BUILD_THREADS)  # fmt: skip


def write(folder: Path, graph: Index, model: str, last_id: int) -> NearestMeta:
    """Save ``graph`` as the folder's nearest-vector file, crash-safely (see the module's
    docstring), and remove the file it replaces."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"tmp-nearest-{secrets.token_hex(4)}.usearch"
    try:
        graph.save(str(temporary))
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        crc = checksum(temporary)
        name = f"nearest-{crc:08x}.usearch"
        os.replace(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)
    meta = NearestMeta(name, crc, model, len(graph), int(last_id))
    text = json.dumps(meta.__dict__).encode()
    temporary = folder / f"tmp-{META}-{secrets.token_hex(4)}"
    with open(temporary, "wb") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, folder / META)
    fsync_dir(folder)
    for old in folder.glob("nearest-*.usearch"):
        if old.name != name:  # the one replaced, and any a crash left unnamed
            old.unlink(missing_ok=True)
    return meta


def read_meta(folder: Path) -> NearestMeta | None:
    """What ``nearest.json`` says, None when it is missing or unreadable (said in one line)."""
    path = folder / META
    try:
        data = json.loads(path.read_bytes())
        return NearestMeta(str(data["file"]), int(data["crc"]), str(data["model"]), int(data["size"]),
                           int(data["last_id"]))  # fmt: skip
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("%s cannot be read (%r); the nearest-vector file is made again", path, error)
        return None
