"""Passage vectors: stored in SQLite beside the passages, held in memory for questions.

The table ``passage_vectors`` (created with the rest in ``index.store.schema``) holds one unit
float32 vector per passage with its CRC32; a vector goes when its passage goes (``ON DELETE
CASCADE``), and each batch of new vectors is one SQLite transaction, so a crash keeps every
batch committed before it and nothing half written. ``meta.embedding_model`` names the model
file (SHA-256) the stored vectors came from: another model means every vector is made again.

Questions read ``VectorTable``: an in-memory copy searched exactly by one float32 matrix
product for a collection up to ``upkeep.EXACT_MAX``; past it, a memory-mapped HNSW file
(index/semantic/nearest.py) and, in memory, only the vectors newer than it.
"""

import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from index.semantic.nearest import NearestFile, locate
from index.store.segments import SegmentedIndex

MODEL_KEY = "embedding_model"
# Passages still without a vector, oldest first, with the text each is embedded from.
SELECT_MISSING = (
    "SELECT p.id, a.title, p.text FROM passages p JOIN articles a ON a.id = p.article_id"
    " WHERE p.id > ? AND NOT EXISTS (SELECT 1 FROM passage_vectors v WHERE v.passage_id = p.id)"
    " ORDER BY p.id LIMIT ?"
)
COUNT = "SELECT (SELECT count(*) FROM passage_vectors), (SELECT count(*) FROM passages)"
# The index COUNT reads instead of every vector (1.5 s cold at 200k vectors without it, 6 ms with
# it). In the schema of a new database; a database made before it gains it from the first
# embedding pass (it is not worth a new schema version: that would drop every vector).
COUNT_INDEX = "CREATE INDEX IF NOT EXISTS passage_vectors_count ON passage_vectors(crc)"
HAS_COUNT_INDEX = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'passage_vectors_count'"
# Only for a passage still there: a re-index may have replaced it since it was read.
INSERT = (
    "INSERT OR REPLACE INTO passage_vectors(passage_id, vector, crc)"
    " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)"
)
SELECT_ALL = (
    "SELECT passage_id, vector, crc FROM passage_vectors WHERE passage_id > ? ORDER BY passage_id LIMIT ?"
)
DELETE = "DELETE FROM passage_vectors WHERE passage_id = ?"
SELECT_IDS = "SELECT passage_id, vector, crc FROM passage_vectors WHERE passage_id IN ({marks})"
# Bounded: rows are about 1.5 kB with their vector inline, so counting a million reads 1.5 GB.
COUNT_AFTER = "SELECT count(*) FROM (SELECT 1 FROM passage_vectors WHERE passage_id > ? LIMIT ?)"
# Reads vectors by passage id: (the ids found whole, their rows).
StoredReader = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _whole(blob: bytes, crc: int, dimensions: int) -> bool:
    """Whether a stored vector is as it was written: its size and CRC32."""
    return len(blob) == dimensions * 4 and zlib.crc32(blob) == crc


def embedded_text(title: str, text: str) -> str:
    """What a passage is embedded as: its article's title says what "he" and "it" are about."""
    return f"{title}. {text}" if title else text


def progress(db: sqlite3.Connection) -> tuple[int, int]:
    """(passages with a vector, passages)."""
    embedded, passages = db.execute(COUNT).fetchone()
    return int(embedded), int(passages)


def missing(db: sqlite3.Connection, after: int, limit: int) -> list[tuple[int, str]]:
    """Up to ``limit`` passages with an id above ``after`` and no vector: (id, text to embed)."""
    rows = db.execute(SELECT_MISSING, (after, limit))
    return [(pid, embedded_text(title, text)) for pid, title, text in rows]


def store(db: sqlite3.Connection, ids: Sequence[int], vectors: np.ndarray) -> None:
    """Write vectors (in the caller's transaction), each with its CRC32."""
    rows = []
    for pid, vector in zip(ids, np.asarray(vectors, dtype=np.float32), strict=True):
        blob = vector.tobytes()
        rows.append((pid, blob, zlib.crc32(blob), pid))
    db.executemany(INSERT, rows)


def batches(
    db: sqlite3.Connection, dimensions: int, after: int = 0, batch: int = 20_000
) -> Iterator[tuple[np.ndarray, np.ndarray, list[int]]]:
    """The stored vectors of passage ids above ``after``, ``batch`` at a time, as (ids, matrix,
    ids whose vector is damaged: its CRC32 or size is wrong; left out, to be made again)."""
    while rows := db.execute(SELECT_ALL, (after, batch)).fetchall():
        ids: list[int] = []
        blobs: list[bytes] = []
        damaged: list[int] = []
        for pid, blob, crc in rows:
            if _whole(blob, crc, dimensions):
                ids.append(pid)
                blobs.append(blob)
            else:
                damaged.append(pid)
        after = rows[-1][0]
        matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), dimensions)
        yield np.asarray(ids, dtype=np.int64), matrix, damaged


def read(
    db: sqlite3.Connection, dimensions: int, after: int = 0, batch: int = 20_000
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Every stored vector of a passage id above ``after`` as (ids, matrix), and the ids whose
    vector is damaged (its CRC32 or size is wrong): they are left out, to be made again."""
    ids: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    parts: list[np.ndarray] = [np.zeros((0, dimensions), dtype=np.float32)]
    damaged: list[int] = []
    for found, matrix, bad in batches(db, dimensions, after, batch):
        ids.append(found)
        parts.append(matrix)
        damaged += bad
    return np.concatenate(ids), np.concatenate(parts), damaged


def read_ids(db: sqlite3.Connection, ids: np.ndarray, dimensions: int) -> tuple[np.ndarray, np.ndarray]:
    """The stored vectors of passages ``ids`` (those with a whole one), sorted by id."""
    found: list[int] = []
    blobs: list[bytes] = []
    wanted = [int(i) for i in ids]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(SELECT_IDS.format(marks=marks), chunk)
        for pid, blob, crc in rows:
            if _whole(blob, crc, dimensions):
                found.append(pid)
                blobs.append(blob)
    order = np.argsort(np.asarray(found, dtype=np.int64), kind="stable")
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(found), dimensions)
    return np.asarray(found, dtype=np.int64)[order], matrix[order]


def count_after(db: sqlite3.Connection, after: int, limit: int) -> int:
    """How many vectors are stored for passage ids above ``after``, counting no further than
    ``limit``."""
    return int(db.execute(COUNT_AFTER, (after, limit)).fetchone()[0])


class VectorTable:
    """The passage vectors a process answers from. Up to ``EXACT_MAX`` of them (index/semantic/
    upkeep.py) all in memory, rows sorted by passage id, appended to as the background embedding
    commits them, searched exactly. Past it, the bulk is in a memory-mapped nearest-vector file
    (``attach``) and only the newer ones (the tail) are held here; a cosine of a passage held in
    neither is read from the database (``stored``). Readers take a consistent view under a short
    lock; growing the arrays replaces them, so a view taken earlier stays valid."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, dimensions), dtype=np.float32)
        self._size = 0
        self._lock = threading.Lock()
        self._file: NearestFile | None = None
        self._stored: StoredReader | None = None  # vectors by id from the database, when not all are held
        self.on_grow: Callable[[], None] | None = None  # after each add: the upkeep decides on a file

    def __len__(self) -> int:
        return self._size + (self._file.size if self._file is not None else 0)

    @property
    def held(self) -> int:
        """How many vectors are in memory (the tail, when there is a file)."""
        return self._size

    @property
    def file(self) -> NearestFile | None:
        return self._file

    @property
    def last_id(self) -> int:
        """The highest passage id with a vector here or in the file (0 when none has)."""
        with self._lock:
            held = int(self._ids[self._size - 1]) if self._size else 0
            return max(held, self._file.last_id if self._file is not None else 0)

    def clear(self) -> None:
        with self._lock:
            self._ids = np.zeros(0, dtype=np.int64)
            self._matrix = np.zeros((0, self.dimensions), dtype=np.float32)
            self._size = 0
            self._file = None

    def read_from(self, stored: "StoredReader | None") -> None:
        """Where cosines of passages not held here come from (None: every vector is held)."""
        self._stored = stored

    def attach(self, file: NearestFile | None) -> None:
        """Search ``file`` beside the vectors held here, and let go of those it holds."""
        with self._lock:
            self._file = file
            if file is not None and self._size:
                keep = self._ids[: self._size] > file.last_id
                ids, matrix = self._ids[: self._size][keep], self._matrix[: self._size][keep]
                self._ids, self._matrix, self._size = ids.copy(), matrix.copy(), len(ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Append vectors of passages (``ids`` increasing); kept sorted by id whatever comes."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        with self._lock:
            size = self._size
            if size + len(ids) > len(self._ids):
                # The first load takes what it needs and a little room; later growth is by half
                # again: a large archive's vectors (hundreds of MB) once took twice their memory.
                needed = size + len(ids)
                capacity = needed + (needed // 2 if size else 1024)
                grown_ids = np.zeros(capacity, dtype=np.int64)
                grown = np.zeros((capacity, self.dimensions), dtype=np.float32)
                grown_ids[:size], grown[:size] = self._ids[:size], self._matrix[:size]
                self._ids, self._matrix = grown_ids, grown
            self._ids[size : size + len(ids)] = ids
            self._matrix[size : size + len(ids)] = vectors
            self._size = size + len(ids)
            if (size and ids[0] <= self._ids[size - 1]) or np.any(np.diff(ids) <= 0):
                self._resort()
        if self.on_grow is not None:
            self.on_grow()

    def _resort(self) -> None:
        """Sorted by id, the last copy of an id kept (rare: a vector made again)."""
        ids, matrix = self._ids[: self._size], self._matrix[: self._size]
        order = np.argsort(ids, kind="stable")
        ids, matrix = ids[order], matrix[order]
        last = np.ones(len(ids), dtype=bool)
        last[:-1] = ids[1:] != ids[:-1]
        ids, matrix = ids[last], matrix[last]
        self._ids, self._matrix, self._size = ids.copy(), matrix.copy(), len(ids)

    def _view(self) -> tuple[np.ndarray, np.ndarray, NearestFile | None]:
        with self._lock:
            return self._ids[: self._size], self._matrix[: self._size], self._file

    def cosines(self, ids: Sequence[int], question: np.ndarray) -> list[float]:
        """The cosine of each passage of ``ids`` to the question's vector. A passage without a
        vector yet (new, being embedded in the background) gets the mean of the others': the
        re-ordering weighs the cosine heavily, and a new article must not sink for being new."""
        table_ids, matrix, file = self._view()
        wanted = np.asarray(ids, dtype=np.int64)
        if self._stored is not None:
            table_ids, matrix = self._with_stored(table_ids, matrix, wanted, file)
        if not len(table_ids):
            return [0.0] * len(wanted)
        at, found = locate(table_ids, wanted)
        values = matrix[at] @ question
        stand_in = float(values[found].mean()) if found.any() else 0.0
        return [float(v) if f else stand_in for v, f in zip(values, found, strict=True)]

    def _with_stored(
        self, table_ids: np.ndarray, matrix: np.ndarray, wanted: np.ndarray, file: NearestFile | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The held rows of ``wanted``, the nearest file's (int8, within about 0.01) of those it
        holds, and the database's of the others, sorted by id."""
        assert self._stored is not None
        at, held = locate(table_ids, wanted)
        missing = np.unique(wanted[~held])
        ids, rows = [table_ids[at[held]]], [matrix[at[held]]]
        if file is not None and len(missing):
            filed, filed_rows = file.rows_of(missing)
            ids.append(filed)
            rows.append(filed_rows)
            missing = np.setdiff1d(missing, filed)
        if len(missing):
            read_ids, read = self._stored(missing)
            ids.append(read_ids)
            rows.append(read.reshape(-1, self.dimensions))
        every, every_row = np.concatenate(ids), np.concatenate(rows)
        order = np.argsort(every, kind="stable")
        return every[order], every_row[order]

    def nearest(self, question: np.ndarray, index: SegmentedIndex, k: int) -> list[tuple[int, float]]:
        """The ``k`` live passages of ``index`` nearest ``question``: (position, cosine), nearest
        first. Exact over the vectors held here (one matrix product), approximate in the file."""
        table_ids, matrix, file = self._view()
        if (not len(table_ids) and file is None) or k <= 0:
            return []
        scores = matrix @ question
        found: list[tuple[int, float]] = []
        wanted = k
        while True:  # vectors of passages deleted since they were loaded are skipped
            take = min(len(scores), wanted * 2)
            best = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
            best = best[np.argsort(-scores[best], kind="stable")]
            ids, cosines = table_ids[best], scores[best]
            if file is not None:
                far_ids, far = file.search(question, wanted * 2)
                ids, cosines = np.concatenate([ids, far_ids]), np.concatenate([cosines, far])
                order = np.argsort(-cosines, kind="stable")
                ids, cosines = ids[order], cosines[order]
            positions = positions_of(index, ids)
            found = [(int(p), float(c)) for p, c in zip(positions, cosines, strict=True) if p >= 0]
            exhausted = take == len(scores) and (file is None or wanted * 2 >= file.size)
            if len(found) >= k or exhausted:
                return found[:k]
            wanted *= 4


def positions_of(index: SegmentedIndex, ids: np.ndarray) -> np.ndarray:
    """The live position of each passage id in ``index``, -1 for a passage it does not hold."""
    at, held = locate(index.passage_ids, ids)
    if len(index.passage_ids):
        held &= index.live[at]
    return np.where(held, at, -1).astype(np.int64)
