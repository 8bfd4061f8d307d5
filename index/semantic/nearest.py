"""The nearest-vector files: an HNSW graph of one-bit passage vectors (usearch), re-scored with
int8 copies read from disk, beside the index.

Past ``EXACT_MAX`` stored vectors an exact scan is too slow for a question and its float32
matrix too large to hold (bench/README.md, "Nearest-vector search past exact"). A graph over
int8 vectors was tried first: memory-mapped, it still ends up wholly resident after about a
hundred questions (a search reads thousands of vectors at random), 532 MB at 1M passages, over
the index's memory budget. So the graph holds each vector's signs around the collection's mean
(48 bytes; 196 MB with its links at 1M), a search asks it for ``RESCORED`` passages, and their
int8 vectors are read with ``pread`` (page cache, not this process's memory) and re-scored:
recall@30 against exact float32 0.984 at 100k, 0.879 at 1M (bench/README.md).

Files in ``<database>.index/``, named by a random tag: ``nearest-<tag>.usearch`` (usearch's
format, memory-mapped with ``view``), ``nearest-<tag>.rows`` (int8 rows, vector × 127, in
passage-id order), ``nearest-<tag>.ids.npy``, and ``nearest.json`` naming the tag with each
file's CRC32, the mean the signs are taken around, the model's SHA-256, the size and the highest
passage id. Each is written under a temporary name, fsynced and renamed, the JSON last, so a
crash leaves the previous set whole (files of another tag go at the next write). A missing or
damaged file (CRC32, size), or one of another model, is refused: ``NearestFile.open`` says why
in one line and returns None, and the layer answers by exact search or BM25 alone until the set
is made again. Files are never changed: new passages go into a new set (``NearestBuilder``);
every id found is checked against the live passages by the caller.
"""

import contextlib
import json
import logging
import os
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from usearch.index import Index

from index.store.segments.files import checksum, fsync_dir, fsync_file, save

log = logging.getLogger(__name__)

META = "nearest.json"
# HNSW's settings (bench/ann_choice.py): 16 links a node, 128 looked at when one is added or
# searched for; the graph is asked for RESCORED passages, re-scored from their int8 vectors.
# RESCORED at 1M: 400 / 800 / 1,200 gave recall@30 0.765 / 0.879 / 0.920 and a search p50 of
# 1.4 / 2.9 / 12.6 ms (the graph's search widens with it); at 100k 800 gives 0.984.
CONNECTIVITY = 16
EXPANSION = 128
RESCORED = 800
BUILD_THREADS = 1  # the bot's questions keep the other core
SCALE = 127.0
ABANDONED_SECONDS = 3600.0  # a temporary file unchanged this long is a stopped builder's


@dataclass(frozen=True)
class NearestMeta:
    tag: str
    crcs: dict[str, int]  # by file name
    center: list[float]
    model: str
    size: int
    last_id: int

    def path(self, folder: Path, kind: str) -> Path:
        return folder / f"nearest-{self.tag}.{kind}"


def locate(sorted_ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each id of ``wanted``, its slot in ``sorted_ids`` and whether it is there."""
    if not len(sorted_ids):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return at, sorted_ids[at] == wanted


def _let_others_run(done: int, total: int) -> bool:
    """usearch calls this for every node as it maps a graph, with the GIL held: a call into
    Python lets the interpreter hand the GIL to another thread (the bot's event loop) as it does
    every few milliseconds, where mapping a million nodes would otherwise hold it for 40 ms or
    more (bench/README.md). True: go on."""
    return True


def signs(vectors: np.ndarray, center: np.ndarray) -> np.ndarray:
    """Each vector's signs around ``center``, eight to a byte: what the graph compares."""
    return np.packbits(np.atleast_2d(vectors) > center, axis=1)


class NearestFile:
    """One set of nearest-vector files, keyed by passage id; read-only."""

    def __init__(
        self, folder: Path, meta: NearestMeta, graph: Index, ids: np.ndarray, rows: BinaryIO
    ) -> None:
        self.folder = folder
        self.meta = meta
        self.ids = ids
        self._graph = graph
        self._rows = rows
        self._center = np.asarray(meta.center, dtype=np.float32)
        self.dimensions = len(meta.center)
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
        """The set in ``folder`` if it is whole and the model ``model``'s; else None, having
        said why in one line (nothing said when there is simply none yet)."""
        meta = read_meta(folder)
        if meta is None:
            return None
        if meta.model != model:
            log.info("the nearest-vector files in %s were made by another model; made again", folder)
            return None
        try:
            for kind in ("usearch", "rows", "ids.npy"):
                path = meta.path(folder, kind)
                if checksum(path) != meta.crcs.get(path.name):
                    log.warning("the nearest-vector file %s is damaged (checksum); it is made again", path)
                    return None
            graph = Index(ndim=len(meta.center), metric="hamming", dtype="b1", enable_key_lookups=False)
            graph.view(str(meta.path(folder, "usearch")), progress=_let_others_run)
            ids = np.load(meta.path(folder, "ids.npy"))
            rows = open(meta.path(folder, "rows"), "rb", buffering=0)  # noqa: SIM115 (held while in use)
        except (OSError, RuntimeError, ValueError) as error:
            log.warning("the nearest-vector files in %s cannot be read (%s); made again", folder, error)
            return None
        row_bytes = meta.size * len(meta.center)
        if not len(graph) == len(ids) == meta.size or os.fstat(rows.fileno()).st_size != row_bytes:
            log.warning("the nearest-vector files in %s do not match their sizes; made again", folder)
            rows.close()
            return None
        graph.expansion_search = EXPANSION  # type: ignore[misc]  # usearch declares the setter oddly
        return cls(folder, meta, graph, ids, rows)

    def search(self, question: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``count`` passage ids nearest ``question`` and their cosines (from the int8
        vectors: within about 0.01 of the exact ones), nearest first."""
        asked = min(max(RESCORED, count), self.meta.size)
        if count <= 0 or asked <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        with self._searching:
            found = self._graph.search(signs(question, self._center)[0], asked, threads=1)
        keys, rows = self.rows_of(np.asarray(found.keys, dtype=np.int64))
        cosines = rows @ question
        best = np.argsort(-cosines, kind="stable")[:count]
        return keys[best], cosines[best].astype(np.float32)

    def rows_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vectors (from int8, made unit again) of the passages of ``ids`` held here, as
        (their ids, sorted; rows): read with ``pread``, so they stay out of the process's memory."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        slots, held = locate(self.ids, ids)
        ids, slots = ids[held], slots[held]
        fd, width = self._rows.fileno(), self.dimensions
        data = b"".join(os.pread(fd, width, int(slot) * width) for slot in slots)
        rows = np.frombuffer(data, dtype=np.int8).reshape(len(slots), width).astype(np.float32)
        return ids, rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)

    def copy_graph(self) -> Index:
        """The graph in memory, to add to (the mapped one cannot be changed)."""
        graph = Index.restore(str(self.meta.path(self.folder, "usearch")), view=False)
        if graph is None:
            raise OSError(f"cannot read {self.meta.path(self.folder, 'usearch')}")
        return graph

    def copy_rows(self, into: BinaryIO) -> None:
        with open(self.meta.path(self.folder, "rows"), "rb") as rows:
            shutil.copyfileobj(rows, into, 1 << 22)


class NearestBuilder:
    """A new set of nearest-vector files: ``base``'s vectors (if any) and those added, kept in a
    temporary file until ``write``; ``discard`` when it is not written."""

    def __init__(self, folder: Path, dimensions: int, base: NearestFile | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.dimensions = dimensions
        self.tag = secrets.token_hex(4)
        self._center = base._center if base is not None else None
        self._ids: list[np.ndarray] = [base.ids] if base is not None else []
        self.added = 0
        self._rows_path = folder / f"tmp-nearest-{self.tag}.rows"
        self._rows = open(self._rows_path, "wb")  # noqa: SIM115 (closed by write or discard)
        try:
            if base is not None:
                base.copy_rows(self._rows)
            self.graph = base.copy_graph() if base is not None else self._new_graph()
        except BaseException:
            self.discard()
            raise

    def _new_graph(self) -> Index:
        return Index(ndim=self.dimensions, metric="hamming", dtype="b1", connectivity=CONNECTIVITY,
                     expansion_add=EXPANSION)  # fmt: skip

    def add(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        """Add passage vectors (unit float32 rows, ids above every id already in)."""
        if not len(ids):
            return
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        if self._center is None:  # the first batch's mean: a large sample of the collection
            self._center = matrix.mean(axis=0)
        self.graph.add(np.asarray(ids, dtype=np.uint64), signs(matrix, self._center), threads=BUILD_THREADS)
        self._rows.write(np.clip(np.rint(matrix * SCALE), -127, 127).astype(np.int8).tobytes())
        self._ids.append(np.asarray(ids, dtype=np.int64))
        self.added += len(ids)

    def write(self, model: str, last_id: int) -> NearestMeta:
        """Put the set in place crash-safely (see the module's docstring) and remove the others."""
        assert self._center is not None
        ids = np.concatenate(self._ids) if self._ids else np.zeros(0, dtype=np.int64)
        names = {kind: f"nearest-{self.tag}.{kind}" for kind in ("usearch", "rows", "ids.npy")}
        try:
            self._rows.flush()
            os.fsync(self._rows.fileno())
            self._rows.close()
            os.replace(self._rows_path, self.folder / names["rows"])
            temporary = self.folder / f"tmp-{names['usearch']}"
            self.graph.save(str(temporary))
            fsync_file(temporary)
            os.replace(temporary, self.folder / names["usearch"])
            save(self.folder, f"tmp-nearest-{self.tag}.ids", ids)  # written as tmp-….ids.npy, synced
            os.replace(self.folder / f"tmp-{names['ids.npy']}", self.folder / names["ids.npy"])
            crcs = {name: checksum(self.folder / name) for name in names.values()}
            center = [float(x) for x in self._center]
            meta = NearestMeta(self.tag, crcs, center, model, len(ids), int(last_id))
            temporary = self.folder / f"tmp-nearest-{self.tag}.json"
            temporary.write_text(json.dumps(asdict(meta)), encoding="utf-8")
            fsync_file(temporary)
            os.replace(temporary, self.folder / META)
            fsync_dir(self.folder)
        except BaseException:
            self.discard()
            raise
        for old in self.folder.glob("nearest-*"):
            if not old.name.startswith(f"nearest-{self.tag}."):  # the set replaced, or one a crash left
                old.unlink(missing_ok=True)
        for old in self.folder.glob("tmp-nearest-*"):  # a builder that stopped: nothing written for long
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > ABANDONED_SECONDS:
                    old.unlink()
        return meta

    def discard(self) -> None:
        """Remove what this builder wrote, unless ``nearest.json`` already names it."""
        self._rows.close()
        current = read_meta(self.folder)
        for path in self.folder.glob(f"*nearest-{self.tag}.*"):
            if path.name.startswith("tmp-") or current is None or current.tag != self.tag:
                path.unlink(missing_ok=True)


def read_meta(folder: Path) -> NearestMeta | None:
    """What ``nearest.json`` says, None when it is missing or unreadable (said in one line)."""
    path = folder / META
    try:
        data = json.loads(path.read_bytes())
        return NearestMeta(str(data["tag"]), {str(k): int(v) for k, v in data["crcs"].items()},
                           [float(x) for x in data["center"]], str(data["model"]), int(data["size"]),
                           int(data["last_id"]))  # fmt: skip
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning("%s cannot be read (%r); the nearest-vector files are made again", path, error)
        return None
